package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// TestCheckpointsOffTheWriter writes past the checkpoint threshold and sees
// the checkpointer copy the log into the database file: the writer's WAL
// hook has replaced SQLite's automatic checkpoint, and below walLimit the
// writer does not checkpoint itself.
func TestCheckpointsOffTheWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "spoke.db")
	db := OpenForTest(t, path)
	before := fileSize(t, path)

	big := strings.Repeat("x", 3000) // about a page a record
	for pages := 0; pages < checkpointAt+100; pages += 20 {
		err := db.Write(ctx, func(tx crm.Tx) error {
			ids, err := tx.NextIDs(ctx, 20)
			if err != nil {
				return err
			}
			objs := make([]*crm.Object, len(ids))
			for i, id := range ids {
				objs[i] = &crm.Object{ID: id, TypeID: "0-18", Properties: map[string]string{"hs_communication_body": big}}
			}
			return tx.InsertObjects(ctx, objs)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-db.ckpt.ran:
	case <-time.After(time.Minute):
		t.Fatal("no checkpoint after writing past the threshold")
	}
	if after := fileSize(t, path); after < before+checkpointAt*4096/2 {
		t.Errorf("database file %d bytes after the checkpoint, %d before: the log was not copied", after, before)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
