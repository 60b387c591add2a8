package sqlite

import (
	"context"
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
