package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
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
			db, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			keys := `(8784458391126517301, 2417062043210369254, 4403286743354999528)`
			for _, q := range []string{
				`DELETE FROM search_values WHERE key IN ` + keys,
				`DELETE FROM schema_migrations WHERE version LIKE '%0007_search_scoped.sql'`,
			} {
				if res, err := db.Exec(q); err != nil {
					t.Fatal(err)
				} else if n, _ := res.RowsAffected(); n == 0 {
					t.Fatalf("%s: no rows", q)
				}
			}
		})
}
