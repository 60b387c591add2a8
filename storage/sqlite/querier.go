package sqlite

import (
	"context"
	"database/sql"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// sqlConn is what *sql.DB and *sql.Tx have in common.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// querier runs sqlstore's statements on a pool or a transaction. SQLite
// takes "?" placeholders as they are. A detached querier's statements
// ignore cancellation: SQLite rolls back the whole transaction when it
// interrupts a write, and a shared write transaction holds the changes of
// other Write calls too (see writer).
type querier struct {
	c        sqlConn
	detached bool
}

func (q *querier) context(ctx context.Context) context.Context {
	if q.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (q *querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.c.ExecContext(q.context(ctx), query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q *querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.c.QueryContext(q.context(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q *querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.c.QueryRowContext(q.context(ctx), query, args...)
}

// sqlRows closes without a result, as sqlstore.Rows does: the error of a
// read is reported by Err.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// conn is the writer connection as the migrations use it.
type conn struct {
	querier
	db *sql.DB
}

func (c *conn) Tx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return inTx(ctx, c.db, fn)
}

// inTx runs fn in a transaction on db (IMMEDIATE on the writer).
func inTx(ctx context.Context, db *sql.DB, fn func(sqlstore.Querier) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&querier{c: tx}); err != nil {
		return err
	}
	return tx.Commit()
}
