package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command line that is wrong (an unknown command or flag, a bad flag
// value, a missing or extra argument) exits 2, with one line naming the
// mistake on standard error and nothing on standard output; a command that
// was given correctly but failed exits 1. A script can tell its own
// mistakes from the server's or the database's. A usage error opens no
// database, so it creates no file either.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "spoke.db")
	if _, errOut, code := runSpoke(t, nil, "tokens", "create", "--all-scopes", "--db", db); code != 0 {
		t.Fatalf("tokens create: exit %d %q", code, errOut)
	}
	untouched := filepath.Join(dir, "untouched.db")
	for _, c := range []struct {
		env  []string
		args []string
	}{
		{nil, []string{"bogus"}},
		{nil, []string{"serve", "--bogus"}},
		{nil, []string{"serve", "extra"}},
		{nil, []string{"serve", "--search-lag", "3"}},
		{nil, []string{"serve", "--log-format", "xml"}},
		{nil, []string{"serve", "--db", "mysql://x"}},
		{nil, []string{"serve", "--webhook-retry-scale", "-1", "--db", "file::memory:"}},
		{[]string{"SPOKE_WEBHOOK_RETRY_SCALE=0"}, []string{"serve", "--db", "file::memory:"}},
		{nil, []string{"serve", "--webhook-retry-scale", "NaN", "--db", "file::memory:"}},
		{[]string{"SPOKE_READ_TIMEOUT=soon"}, []string{"serve"}},
		{nil, []string{"health", "--addr", "nope"}},
		{nil, []string{"health", "--timeout"}},
		{nil, []string{"version", "extra"}},
		{nil, []string{"tokens", "bogus"}},
		{nil, []string{"tokens", "create", "--db", untouched}},
		{nil, []string{"tokens", "create", "--scopes", "nope", "--db", untouched}},
		{nil, []string{"tokens", "create", "--all-scopes", "--scopes", "tickets", "--db", untouched}},
		{nil, []string{"tokens", "create", "--all-scopes", "extra", "--db", untouched}},
		{nil, []string{"tokens", "list", "--wide=maybe", "--db", db}},
		{nil, []string{"tokens", "revoke", "--db", db}},
		{nil, []string{"tokens", "revoke", "one", "--db", db}},
		{nil, []string{"owners", "bogus"}},
		{nil, []string{"owners", "create", "--db", untouched}},
		{nil, []string{"owners", "create", "--email", "not-an-address", "--db", untouched}},
		{nil, []string{"owners", "create", "--email", "a@example.com", "--type", "ROBOT", "--db", untouched}},
		{nil, []string{"owners", "create", "--email", "a@example.com", "--first-name", "A\xffB", "--db", db}},
		{nil, []string{"owners", "archive", "1", "2", "--db", db}},
		{nil, []string{"apps", "bogus"}},
		{nil, []string{"apps", "create", "--db", untouched}},
		{nil, []string{"apps", "delete", "x", "--db", db}},
		{nil, []string{"seed", "--db", db}},
		{nil, []string{"export", "a", "b", "--db", db}},
		{[]string{"SPOKE_DB=mysql://x"}, []string{"tokens", "list"}},
	} {
		out, errOut, code := runSpoke(t, c.env, c.args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "spoke: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s spoke %s: exit %d, stdout %q, stderr %q; want exit 2 and one line", strings.Join(c.env, " "),
				strings.Join(c.args, " "), code, out, errOut)
		}
	}
	if _, err := os.Stat(untouched); !os.IsNotExist(err) {
		t.Errorf("a usage error created %s: %v", untouched, err)
	}
	// Failures of commands given correctly exit 1.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	notSQLite := filepath.Join(dir, "not.db")
	if err := os.WriteFile(notSQLite, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"health", "--addr", closed},
		{"tokens", "list", "--db", filepath.Join(dir, "missing.db")},
		{"tokens", "list", "--db", notSQLite},
		{"tokens", "list", "--db", dir},
		{"tokens", "revoke", "99", "--db", db},
		{"owners", "archive", "99", "--db", db},
		{"apps", "delete", "99", "--db", db},
		{"seed", filepath.Join(dir, "no-such-fixture.json"), "--db", db},
		{"export", filepath.Join(dir, "no-such-dir", "out.json"), "--db", db},
	} {
		out, errOut, code := runSpoke(t, nil, args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, "spoke: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("spoke %s: exit %d, stdout %q, stderr %q; want exit 1 and one line", strings.Join(args, " "), code, out, errOut)
		}
	}
}
