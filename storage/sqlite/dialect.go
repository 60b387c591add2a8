package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/sqlstore"
)

// dialect is SQLite's part of the SQL that storage/internal/sqlstore
// writes for both databases.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

func (dialect) Driver() string { return "sqlite" }

// MigrationSession: a migration may build an index over millions of rows,
// so its sort spills to a temporary file instead of growing in memory.
func (dialect) MigrationSession() (before, after []string) {
	return []string{`PRAGMA temp_store = FILE`}, []string{`PRAGMA temp_store = MEMORY`}
}

// True and False are integers: SQLite has no boolean type, and the partial
// indexes on archived are written with 1.
func (dialect) True() string  { return "1" }
func (dialect) False() string { return "0" }

// MaxParams stays under SQLite's limit of 32766 bound parameters.
func (dialect) MaxParams() int { return 32000 }

func (dialect) In(column string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return column + ` IN (` + sqlstore.Placeholders(len(ids)) + `)`, args
}

// ForUpdate, LockKeys and LockName are empty: SQLite runs one write
// transaction at a time (the writer connection's transactions are
// IMMEDIATE), so a read and a write in one are never interleaved with
// another's.
func (dialect) ForUpdate() string { return "" }
func (dialect) ForShare() string  { return "" }
func (dialect) LockKeys() string  { return "" }
func (dialect) LockName() string  { return "" }

// Sequences are rows of id_sequence, named by seq.Name(), holding the last
// value handed out.
func (dialect) NextIDs(ctx context.Context, q sqlstore.Querier, seq sqlstore.Sequence, n int) ([]int64, error) {
	// An UPDATE and a SELECT: SQLite runs RETURNING through a temporary
	// table of its own, which costs more than a second statement.
	var last int64
	if _, err := q.Exec(ctx, `UPDATE id_sequence SET value = value + ? WHERE name = ?`, n, seq.Name()); err != nil {
		return nil, err
	}
	if err := q.QueryRow(ctx, `SELECT value FROM id_sequence WHERE name = ?`, seq.Name()).Scan(&last); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last - int64(n) + 1 + int64(i)
	}
	return ids, nil
}

func (dialect) RestartSequence(seq sqlstore.Sequence) (string, []any) {
	return `UPDATE id_sequence SET value = ? WHERE name = ?`, []any{seq.First() - 1, seq.Name()}
}

func (dialect) AdvanceSequence(seq sqlstore.Sequence, top string) string {
	return `UPDATE id_sequence SET value = max(value, coalesce(` + top + `, 0)) WHERE name = '` + seq.Name() + `'`
}

func (dialect) Truncate(tables ...string) []string {
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = `DELETE FROM ` + t
	}
	return out
}

func (dialect) Serial(table, column string) string {
	return `(SELECT coalesce(max(` + column + `), 0) + 1 FROM ` + table + `)`
}

// SearchText is an FTS5 table whose rowid is the record id: search_words
// (migration 0039), whose words have no prefix indexes.
func (dialect) SearchText() (idColumn, insert, row string) {
	return "rowid", `INSERT INTO search_words (rowid, text) VALUES `, `(?, ?)`
}

// FreeTextTables: search_text holds the text of records last written
// before migration 0039, with prefix indexes, until they are written again.
func (dialect) FreeTextTables() []string { return []string{"search_words", "search_text"} }

func (dialect) JSONText(alias, property string) string {
	return fmt.Sprintf(`json_extract(%s.properties, '$.%s')`, alias, property)
}

func (dialect) TokenMatch(expr, pattern string) (string, any) {
	return "spoke_token_match(" + expr + ", ?)", pattern
}

// TextMatches searches the FTS5 table: every term as a prefix.
func (dialect) TextMatches(terms []string) (string, []any) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	q := strings.Join(parts, " AND ")
	return `SELECT rowid AS id FROM search_words WHERE search_words MATCH ? UNION ALL SELECT rowid FROM search_text WHERE search_text MATCH ?`, []any{q, q}
}

func (dialect) Materialized() string { return "" }

// registerFunctions adds what search needs to each connection: FTS5,
// spoke_token_match(text, pattern) for CONTAINS_TOKEN and the functions
// of the value sets (idsets.go).
func registerFunctions(c *sqlite3.Conn) error {
	if err := fts5.Register(c); err != nil {
		return err
	}
	if err := registerIDSets(c); err != nil {
		return err
	}
	return c.CreateFunction("spoke_token_match", 2, sqlite3.DETERMINISTIC|sqlite3.INNOCUOUS, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		ctx.ResultBool(crm.TokenMatch(arg[0].Text(), arg[1].Text()))
	})
}
