package sqlite

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/ext/fts5"

	"github.com/spoke-crm/spoke/crm"
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

// searchKey identifies (type, property) in search_values.
func searchKey(typeID, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(typeID))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64() >> 1)
}

func (t *txn) UnindexObjects(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM search_values WHERE object_id = ?`, id); err != nil {
			return err
		}
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM search_text WHERE rowid = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) IndexObjects(ctx context.Context, docs []crm.SearchDoc) error {
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.ObjectID
	}
	if err := t.UnindexObjects(ctx, ids); err != nil {
		return err
	}
	var rows [][]any
	var texts [][]any
	for _, d := range docs {
		for _, v := range d.Values {
			var num, text any
			if v.Num != nil {
				num = *v.Num
			}
			if v.Text != nil {
				text = *v.Text
			}
			rows = append(rows, []any{d.ObjectID, searchKey(d.TypeID, v.Name), num, text})
		}
		if d.Text != "" {
			texts = append(texts, []any{d.ObjectID, d.Text})
		}
	}
	if err := t.rowsInChunks(ctx, len(rows), 4, `INSERT INTO search_values (object_id, key, num, text) VALUES `, "",
		func(i int) []any { return rows[i] }); err != nil {
		return err
	}
	return t.rowsInChunks(ctx, len(texts), 2, `INSERT INTO search_text (rowid, text) VALUES `, "",
		func(i int) []any { return texts[i] })
}

// query builds SQL with positional arguments.
type query struct {
	sql  strings.Builder
	args []any
}

func (q *query) add(sql string, args ...any) {
	q.sql.WriteString(sql)
	q.args = append(q.args, args...)
}

func (q *query) list(n int, arg func(i int) any) {
	q.sql.WriteString("(" + placeholders(n) + ")")
	for i := range n {
		q.args = append(q.args, arg(i))
	}
}

// Search compiles q into one SQL statement per page and one for the total.
func (t *txn) Search(ctx context.Context, q crm.SearchQuery) ([]int64, int, error) {
	var m query
	groups := q.Groups
	if len(groups) == 0 {
		groups = [][]crm.SearchFilter{nil}
	}
	for i, g := range groups {
		if i > 0 {
			m.add(" UNION ")
		}
		matchGroup(&m, q, g)
	}
	var total int
	if err := t.tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+m.sql.String()+`)`, m.args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total <= q.Offset || q.Limit == 0 {
		return nil, total, nil
	}
	var page query
	page.add(`SELECT m.id FROM (`+m.sql.String()+`) m ORDER BY `, m.args...)
	if s := q.Sort; s != nil {
		col := "num"
		if s.Kind != crm.KindNumeric {
			col = "text"
		}
		dir := "ASC"
		if s.Desc {
			dir = "DESC"
		}
		if s.Indexed {
			page.add(fmt.Sprintf(`(SELECT min(%[1]s) FROM search_values v WHERE v.object_id = m.id AND v.key = ?) IS NULL,
				(SELECT min(%[1]s) FROM search_values v WHERE v.object_id = m.id AND v.key = ?) %[2]s, `, col, dir),
				searchKey(q.TypeID, s.Property), searchKey(q.TypeID, s.Property))
		} else {
			expr := fmt.Sprintf(`(SELECT lower(json_extract(o.properties, '$.%s')) FROM objects o WHERE o.id = m.id)`, s.Property)
			page.add(fmt.Sprintf(`%[1]s IS NULL, %[1]s %[2]s, `, expr, dir))
		}
	}
	page.add(`m.id LIMIT ? OFFSET ?`, q.Limit, q.Offset)
	rows, err := t.tx.QueryContext(ctx, page.sql.String(), page.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	return ids, total, rows.Err()
}

// selectivity ranks how few rows a filter is likely to match, so that the
// most selective one drives a group. Higher is better; 0 cannot drive.
func selectivity(f crm.SearchFilter) int {
	switch {
	case f.AssociatedWith != "":
		return 6
	case !f.Indexed:
		return 0
	case f.Op == crm.OpEQ && f.Kind != crm.KindExact:
		return 5
	case f.Op == crm.OpBetween:
		return 4
	case f.Op == crm.OpLT || f.Op == crm.OpLTE || f.Op == crm.OpGT || f.Op == crm.OpGTE:
		return 3
	case f.Op == crm.OpEQ || f.Op == crm.OpIn:
		return 2
	case f.Op == crm.OpHasProperty:
		return 1
	}
	return 0
}

// matchGroup writes "SELECT d.id FROM (driver) d WHERE <the other filters>"
// for one AND-group. The driver is the group's most selective filter, or the
// free-text query, or else every live record of the type.
func matchGroup(m *query, q crm.SearchQuery, group []crm.SearchFilter) {
	driver := -1
	for i, f := range group {
		if s := selectivity(f); s > 0 && (driver < 0 || s > selectivity(group[driver])) {
			driver = i
		}
	}
	terms := ftsQuery(q.Terms)
	var d query
	switch {
	case driver >= 0 && group[driver].AssociatedWith != "":
		f := group[driver]
		d.add(`SELECT a.to_id AS id FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = 0 AND o.type_id = ?
			WHERE a.to_type = ? AND a.from_type = ? AND a.from_id IN `, q.TypeID, q.TypeID, f.AssociatedWith)
		d.list(len(f.Nums), func(i int) any { return int64(f.Nums[i]) })
	case driver >= 0:
		d.add(`SELECT DISTINCT v.object_id AS id FROM search_values v WHERE `)
		valueCondition(&d, q.TypeID, group[driver], "v")
	case terms != "":
		d.add(`SELECT o.id FROM search_text s JOIN objects o ON o.id = s.rowid AND o.type_id = ? AND o.archived = 0 WHERE search_text MATCH ?`, q.TypeID, terms)
		terms = ""
	default:
		d.add(`SELECT o.id FROM objects o WHERE o.type_id = ? AND o.archived = 0`, q.TypeID)
	}
	m.add(`SELECT d.id FROM (`+d.sql.String()+`) d WHERE 1`, d.args...)
	for i, f := range group {
		if i != driver {
			m.add(" AND ")
			filterCondition(m, q.TypeID, f)
		}
	}
	if terms != "" {
		m.add(` AND d.id IN (SELECT rowid FROM search_text WHERE search_text MATCH ?)`, terms)
	}
}

// ftsQuery turns query terms into an FTS5 expression: every term as a prefix.
func ftsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return strings.Join(parts, " AND ")
}

// valueCondition writes the positive condition of f on search_values alias v.
func valueCondition(m *query, typeID string, f crm.SearchFilter, v string) {
	m.add(v+`.key = ?`, searchKey(typeID, f.Property))
	col := v + ".text"
	vals := make([]any, 0, len(f.Texts)+len(f.Nums))
	if f.Kind == crm.KindNumeric && f.Op != crm.OpContainsToken && f.Op != crm.OpNotContainsToken {
		col = v + ".num"
		for _, n := range f.Nums {
			vals = append(vals, n)
		}
	} else {
		for _, s := range f.Texts {
			vals = append(vals, s)
		}
	}
	switch f.Op {
	case crm.OpEQ, crm.OpNEQ:
		m.add(" AND "+col+" = ?", vals[0])
	case crm.OpIn, crm.OpNotIn:
		m.add(" AND " + col + " IN ")
		m.list(len(vals), func(i int) any { return vals[i] })
	case crm.OpLT:
		m.add(" AND "+col+" < ?", vals[0])
	case crm.OpLTE:
		m.add(" AND "+col+" <= ?", vals[0])
	case crm.OpGT:
		m.add(" AND "+col+" > ?", vals[0])
	case crm.OpGTE:
		m.add(" AND "+col+" >= ?", vals[0])
	case crm.OpBetween:
		m.add(" AND "+col+" BETWEEN ? AND ?", vals[0], vals[1])
	case crm.OpContainsToken, crm.OpNotContainsToken:
		m.add(" AND spoke_token_match("+v+".text, ?)", vals[0])
	case crm.OpHasProperty, crm.OpNotHasProperty:
	}
	if col == v+".num" {
		m.add(" AND " + col + " IS NOT NULL")
	} else if f.Op != crm.OpHasProperty && f.Op != crm.OpNotHasProperty {
		m.add(" AND " + v + ".text IS NOT NULL")
	}
}

// negated reports whether f matches records that lack a matching value.
func negated(op string) bool {
	return op == crm.OpNEQ || op == crm.OpNotIn || op == crm.OpNotHasProperty || op == crm.OpNotContainsToken
}

// filterCondition writes f as a condition on the candidate id d.id.
func filterCondition(m *query, typeID string, f crm.SearchFilter) {
	if f.AssociatedWith != "" {
		m.add(`EXISTS (SELECT 1 FROM associations a WHERE a.from_id = d.id AND a.to_type = ? AND a.to_id IN `, f.AssociatedWith)
		m.list(len(f.Nums), func(i int) any { return int64(f.Nums[i]) })
		m.add(")")
		return
	}
	if !f.Indexed {
		jsonCondition(m, f)
		return
	}
	if negated(f.Op) {
		m.add("NOT ")
	}
	m.add(`EXISTS (SELECT 1 FROM search_values v WHERE v.object_id = d.id AND `)
	valueCondition(m, typeID, f, "v")
	m.add(")")
}

// jsonCondition evaluates f on the stored record for properties kept out of
// the index. Values are compared as text, lower-cased unless exact.
func jsonCondition(m *query, f crm.SearchFilter) {
	expr := fmt.Sprintf(`json_extract(o.properties, '$.%s')`, f.Property)
	if f.Kind != crm.KindExact {
		expr = "lower(" + expr + ")"
	}
	if negated(f.Op) {
		m.add("NOT ")
	}
	m.add(`EXISTS (SELECT 1 FROM objects o WHERE o.id = d.id AND ` + expr + ` IS NOT NULL`)
	texts := f.Texts
	if f.Kind == crm.KindNumeric {
		for _, n := range f.Nums {
			texts = append(texts, strconv.FormatFloat(n, 'f', -1, 64))
		}
	}
	switch f.Op {
	case crm.OpEQ, crm.OpNEQ:
		m.add(" AND "+expr+" = ?", texts[0])
	case crm.OpIn, crm.OpNotIn:
		m.add(" AND " + expr + " IN ")
		m.list(len(texts), func(i int) any { return texts[i] })
	case crm.OpLT:
		m.add(" AND "+expr+" < ?", texts[0])
	case crm.OpLTE:
		m.add(" AND "+expr+" <= ?", texts[0])
	case crm.OpGT:
		m.add(" AND "+expr+" > ?", texts[0])
	case crm.OpGTE:
		m.add(" AND "+expr+" >= ?", texts[0])
	case crm.OpBetween:
		m.add(" AND "+expr+" BETWEEN ? AND ?", texts[0], texts[1])
	case crm.OpContainsToken, crm.OpNotContainsToken:
		m.add(" AND spoke_token_match("+expr+", ?)", texts[0])
	}
	m.add(")")
}
