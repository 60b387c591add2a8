package sqlite

import (
	"context"
	"database/sql"

	"github.com/ncruces/go-sqlite3"
)

// WAL checkpoints copy committed pages from the write-ahead log back into the
// database file. SQLite's automatic checkpoint runs inside the commit of the
// writer that crosses its threshold, so that writer, and every writer queued
// behind it, waits for the copy. Here the writer connection's WAL hook hands
// checkpoints to a goroutine with a connection of its own, which runs
// passive checkpoints beside the writer once the log holds checkpointAt
// pages.
//
// A passive checkpoint copies what it can and the log starts over only once
// everything is copied, so under writes that never pause it could grow
// without end: past walLimit pages, the writer checkpoints itself after its
// commit, as SQLite's automatic checkpoint does.
//
// checkpointAt is eight times SQLite's default: a page that every commit
// changes (the last page of an index written in order, a value set) is in
// the log once per commit but copied once per checkpoint, so fewer, larger
// checkpoints copy fewer pages.
const (
	checkpointAt = 8000  // pages: about 32 MiB
	walLimit     = 16000 // pages: about 64 MiB
)

// checkpointer runs checkpoints on its own connection.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{} // never closed: a commit may still signal during Close
	stop chan struct{}
	done chan struct{}
	ran  chan struct{} // receives after each checkpoint, if nobody has yet
}

func newCheckpointer() *checkpointer {
	return &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), ran: make(chan struct{}, 1)}
}

// walHook is the writer connection's WAL hook, called after each commit
// with the number of pages in the log.
func (c *checkpointer) walHook(conn *sqlite3.Conn, schema string, pages int) error {
	switch {
	case pages >= walLimit:
		// An error leaves the log as it was, for the next commit to retry.
		conn.WALCheckpoint(schema, sqlite3.CHECKPOINT_PASSIVE)
	case pages >= checkpointAt:
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// start opens the checkpointer's connection and its goroutine.
func (c *checkpointer) start(dsn string) error {
	conn, err := openPool(dsn, nil)
	if err != nil {
		return err
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	c.conn = conn
	go c.run()
	return nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// A failed checkpoint leaves the log as it was; a later commit
		// asks again, and the writer's own checkpoint bounds the log.
		c.conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		select {
		case c.ran <- struct{}{}:
		default:
		}
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	<-c.done
	return c.conn.Close()
}
