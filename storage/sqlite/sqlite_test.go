package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/sqlite"
	"github.com/spoke-crm/spoke/storage/storagetest"
)

func open(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) crm.Store {
		db := open(t, filepath.Join(t.TempDir(), "spoke.db"))
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestReopenKeepsDataAndSequence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "spoke.db")
	db := open(t, path)
	var first int64
	err := db.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		first = ids[0]
		if err != nil {
			return err
		}
		return tx.InsertObjects(ctx, []*crm.Object{{ID: ids[0], TypeID: "0-18", Properties: map[string]string{"a": "b"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, path) // migrations run again and must be no-ops
	defer db.Close()
	err = db.Write(ctx, func(tx crm.Tx) error {
		o, err := tx.Object(ctx, "0-18", first)
		if err != nil || o.Properties["a"] != "b" {
			t.Errorf("after reopen: %+v %v", o, err)
		}
		ids, err := tx.NextIDs(ctx, 1)
		if err == nil && ids[0] <= first {
			t.Errorf("id %d reused after reopen (first %d)", ids[0], first)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScopedIndexUpgrade(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	storagetest.ScopedIndexUpgrade(t,
		func(t *testing.T) crm.Store { return open(t, path) },
		func(t *testing.T) {
			rewindSearchIndex(t, path, false, "migrations/0007_search_scoped.sql", "migrations/0015_search_documents.sql")
		})
}

func TestSearchIndexUpgrade(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	storagetest.SearchIndexUpgrade(t,
		func(t *testing.T) crm.Store { return open(t, path) },
		func(t *testing.T) { rewindSearchIndex(t, path, true, "migrations/0015_search_documents.sql") },
		func(t *testing.T, q string) storagetest.Rows {
			db, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			rows, err := db.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			return rows
		},
		func(col string) string { return `json(` + col + `)` })
}

// rewindSearchIndex turns the search index of the database at path back
// into the table of before migration 0015, as the code of then wrote it
// (with the rows of scoped values when scoped), and removes the records of
// versions.
func rewindSearchIndex(t *testing.T, path string, scoped bool, versions ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stmts := []string{
		`CREATE TABLE search_values (object_id INTEGER NOT NULL, key INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0,
			num REAL, text TEXT, PRIMARY KEY (object_id, key, n)) WITHOUT ROWID`,
		`CREATE INDEX search_values_by_num ON search_values (key, num, object_id) WHERE num IS NOT NULL`,
		`CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL`,
		`INSERT INTO search_values (object_id, key, n, num) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), num FROM search_nums`,
		`INSERT INTO search_values (object_id, key, n, text) SELECT object_id, key, row_number() OVER (PARTITION BY object_id, key), text FROM search_texts`,
	}
	if scoped {
		stmts = append(stmts, `INSERT INTO search_values (object_id, key, n, num) SELECT object_id, scope, 0, num FROM search_nums WHERE scope IS NOT NULL`)
	}
	stmts = append(stmts, `DROP TABLE search_docs`, `DROP TABLE search_nums`, `DROP TABLE search_texts`)
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, v := range versions {
		if res, err := db.Exec(`DELETE FROM schema_migrations WHERE version = ?`, v); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s was not recorded", v)
		}
	}
}

// TestOpensDatabaseOfBefore opens a database written by the store before
// the stores shared their SQL: it upgrades in place, reads back as it did
// then and goes on from there, and its schema ends up the same as a new
// database's.
func TestOpensDatabaseOfBefore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "before.db")
	if err := os.WriteFile(path, storagetest.BeforeSQLite(t), 0o600); err != nil {
		t.Fatal(err)
	}
	db := open(t, path)
	storagetest.Before(t, db, "sqlite")
	db.Close()

	fresh := filepath.Join(dir, "new.db")
	open(t, fresh).Close()
	if got, want := schemaOf(t, path), schemaOf(t, fresh); got != want {
		t.Errorf("schema after the upgrade:\n%s\nschema of a new database:\n%s", got, want)
	}
}

// schemaOf lists the tables, indexes and applied migrations of the
// database at path.
func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`,
		`SELECT version FROM schema_migrations ORDER BY version`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(storagetest.Lines(t, rows))
		rows.Close()
	}
	return b.String()
}
