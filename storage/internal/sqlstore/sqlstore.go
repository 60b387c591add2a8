// Package sqlstore is the SQL of Spoke's stores, written once for SQLite
// and PostgreSQL: crm.Tx (records, history, unique values, associations,
// labels, owners, properties, the search index, reset and export), the
// token and session stores and the rate-limit counters. The statements are
// written with "?" placeholders in the SQL both databases run; what differs
// (sequences, locking, bulk parameters, free text, a few literals) comes
// from the driver's Dialect, one small file in each driver's package.
//
// The drivers keep what is theirs: opening the database, connection pools,
// and running transactions (SQLite's single writer with group commit,
// PostgreSQL's retries of serialization failures).
package sqlstore

import (
	"context"
	"strings"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// Row is one result row.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set; Close releases it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements written with "?" placeholders. Each driver
// adapts its transactions and pools to it. A missing row is reported as an
// error for which errors.Is(err, sql.ErrNoRows) holds (pgx's ErrNoRows
// wraps it).
type Querier interface {
	// Exec runs a statement and returns the number of rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// TxFunc runs fn in a transaction that writes, committing unless fn fails.
type TxFunc func(ctx context.Context, fn func(Querier) error) error

// Sequence is one of the id sequences.
type Sequence int

const (
	ObjectIDs Sequence = iota // records, all types
	OwnerIDs                  // owners
	UserIDs                   // owners' user ids
	LabelIDs                  // user-defined association types
)

// Sequences lists every sequence.
var Sequences = []Sequence{ObjectIDs, OwnerIDs, UserIDs, LabelIDs}

// sequenceColumns are the table and column each sequence numbers.
var sequenceColumns = map[Sequence][2]string{
	ObjectIDs: {"objects", "id"},
	OwnerIDs:  {"owners", "id"},
	UserIDs:   {"owners", "user_id"},
	LabelIDs:  {"association_labels", "type_id"},
}

// Name is the sequence's name on every driver: a PostgreSQL sequence, a
// row of SQLite's id_sequence (migration 0032 gave those these names).
func (s Sequence) Name() string {
	return [...]string{"object_ids", "owner_ids", "user_ids", "label_ids"}[s]
}

// First is the first value a sequence hands out, as the schema sets it: ids
// are large numbers, as in HubSpot.
func (s Sequence) First() int64 {
	return [...]int64{10000000001, 80000001, 9000001, 2001}[s]
}

// Dialect is what a driver's SQL needs that the other's does not have.
type Dialect interface {
	// searchsql.Dialect: JSON values, CONTAINS_TOKEN, free text, the
	// false literal, planner hints, reading the search documents and the
	// settings of a search.
	searchsql.Dialect

	// Driver names the driver's variants of the schema migrations
	// ("sqlite", "postgres").
	Driver() string
	// MigrationSession is what runs on the migrating connection before
	// and after the migrations (PostgreSQL: its advisory lock).
	MigrationSession() (before, after []string)
	// True is the literal for true in the archived columns.
	True() string
	// MaxParams is how many parameters one statement may bind.
	MaxParams() int
	// In is the condition "column is one of ids" and its arguments; at most
	// MaxParams ids are given at once.
	In(column string, ids []int64) (string, []any)
	// ForUpdate is the suffix that locks the rows a write transaction
	// reads, or "" when writers never overlap.
	ForUpdate() string
	// ForShare is the suffix that share-locks the rows a write transaction
	// reads (other transactions may share-lock them too, none may change
	// them), or "" when writers never overlap.
	ForShare() string
	// LockKeys is a statement that takes transaction locks on a class
	// (its first argument) and a sorted list of int32 keys (its second),
	// or "" when writers never overlap.
	LockKeys() string
	// LockName is a statement that takes a transaction lock named by its
	// one text argument, or "" when writers never overlap.
	LockName() string
	// NextIDs reserves n increasing values of seq.
	NextIDs(ctx context.Context, q Querier, seq Sequence, n int) ([]int64, error)
	// RestartSequence is a statement (and its arguments) after which seq
	// hands out seq.First() again.
	RestartSequence(seq Sequence) (string, []any)
	// AdvanceSequence is a statement that moves seq past the value of the
	// scalar subquery top (NULL when the table is empty), never back.
	AdvanceSequence(seq Sequence, top string) string
	// Truncate empties tables.
	Truncate(tables ...string) []string
	// Serial is the value of a new row's creation-order column (a column
	// with a default on some drivers).
	Serial(table, column string) string
	// SearchText is the free-text table's record id column, and the
	// INSERT prefix and one row's VALUES tuple storing (id, text).
	SearchText() (idColumn, insert, row string)
	// FreeTextTables are the tables holding free text, which removing a
	// record's text and emptying the index delete from: SearchText's, and
	// any that only older records' text is in.
	FreeTextTables() []string
	// BinaryDocuments reports whether the search index's documents are
	// stored in SQLite's binary JSON (JSONB), written by the store and read
	// by its JSON functions without parsing text, rather than as JSON text.
	BinaryDocuments() bool
	// DocText reads the document column col as JSON text.
	DocText(col string) string
	// CombinesWrites reports whether several INSERT or DELETE statements
	// can run as one, all but the last in WITH clauses (PostgreSQL's
	// data-modifying CTEs): the search index's writes of a transaction are
	// then one round trip.
	CombinesWrites() bool
}

// Tx implements crm.Tx over a Querier.
type Tx struct {
	q     Querier
	d     Dialect
	write bool
	// locked holds the unique-value locks (LockUnique) already taken.
	locked map[int32]bool
	// text, when set, collects the free-text rows of the transaction's
	// writes instead of writing them (DeferFreeText).
	text *FreeText
	// records counts the records written (Records).
	records int
}

// Records is the number of records the transaction inserted or updated so
// far, each time it wrote one: a measure of its size for group commit.
func (t *Tx) Records() int { return t.records }

var _ crm.Tx = (*Tx)(nil)

// NewTx returns a transaction's crm.Tx; write says whether it may write
// (its reads then lock what they read, where the dialect locks rows).
func NewTx(q Querier, d Dialect, write bool) *Tx {
	return &Tx{q: q, d: d, write: write}
}

// lock is the row-locking suffix of reads.
func (t *Tx) lock() string {
	if t.write {
		return t.d.ForUpdate()
	}
	return ""
}

func (t *Tx) exec(ctx context.Context, statements ...string) error {
	for _, s := range statements {
		if _, err := t.q.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// Placeholders returns "?, ?, ..." for n values.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// insertRows runs one multi-row statement per chunk of rows that fits the
// dialect's parameter limit: prefix, then row (a tuple of cols "?"
// placeholders) for each row, then suffix.
func (t *Tx) insertRows(ctx context.Context, n, cols int, prefix, row, suffix string, args func(i int) []any) error {
	chunk := t.d.MaxParams() / cols
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		vals := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			vals = append(vals, args(i)...)
		}
		q := prefix + strings.TrimSuffix(strings.Repeat(row+", ", end-start), ", ") + suffix
		if _, err := t.q.Exec(ctx, q, vals...); err != nil {
			return err
		}
	}
	return nil
}

// forIDs calls fn with the dialect's condition on column for each chunk of
// ids.
func forIDs(d Dialect, column string, ids []int64, fn func(cond string, args []any) error) error {
	chunk := d.MaxParams()
	for start := 0; start < len(ids); start += chunk {
		cond, args := d.In(column, ids[start:min(len(ids), start+chunk)])
		if err := fn(cond, args); err != nil {
			return err
		}
	}
	return nil
}

// query runs a statement and reads every row with scan.
func query[T any](ctx context.Context, q Querier, scan func(Row) (T, error), sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanInt64(r Row) (int64, error) {
	var v int64
	err := r.Scan(&v)
	return v, err
}
