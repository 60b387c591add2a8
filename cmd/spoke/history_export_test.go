package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// spoke export --history writes each record's property history, and the
// export seeds into a database whose export is the same; without
// --history the export holds none.
func TestExportHistory(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	if out, err := spoke(t, "seed", "--db", db, "../../fixtures/example.json"); err != nil {
		t.Fatalf("seed: %q %v", out, err)
	}
	plain, err := spoke(t, "export", "--db", db)
	if err != nil || strings.Contains(plain, "propertiesWithHistory") {
		t.Fatalf("export without --history: %v %.200s", err, plain)
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if _, err := spoke(t, "export", "--history", "--db", db, exported); err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again.db")
	if out, err := spoke(t, "seed", "--db", again, exported); err != nil {
		t.Fatalf("seed of the export: %q %v", out, err)
	}
	first, _ := spoke(t, "export", "--history", "--db", db)
	second, _ := spoke(t, "export", "--history", "--db", again)
	if !strings.Contains(first, `"propertiesWithHistory"`) {
		t.Errorf("export --history holds no history: %.300s", first)
	}
	if first != second {
		t.Errorf("export --history of the re-seeded database differs (%d vs %d bytes)", len(first), len(second))
	}
}
