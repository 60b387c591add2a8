package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/redact"
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

// urlScheme finds the scheme of a value written as a URL ("mysql://...").
var urlScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*)://`)

// checkDB refuses a --db value that names no database Spoke can open: a
// URL of another scheme, or nothing.
func checkDB(db string) error {
	if db == "" {
		return errors.New("--db is empty: give a SQLite file path, :memory:, or a postgres:// URL")
	}
	if isPostgres(db) {
		return nil
	}
	if m := urlScheme.FindStringSubmatch(db); m != nil {
		return fmt.Errorf("unsupported database URL scheme %s: --db takes a SQLite file path, :memory:, or a postgres:// or postgresql:// URL", m[1])
	}
	return nil
}

// openStore opens the storage a --db value names: a postgres:// URL, an
// in-memory SQLite database, or a SQLite file path. Errors never show the
// URL's password.
func openStore(ctx context.Context, db string, pool postgres.PoolOptions) (crm.Store, error) {
	if err := checkDB(db); err != nil {
		return nil, err
	}
	if isPostgres(db) {
		s, err := postgres.Open(ctx, db, pool)
		if err != nil {
			return nil, redact.Error(err, db)
		}
		return s, nil
	}
	return sqlite.Open(ctx, db)
}

// openStoreOffline opens the database of a command that runs without the
// server (tokens, owners, seed, export). An in-memory database lives only
// inside its server process, so another process cannot reach it.
func openStoreOffline(ctx context.Context, db string) (crm.Store, error) {
	if err := checkDB(db); err != nil {
		return nil, usage(err)
	}
	if sqlite.IsMemory(db) {
		return nil, usage(fmt.Errorf("--db %s is an in-memory database that lives only inside its spoke serve process; "+
			"use the server's /_spoke/ test controls, or give a SQLite file or a postgres:// URL", db))
	}
	return openStore(ctx, db, postgres.PoolOptions{MaxConns: 2})
}

// poolFlags adds the PostgreSQL connection pool flags.
func (m *Main) poolFlags(fs *flag.FlagSet) {
	fs.Func("pg-max-conns", "`N` PostgreSQL: most connections in the pool (default: the larger of 4 and the number of CPUs)", intFlag(&m.Pool.MaxConns))
	fs.Func("pg-min-conns", "`N` PostgreSQL: connections kept open when idle (default 0)", intFlag(&m.Pool.MinConns))
	durationFlag(fs, &m.Pool.MaxConnLifetime, "pg-conn-lifetime", time.Hour, "PostgreSQL: how long a connection is used before it is replaced")
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
