package main

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The container image is a static binary on an empty base (FROM scratch).
// Docker may not be available where the tests run, so these tests build
// the binary with the Dockerfile's own build command and run it the way the
// image does: alone in an empty root directory (chroot, when the tests run
// as root), as the image's user, with only the image's environment and a
// data directory standing for the mounted volume.

// image is what the tests read from the Dockerfile.
type image struct {
	build       string            // the shell command of the build stage's go build
	env         map[string]string // ENV of the final stage
	uid         int               // USER of the final stage
	gid         int
	healthcheck []string // HEALTHCHECK CMD of the final stage, exec form
}

func readDockerfile(tb testing.TB) image {
	tb.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		tb.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	var img image
	build := regexp.MustCompile(`(?m)^RUN (CGO_ENABLED=0 go build [^&\n]*-o /out/spoke \./cmd/spoke)`).FindStringSubmatch(text)
	if build == nil {
		tb.Fatal("Dockerfile: no `RUN CGO_ENABLED=0 go build ... -o /out/spoke ./cmd/spoke`")
	}
	img.build = build[1]
	final := text[strings.LastIndex(text, "\nFROM "):]
	if !strings.HasPrefix(final, "\nFROM scratch") {
		tb.Fatal("Dockerfile: the final stage is not FROM scratch")
	}
	env := regexp.MustCompile(`(?m)^ENV (.*)$`).FindStringSubmatch(final)
	if env == nil {
		tb.Fatal("Dockerfile: no ENV in the final stage")
	}
	img.env = map[string]string{}
	for _, kv := range strings.Fields(env[1]) {
		k, v, _ := strings.Cut(kv, "=")
		img.env[k] = v
	}
	user := regexp.MustCompile(`(?m)^USER (\d+):(\d+)$`).FindStringSubmatch(final)
	if user == nil {
		tb.Fatal("Dockerfile: no numeric USER uid:gid in the final stage")
	}
	fmt.Sscan(user[1], &img.uid)
	fmt.Sscan(user[2], &img.gid)
	// A scratch image has no shell: the health check must be exec form.
	if hc := regexp.MustCompile(`(?m)^HEALTHCHECK .*?CMD (\[.*\])$`).FindStringSubmatch(final); hc != nil {
		if err := json.Unmarshal([]byte(hc[1]), &img.healthcheck); err != nil {
			tb.Fatalf("Dockerfile: HEALTHCHECK CMD %s is not an exec-form JSON array: %v", hc[1], err)
		}
	}
	return img
}

var (
	imageBuild    sync.Once
	imageBinary   string
	imageBuildErr error
)

// buildImageBinary runs the Dockerfile's build command, once per test
// binary, with the output redirected to a temporary directory.
func buildImageBinary(tb testing.TB, img image) string {
	tb.Helper()
	imageBuild.Do(func() {
		// binary's directory is removed by TestMain.
		imageBinary = filepath.Join(filepath.Dir(binary), "spoke-image")
		script := strings.Replace(img.build, "-o /out/spoke", "-o "+imageBinary, 1)
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = "../.."
		if b, err := cmd.CombinedOutput(); err != nil {
			imageBuildErr = fmt.Errorf("%s: %v\n%s", script, err, b)
		}
	})
	if imageBuildErr != nil {
		tb.Fatal(imageBuildErr)
	}
	return imageBinary
}

// imageRoot is an empty root directory holding only /spoke and /data, as
// the image does.
type imageRoot struct {
	dir    string
	chroot bool // run chrooted as the image's user (needs root)
	img    image
}

func newImageRoot(tb testing.TB, img image, bin string) *imageRoot {
	tb.Helper()
	r := &imageRoot{dir: tb.TempDir(), chroot: os.Geteuid() == 0, img: img}
	// The binary goes in as a hard link, or else is copied by cp: a file
	// this process held open for writing would be inherited by any process
	// another test forks meanwhile, and starting the binary would fail
	// with "text file busy" until that one execs (golang.org/issue/22315).
	dst := filepath.Join(r.dir, "spoke")
	if err := os.Link(bin, dst); err != nil {
		if out, err := exec.Command("cp", bin, dst).CombinedOutput(); err != nil {
			tb.Fatalf("cp %s: %v\n%s", bin, err, out)
		}
	}
	if err := os.Mkdir(filepath.Join(r.dir, "data"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if r.chroot {
		// TempDir is 0700 and owned by root; the image's user must reach /data.
		os.Chmod(r.dir, 0o755)
		if err := os.Chown(filepath.Join(r.dir, "data"), img.uid, img.gid); err != nil {
			tb.Fatal(err)
		}
	}
	return r
}

// start runs `/spoke serve` the way `docker run -e SPOKE_ACCESS_TOKEN=...`
// would, except that it listens on a free loopback port so that tests can
// run in parallel, and returns the base URL once the server says it listens.
func (r *imageRoot) start(tb testing.TB, token string) (*exec.Cmd, string) {
	tb.Helper()
	env := []string{"SPOKE_ACCESS_TOKEN=" + token}
	for k, v := range r.img.env {
		if k == "SPOKE_ADDR" {
			v = "127.0.0.1:0"
		}
		if k == "SPOKE_DB" && !r.chroot {
			v = filepath.Join(r.dir, v)
		}
		env = append(env, k+"="+v)
	}
	var cmd *exec.Cmd
	if r.chroot {
		cmd = exec.Command("/spoke", "serve")
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Chroot:     r.dir,
			Credential: &syscall.Credential{Uid: uint32(r.img.uid), Gid: uint32(r.img.gid)},
		}
		cmd.Dir = "/"
	} else {
		cmd = exec.Command(filepath.Join(r.dir, "spoke"), "serve")
		cmd.Dir = r.dir
	}
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	var out strings.Builder
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		out.WriteString(lines.Text() + "\n")
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return cmd, m[1]
		}
	}
	cmd.Wait()
	tb.Fatalf("spoke exited before listening:\n%s", out.String())
	return nil, ""
}

// run runs a command in the image the way Docker runs HEALTHCHECK CMD: the
// image's user and environment, with SPOKE_ADDR naming port.
func (r *imageRoot) run(tb testing.TB, port string, args []string) (string, error) {
	tb.Helper()
	var env []string
	for k, v := range r.img.env {
		if k == "SPOKE_ADDR" {
			v = "0.0.0.0:" + port
		}
		env = append(env, k+"="+v)
	}
	var cmd *exec.Cmd
	if r.chroot {
		cmd = exec.Command(args[0], args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Chroot:     r.dir,
			Credential: &syscall.Credential{Uid: uint32(r.img.uid), Gid: uint32(r.img.gid)},
		}
		cmd.Dir = "/"
	} else {
		cmd = exec.Command(filepath.Join(r.dir, args[0]), args[1:]...)
		cmd.Dir = r.dir
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The image's HEALTHCHECK runs the binary alone (no shell, no curl): it
// passes while the server answers and fails once it is gone.
func TestImageHealthcheck(t *testing.T) {
	t.Parallel()
	img := readDockerfile(t)
	if len(img.healthcheck) == 0 || img.healthcheck[0] != "/spoke" {
		t.Fatalf("Dockerfile: no HEALTHCHECK CMD [\"/spoke\", ...] in the final stage: %q", img.healthcheck)
	}
	root := newImageRoot(t, img, buildImageBinary(t, img))
	cmd, url := root.start(t, "dev-token")
	_, port, _ := strings.Cut(strings.TrimPrefix(url, "http://127.0.0.1"), ":")
	if out, err := root.run(t, port, img.healthcheck); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("healthcheck of a serving container: %v\n%s", err, out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	if out, err := root.run(t, port, img.healthcheck); err == nil {
		t.Errorf("healthcheck passed with the server stopped: %s", out)
	}
}

// compose.yaml checks health with the image's own command, in exec form.
func TestComposeHealthcheck(t *testing.T) {
	t.Parallel()
	img := readDockerfile(t)
	data, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+test: (\[.*\])$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("compose.yaml: no healthcheck test")
	}
	var test []string
	if err := json.Unmarshal(m[1], &test); err != nil || len(test) < 2 || test[0] != "CMD" {
		t.Fatalf("compose.yaml: healthcheck test %s is not [\"CMD\", ...] (the image has no shell for CMD-SHELL): %v", m[1], err)
	}
	if strings.Join(test[1:], " ") != strings.Join(img.healthcheck, " ") {
		t.Errorf("compose.yaml checks %q, the Dockerfile %q", test[1:], img.healthcheck)
	}
	if !regexp.MustCompile(`(?m)^\s+build: \.$`).Match(data) {
		t.Error("compose.yaml does not build the image from this repository")
	}
}

func TestImageBinaryIsStatic(t *testing.T) {
	t.Parallel()
	img := readDockerfile(t)
	bin := buildImageBinary(t, img)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %v program header: it needs a dynamic loader the image lacks", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("binary needs shared libraries the image lacks: %v", libs)
	}
}

func TestImageServesFromEmptyRootAndKeepsData(t *testing.T) {
	t.Parallel()
	img := readDockerfile(t)
	if img.env["SPOKE_DB"] != "/data/spoke.db" {
		t.Fatalf("image keeps its data at %q, not in the /data volume", img.env["SPOKE_DB"])
	}
	root := newImageRoot(t, img, buildImageBinary(t, img))
	t.Logf("chroot as %d:%d: %v", img.uid, img.gid, root.chroot)

	const token = "dev-token"
	cmd, url := root.start(t, token)
	p := &process{cmd: cmd, url: url}
	status, body := p.do(t, token, "POST", "/crm/v3/objects/communications", message)
	if status != 201 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("create in the image: %d %v", status, body)
	}
	id := body["id"].(string)
	// Time zones are compiled in: the image has no /usr/share/zoneinfo.
	status, body = p.do(t, token, "PUT", "/_spoke/rate-limit", `{"timeZone":"America/New_York"}`)
	if status != 200 {
		t.Errorf("time zone in the image: %d %v", status, body)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("spoke serve after SIGTERM: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root.dir, "data", "spoke.db")); err != nil {
		t.Fatalf("no database in the data volume: %v", err)
	}

	// A new container on the same volume sees the message.
	cmd, url = root.start(t, token)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	p = &process{cmd: cmd, url: url}
	if status, body := p.do(t, token, "GET", "/crm/v3/objects/communications/"+id, ""); status != 200 {
		t.Fatalf("message after restart: %d %v", status, body)
	}
}

// BenchmarkImageStartup times the image's binary, run as the image runs it,
// from process start to the first 200 on an existing data volume:
//
//	go test -run '^$' -bench ImageStartup ./cmd/spoke/
func BenchmarkImageStartup(b *testing.B) {
	img := readDockerfile(b)
	root := newImageRoot(b, img, buildImageBinary(b, img))
	const token = "dev-token"
	cmd, _ := root.start(b, token) // creates the database
	cmd.Process.Kill()
	cmd.Wait()
	var ready time.Duration
	for b.Loop() {
		start := time.Now()
		cmd, url := root.start(b, token)
		for {
			resp, err := http.Get(url + "/_spoke/health")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
		}
		ready += time.Since(start)
		cmd.Process.Kill()
		cmd.Wait()
	}
	b.ReportMetric(float64(ready.Microseconds())/1000/float64(b.N), "ms-to-first-200")
}
