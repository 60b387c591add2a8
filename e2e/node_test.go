// Package e2e drives a running Spoke with real HubSpot clients.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/ratelimit"
)

// nodeDir holds the Node tests and their package.json, relative to this
// package's directory (go test's working directory).
const nodeDir = "node"

// minNodeMajor is the oldest Node.js the tests run on (node:test with describe/before).
const minNodeMajor = 20

// nodeTimeout bounds npm ci and the Node test run.
const nodeTimeout = 5 * time.Minute

// TestNodeClient runs e2e/node/*.test.mjs, which use HubSpot's official Node
// client (@hubspot/api-client) against Spoke. Each file runs in its own
// parallel subtest against its own fresh server, so one file's records (and
// archives) cannot disturb another's listings and paging. Besides the URL and
// the all-scopes token, every file gets a token that may only read contacts
// and communications (SPOKE_READONLY_TOKEN), two owners (SPOKE_OWNERS, a JSON
// array of {id, userId, email, firstName, lastName}) and a deactivated owner
// (SPOKE_ARCHIVED_OWNER, one such object): the API cannot make owners.
func TestNodeClient(t *testing.T) {
	t.Parallel()

	node := lookTool(t, "node")
	checkNodeVersion(t, node)
	installNodeModules(t)

	files, err := filepath.Glob(filepath.Join(nodeDir, "*.test.mjs"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Node test files (*.test.mjs) in %s (err: %v)", nodeDir, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), nodeTimeout)
			defer cancel()
			env := nodeServer(t)
			// One file per node process, named as a plain path: Node 20
			// reads arguments as paths and Node 22 as globs, and a plain
			// file name means the same to both.
			cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", file)
			cmd.Env = append(os.Environ(), env...)
			run(ctx, t, cmd, "node --test "+file)
		})
	}
}

// installNodeModules runs npm ci in e2e/node when the client is not installed.
func installNodeModules(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "@hubspot", "api-client", "package.json")); err == nil {
		return
	}
	npm := lookTool(t, "npm")
	ctx, cancel := context.WithTimeout(t.Context(), nodeTimeout)
	defer cancel()
	t.Logf("%s/node_modules is missing; running npm ci", nodeDir)
	install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	install.Dir = nodeDir
	run(ctx, t, install, "npm ci in e2e/node")
}

// nodeServer starts a fresh Spoke with the tokens and owners the Node tests
// expect and returns the environment that describes it to them. Fault
// injection is installed (with no rules) for faults.test.mjs, and rate-limit
// accounting (not enforced until ratelimit.test.mjs asks) as spoke serve has it.
func nodeServer(t *testing.T) []string {
	t.Helper()
	s := spoketest.Open(t, spoketest.WithRateLimit(ratelimit.Config{}), spoketest.WithFaults(nil))
	readOnly := s.NewToken("crm.objects.contacts.read")
	owners, err := json.Marshal([]nodeOwner{
		newNodeOwner(s.NewOwner("ada.lovelace@example.com", "Ada", "Lovelace")),
		newNodeOwner(s.NewOwner("grace.hopper@example.com", "Grace", "Hopper")),
	})
	if err != nil {
		t.Fatal(err)
	}
	gone := s.NewOwner("charles.babbage@example.com", "Charles", "Babbage")
	if err := s.Engine.ArchiveOwner(t.Context(), gone.ID); err != nil {
		t.Fatal(err)
	}
	archivedOwner, err := json.Marshal(newNodeOwner(gone))
	if err != nil {
		t.Fatal(err)
	}
	// A developer app for the webhooks tests.
	appKey := crm.NewAppSecret()
	app := &crm.App{Name: "e2e", ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(appKey), CreatedAt: time.Now()}
	if err := s.Store.(crm.WebhookStorer).Webhooks().CreateApp(t.Context(), app); err != nil {
		t.Fatal(err)
	}
	return []string{"SPOKE_URL=" + s.URL, "SPOKE_TOKEN=" + spoketest.Token,
		"SPOKE_APP_ID=" + strconv.FormatInt(app.ID, 10), "SPOKE_APP_KEY=" + appKey, "SPOKE_APP_SECRET=" + app.ClientSecret,
		"SPOKE_READONLY_TOKEN=" + readOnly, "SPOKE_OWNERS=" + string(owners),
		"SPOKE_ARCHIVED_OWNER=" + string(archivedOwner), "NO_COLOR=1"}
}

// nodeOwner is what the Node tests learn about an owner made for them.
type nodeOwner struct {
	ID        string `json:"id"`
	UserID    int64  `json:"userId"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

func newNodeOwner(o *crm.Owner) nodeOwner {
	return nodeOwner{ID: strconv.FormatInt(o.ID, 10), UserID: o.UserID, Email: o.Email, FirstName: o.FirstName, LastName: o.LastName}
}

// lookTool finds a required program; its absence fails the test.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s was not found in PATH: the end-to-end tests drive Spoke with HubSpot's Node client "+
			"and need Node.js %d or newer with npm (for example: apt-get install nodejs npm): %v", name, minNodeMajor, err)
	}
	return path
}

func checkNodeVersion(t *testing.T, node string) {
	t.Helper()
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("%s --version: %v", node, err)
	}
	version := strings.TrimSpace(string(out))
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
		t.Fatalf("Node.js %s found at %s; the end-to-end tests need Node.js %d or newer", version, node, minNodeMajor)
	}
}

// run executes cmd, logging its output line by line as it comes (shown by
// go test on failure, or live with -v), and fails the test if it does not
// exit with status 0.
func run(ctx context.Context, t *testing.T, cmd *exec.Cmd, what string) {
	t.Helper()
	out := &lineLogger{t: t}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	out.flush()
	switch {
	case err == nil:
	case cmd.ProcessState == nil:
		t.Fatalf("%s could not start: %v", what, err)
	case errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		t.Fatalf("%s did not finish within %v (output above)", what, nodeTimeout)
	default:
		t.Fatalf("%s failed: %v (output above)", what, err)
	}
}

// lineLogger passes a process's output to t.Log one line at a time.
type lineLogger struct {
	t   *testing.T
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil { // no full line yet: keep the rest
			l.buf.Reset()
			l.buf.WriteString(line)
			return len(p), nil
		}
		l.t.Log(strings.TrimRight(line, "\r\n"))
	}
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() > 0 {
		l.t.Log(l.buf.String())
		l.buf.Reset()
	}
}
