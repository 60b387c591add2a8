package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

func (t *txn) UnindexObjects(ctx context.Context, ids []int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM search_values WHERE object_id = ANY($1)`, ids); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `DELETE FROM search_text WHERE object_id = ANY($1)`, ids)
	return err
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
	var textIDs []int64
	var texts []string
	for _, d := range docs {
		for _, v := range d.Values {
			var num, text any
			if v.Num != nil {
				num = *v.Num
			}
			if v.Text != nil {
				text = *v.Text
			}
			rows = append(rows, []any{d.ObjectID, searchsql.Key(d.TypeID, v.Name), num, text})
		}
		if d.Text != "" {
			textIDs = append(textIDs, d.ObjectID)
			texts = append(texts, d.Text)
		}
	}
	if err := t.rows(ctx, len(rows), 4, `INSERT INTO search_values (object_id, key, num, text) VALUES `, "",
		func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	if len(texts) == 0 {
		return nil
	}
	// The text arrives normalised (crm.FreeText): the simple configuration
	// only has to split it at spaces.
	_, err := t.tx.Exec(ctx, `INSERT INTO search_text (object_id, doc)
		SELECT id, to_tsvector('simple', t) FROM unnest($1::bigint[], $2::text[]) AS u(id, t)`, textIDs, texts)
	return err
}

// dialect is PostgreSQL's part of the search SQL.
type dialect struct{}

func (dialect) JSONText(alias, property string) string {
	return fmt.Sprintf(`(%s.properties->>'%s')`, alias, property)
}

// TokenMatch splits the text into words as crm.TokenMatch does and matches
// each with LIKE; the pattern's * becomes %.
func (dialect) TokenMatch(expr, pattern string) (string, any) {
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `*`, `%`).Replace(pattern)
	return `EXISTS (SELECT 1 FROM regexp_split_to_table(lower(` + expr + `), '[[:space:],;]+') AS w(word) WHERE w.word LIKE ?)`, like
}

// TextMatches uses the GIN-indexed tsvector: every term as a prefix.
func (dialect) TextMatches(terms []string) (string, any) {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = t + ":*" // terms hold only letters and digits (crm.Terms)
	}
	return `SELECT object_id AS id FROM search_text WHERE doc @@ to_tsquery('simple', ?)`, strings.Join(parts, " & ")
}

func (dialect) False() string { return "false" }

// numbered turns "?" placeholders into PostgreSQL's $1, $2, ...
func numbered(sql string) string {
	var b strings.Builder
	n := 0
	for _, r := range sql {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (t *txn) Search(ctx context.Context, q crm.SearchQuery) ([]int64, int, error) {
	return searchsql.Run(ctx, q, dialect{}, func(ctx context.Context, s searchsql.Statement) (searchsql.Rows, func(), error) {
		rows, err := t.tx.Query(ctx, numbered(s.SQL), s.Args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	})
}

// Unindexed leaves the column as it is: PostgreSQL's planner uses the
// record index for checks of one record.
func (dialect) Unindexed(column string) string { return column }

func (dialect) Materialized() string { return "MATERIALIZED " }
