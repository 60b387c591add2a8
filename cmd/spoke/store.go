package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// schemaRefreshInterval bounds how stale a node's view of custom properties
// and labels created on another node can be (writes naming them refresh at once).
const schemaRefreshInterval = time.Second

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// openStore opens the storage a --db value names: a postgres:// URL, or a
// SQLite file path.
func openStore(ctx context.Context, db string, pool postgres.PoolOptions) (crm.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db, pool)
	}
	return sqlite.Open(ctx, db)
}

// poolFlags adds the PostgreSQL connection pool flags.
func (m *Main) poolFlags(fs *flag.FlagSet) {
	fs.Func("pg-max-conns", "PostgreSQL: most connections in the pool (default: the larger of 4 and the number of CPUs)", intFlag(&m.Pool.MaxConns))
	fs.Func("pg-min-conns", "PostgreSQL: connections kept open when idle (default 0)", intFlag(&m.Pool.MinConns))
	fs.DurationVar(&m.Pool.MaxConnLifetime, "pg-conn-lifetime", time.Hour, "PostgreSQL: how long a connection is used before it is replaced")
}

func intFlag(dst *int32) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a connection count", v)
		}
		*dst = int32(n)
		return nil
	}
}
