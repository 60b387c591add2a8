package main

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/crm"
)

// runSpoke runs the binary with args and returns its standard output, its
// standard error and its exit code.
func runSpoke(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(cmd.Environ(), env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// Every command and subcommand answers -h and --help with its help, on
// standard output, exit status 0.
func TestHelpForEveryCommand(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want []string // what the help must say
	}{
		{[]string{"--help"}, []string{"usage: spoke <command>", "health", "postgres://", ":memory:"}},
		{[]string{"-h"}, []string{"usage: spoke <command>"}},
		{[]string{"help"}, []string{"usage: spoke <command>"}},
		{[]string{"serve", "--help"}, []string{"usage: spoke serve", "postgres://", ":memory:", "--read-timeout", "SPOKE_IDLE_TIMEOUT", "--search-lag DURATION"}},
		{[]string{"serve", "-h"}, []string{"usage: spoke serve"}},
		{[]string{"help", "serve"}, []string{"usage: spoke serve"}},
		{[]string{"health", "--help"}, []string{"usage: spoke health", "--addr HOST:PORT", "SPOKE_ADDR"}},
		{[]string{"tokens", "--help"}, []string{"usage: spoke tokens", "create", "revoke", "postgres://"}},
		{[]string{"tokens", "-h"}, []string{"usage: spoke tokens"}},
		{[]string{"tokens", "create", "--help"}, []string{"usage: spoke tokens create", "--all-scopes", "postgres://", "SPOKE_DB"}},
		{[]string{"tokens", "list", "-h"}, []string{"usage: spoke tokens list", "--wide", "postgres://"}},
		{[]string{"tokens", "revoke", "--help"}, []string{"usage: spoke tokens revoke", "postgres://"}},
		{[]string{"owners", "--help"}, []string{"usage: spoke owners", "archive", "postgres://"}},
		{[]string{"owners", "create", "-h"}, []string{"usage: spoke owners create", "--email EMAIL", "postgres://"}},
		{[]string{"owners", "list", "--help"}, []string{"usage: spoke owners list", "--archived"}},
		{[]string{"owners", "archive", "--help"}, []string{"usage: spoke owners archive"}},
		{[]string{"seed", "--help"}, []string{"usage: spoke seed", "postgres://"}},
		{[]string{"export", "-h"}, []string{"usage: spoke export", "postgres://"}},
		{[]string{"version", "--help"}, []string{"usage: spoke version"}},
		{[]string{"help", "tokens"}, []string{"usage: spoke tokens"}},
		{[]string{"apps", "--help"}, []string{"usage: spoke apps", "delete", "postgres://"}},
		{[]string{"apps", "create", "--help"}, []string{"usage: spoke apps create --name NAME", "--name NAME", "SPOKE_DB", "postgres://"}},
		{[]string{"apps", "list", "-h"}, []string{"usage: spoke apps list", "postgres://"}},
		{[]string{"apps", "delete", "--help"}, []string{"usage: spoke apps delete", "ID", "postgres://"}},
		{[]string{"seed", "--help"}, []string{"usage: spoke seed [--no-webhooks]", "--no-webhooks"}},
	} {
		// A bad value in the environment does not hide the help that
		// would explain it.
		out, errOut, code := runSpoke(t, []string{"SPOKE_SEARCH_LAG=3", "SPOKE_DB=mysql://x"}, c.args...)
		if code != 0 || errOut != "" {
			t.Errorf("spoke %s: exit %d, stderr %q", strings.Join(c.args, " "), code, errOut)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("spoke %s: help lacks %q:\n%s", strings.Join(c.args, " "), w, out)
			}
		}
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, errOut, code := runSpoke(t, nil, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "spoke ") {
			t.Errorf("spoke %s: exit %d, %q %q", args[0], code, out, errOut)
		}
	}
}

// Errors say what to write instead; they go to standard error with exit 2,
// that of a usage error.
func TestFlagErrorsExplain(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"serve", "--search-lag", "3"}, nil, "use a duration such as 3s"},
		{[]string{"serve"}, []string{"SPOKE_SEARCH_LAG=3"}, "use a duration such as 3s"},
		{[]string{"serve", "--read-timeout", "fast"}, nil, "use a duration such as 3s"},
		{[]string{"serve", "--db", "mysql://x"}, nil, "unsupported database URL scheme mysql"},
		{[]string{"tokens", "list", "--db", "mysql://x"}, nil, "unsupported database URL scheme mysql"},
		{[]string{"tokens", "list", "--db", ":memory:"}, nil, "in-memory database that lives only inside its spoke serve process"},
		{[]string{"seed", "--db", "file::memory:", "../../fixtures/example.json"}, nil, "in-memory database"},
		{[]string{"serve", "--bogus"}, nil, "spoke serve --help"},
		{[]string{"tokens", "create", "--all-scopes", "--scopes", "tickets"}, nil, "already gives every scope"},
		{[]string{"health", "--addr", "nonsense"}, nil, "use host:port"},
		// Booleans and numbers say what they take, not "parse error".
		{[]string{"serve"}, []string{"SPOKE_NO_ADMIN=yes"}, `SPOKE_NO_ADMIN="yes": use true or false`},
		{[]string{"serve", "--no-admin=yes"}, nil, `invalid boolean value "yes" for -no-admin: use true or false`},
		{[]string{"serve", "--webhook-log-max-per-app", "ten"}, nil, "-webhook-log-max-per-app: use a whole number"},
		{[]string{"serve", "--webhook-log-max-per-app", "99999999999999999999"}, nil, "use a whole number"},
		{[]string{"serve", "--webhook-retry-scale", "fast"}, nil, "-webhook-retry-scale: use a number such as 0.001"},
		{[]string{"tokens", "list", "--wide=maybe"}, nil, "use true or false"},
	} {
		out, errOut, code := runSpoke(t, c.env, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) || strings.Contains(out, "pat-") {
			t.Errorf("spoke %s %v: exit %d, stdout %q, stderr %q; want %q", strings.Join(c.args, " "), c.env, code, out, errOut, c.want)
		}
	}
}

// --db :memory: (and file::memory:) serves from an in-memory database.
func TestServeInMemory(t *testing.T) {
	t.Parallel()
	for _, db := range []string{":memory:", "file::memory:"} {
		p := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
		status, body := p.do(t, "tok", "POST", "/crm/v3/objects/communications", message)
		if status != 201 {
			t.Fatalf("%s: create: %d %v", db, status, body)
		}
		id := body["id"].(string)
		status, body = p.do(t, "tok", "GET", "/crm/v3/objects/communications/"+id+"?properties=hs_communication_body", "")
		if status != 200 || body["properties"].(map[string]any)["hs_communication_body"] != "kept" {
			t.Errorf("%s: read back: %d %v", db, status, body)
		}
		// Searches and lists run on the reader connections: they see it too.
		status, body = p.do(t, "tok", "GET", "/crm/v3/objects/communications", "")
		if status != 200 || len(body["results"].([]any)) != 1 {
			t.Errorf("%s: list: %d %v", db, status, body)
		}
		// Each server has a database of its own.
		other := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
		if status, _ := other.do(t, "tok", "GET", "/crm/v3/objects/communications/"+id, ""); status != 404 {
			t.Errorf("%s: a second server sees the first one's record: %d", db, status)
		}
		if err, log := p.stop(t); err != nil {
			t.Errorf("%s: stop: %v\n%s", db, err, log)
		}
	}
}

// A token with every scope can be made at any time, e.g. after losing the
// one printed on the first start.
func TestAllScopesToken(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	var tokens []string
	for _, args := range [][]string{{"--all-scopes"}, {"--scopes", "all"}} {
		out, errOut, code := runSpoke(t, nil, append([]string{"tokens", "create", "--db", db, "--name", "recovered"}, args...)...)
		if code != 0 || !strings.Contains(out, "every scope") {
			t.Fatalf("tokens create %v: exit %d %q %q", args, code, out, errOut)
		}
		tokens = append(tokens, lastLine(out))
	}
	p := serve(t, db)
	if p.output() != "" {
		t.Errorf("serve printed a token although one exists: %q", p.output())
	}
	for _, token := range tokens {
		// The test controls need Spoke's own admin scope.
		if status, body := p.do(t, token, "POST", "/_spoke/reset", `{}`); status != 204 && status != 200 {
			t.Errorf("reset with an all-scopes token: %d %v", status, body)
		}
		if status, _ := p.do(t, token, "POST", "/crm/v3/objects/communications", message); status != 201 {
			t.Errorf("create with an all-scopes token: %d", status)
		}
	}
	list, _, _ := runSpoke(t, nil, "tokens", "list", "--db", db)
	if strings.Count(list, " all ") != 2 {
		t.Errorf("tokens list does not summarise every scope as all:\n%s", list)
	}
}

// tokens list fits an 80-column terminal; --wide shows everything.
func TestTokensListFitsTerminal(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	for _, args := range [][]string{
		{"--all-scopes", "--name", "the default token of the continuous integration"},
		{"--scopes", strings.Join(crm.AllScopes[1:8], ","), "--name", "sync"},
		{"--scopes", "crm.objects.contacts.read", "--name", "reader"},
	} {
		if _, errOut, code := runSpoke(t, nil, append([]string{"tokens", "create", "--db", db}, args...)...); code != 0 {
			t.Fatal(errOut)
		}
	}
	runSpoke(t, nil, "tokens", "revoke", "--db", db, "2")
	out, _, code := runSpoke(t, nil, "tokens", "list", "--db", db)
	if code != 0 || strings.Count(out, "\n") != 4 {
		t.Fatalf("tokens list: exit %d\n%s", code, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("line of %d characters: %q", n, line)
		}
	}
	for _, want := range []string{" all ", "contacts.read +6", "contacts.read  "} {
		if !strings.Contains(out, want) {
			t.Errorf("tokens list lacks %q:\n%s", want, out)
		}
	}
	wide, _, _ := runSpoke(t, nil, "tokens", "list", "--wide", "--db", db)
	if !strings.Contains(wide, strings.Join(crm.AllScopes, ",")) || !strings.Contains(wide, "the default token of the continuous integration") {
		t.Errorf("tokens list --wide:\n%s", wide)
	}
}

// --scopes given more than once adds up, as --webhook-allow-host does,
// instead of the last one silently replacing the others.
func TestScopesFlagRepeated(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	out, errOut, code := runSpoke(t, nil, "tokens", "create", "--db", db, "--scopes", "tickets",
		"--scopes", "crm.objects.contacts.read,crm.objects.contacts.write")
	if code != 0 || !strings.Contains(out, "with scopes tickets,crm.objects.contacts.read,crm.objects.contacts.write.") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A repeated "all" with others is still refused.
	if _, errOut, code := runSpoke(t, nil, "tokens", "create", "--db", db, "--scopes", "all", "--scopes", "tickets"); code != 2 ||
		!strings.Contains(errOut, "already gives every scope") {
		t.Errorf("--scopes all --scopes tickets: exit %d, stderr %q", code, errOut)
	}
}

// The command line wins over the environment for --webhook-allow-host as
// for every other flag: hosts given on the command line replace those of
// SPOKE_WEBHOOK_ALLOW_HOST rather than adding to them; repeated on the
// command line they add up.
func TestWebhookAllowHostCommandLineWins(t *testing.T) {
	t.Setenv("SPOKE_WEBHOOK_ALLOW_HOST", "env.example,env2.example")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "env.example,env2.example"},
		{[]string{"--webhook-allow-host", "a.example"}, "a.example"},
		{[]string{"--webhook-allow-host", "a.example", "--webhook-allow-host", "b.example,c.example"}, "a.example,b.example,c.example"},
	} {
		m := NewMain(io.Discard, io.Discard)
		if err := m.ParseFlags(c.args); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(m.WebhookAllowHosts, ","); got != c.want {
			t.Errorf("%v: allowed hosts %q, want %q", c.args, got, c.want)
		}
	}
}
