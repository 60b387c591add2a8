// Package postgres is Spoke's PostgreSQL storage, for several stateless
// Spoke nodes on one database. It implements crm.Store through pgx and
// passes the same conformance suite as the SQLite store; its SQL is
// storage/internal/sqlstore's, with this package's dialect. It knows
// nothing about HTTP.
package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/schema"
	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// PoolOptions size the connection pool.
type PoolOptions struct {
	MaxConns        int32
	MinConns        int32
	MaxConnLifetime time.Duration
}

// DB is a PostgreSQL-backed crm.Store.
type DB struct {
	pool    *pgxpool.Pool
	pools   *sqlstore.Pools
	retries atomic.Int64
}

var _ crm.Store = (*DB)(nil)

// Open connects to the database at url (postgres://...), applies pending
// migrations under an advisory lock, and returns the store.
func Open(ctx context.Context, url string, opts PoolOptions) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.MinConns > 0 {
		cfg.MinConns = opts.MinConns
	}
	if opts.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = opts.MaxConnLifetime
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := &DB{pool: pool, pools: &sqlstore.Pools{
		Read:  querier{pool},
		Write: querier{pool},
		WriteTx: func(ctx context.Context, fn func(sqlstore.Querier) error) error {
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return fn(querier{tx}) })
		},
		Dialect: dialect{},
	}}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// migrate runs the migrations on one connection, which holds the
// migrations' advisory lock while they run.
func (db *DB) migrate(ctx context.Context) error {
	c, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return schema.Migrate(ctx, conn{c}, dialect{})
}

// Read runs fn in a read-only transaction that sees one snapshot.
func (db *DB) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return fn(sqlstore.NewTx(querier{tx}, dialect{}, false))
	})
}

// maxAttempts bounds retries of a write that lost a deadlock or
// serialization race to another node.
const maxAttempts = 5

// Write runs fn in a read-write transaction. Records read in it are locked
// (SELECT ... FOR UPDATE), so concurrent read-modify-writes from several
// nodes apply one after the other; a transaction that deadlocks, or meets
// an id stored meanwhile (idTaken), is retried.
func (db *DB) Write(ctx context.Context, fn func(crm.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			return fn(sqlstore.NewTx(querier{tx}, dialect{}, true))
		})
		switch {
		case retryable(err) && attempt < maxAttempts:
			db.retries.Add(1)
		case idTaken(err) && attempt < maxAttempts:
		case lockTimedOut(err) && attempt < maxLockAttempts:
		default:
			return err
		}
	}
}

// maxLockAttempts bounds the runs of a write that gives up waiting for a
// table's lock (see Truncate): about five seconds of waiting in all.
const maxLockAttempts = 50

// Retries is how many write transactions were run again after a deadlock
// or a serialization failure since Open. Spoke's writes lock in one order,
// so it stays at zero unless something else locks the same rows.
func (db *DB) Retries() int64 { return db.retries.Load() }

// Tokens returns the token store.
func (db *DB) Tokens() crm.TokenStore { return db.pools.Tokens() }

// Sessions returns the web session store.
func (db *DB) Sessions() crm.SessionStore { return db.pools.Sessions() }

// Webhooks returns the store of apps, webhook subscriptions and the event outbox.
func (db *DB) Webhooks() crm.WebhookStore { return db.pools.Webhooks() }

// Prepare encodes new records and builds their search documents' rows
// before the write transaction (crm.Preparer).
func (db *DB) Prepare(objs []*crm.Object, docs []crm.SearchDoc) {
	sqlstore.Prepare(dialect{}, objs, docs)
}

// RateCounters returns rate-limit counters kept in the database, so that
// every node counts the same calls.
func (db *DB) RateCounters() crm.RateCounters { return db.pools.RateCounters() }
