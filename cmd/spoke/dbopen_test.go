package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The commands that read or change what a database already holds refuse a
// SQLite path where there is no database, instead of creating an empty one
// there: a mistyped --db must not export an empty fixture or list nothing,
// and succeed. The commands that create something may create the database.
func TestCommandsOnAMissingSQLiteFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"tokens", "list"},
		{"tokens", "revoke", "1"},
		{"owners", "list"},
		{"owners", "archive", "80000001"},
		{"apps", "list"},
		{"apps", "delete", "1"},
		{"export"},
		{"export", filepath.Join(dir, "out.json")},
	} {
		out, errOut, code := runSpoke(t, nil, append(args, "--db", missing)...)
		if code == 0 || out != "" || !strings.Contains(errOut, missing) || !strings.Contains(errOut, "no database") ||
			strings.Count(errOut, "\n") != 1 {
			t.Errorf("spoke %s on a missing file: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, errOut)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("spoke %s created %s: %v", strings.Join(args, " "), missing, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "out.json")); !os.IsNotExist(err) {
			t.Fatalf("spoke %s wrote the export file: %v", strings.Join(args, " "), err)
		}
	}
	// SPOKE_DB is checked the same way.
	if _, errOut, code := runSpoke(t, []string{"SPOKE_DB=" + missing}, "export"); code == 0 || !strings.Contains(errOut, "no database") {
		t.Errorf("SPOKE_DB=%s spoke export: exit %d, stderr %q", missing, code, errOut)
	}
	// A command that creates something creates the database too.
	fresh := filepath.Join(dir, "fresh.db")
	if out, errOut, code := runSpoke(t, nil, "tokens", "create", "--all-scopes", "--db", fresh); code != 0 || !strings.Contains(out, "Created token 1") {
		t.Fatalf("tokens create on a new file: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code := runSpoke(t, nil, "tokens", "list", "--db", fresh); code != 0 || !strings.Contains(out, "\n1 ") {
		t.Errorf("tokens list after create: exit %d, %q %q", code, out, errOut)
	}
}
