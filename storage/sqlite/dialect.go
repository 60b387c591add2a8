package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// registerFunctions adds what search needs to each connection: FTS5 and
// spoke_token_match(text, pattern) for CONTAINS_TOKEN.
func registerFunctions(c *sqlite3.Conn) error {
	if err := fts5.Register(c); err != nil {
		return err
	}
	return c.CreateFunction("spoke_token_match", 2, sqlite3.DETERMINISTIC|sqlite3.INNOCUOUS, func(ctx sqlite3.Context, arg ...sqlite3.Value) {
		ctx.ResultBool(crm.TokenMatch(arg[0].Text(), arg[1].Text()))
	})
}

func searchKey(typeID, name string) int64 { return searchsql.Key(typeID, name) }

func (t *txn) UnindexObjects(ctx context.Context, ids []int64) error {
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		in := `(` + placeholders(len(chunk)) + `)`
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM search_values WHERE object_id IN `+in, args...); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM search_text WHERE rowid IN `+in, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) IndexObjects(ctx context.Context, docs []crm.SearchDoc) error {
	var ids []int64
	for _, d := range docs {
		if !d.New {
			ids = append(ids, d.ObjectID)
		}
	}
	if err := t.UnindexObjects(ctx, ids); err != nil {
		return err
	}
	var rows [][]any
	var texts [][]any
	for _, d := range docs {
		for n, v := range d.Values {
			var num, text any
			if v.Num != nil {
				num = *v.Num
			}
			if v.Text != nil {
				text = *v.Text
			}
			// n, the value's place in the document, keeps the values of a
			// multi-valued property apart in the primary key.
			rows = append(rows, []any{d.ObjectID, searchKey(d.TypeID, v.Name), n, num, text})
		}
		if d.Text != "" {
			texts = append(texts, []any{d.ObjectID, d.Text})
		}
	}
	if err := t.rowsInChunks(ctx, len(rows), 5, `INSERT INTO search_values (object_id, key, n, num, text) VALUES `, "",
		func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	return t.rowsInChunks(ctx, len(texts), 2, `INSERT INTO search_text (rowid, text) VALUES `, "",
		func(i int) []any { return texts[i] })
}

// dialect is SQLite's part of the search SQL.
type dialect struct{}

func (dialect) JSONText(alias, property string) string {
	return fmt.Sprintf(`json_extract(%s.properties, '$.%s')`, alias, property)
}

func (dialect) TokenMatch(expr, pattern string) (string, any) {
	return "spoke_token_match(" + expr + ", ?)", pattern
}

// TextMatches searches the FTS5 table: every term as a prefix.
func (dialect) TextMatches(terms []string) (string, any) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return `SELECT rowid AS id FROM search_text WHERE search_text MATCH ?`, strings.Join(parts, " AND ")
}

func (dialect) False() string { return "0" }

// Search runs the compiled count and page statements.
func (t *txn) Search(ctx context.Context, q crm.SearchQuery) ([]int64, int, error) {
	return searchsql.Run(ctx, q, dialect{}, func(ctx context.Context, s searchsql.Statement) (searchsql.Rows, func(), error) {
		rows, err := t.tx.QueryContext(ctx, s.SQL, s.Args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, func() { rows.Close() }, nil
	})
}

// Unindexed uses SQLite's unary +, which keeps the column out of index choice.
func (dialect) Unindexed(column string) string { return "+" + column }

func (dialect) Materialized() string { return "" }
