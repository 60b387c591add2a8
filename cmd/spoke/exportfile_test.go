package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// An export to a file that cannot be written in full (here: the file size
// limit is reached half way) fails with exit 1 and leaves what was at that
// path before, and no partial or temporary file beside it.
func TestExportThatFailsKeepsThePreviousFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "spoke.db")
	if out, err := spoke(t, "seed", "--db", db, "../../fixtures/example.json"); err != nil {
		t.Fatalf("seed: %q %v", out, err)
	}
	target := filepath.Join(dir, "export.json")
	previous := []byte(`{"owners": []}` + "\n")
	if err := os.WriteFile(target, previous, 0o644); err != nil {
		t.Fatal(err)
	}
	// The example's export is over 100 KB; the limit is 64 blocks of 512
	// or 1024 bytes, as the shell counts them. Go ignores SIGXFSZ, so the
	// write fails with EFBIG.
	cmd := exec.Command("sh", "-c", `ulimit -f 64 && exec "$0" "$@"`, binary, "export", "--db", db, target)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "spoke: ") ||
		strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), target) {
		t.Fatalf("export past the file size limit: %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
	}
	if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, previous) {
		t.Errorf("the previous export became %d bytes %.60q (%v)", len(got), got, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n != "export.json" && !strings.HasPrefix(n, "spoke.db") {
			t.Errorf("left behind: %s", n)
		}
	}
	// Without the limit the export replaces the file.
	if out, err := spoke(t, "export", "--db", db, target); err != nil || out != "" {
		t.Fatalf("export: %q %v", out, err)
	}
	if got, err := os.ReadFile(target); err != nil || len(got) < 100000 {
		t.Errorf("export wrote %d bytes: %v", len(got), err)
	}
}

// An export named like its own SQLite database (a slip in a script) is
// refused before anything is written: the database stays as it was.
func TestExportOverItsOwnDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "spoke.db")
	if out, err := spoke(t, "tokens", "create", "--all-scopes", "--db", db); err != nil {
		t.Fatalf("tokens create: %q %v", out, err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{db, "./" + db[len(dir)+1:], link, db + "-wal"} {
		cmd := exec.Command(binary, "export", "--db", db, target)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "database") ||
			strings.Count(stderr.String(), "\n") != 1 {
			t.Errorf("export over %s: %v, stderr %q", target, err, stderr.String())
		}
	}
	if out, err := spoke(t, "tokens", "list", "--db", db); err != nil || !strings.Contains(out, "\n1 ") {
		t.Errorf("the database after the refused exports: %q %v", out, err)
	}
}
