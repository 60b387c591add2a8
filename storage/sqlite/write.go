package sqlite

import (
	"context"
	"database/sql"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// maxGroup bounds how many Write calls share one transaction, which bounds
// how long the first of them waits for the commit; maxGroupRecords bounds
// the records they write: a group takes no more calls once its calls wrote
// that many. Writes of one record then share commits up to maxGroup, and
// batches of 100 two by two: with larger groups, the calls of a group
// finished together, and the writer sat idle while their clients sent the
// next batches and then all of them queued behind it (docs/benchmarks.md,
// "Groups of at most 200 records").
const (
	maxGroup        = 32
	maxGroupRecords = 200
)

// writer groups concurrent Write calls into shared transactions (group
// commit). SQLite has one writer at a time and the commit, which writes the
// changed pages to the WAL, is a large part of a small write, so calls that
// arrive while a transaction is busy join it instead of each paying for a
// commit of their own.
//
// Each call still runs its fn on its own goroutine, one at a time under mu.
// Calls after the first of a group run inside a savepoint, so an error from
// fn undoes only that call's changes, and their statements ignore
// cancellation (see querier). The call that finishes with nobody waiting (or
// fills the group) commits; the others wait for that commit and return its
// result, so no Write returns before its changes are committed. A lone call
// runs exactly as a plain transaction would.
type writer struct {
	mu      sync.Mutex
	waiting atomic.Int32 // calls blocked on mu
	cur     *group       // the open transaction, if any
}

// group is one shared transaction.
type group struct {
	tx      *sql.Tx
	members int
	done    chan struct{} // closed once committed or rolled back
	err     error         // of the commit, valid after done
	// text holds the free-text rows of the calls that succeeded, written
	// just before the commit (see sqlstore.FreeText).
	text sqlstore.FreeText
	// records counts the records the calls that succeeded wrote.
	records int
}

// open reports whether g may take another call.
func (g *group) open() bool { return g.members < maxGroup && g.records < maxGroupRecords }

// Write runs fn in an immediate transaction on the single writer
// connection, possibly shared with concurrent calls (see writer).
func (db *DB) Write(ctx context.Context, fn func(crm.Tx) error) error {
	w := &db.w
	w.waiting.Add(1)
	w.mu.Lock()
	w.waiting.Add(-1)
	locked := true
	unlock := func() {
		if locked {
			locked = false
			w.mu.Unlock()
		}
	}
	defer unlock()

	if err := ctx.Err(); err != nil {
		db.settle(nil)
		return err
	}
	if w.cur == nil {
		// The transaction may outlive this call's context: cancelling that
		// must not roll back the changes of others.
		tx, err := db.writer.BeginTx(context.Background(), nil)
		if err != nil {
			return err
		}
		w.cur = &group{tx: tx, done: make(chan struct{})}
	}
	g := w.cur
	first := g.members == 0
	if !first {
		if _, err := g.tx.Exec(`SAVEPOINT call`); err != nil {
			db.finish(g, err)
			return err
		}
	}

	// Unwind this call's changes if fn fails, panics or exits the goroutine.
	ok := false
	defer func() {
		if ok {
			return
		}
		if first {
			g.tx.Rollback()
			db.finish(g, nil)
			return
		}
		if _, err := g.tx.Exec(`ROLLBACK TO call; RELEASE call`); err != nil {
			// The transaction is gone (SQLite rolls back the whole of it on
			// some errors): the calls that succeeded in it fail too.
			db.finish(g, err)
			return
		}
		db.settle(g)
	}()
	var text sqlstore.FreeText
	tx := sqlstore.NewTx(&querier{c: g.tx, detached: !first}, dialect{}, true)
	tx.DeferFreeText(&text)
	err := fn(tx)
	if err != nil {
		return err
	}
	if !first {
		if _, err := g.tx.Exec(`RELEASE call`); err != nil {
			return err
		}
	}
	g.text.Merge(&text)
	ok = true
	g.members++
	g.records += tx.Records()
	// Before committing alone, let the goroutines that are ready run: a
	// call about to write joins this transaction instead of waiting for
	// its commit and paying for one of its own. Another call may commit
	// the group meanwhile.
	if w.waiting.Load() == 0 && g.open() {
		w.mu.Unlock()
		runtime.Gosched()
		w.mu.Lock()
	}
	if w.cur == g {
		db.settle(g)
	}
	unlock()
	<-g.done
	return g.err
}

// settle commits the open group g unless another call is waiting to join
// it. The caller holds w.mu.
func (db *DB) settle(g *group) {
	w := &db.w
	if g == nil {
		g = w.cur
	}
	if g == nil || (g.open() && w.waiting.Load() > 0) {
		return
	}
	if g.members == 0 {
		g.tx.Rollback()
		db.finish(g, nil)
		return
	}
	if err := sqlstore.WriteFreeText(context.Background(), &querier{c: g.tx}, dialect{}, &g.text); err != nil {
		db.finish(g, err)
		return
	}
	db.finish(g, g.tx.Commit())
}

// finish ends g with err (rolling back if err is set) and wakes its members.
// The caller holds w.mu.
func (db *DB) finish(g *group, err error) {
	if err != nil {
		g.tx.Rollback()
	}
	g.err = err
	close(g.done)
	if db.w.cur == g {
		db.w.cur = nil
	}
}
