package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// binary is the spoke executable built once for these tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "spoke-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "spoke")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := pgtest.Main(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running "spoke serve".
type process struct {
	cmd    *exec.Cmd
	url    string
	stdout *os.File
	// logFile receives the log (standard error); logDone is closed once
	// the process has closed its standard error.
	logFile *os.File
	logDone chan struct{}
}

// output returns what the process has written to standard output so far.
// Standard output is a file, not a pipe, so everything written before the
// listening line is already there when it appears.
func (p *process) output() string {
	data, _ := os.ReadFile(p.stdout.Name())
	return string(data)
}

// stop sends SIGTERM, waits for the process to exit and returns its exit
// error and its whole log.
func (p *process) stop(t *testing.T) (error, string) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.logDone
	err := p.cmd.Wait()
	data, _ := os.ReadFile(p.logFile.Name())
	return err, string(data)
}

var listening = regexp.MustCompile(`msg="spoke listening" url=(\S+)`)

// serve starts the binary on a free port and waits for its listening line.
func serve(t *testing.T, db string, env ...string) *process {
	t.Helper()
	return serveArgs(t, []string{"--db", db}, env...)
}

// serveArgs starts "spoke serve --addr 127.0.0.1:0" with more arguments
// and waits for its listening line.
func serveArgs(t *testing.T, args []string, env ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "SPOKE_ACCESS_TOKEN=")
	cmd.Env = append(cmd.Env, env...)
	stdout, err := os.CreateTemp(t.TempDir(), "stdout")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = stdout
	logFile, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stdout: stdout, logFile: logFile, logDone: make(chan struct{})}
	t.Cleanup(func() { cmd.Process.Kill(); <-p.logDone; cmd.Wait() })
	lines := bufio.NewReader(stderr)
	for {
		line, err := lines.ReadString('\n')
		logFile.WriteString(line)
		if m := listening.FindStringSubmatch(line); m != nil {
			p.url = m[1]
			go func() { io.Copy(logFile, lines); close(p.logDone) }()
			return p
		}
		if err != nil {
			close(p.logDone)
			cmd.Wait()
			data, _ := os.ReadFile(stdout.Name())
			log, _ := os.ReadFile(logFile.Name())
			t.Fatalf("spoke exited before listening: %s%s", data, log)
			return nil
		}
	}
}

// try sends a request and reports transport errors instead of failing.
func (p *process) try(token, method, path, body string) (int, map[string]any, error) {
	req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, nil
}

func (p *process) do(t *testing.T, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

const message = `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_body":"kept","hs_timestamp":1700000000000}}`

func TestFirstRunPrintsTokenOnce(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	p := serve(t, db)
	out := strings.TrimSpace(p.output())
	token := out[strings.LastIndex(out, "\n")+1:]
	if !strings.HasPrefix(token, "pat-na1-") {
		t.Fatalf("no token printed: %q", out)
	}
	if status, _ := p.do(t, token, "GET", "/crm/v3/objects/communications", ""); status != 200 {
		t.Fatalf("printed token refused: %d", status)
	}
	if status, _ := p.do(t, "pat-na1-guess", "GET", "/crm/v3/objects/communications", ""); status != 401 {
		t.Fatalf("wrong token: %d", status)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.cmd.Wait()
	data, _ := os.ReadFile(db)
	if bytes.Contains(data, []byte(token)) {
		t.Error("token stored in clear")
	}
	again := serve(t, db)
	if strings.Contains(again.output(), "pat-") {
		t.Errorf("second start printed a token: %q", again.output())
	}
	if status, _ := again.do(t, token, "GET", "/crm/v3/objects/communications", ""); status != 200 {
		t.Errorf("token lost across restart: %d", status)
	}
}

func TestEnvironmentToken(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=my-local-token")
	if p.output() != "" {
		t.Errorf("printed %q although SPOKE_ACCESS_TOKEN is set", p.output())
	}
	if status, _ := p.do(t, "my-local-token", "POST", "/crm/v3/objects/communications", message); status != 201 {
		t.Errorf("env token: %d", status)
	}
}

func TestWritesSurviveKill9(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	env := "SPOKE_ACCESS_TOKEN=tok"
	p := serve(t, db, env)
	var ids []string
	for range 20 {
		status, body := p.do(t, "tok", "POST", "/crm/v3/objects/communications", message)
		if status != 201 {
			t.Fatalf("create: %d %v", status, body)
		}
		ids = append(ids, body["id"].(string))
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	again := serve(t, db, env)
	for _, id := range ids {
		status, body := again.do(t, "tok", "GET", "/crm/v3/objects/communications/"+id+"?properties=hs_communication_body", "")
		if status != 200 || body["properties"].(map[string]any)["hs_communication_body"] != "kept" {
			t.Fatalf("record %s after kill -9: %d %v", id, status, body)
		}
	}
}

func TestSIGTERMStopsCleanly(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=tok")
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("spoke did not stop after SIGTERM")
	}
}

func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"serve", "--db", "postgres://localhost:1/spoke"},
		{"serve", "--bogus"},
		{"serve", "extra"},
		{"frobnicate"},
		{},
	} {
		out, err := exec.Command(binary, args...).CombinedOutput()
		if err == nil {
			t.Errorf("%v succeeded: %s", args, out)
		}
		if len(args) == 3 && args[2] == "postgres://localhost:1/spoke" && !strings.Contains(string(out), "postgres") {
			t.Errorf("postgres URL error unclear: %s", out)
		}
	}
}
