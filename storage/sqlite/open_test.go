package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

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

// The free text index merges its segments sixteen at a time (migrations
// 0037 and 0039, for both free-text tables), also after a reset, and finds
// every word written by transactions enough to merge several levels.
func TestFreeTextMerges(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, t.TempDir()+"/merges.db")
	ctx := context.Background()
	automerge := func() int {
		t.Helper()
		var n, m int
		if err := db.reader.QueryRowContext(ctx, `SELECT (SELECT v FROM search_text_config WHERE k = 'automerge'), (SELECT v FROM search_words_config WHERE k = 'automerge')`).Scan(&n, &m); err != nil {
			t.Fatal(err)
		}
		if n != m {
			t.Fatalf("automerge %d for search_text, %d for search_words", n, m)
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
		if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM search_words WHERE search_words MATCH ?`, match).Scan(&n); err != nil {
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

// Free text written before migration 0039 stays in search_text, with its
// prefix indexes: a query finds it beside the text of search_words, and
// writing the record again, archiving it or emptying the index removes it.
func TestFreeTextOfBefore(t *testing.T) {
	t.Parallel()
	db := OpenForTest(t, t.TempDir()+"/before.db")
	ctx := context.Background()
	var objs []*crm.Object
	err := db.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 3)
		if err != nil {
			return err
		}
		now := time.UnixMilli(1_700_000_000_000).UTC()
		for _, id := range ids {
			objs = append(objs, &crm.Object{ID: id, TypeID: "0-18", Properties: map[string]string{}, CreatedAt: now, UpdatedAt: now})
		}
		if err := tx.InsertObjects(ctx, objs); err != nil {
			return err
		}
		return tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: objs[2].ID, TypeID: "0-18", Text: "parcel found", New: true}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Records 0 and 1 as the code before 0039 indexed them.
	for i, text := range []string{"parcel shipped", "parcel lost"} {
		if _, err := db.writer.ExecContext(ctx, `INSERT INTO search_text (rowid, text) VALUES (?, ?)`, objs[i].ID, text); err != nil {
			t.Fatal(err)
		}
	}
	search := func(terms ...string) []int64 {
		t.Helper()
		var ids []int64
		err := db.Read(ctx, func(tx crm.ReadTx) error {
			var err error
			ids, _, err = tx.Search(ctx, crm.SearchQuery{TypeID: "0-18", Terms: terms, Limit: 10})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	id := func(i int) int64 { return objs[i].ID }
	for _, tc := range []struct {
		terms []string
		want  []int64
	}{
		{[]string{"parcel"}, []int64{id(0), id(1), id(2)}},
		{[]string{"pa"}, []int64{id(0), id(1), id(2)}},
		{[]string{"parcel", "sh"}, []int64{id(0)}},
		{[]string{"fou"}, []int64{id(2)}},
	} {
		if got := search(tc.terms...); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%v: %v, want %v", tc.terms, got, tc.want)
		}
	}
	// Record 0 written again: its text moves to search_words. Record 1
	// archived: its text goes.
	err = db.Write(ctx, func(tx crm.Tx) error {
		if err := tx.IndexObjects(ctx, []crm.SearchDoc{{ObjectID: id(0), TypeID: "0-18", Text: "parcel delivered"}}); err != nil {
			return err
		}
		return tx.UnindexObjects(ctx, []int64{id(1)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := search("shipped"); len(got) != 0 {
		t.Errorf("shipped, the replaced text: %v", got)
	}
	if got := search("lost"); len(got) != 0 {
		t.Errorf("lost, the removed text: %v", got)
	}
	if got := search("parcel"); fmt.Sprint(got) != fmt.Sprint([]int64{id(0), id(2)}) {
		t.Errorf("parcel: %v, want %v", got, []int64{id(0), id(2)})
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM search_text WHERE search_text MATCH 'parcel'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("search_text still holds %d texts (%v)", n, err)
	}
	if _, err := db.writer.ExecContext(ctx, `INSERT INTO search_text (rowid, text) VALUES (?, 'parcel again')`, id(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx crm.Tx) error { return tx.Reset(ctx, crm.ResetScope{}) }); err != nil {
		t.Fatal(err)
	}
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM search_text WHERE search_text MATCH 'parcel'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after a reset, search_text holds %d texts (%v)", n, err)
	}
}
