package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/internal/runtimecfg"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// binDir holds the spoke binary built for the process benchmarks.
var binDir string

func TestMain(m *testing.M) {
	runtimecfg.Apply()     // the servers under test run in this process
	code := pgtest.Main(m) // stops the cluster of SPOKE_BENCH_STORE=postgres runs
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// spokeBinary builds ./cmd/spoke once per test binary run.
func spokeBinary(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		if binDir, err = os.MkdirTemp("", "spoke-bench-"); err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(binDir, "spoke")
		out, err := exec.Command(goTool, "build", "-o", binPath, "github.com/spoke-crm/spoke/cmd/spoke").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./cmd/spoke: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binPath
}

// proc is a running spoke serve.
type proc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed when stderr reaches EOF
}

// startSpoke runs `spoke serve --addr 127.0.0.1:0 --db db` and returns once
// GET / answers 200. envToken, when set, becomes SPOKE_ACCESS_TOKEN.
func startSpoke(bin, db, envToken string) (*proc, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SPOKE_ACCESS_TOKEN=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if envToken != "" {
		cmd.Env = append(cmd.Env, "SPOKE_ACCESS_TOKEN="+envToken)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	var logged bytes.Buffer // kept for error messages
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if logged.Len() < 4096 {
				logged.WriteString(line + "\n")
			}
			if strings.Contains(line, `msg="spoke listening"`) {
				for _, f := range strings.Fields(line) {
					if u, ok := strings.CutPrefix(f, "url="); ok {
						urls <- u
					}
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	fail := func(err error) (*proc, error) {
		p.stop()
		return nil, fmt.Errorf("%w; stderr:\n%s", err, logged.String())
	}
	deadline := time.After(15 * time.Second)
	select {
	case p.url = <-urls:
	case <-p.done:
		return fail(errors.New("spoke exited before listening"))
	case <-deadline:
		return fail(errors.New("spoke did not log its URL within 15s"))
	}
	// A fresh client per start: the first 200 includes connecting.
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		resp, err := c.Get(p.url + "/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-deadline:
			return fail(fmt.Errorf("GET / did not answer 200 within 15s: %v", err))
		case <-time.After(200 * time.Microsecond):
		}
	}
}

// stop sends SIGTERM and waits for the process to exit.
func (p *proc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	return p.cmd.Wait()
}

// memMiB reads a memory field (VmRSS, VmHWM) of the process from
// /proc/PID/status in MiB; ok is false where /proc is unavailable.
func (p *proc) memMiB(field string) (float64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}

// BenchmarkStartup times the real binary from process start to the first
// 200 on GET /, on a new database file (migrations and first token
// included) and on an existing one, and reports VmRSS once ready.
func BenchmarkStartup(b *testing.B) {
	bin := spokeBinary(b)
	run := func(b *testing.B, dbFor func(i int) string) {
		var ready time.Duration
		var rss float64
		var rssOK bool
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			p, err := startSpoke(bin, dbFor(i), "")
			if err != nil {
				b.Fatal(err)
			}
			ready += time.Since(start)
			b.StopTimer()
			var mib float64
			mib, rssOK = p.memMiB("VmRSS")
			rss += mib
			if err := p.stop(); err != nil {
				b.Fatalf("spoke serve: %v", err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(ready.Microseconds())/1000/float64(b.N), "ms-to-first-200")
		if rssOK {
			b.ReportMetric(rss/float64(b.N), "rss-MiB")
		}
	}
	b.Run("new-db", func(b *testing.B) {
		dir := b.TempDir()
		run(b, func(i int) string { return filepath.Join(dir, fmt.Sprintf("x%d.db", i)) })
	})
	b.Run("existing-db", func(b *testing.B) {
		db := filepath.Join(b.TempDir(), "x.db")
		p, err := startSpoke(bin, db, "")
		if err != nil {
			b.Fatal(err)
		}
		p.stop()
		run(b, func(int) string { return db })
	})
}

// burst is how many communications BenchmarkProcessMemory creates.
const burst = 5000

// BenchmarkProcessMemory starts the real binary on a new database, reads
// its VmRSS, creates burst WhatsApp communications through HTTP from
// parallel clients, and reads VmRSS (and the peak, VmHWM) again. One
// operation is one such start-and-burst cycle.
func BenchmarkProcessMemory(b *testing.B) {
	bin := spokeBinary(b)
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	dir := b.TempDir()
	clients := parallelism * runtime.GOMAXPROCS(0)
	var before, after, peak, rate float64
	b.ResetTimer()
	for i := range b.N {
		p, err := startSpoke(bin, filepath.Join(dir, fmt.Sprintf("x%d.db", i)), spoketest.Token)
		if err != nil {
			b.Fatal(err)
		}
		rss, _ := p.memMiB("VmRSS")
		before += rss

		c := newClient()
		url := p.url + "/crm/v3/objects/communications"
		var next atomic.Int64
		errs := make(chan error, clients)
		start := time.Now()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for n := next.Add(1); n <= burst; n = next.Add(1) {
					status, data, err := request(c, "POST", url, createBody(n))
					if err == nil && status != http.StatusCreated {
						err = fmt.Errorf("POST: %d %s", status, data)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		rate += burst / time.Since(start).Seconds()
		c.CloseIdleConnections()
		close(errs)
		if err := <-errs; err != nil {
			p.stop()
			b.Fatal(err)
		}
		rss, _ = p.memMiB("VmRSS")
		after += rss
		hwm, _ := p.memMiB("VmHWM")
		peak += hwm
		if err := p.stop(); err != nil {
			b.Fatalf("spoke serve: %v", err)
		}
	}
	n := float64(b.N)
	b.ReportMetric(before/n, "rss-start-MiB")
	b.ReportMetric(after/n, "rss-after-5k-creates-MiB")
	b.ReportMetric(peak/n, "rss-peak-MiB")
	b.ReportMetric(rate/n, "creates/s")
}
