package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// OpenForTest opens the database at path for a test or benchmark, which
// fails if it cannot, and closes it when that ends (closing it earlier is
// allowed). Being in a test file, it is seen only by this package's tests
// and sqlite_test's.
func OpenForTest(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// The writer's page cache is the smaller one (see writerCacheSize); every
// reader has the larger.
func TestPageCacheSizes(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, t.TempDir()+"/cache.db")
	ctx := context.Background()
	var size int
	if err := db.writer.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if size != -4000 {
		t.Errorf("writer cache_size = %d, want -4000", size)
	}
	// Hold every reader connection at once so that each is asked.
	n := db.reader.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, n)
	for i := range conns {
		c, err := db.reader.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		if size != -32000 {
			t.Errorf("reader %d cache_size = %d, want -32000", i, size)
		}
	}
}

// The free text index merges its segments sixteen at a time (migration
// 0037), also after a reset, and finds every word written by transactions
// enough to merge several levels.
func TestFreeTextMerges(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, t.TempDir()+"/merges.db")
	ctx := context.Background()
	automerge := func() int {
		t.Helper()
		var n int
		if err := db.reader.QueryRowContext(ctx, `SELECT v FROM search_text_config WHERE k = 'automerge'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := automerge(); n != 16 {
		t.Fatalf("automerge = %d, want 16", n)
	}
	const writes = 40
	for i := range writes {
		err := db.Write(ctx, func(tx crm.Tx) error {
			return tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: int64(i + 1), TypeID: "0-18", Text: fmt.Sprintf("common word%d", i), New: true}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func(match string) int {
		t.Helper()
		var n int
		if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM search_text WHERE search_text MATCH ?`, match).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("common"); n != writes {
		t.Errorf("common: %d rows, want %d", n, writes)
	}
	for i := range writes {
		if n := count(fmt.Sprintf("word%d", i)); n != 1 {
			t.Errorf("word%d: %d rows, want 1", i, n)
		}
	}
	if err := db.Write(ctx, func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) }); err != nil {
		t.Fatal(err)
	}
	if n := count("common"); n != 0 {
		t.Errorf("after a reset, common: %d rows, want 0", n)
	}
	if n := automerge(); n != 16 {
		t.Errorf("after a reset, automerge = %d, want 16", n)
	}
}
