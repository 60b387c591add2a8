package sqlite

import (
	"context"
	"database/sql"
	"testing"
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
