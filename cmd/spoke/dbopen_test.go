package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/ncruces/go-sqlite3/driver"

	"github.com/spoke-crm/spoke/internal/pgtest"
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

// A database that a newer Spoke has migrated is refused, on SQLite and
// PostgreSQL, with one line that says so, rather than used by code that
// does not know its schema.
func TestDatabaseOfANewerSpoke(t *testing.T) {
	t.Parallel()
	const future = "migrations/9999_from_a_newer_spoke.sql"
	for _, db := range []string{filepath.Join(t.TempDir(), "spoke.db"), pgtest.URL(t)} {
		if _, errOut, code := runSpoke(t, nil, "tokens", "create", "--all-scopes", "--db", db); code != 0 {
			t.Fatalf("tokens create: exit %d %q", code, errOut)
		}
		insert := `INSERT INTO schema_migrations (version) VALUES ('` + future + `')`
		if strings.HasPrefix(db, "postgres") {
			conn, err := pgx.Connect(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			_, err = conn.Exec(context.Background(), insert)
			conn.Close(context.Background())
			if err != nil {
				t.Fatal(err)
			}
		} else {
			raw, err := sql.Open("sqlite3", db)
			if err != nil {
				t.Fatal(err)
			}
			_, err = raw.Exec(insert)
			raw.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, args := range [][]string{{"tokens", "list"}, {"export"}, {"seed", "../../fixtures/example.json"}} {
			out, errOut, code := runSpoke(t, nil, append(args, "--db", db)...)
			if code == 0 || out != "" || !strings.Contains(errOut, future) || !strings.Contains(errOut, "newer") ||
				strings.Count(errOut, "\n") != 1 {
				t.Errorf("spoke %s on a newer database: exit %d, stdout %.100q, stderr %q", strings.Join(args, " "), code, out, errOut)
			}
		}
	}
}
