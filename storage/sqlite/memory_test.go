package sqlite_test

import (
	"context"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/storagetest"
)

func TestMemoryConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) crm.Store { return open(t, ":memory:") })
}

// An in-memory database is shared by the writer and the readers of one DB,
// and by no other DB.
func TestMemoryDatabasesAreSeparate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, name := range []string{":memory:", "file::memory:", "file::memory:?cache=shared"} {
		a, b := open(t, name), open(t, name)
		var id int64
		err := a.Write(ctx, func(tx crm.Tx) error {
			ids, err := tx.NextIDs(ctx, 1)
			if err != nil {
				return err
			}
			id = ids[0]
			return tx.InsertObjects(ctx, []*crm.Object{{ID: id, TypeID: "0-18", Properties: map[string]string{"a": "b"}}})
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Reads run on the reader pool: they must see the writer's data.
		err = a.Read(ctx, func(tx crm.ReadTx) error {
			o, err := tx.Object(ctx, "0-18", id)
			if err != nil || o.Properties["a"] != "b" {
				t.Errorf("%s: read back %+v %v", name, o, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Read(ctx, func(tx crm.ReadTx) error {
			if o, err := tx.Object(ctx, "0-18", id); err == nil {
				t.Errorf("%s: a second in-memory database sees the first one's record %+v", name, o)
			}
			return nil
		})
	}
}
