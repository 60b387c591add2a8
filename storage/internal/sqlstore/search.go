package sqlstore

import (
	"context"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

func (t *Tx) UnindexObjects(ctx context.Context, ids []int64) error {
	textID, _, _ := t.d.SearchText()
	err := forIDs(t.d, "object_id", ids, func(in string, args []any) error {
		_, err := t.q.Exec(ctx, `DELETE FROM search_values WHERE `+in, args...)
		return err
	})
	if err != nil {
		return err
	}
	return forIDs(t.d, textID, ids, func(in string, args []any) error {
		_, err := t.q.Exec(ctx, `DELETE FROM search_text WHERE `+in, args...)
		return err
	})
}

func (t *Tx) IndexObjects(ctx context.Context, docs []crm.SearchDoc) error {
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
			// multi-valued property apart.
			rows = append(rows, []any{d.ObjectID, searchsql.Key(d.TypeID, v.Name), n, num, text})
		}
		if d.Text != "" {
			texts = append(texts, []any{d.ObjectID, d.Text})
		}
	}
	if err := t.insertRows(ctx, len(rows), 5, `INSERT INTO search_values (object_id, key, n, num, text) VALUES `, `(?, ?, ?, ?, ?)`, "",
		func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	_, insert, row := t.d.SearchText()
	return t.insertRows(ctx, len(texts), 2, insert, row, "", func(i int) []any { return texts[i] })
}

// Search runs the compiled count and page statements.
func (t *Tx) Search(ctx context.Context, q crm.SearchQuery) ([]int64, int, error) {
	return searchsql.Run(ctx, q, t.d, func(ctx context.Context, s searchsql.Statement) (searchsql.Rows, func(), error) {
		rows, err := t.q.Query(ctx, s.SQL, s.Args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	})
}
