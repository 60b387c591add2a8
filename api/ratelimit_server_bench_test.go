package api_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// benchServeEnv names the variant a child process serves (see TestMain).
const benchServeEnv = "SPOKE_BENCH_SERVE"

// serveBenchChild serves newBenchHandler's server for variant on a loopback
// port, prints "URL PATH" on stdout, and answers GET /_bench/cpu with the
// process's CPU time in nanoseconds. It returns when stdin closes.
func serveBenchChild(variant string) int {
	dir, err := os.MkdirTemp("", "spoke-bench-serve-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	h, path, closeStore, err := newBenchHandler(dir, variant)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeStore()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET /_bench/cpu", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strconv.FormatInt(cpuTime().Nanoseconds(), 10))
	})
	go http.Serve(ln, mux)
	fmt.Printf("http://%s %s\n", ln.Addr(), path)
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// BenchmarkGetByIDRateLimitServer is GET by id over loopback HTTP with the
// server in its own process, so that cpu-ns/op is the server's CPU a call
// alone (the client's parsing of the extra headers is not counted, as it
// would not be on a user's machine):
//
//	go test -run '^$' -bench GetByIDRateLimitServer -count 10 ./api/ | benchstat -col /limiter -
func BenchmarkGetByIDRateLimitServer(b *testing.B) {
	for _, variant := range []string{"off", "headers", "on"} {
		b.Run("limiter="+variant, func(b *testing.B) {
			base, path, stop := startBenchChild(b, exec.Command(os.Args[0]), variant)
			defer stop()
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConnsPerHost = 64
			client := &http.Client{Transport: tr}
			serverCPU := func() int64 {
				resp, err := client.Get(base + "/_bench/cpu")
				if err != nil {
					b.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				n, err := strconv.ParseInt(string(body), 10, 64)
				if err != nil {
					b.Fatalf("cpu: %q", body)
				}
				return n
			}
			url := base + path
			b.SetParallelism(4)
			start := serverCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					getOK(b, client, url)
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(serverCPU()-start)/float64(b.N), "server-cpu-ns/op")
		})
	}
}

// BenchmarkGetByIDRateLimitInstructions counts the server's instructions a
// GET by id with valgrind's callgrind, which counts the same on a busy or a
// quiet machine where timings here vary by ±10 %. The server process serves
// 1,000 and then 4,000 serial keep-alive GETs; the difference over 3,000
// calls is the cost of a call without the process's start and stop. Needs
// valgrind (Debian package valgrind); run with -benchtime 1x:
//
//	go test -run '^$' -bench GetByIDRateLimitInstructions -benchtime 1x ./api/
func BenchmarkGetByIDRateLimitInstructions(b *testing.B) {
	valgrind, err := exec.LookPath("valgrind")
	if err != nil {
		b.Fatal("valgrind not found: apt-get install valgrind")
	}
	const n1, n2 = 1000, 4000
	for _, variant := range []string{"off", "headers", "on"} {
		b.Run("limiter="+variant, func(b *testing.B) {
			var perCall float64
			for b.Loop() {
				i1 := serverInstructions(b, valgrind, variant, n1)
				i2 := serverInstructions(b, valgrind, variant, n2)
				perCall = float64(i2-i1) / (n2 - n1)
			}
			b.ReportMetric(perCall, "server-instr/op")
		})
	}
}

// serverInstructions runs the bench server for variant under callgrind,
// sends it n serial GETs and returns the instructions it ran in all.
func serverInstructions(b *testing.B, valgrind, variant string, n int) int64 {
	out := filepath.Join(b.TempDir(), "callgrind.out")
	cmd := exec.Command(valgrind, "--tool=callgrind", "--callgrind-out-file="+out, os.Args[0])
	// Go preempts goroutines with signals, which callgrind cannot follow;
	// with one P no idle thread spins (and counts) while waiting for work.
	cmd.Env = []string{"GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1"}
	base, path, stop := startBenchChild(b, cmd, variant)
	client := &http.Client{}
	for range n {
		getOK(b, client, base+path)
	}
	if err := stop(); err != nil {
		b.Fatalf("valgrind: %v", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "totals: "); ok {
			total, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return total
		}
	}
	b.Fatalf("no totals line in %s", out)
	return 0
}

// startBenchChild starts cmd, a command running this test binary, as the
// server of variant (see serveBenchChild), with cmd.Env added to this
// process's environment. It returns the server's base URL, the message's
// path, and a function that stops the server and waits for it.
func startBenchChild(b *testing.B, cmd *exec.Cmd, variant string) (base, path string, stop func() error) {
	cmd.Env = append(append(os.Environ(), cmd.Env...), benchServeEnv+"="+variant)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stop = func() error { stdin.Close(); return cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	base, path, ok := strings.Cut(strings.TrimSpace(line), " ")
	if err != nil || !ok {
		stop()
		b.Fatalf("child server: %q %v", line, err)
	}
	return base, path, stop
}

// getOK sends an authorized GET and fails unless it answers 200.
func getOK(b *testing.B, client *http.Client, url string) {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
}
