package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// spoke seed can run again on the same database, on SQLite and PostgreSQL,
// and what one store exports seeds into the other.
func TestSeedTwiceAndAcrossStores(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "spoke.db")
	for _, db := range []string{file, pgtest.URL(t)} {
		for range 2 {
			out, err := spoke(t, "seed", "--db", db, "../../fixtures/example.json")
			if err != nil || !strings.Contains(out, "Loaded 3 owners, 354 records and 514 associations") {
				t.Fatalf("seed %s: %q %v", db, out, err)
			}
		}
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if _, err := spoke(t, "export", "--db", file, exported); err != nil {
		t.Fatal(err)
	}
	pg := pgtest.URL(t)
	if out, err := spoke(t, "seed", "--db", pg, exported); err != nil {
		t.Fatalf("SQLite's export into PostgreSQL: %q %v", out, err)
	}
	fromSQLite, err1 := spoke(t, "export", "--db", file)
	fromPostgres, err2 := spoke(t, "export", "--db", pg)
	if err1 != nil || err2 != nil || fromSQLite != fromPostgres || len(fromSQLite) < 100000 {
		t.Errorf("exports differ (%d and %d bytes): %v %v", len(fromSQLite), len(fromPostgres), err1, err2)
	}
}

// A SQLite database written before NUL characters were refused may hold
// some: its export does not seed into PostgreSQL (nor into SQLite), and the
// error names the property instead of failing inside the database.
func TestSeedRefusesNULFromOlderData(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "old.db")
	ctx := context.Background()
	store, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	err = store.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		return tx.InsertObjects(ctx, []*crm.Object{{ID: ids[0], TypeID: "0-1", CreatedAt: now, UpdatedAt: now,
			Properties: map[string]string{"email": "old@example.com", "firstname": "An\x00a"}}})
	})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if _, err := spoke(t, "export", "--db", file, exported); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{pgtest.URL(t), filepath.Join(t.TempDir(), "new.db")} {
		out, err := spoke(t, "seed", "--db", db, exported)
		if err == nil || !strings.Contains(err.Error(), "objects.contacts[0]") || !strings.Contains(err.Error(), `Property \"firstname\" value contains a NUL`) ||
			strings.Contains(err.Error(), "internal") {
			t.Errorf("seed into %s: %q %v", db, out, err)
		}
	}
}

// A fixture with a misspelt section is refused before any database is
// opened or created: it would otherwise load nothing and report success.
func TestSeedRefusesUnknownFixtureKeys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fixture := filepath.Join(dir, "typo.json")
	if err := os.WriteFile(fixture, []byte(`{"object":{"contacts":[{"properties":{"email":"typo@example.com"}}]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "new.db")
	out, err := spoke(t, "seed", "--db", db, fixture)
	if err == nil || !strings.Contains(err.Error(), `unknown fixture key "object"`) || !strings.Contains(err.Error(), "objects") {
		t.Errorf("seed: %q %v", out, err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}
