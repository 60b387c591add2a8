package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache runs queries through a pool whose connections keep
// their statements: the same text while its rows are still open, more texts
// than the cache holds, and a statement again after it failed.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	pool, err := openPool("file:"+filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	pool.SetMaxOpenConns(1)
	if _, err := pool.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO t (k, v) VALUES (?, ?)`
	for k := range 3 {
		if _, err := pool.ExecContext(ctx, insert, k, fmt.Sprint("v", k)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.ExecContext(ctx, insert, 1, "dup"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := pool.ExecContext(ctx, insert, 3, "v3"); err != nil {
		t.Fatalf("statement unusable after a failure: %v", err)
	}

	// One transaction, so that everything runs on one connection.
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	const query = `SELECT k, v FROM t WHERE k >= ? ORDER BY k`
	rows, err := tx.QueryContext(ctx, query, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var k int
		var v string
		rows.Scan(&k, &v)
		// The same text while the outer statement is still stepping.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+query+`)`, k).Scan(&n); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, query, k)
		if err != nil {
			t.Fatal(err)
		}
		m := 0
		for inner.Next() {
			m++
		}
		inner.Close()
		got = append(got, fmt.Sprintf("%d:%s:%d:%d", k, v, n, m))
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if want := "[0:v0:4:4 1:v1:3:3 2:v2:2:2 3:v3:1:1]"; fmt.Sprint(got) != want {
		t.Errorf("got %v, want %s", got, want)
	}

	for i := range 3 * maxCachedStmts {
		var n int
		if err := pool.QueryRowContext(ctx, fmt.Sprintf(`SELECT ? + %d`, i), 1).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("query %d: %d %v", i, n, err)
		}
	}
	if err := pool.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
