// Package postgres is Spoke's PostgreSQL storage, for several stateless
// Spoke nodes on one database. It implements crm.Store through pgx and
// passes the same conformance suite as the SQLite store. It knows nothing
// about HTTP.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/spoke-crm/spoke/crm"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serialises migrations of
// nodes starting at once.
const migrationLock = 0x5370_6f6b_65 // "Spoke"

// PoolOptions size the connection pool.
type PoolOptions struct {
	MaxConns        int32
	MinConns        int32
	MaxConnLifetime time.Duration
}

// DB is a PostgreSQL-backed crm.Store.
type DB struct {
	pool    *pgxpool.Pool
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
	db := &DB{pool: pool}
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

func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, name).Scan(&done); err != nil || done {
				return err
			}
			body, err := migrations.ReadFile(name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// Read runs fn in a read-only transaction that sees one snapshot.
func (db *DB) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return fn(&txn{tx: tx})
	})
}

// maxAttempts bounds retries of a write that lost a deadlock or
// serialization race to another node.
const maxAttempts = 5

// Write runs fn in a read-write transaction. Records read in it are locked
// (SELECT ... FOR UPDATE), so concurrent read-modify-writes from several
// nodes apply one after the other; a transaction that deadlocks is retried.
func (db *DB) Write(ctx context.Context, fn func(crm.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, func(tx pgx.Tx) error {
			return fn(&txn{tx: tx, write: true})
		})
		if !retryable(err) {
			return err
		}
		db.retries.Add(1)
	}
	return err
}

// Retries is how many write transactions were run again after a deadlock
// or a serialization failure since Open. Spoke's writes lock in one order,
// so it stays at zero unless something else locks the same rows.
func (db *DB) Retries() int64 { return db.retries.Load() }

func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40001" || pg.Code == "40P01")
}

// Tokens returns the token store.
func (db *DB) Tokens() crm.TokenStore { return tokens{db} }

// txn implements crm.Tx on a pgx transaction.
type txn struct {
	tx    pgx.Tx
	write bool
	// locked holds the unique-value locks (LockUnique) already taken.
	locked map[int32]bool
}

// lock is the row-locking suffix of reads in write transactions.
func (t *txn) lock() string {
	if t.write {
		return " FOR UPDATE"
	}
	return ""
}
