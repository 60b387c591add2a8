// Package pgtest gives tests a PostgreSQL database of their own. It uses the
// server named by SPOKE_TEST_POSTGRES_URL, or else starts a throwaway
// cluster from the PostgreSQL binaries on the machine (initdb, pg_ctl) for
// the test binary's lifetime. It never skips: without PostgreSQL, tests fail.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names an existing server to use instead of starting one. The role
// in it must be allowed to create schemas.
const EnvURL = "SPOKE_TEST_POSTGRES_URL"

var (
	once    sync.Once
	baseURL string
	initErr error
	stop    func()
	counter atomic.Int64
)

// Main runs the tests and stops the cluster this package started, if any.
// Call it from TestMain: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	if stop != nil {
		stop()
	}
	return code
}

// URL returns the URL of a new, empty schema on the test server; the
// schema is the connection's search path, so each caller has its own tables.
func URL(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { baseURL, stop, initErr = server() })
	if initErr != nil {
		tb.Fatalf("PostgreSQL is required for this test and could not be reached or started: %v", initErr)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, baseURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), baseURL)
		if err == nil {
			conn.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			conn.Close(context.Background())
		}
	})
	sep := "?"
	if strings.Contains(baseURL, "?") {
		sep = "&"
	}
	return baseURL + sep + "search_path=" + schema
}

// server returns the URL of a server: the given one, or a new cluster.
func server() (string, func(), error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil, nil
	}
	return startCluster()
}

// binary finds a PostgreSQL program in PATH or in Debian's versioned folders.
func binary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if p := filepath.Join(d, name); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH or /usr/lib/postgresql/*/bin (install PostgreSQL, e.g. apt-get install postgresql)", name)
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Cluster is a throwaway PostgreSQL cluster in a temporary folder.
type Cluster struct {
	// URL connects to its postgres database as superuser.
	URL string

	pgctl, dir, data, opts string
	runAs                  []string
}

func (c *Cluster) run(args ...string) error {
	args = append(append([]string(nil), c.runAs...), args...)
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() error {
	if err := c.run(c.pgctl, "-D", c.data, "-o", c.opts, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("%v\n%s", err, log)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL)
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the cluster at once (immediate shutdown).
func (c *Cluster) Stop() error {
	return c.run(c.pgctl, "-D", c.data, "-m", "immediate", "-w", "stop")
}

// NewCluster starts a cluster of the test's own, stopped and removed when
// the test ends: for tests that stop and start PostgreSQL.
// Unlike the shared cluster, it keeps PostgreSQL's durability settings, so a
// stop loses no committed transaction.
func NewCluster(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := newCluster(true)
	if err != nil {
		tb.Fatalf("PostgreSQL is required for this test and could not be started: %v", err)
	}
	tb.Cleanup(func() {
		c.Stop()
		os.RemoveAll(c.dir)
	})
	return c
}

// startCluster starts the shared cluster of this test binary.
func startCluster() (string, func(), error) {
	c, err := newCluster(false)
	if err != nil {
		return "", nil, err
	}
	return c.URL, func() { c.Stop(); os.RemoveAll(c.dir) }, nil
}

// newCluster initialises and starts a cluster in a temporary folder on a
// free loopback port. PostgreSQL refuses to run as root, so as root it runs
// as the "postgres" user.
func newCluster(durable bool) (*Cluster, error) {
	initdb, err := binary("initdb")
	if err != nil {
		return nil, err
	}
	pgctl, err := binary("pg_ctl")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "spoke-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{pgctl: pgctl, dir: dir, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		c.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	if err := c.run(initdb, "-D", c.data, "-U", "spoke", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	c.opts = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300", port, dir)
	if !durable { // the shared cluster of a test run: speed over crash safety
		c.opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	c.URL = fmt.Sprintf("postgres://spoke@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := c.Start(); err != nil {
		c.Stop()
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
