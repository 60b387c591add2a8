package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/ncruces/go-sqlite3"
	sqlitedriver "github.com/ncruces/go-sqlite3/driver"
)

// maxCachedStmts bounds the statements one connection keeps prepared.
const maxCachedStmts = 64

// cachingConnector makes connections that keep their prepared statements.
//
// database/sql prepares a statement for every query with arguments and
// finalizes it right after, so SQLite parses the same SQL on every call,
// which costs about as much as running a small query. These connections keep
// each statement by its text: closing it only resets it for the next query
// with the same text. Every query of the package benefits without being
// declared anywhere.
type cachingConnector struct {
	driver.Connector
	init func(*sqlite3.Conn) error
}

// openPool opens a pool of such connections; init runs on each new one.
func openPool(dsn string, init func(*sqlite3.Conn) error) (*sql.DB, error) {
	c, err := (&sqlitedriver.SQLite{}).OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{Connector: c, init: init}), nil
}

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc := conn.(sqlitedriver.Conn)
	if c.init != nil {
		if err := c.init(sc.Raw()); err != nil {
			sc.Close()
			return nil, err
		}
	}
	return &cachingConn{Conn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// cachingConn is a connection with its statement cache. database/sql never
// uses a connection, or its statements, from two goroutines at once.
type cachingConn struct {
	sqlitedriver.Conn
	stmts map[string]*cachedStmt
}

// Interfaces of the wrapped connection that sqlitedriver.Conn does not name.
var (
	_ driver.ExecerContext     = (*cachingConn)(nil)
	_ driver.NamedValueChecker = (*cachingConn)(nil)
)

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *cachingConn) CheckNamedValue(arg *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(arg)
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns the cached statement for query if it is free, or
// prepares one (and caches it unless the text is already cached and busy).
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		return s, nil
	}
	st, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if _, ok := c.stmts[query]; ok {
		return st, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		for q, s := range c.stmts { // evict a free one, picked at random
			if !s.busy {
				s.Stmt.Close()
				delete(c.stmts, q)
				break
			}
		}
		if len(c.stmts) >= maxCachedStmts {
			return st, nil
		}
	}
	s := &cachedStmt{Stmt: st, busy: true}
	c.stmts[query] = s
	return s, nil
}

// Close finalizes the cached statements first: SQLite does not close a
// connection that still has statements.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.Stmt.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// cachedStmt is a statement that stays prepared when closed.
type cachedStmt struct {
	driver.Stmt
	busy bool
}

var (
	_ driver.StmtExecContext   = (*cachedStmt)(nil)
	_ driver.StmtQueryContext  = (*cachedStmt)(nil)
	_ driver.NamedValueChecker = (*cachedStmt)(nil)
)

func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *cachedStmt) CheckNamedValue(arg *driver.NamedValue) error {
	return s.Stmt.(driver.NamedValueChecker).CheckNamedValue(arg)
}

// Close resets the statement (its rows, if any, are closed already) and
// frees it for reuse.
func (s *cachedStmt) Close() error {
	if r, ok := s.Stmt.(interface{ Reset() error }); ok {
		r.Reset() // reports the last step's error again, which was already returned
	}
	s.busy = false
	return nil
}
