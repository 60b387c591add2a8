package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// guard bounds how long a test waits for the server to close a connection,
// so that a server that never does fails the test instead of hanging it.
// It is far above the timeouts the tests set: it is not what they measure.
const guard = 60 * time.Second

// closedByServer reads conn until the server closes it, and fails if the
// guard expires first.
func closedByServer(t *testing.T, conn net.Conn, r io.Reader, what string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(guard))
	_, err := io.Copy(io.Discard, r)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s: the server kept the connection open", what)
	}
	// EOF (err == nil) or a reset: the server closed it.
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("%s: %v", what, err)
	}
}

// A client dripping its body is cut off after the read timeout, and an idle
// keep-alive connection is closed after the idle timeout.
func TestSlowAndIdleConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	p := serveArgs(t, []string{"--db", ":memory:", "--read-timeout", "1s", "--idle-timeout", "1s"}, "SPOKE_ACCESS_TOKEN=tok")
	addr := strings.TrimPrefix(p.url, "http://")

	t.Run("dripped body", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /crm/v3/objects/communications/batch/create HTTP/1.1\r\nHost: spoke\r\n"+
			"Authorization: Bearer tok\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		// One byte at a time, until the server stops reading.
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte(" ")); err != nil {
						return
					}
				}
			}
		}()
		closedByServer(t, conn, conn, "dripped body")
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /_spoke/health HTTP/1.1\r\nHost: spoke\r\n\r\n")
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("health: %d, close %v: the connection must stay open to test the idle timeout", resp.StatusCode, resp.Close)
		}
		closedByServer(t, conn, br, "idle keep-alive")
	})
}

// Without flags the server has the documented timeouts.
func TestServerTimeoutDefaults(t *testing.T) {
	t.Parallel()
	m := NewMain(io.Discard, io.Discard)
	m.EnvToken = "tok"
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", ":memory:"}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	s := m.server
	if s.ReadTimeout != time.Minute || s.WriteTimeout != 2*time.Minute || s.IdleTimeout != 2*time.Minute || s.ReadHeaderTimeout != 10*time.Second {
		t.Errorf("timeouts: read %v, write %v, idle %v, header %v", s.ReadTimeout, s.WriteTimeout, s.IdleTimeout, s.ReadHeaderTimeout)
	}
}

// The first start's token is created only once the server will serve: a
// start that fails on its configuration prints none, and the next good
// start still prints one.
func TestTokenPrintedOnlyWhenServing(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	badJSON := filepath.Join(t.TempDir(), "faults.json")
	os.WriteFile(badJSON, []byte(`{"rules":[{"status":418}]}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
		code int // 2 for a usage error
	}{
		{[]string{"--addr", busy.Addr().String()}, "address already in use", 1},
		{[]string{"--addr", "127.0.0.1:0", "--faults", filepath.Join(t.TempDir(), "missing.json")}, "missing.json", 1},
		{[]string{"--addr", "127.0.0.1:0", "--faults", badJSON}, "418", 1},
		{[]string{"--addr", "127.0.0.1:0", "--rate-limit", "gold"}, "gold", 2},
	} {
		out, errOut, code := runSpoke(t, []string{"SPOKE_ACCESS_TOKEN="}, append([]string{"serve", "--db", db}, c.args...)...)
		if code != c.code || strings.Contains(out+errOut, "pat-") || !strings.Contains(errOut, c.want) {
			t.Errorf("serve %v: exit %d (want %d), stdout %q, stderr %q; want an error naming %q and no token", c.args, code, c.code, out, errOut, c.want)
		}
	}
	p := serve(t, db)
	if !strings.Contains(p.output(), "pat-na1-") {
		t.Errorf("the first start that serves printed no token: %q", p.output())
	}
}

// A graceful stop logs one line.
func TestGracefulStopLogsOneLine(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=tok")
	err, log := p.stop(t)
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, log)
	}
	_, after, _ := strings.Cut(log, `msg="spoke listening"`)
	lines := strings.Split(strings.TrimSpace(after), "\n")[1:]
	if len(lines) != 1 || !strings.Contains(lines[0], `msg="spoke stopped"`) {
		t.Errorf("log after listening: %q", lines)
	}
}

// spoke health exits 0 when the server answers, 1 when it does not.
func TestHealthCommand(t *testing.T) {
	t.Parallel()
	p := serve(t, ":memory:", "SPOKE_ACCESS_TOKEN=tok")
	addr := strings.TrimPrefix(p.url, "http://")
	_, port, _ := net.SplitHostPort(addr)
	if out, errOut, code := runSpoke(t, nil, "health", "--addr", addr); code != 0 || !strings.Contains(out, "healthy") {
		t.Errorf("health --addr %s: exit %d %q %q", addr, code, out, errOut)
	}
	// As in the image: SPOKE_ADDR names every interface.
	if out, errOut, code := runSpoke(t, []string{"SPOKE_ADDR=0.0.0.0:" + port}, "health"); code != 0 {
		t.Errorf("health with SPOKE_ADDR=0.0.0.0:%s: exit %d %q %q", port, code, out, errOut)
	}
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if out, errOut, code := runSpoke(t, nil, "health", "--addr", closed.Addr().String()); code != 1 || !strings.Contains(errOut, "not healthy") {
		t.Errorf("health with no server: exit %d %q %q", code, out, errOut)
	}
}

// spoke health --wait waits for a server that is starting.
func TestHealthWaitsForServer(t *testing.T) {
	t.Parallel()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	wait := exec.Command(binary, "health", "--addr", addr, "--wait", "60s")
	var out strings.Builder
	wait.Stdout, wait.Stderr = &out, &out
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	defer wait.Process.Kill()
	cmd := exec.Command(binary, "serve", "--addr", addr, "--db", ":memory:")
	cmd.Env = append(os.Environ(), "SPOKE_ACCESS_TOKEN=tok")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if err := wait.Wait(); err != nil || !strings.Contains(out.String(), "healthy") {
		t.Errorf("health --wait: %v %s", err, out.String())
	}
}

// The password of a PostgreSQL URL is never printed: not in the log, not
// in errors, not in /metrics, not by version.
func TestPostgresPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "Sup3rS3cretPw"
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	// The test server trusts local connections: any password is accepted.
	u.User = url.UserPassword(u.User.Username(), secret)
	db := u.String()
	p := serve(t, db)
	token := lastLine(p.output())
	req, _ := http.NewRequest("GET", p.url+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if status, _ := p.do(t, token, "GET", "/crm/v3/objects/communications", ""); status != 200 {
		t.Errorf("token: %d", status)
	}
	err, log := p.stop(t)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log, secret) || strings.Contains(string(metrics), secret) || !strings.Contains(log, "spoke:xxxxx@") {
		t.Errorf("password shown or not redacted:\nlog: %s", log)
	}
	version, _, _ := runSpoke(t, []string{"SPOKE_DB=" + db}, "version")
	if strings.Contains(version, secret) {
		t.Errorf("version: %s", version)
	}

	// Errors: unreachable server, unknown database, unparsable URL.
	unreachable := *u
	unreachable.Host = "127.0.0.1:1"
	missing := *u
	missing.Path = "/no_such_database"
	for _, bad := range []string{unreachable.String(), missing.String(), "postgres://spoke:" + secret + "@127.0.0.1:port/spoke"} {
		for _, args := range [][]string{
			{"serve", "--addr", "127.0.0.1:0", "--db", bad},
			{"tokens", "list", "--db", bad},
		} {
			cmd := exec.Command(binary, args...)
			out, err := cmd.CombinedOutput()
			if err == nil || strings.Contains(string(out), secret) {
				t.Errorf("spoke %s: err %v, output %s", args[0], err, out)
			}
		}
	}
}
