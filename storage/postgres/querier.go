package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// pgxConn is what pgx's pools, connections and transactions have in common.
type pgxConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// querier runs sqlstore's statements through pgx, numbering their "?"
// placeholders. A statement without arguments is sent as it is (it may be
// several statements, as a migration is).
type querier struct{ c pgxConn }

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, rebind(sql, args), args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return q.c.Query(ctx, rebind(sql, args), args...)
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return q.c.QueryRow(ctx, rebind(sql, args), args...)
}

// rebind turns "?" placeholders into PostgreSQL's $1, $2, ... and "?N"
// into $N, leaving string literals, quoted names and comments alone.
func rebind(sql string, args []any) string {
	if len(args) == 0 {
		return sql
	}
	b := make([]byte, 0, len(sql)+len(args)*2)
	n := 0
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '?':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			b = append(b, '$')
			if j > i+1 {
				b = append(b, sql[i+1:j]...)
				i = j - 1
			} else {
				n++
				b = strconv.AppendInt(b, int64(n), 10)
			}
		case '\'', '"':
			j := i + 1
			for j < len(sql) && sql[j] != c {
				j++
			}
			b = append(b, sql[i:min(j+1, len(sql))]...)
			i = j
		case '-':
			if i+1 < len(sql) && sql[i+1] == '-' {
				j := i
				for j < len(sql) && sql[j] != '\n' {
					j++
				}
				b = append(b, sql[i:j]...)
				i = j - 1
				continue
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// conn is the connection migrations run on.
type conn struct{ *pgxpool.Conn }

func (c conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return querier{c.Conn}.Exec(ctx, sql, args...)
}

func (c conn) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return querier{c.Conn}.Query(ctx, sql, args...)
}

func (c conn) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return querier{c.Conn}.QueryRow(ctx, sql, args...)
}

func (c conn) Tx(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return pgx.BeginFunc(ctx, c.Conn, func(tx pgx.Tx) error { return fn(querier{tx}) })
}
