package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/sqlite"
	"github.com/spoke-crm/spoke/storage/storagetest"
)

// open opens the database at path, closed when the test ends.
var open = sqlite.OpenForTest

// driver is SQLite for the shared suites: a database is a file.
var driver = storagetest.Driver{
	Name:        "sqlite",
	NewLocation: func(t *testing.T) string { return filepath.Join(t.TempDir(), "spoke.db") },
	Open:        func(t *testing.T, path string) crm.Store { return open(t, path) },
	Exec: func(t *testing.T, path, q string) int64 {
		t.Helper()
		db, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		res, err := db.Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			t.Fatal(err)
		}
		return n
	},
	Query: func(t *testing.T, path, q string) storagetest.Rows {
		t.Helper()
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
	LoadBefore: func(t *testing.T, path string) {
		if err := os.WriteFile(path, storagetest.BeforeSQLite(t), 0o600); err != nil {
			t.Fatal(err)
		}
	},
	Schema: []string{
		`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name`,
		`SELECT 'id_sequence ' || name FROM id_sequence ORDER BY name`,
	},
	SearchValues: []string{
		`CREATE TABLE search_values (object_id INTEGER NOT NULL, key INTEGER NOT NULL, n INTEGER NOT NULL DEFAULT 0,
			num REAL, text TEXT, PRIMARY KEY (object_id, key, n)) WITHOUT ROWID`,
		`CREATE INDEX search_values_by_num ON search_values (key, num, object_id) WHERE num IS NOT NULL`,
		`CREATE INDEX search_values_by_text ON search_values (key, text) WHERE text IS NOT NULL`,
	},
	ScopedMigration: "migrations/0007_search_scoped.sql",
	DocText:         func(col string) string { return `json(` + col + `)` },
	ValueEntries: [2]string{
		`SELECT key, num, object_id, scope FROM search_nums UNION ALL
			SELECT v.key AS key, v.num AS num, e.value AS object_id, NULL AS scope FROM search_num_sets v, json_each(v.ids) e`,
		`SELECT v.key AS key, v.text AS text, e.value AS object_id FROM search_text_sets v, json_each(v.ids) e`,
	},
	UnsetValues: []string{
		`INSERT INTO search_nums (key, num, object_id) SELECT v.key, v.num, e.value FROM search_num_sets v, json_each(v.ids) e`,
		`CREATE TABLE search_texts (key INTEGER NOT NULL, text TEXT NOT NULL, object_id INTEGER NOT NULL, PRIMARY KEY (key, text, object_id)) WITHOUT ROWID`,
		`INSERT INTO search_texts (key, text, object_id) SELECT v.key, v.text, e.value FROM search_text_sets v, json_each(v.ids) e`,
		`DROP TABLE search_num_sets`,
		`DROP TABLE search_text_sets`,
	},
}

func TestConformance(t *testing.T) { storagetest.Run(t, driver.OpenNew) }

func TestUpgrades(t *testing.T) { storagetest.Upgrades(t, driver) }

func TestReopenKeepsDataAndSequence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "spoke.db")
	db := open(t, path)
	var first int64
	err := db.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		first = ids[0]
		return tx.InsertObjects(ctx, []*crm.Object{{ID: ids[0], TypeID: "0-18", Properties: map[string]string{"a": "b"}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, path) // migrations run again and must be no-ops
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
