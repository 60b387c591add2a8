// Package sqlite is Spoke's embedded storage: one SQLite file in WAL mode,
// one writer connection and a pool of readers. It implements crm.Store and
// knows nothing about HTTP.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"

	"github.com/ncruces/go-sqlite3"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/schema"
	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// DB is a SQLite-backed crm.Store.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	ckpt   *checkpointer
	w      writer
	pools  *sqlstore.Pools

	closeOnce sync.Once
	closeErr  error
}

var _ crm.Store = (*DB)(nil)

// The page cache of each connection, in KiB. Readers keep the pages that
// searches over a large index go back to. The writer's cache is smaller:
// when a write splits a b-tree page, SQLite numbers a page for a moment
// with the page after the file's first gibibyte, and while the file is
// smaller than that, the commit of the write walks the whole hash table of
// the writer's cache to drop that page again, a walk as long as the cache
// is large (see docs/benchmarks.md). The pages writes go back to (the
// upper levels and right edges of the b-trees) fit in the smaller one. The
// checkpointer's connection keeps SQLite's default.
const (
	readerCacheSize = "cache_size(-32000)"
	writerCacheSize = "cache_size(-4000)"
)

// Open opens (creating if needed) the database file at path and applies
// pending migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	// busy_timeout first so that the WAL switch itself waits for other
	// processes; synchronous=NORMAL in WAL mode keeps every committed
	// transaction across a crash of the process (only power loss can drop
	// the last ones).
	pragmas := []string{"busy_timeout(10000)", "journal_mode(wal)", "synchronous(normal)", "foreign_keys(on)", "temp_store(memory)"}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	dsn := dataSourceName(path, q)

	// The writer leaves checkpoints to the checkpointer (checkpoint.go).
	ckpt := newCheckpointer()
	writer, err := openPool(dsn+"&_txlock=immediate&_pragma="+writerCacheSize, func(c *sqlite3.Conn) error {
		c.WALHook(ckpt.walHook)
		return registerFunctions(c)
	})
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	db := &DB{path: path, writer: writer, ckpt: ckpt}
	if err := schema.Migrate(ctx, &conn{querier: querier{c: writer}, db: writer}, dialect{}); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Readers are query_only for their whole life, which also spares the
	// driver switching it on and off around every read transaction.
	reader, err := openPool(dsn+"&_txlock=deferred&_pragma=query_only(1)&_pragma="+readerCacheSize, registerFunctions)
	if err != nil {
		writer.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU()*2)
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	reader.SetConnMaxLifetime(0)
	db.reader = reader
	db.pools = &sqlstore.Pools{
		Read:    &querier{c: reader},
		Write:   &querier{c: writer},
		WriteTx: func(ctx context.Context, fn func(sqlstore.Querier) error) error { return inTx(ctx, writer, fn) },
		Dialect: dialect{},
	}
	if err := ckpt.start(dsn); err != nil {
		reader.Close()
		writer.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pools; the last connection to close checkpoints the log.
// Calls after the first return the first one's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = errors.Join(db.ckpt.close(), db.reader.Close(), db.writer.Close()) })
	return db.closeErr
}

// Read runs fn in a read-only transaction on the reader pool.
func (db *DB) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(sqlstore.NewTx(&querier{c: tx}, dialect{}, false))
}

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
