// Package searchsql compiles a crm.SearchQuery into SQL over the search
// index tables that the SQLite and PostgreSQL stores share (search_values,
// objects, associations, and a free-text table). A Dialect supplies the few
// parts that differ.
package searchsql

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// Dialect writes the SQL that differs between databases.
type Dialect interface {
	// JSONText is the text value of a property of the record aliased alias.
	JSONText(alias, property string) string
	// TokenMatch is a condition true when a word of expr matches the
	// CONTAINS_TOKEN pattern, and the argument for its one placeholder.
	TokenMatch(expr, pattern string) (string, any)
	// TextMatches is a SELECT of the ids ("id") of records whose free text
	// holds every term as a word prefix, and the argument for its placeholder.
	TextMatches(terms []string) (string, any)
	// False is the literal for false in the objects.archived column.
	False() string
	// Materialized is the CTE keyword that makes the matches be computed
	// before they are sorted and counted, or "".
	Materialized() string
	// Unindexed marks a column in a condition so that the planner does not
	// pick an index on it: checks of one candidate record must use the
	// (record, property, value) index, never scan a value range.
	Unindexed(column string) string
}

// Statement is SQL with "?" placeholders and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Key identifies (type, property) in search_values: a 63-bit hash, so no
// dictionary table is needed.
func Key(typeID, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(typeID))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64() >> 1)
}

// query builds SQL with positional arguments.
type query struct {
	d    Dialect
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

// Build compiles q into a statement counting every match and one reading a
// page of ids, both with "?" placeholders, and their arguments. Each row of
// the page holds an id and the total number of matches, so the count
// statement is only needed when the page is empty; the page statement is
// empty when no page is needed (limit 0).
func Build(q crm.SearchQuery, d Dialect) (count Statement, page Statement) {
	if f, ok := lacking(q); ok {
		return buildLacking(q, f, d)
	}
	var m query
	m.d = d
	groups := q.Groups
	if len(groups) == 0 {
		groups = [][]crm.SearchFilter{nil}
	}
	// With one group, the driver may carry the sort key (sk) along.
	withKey := len(groups) == 1 && q.Sort != nil && q.Sort.Indexed && q.Sort.Kind == crm.KindNumeric
	keyed := false
	for i, g := range groups {
		if i > 0 {
			m.add(" UNION ")
		}
		keyed = matchGroup(&m, q, g, withKey)
	}
	count = Statement{SQL: `SELECT count(*) FROM (` + m.sql.String() + `) c`, Args: m.args}
	if q.Limit == 0 {
		return count, Statement{}
	}
	// One pass: the page's ids, each row carrying the total, the sort key
	// computed once per match.
	var p query
	p.d = d
	key, dir := "NULL", "ASC"
	var keyArgs []any
	if s := q.Sort; s != nil {
		col := "num"
		if s.Kind != crm.KindNumeric {
			col = "text"
		}
		if s.Desc {
			dir = "DESC"
		}
		if keyed {
			key = "m.sk"
		} else if s.Indexed {
			key = fmt.Sprintf(`(SELECT min(%s) FROM search_values v WHERE v.object_id = m.id AND v.key = ?)`, col)
			keyArgs = []any{Key(q.TypeID, s.Property)}
		} else {
			key = fmt.Sprintf(`(SELECT lower(%s) FROM objects o WHERE o.id = m.id)`, d.JSONText("o", s.Property))
		}
	}
	// The total needs every match anyway. PostgreSQL is told to compute the
	// matches first: seeing ORDER BY id LIMIT, its planner may otherwise walk
	// every record in id order instead of using the filters' indexes.
	p.add(`WITH m AS `+d.Materialized()+`(`+m.sql.String()+`) SELECT m.id, count(*) OVER (), `+key+` AS sort_key FROM m`, m.args...)
	p.add(` ORDER BY sort_key `+dir+` NULLS LAST, m.id LIMIT ? OFFSET ?`, append(keyArgs, q.Limit, q.Offset)...)
	return count, Statement{SQL: p.sql.String(), Args: p.args}
}

// lacking reports whether q is one NOT_HAS_PROPERTY filter on an indexed
// property and nothing else, in creation order, and returns the filter.
func lacking(q crm.SearchQuery) (crm.SearchFilter, bool) {
	if len(q.Groups) != 1 || len(q.Groups[0]) != 1 || len(q.Terms) > 0 || q.Sort != nil || !q.WrittenBefore.IsZero() {
		return crm.SearchFilter{}, false
	}
	f := q.Groups[0][0]
	return f, f.Op == crm.OpNotHasProperty && f.Indexed && f.AssociatedWith == ""
}

// buildLacking compiles a search for the records lacking a property. Such
// records have no index entry, so no index finds them; but the index holds
// live records only, so their number is the type's live records less those
// with an entry (two index counts instead of a check of every record), and
// a page walks the records in id order, checking each, only until it is
// full.
func buildLacking(q crm.SearchQuery, f crm.SearchFilter, d Dialect) (count Statement, page Statement) {
	col := "text"
	if f.Kind == crm.KindNumeric {
		col = "num"
	}
	having := `SELECT object_id FROM search_values WHERE key = ? AND ` + col + ` IS NOT NULL`
	if f.Multi {
		having = `SELECT DISTINCT object_id FROM search_values WHERE key = ? AND ` + col + ` IS NOT NULL`
	}
	key := Key(q.TypeID, f.Property)
	total := `(SELECT count(*) FROM objects o WHERE o.type_id = ? AND o.archived = ` + d.False() + `) - (SELECT count(*) FROM (` + having + `) h)`
	count = Statement{SQL: `SELECT ` + total, Args: []any{q.TypeID, key}}
	if q.Limit == 0 {
		return count, Statement{}
	}
	page = Statement{
		SQL: `SELECT o.id, ` + total + `, NULL FROM objects o WHERE o.type_id = ? AND o.archived = ` + d.False() + `
			AND NOT EXISTS (SELECT 1 FROM search_values v WHERE v.object_id = o.id AND v.key = ?)
			ORDER BY o.id LIMIT ? OFFSET ?`,
		Args: []any{q.TypeID, key, q.TypeID, key, q.Limit, q.Offset},
	}
	return count, page
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
// for one AND-group. The driver is a scoped index both of a scope filter
// and a range filter read at once, else the group's most selective filter,
// or the free-text query, or else every live record of the type. With
// withKey, it also selects the driver's value as d.sk when that value is
// the sort key, and reports whether it did.
func matchGroup(m *query, q crm.SearchQuery, group []crm.SearchFilter, withKey bool) (keyed bool) {
	d := m.d
	driver := -1
	for i, f := range group {
		if s := selectivity(f); s > 0 && (driver < 0 || s > selectivity(group[driver])) {
			driver = i
		}
	}
	scope, scoped := -1, -1
	if driver < 0 || selectivity(group[driver]) < selectivity(crm.SearchFilter{Op: crm.OpEQ, Indexed: true}) {
		// Association filters and equality on text find fewer records.
		scope, scoped = scopedDriver(q.Scoped, group)
	}
	terms := len(q.Terms) > 0
	var dr query
	dr.d = d
	switch {
	case scoped >= 0:
		f, s := group[scoped], group[scope]
		keyed = withKey && q.Sort.Property == f.Property
		dr.add(`SELECT v.object_id AS id, v.num AS sk FROM search_values v WHERE v.key IN `)
		dr.list(len(s.Texts), func(i int) any { return Key(q.TypeID, crm.ScopedName(f.Property, s.Property, s.Texts[i])) })
		vals := make([]any, len(f.Nums))
		for i, n := range f.Nums {
			vals[i] = n
		}
		compare(&dr, f.Op, "v.num", "v.text", vals)
		if !comparison(f.Op) {
			dr.add(" AND v.num IS NOT NULL")
		}
	case driver >= 0 && group[driver].AssociatedWith != "":
		f := group[driver]
		dr.add(`SELECT a.to_id AS id FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = `+d.False()+` AND o.type_id = ?
			WHERE a.to_type = ? AND a.from_type = ? AND a.from_id IN `, q.TypeID, q.TypeID, f.AssociatedWith)
		dr.list(len(f.Nums), func(i int) any { return int64(f.Nums[i]) })
	case driver >= 0:
		f := group[driver]
		distinct := ""
		if f.Multi {
			distinct = "DISTINCT " // several values of one record
		}
		sk := ""
		if withKey && f.Property == q.Sort.Property && !f.Multi && f.Kind == crm.KindNumeric &&
			f.Op != crm.OpContainsToken && f.Op != crm.OpNotContainsToken {
			sk, keyed = ", v.num AS sk", true
		}
		dr.add(`SELECT ` + distinct + `v.object_id AS id` + sk + ` FROM search_values v WHERE `)
		valueCondition(&dr, q.TypeID, f, "v", false)
	case terms:
		ids, arg := d.TextMatches(q.Terms)
		dr.add(`SELECT o.id FROM (`+ids+`) s JOIN objects o ON o.id = s.id AND o.type_id = ? AND o.archived = `+d.False(), arg, q.TypeID)
		terms = false
	default:
		dr.add(`SELECT o.id FROM objects o WHERE o.type_id = ? AND o.archived = `+d.False(), q.TypeID)
	}
	cols := "d.id"
	if keyed {
		cols = "d.id, d.sk"
	}
	m.add(`SELECT `+cols+` FROM (`+dr.sql.String()+`) d WHERE 1 = 1`, dr.args...)
	for i, f := range group {
		if scoped >= 0 && (i == scoped || i == scope) || scoped < 0 && i == driver {
			continue
		}
		m.add(" AND ")
		filterCondition(m, q.TypeID, f)
	}
	if terms {
		ids, arg := d.TextMatches(q.Terms)
		m.add(` AND d.id IN (`+ids+`)`, arg)
	}
	if !q.WrittenBefore.IsZero() {
		m.add(` AND EXISTS (SELECT 1 FROM objects w WHERE w.id = d.id AND w.updated_at <= ?)`, q.WrittenBefore.UnixMilli())
	}
	return keyed
}

// scopedDriver returns the positions in group of a filter on the scope of
// one of the scoped indexes (EQ or IN) and of a positive numeric filter on
// its property, or -1s when the group has no such pair.
func scopedDriver(indexes []crm.ScopedIndex, group []crm.SearchFilter) (scope, scoped int) {
	for _, si := range indexes {
		scope, scoped = -1, -1
		for i, f := range group {
			switch {
			case f.Property == si.Scope && f.Indexed && !f.Multi && (f.Op == crm.OpEQ || f.Op == crm.OpIn):
				scope = i
			case f.Property == si.Property && f.Indexed && f.Kind == crm.KindNumeric && rangeOp(f.Op):
				scoped = i
			}
		}
		if scope >= 0 && scoped >= 0 {
			return scope, scoped
		}
	}
	return -1, -1
}

// rangeOp reports whether op keeps only records with a value in a set or
// range of numbers.
func rangeOp(op string) bool {
	switch op {
	case crm.OpEQ, crm.OpIn, crm.OpLT, crm.OpLTE, crm.OpGT, crm.OpGTE, crm.OpBetween, crm.OpHasProperty:
		return true
	}
	return false
}

// valueCondition writes the positive condition of f on search_values alias v.
func valueCondition(m *query, typeID string, f crm.SearchFilter, v string, correlated bool) {
	m.add(v+`.key = ?`, Key(typeID, f.Property))
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
	if correlated {
		col = m.d.Unindexed(col)
	}
	compare(m, f.Op, col, v+".text", vals)
	if !comparison(f.Op) {
		// The value indexes hold only non-null values; a comparison implies
		// that, anything else must say so for the planner to use them. A
		// comparison must not repeat it: SQLite would then take "IS NOT
		// NULL" as the range's lower bound and scan every value of the key.
		m.add(" AND " + col + " IS NOT NULL")
	}
}

// comparison reports whether op compares the column itself with values.
func comparison(op string) bool {
	switch op {
	case crm.OpEQ, crm.OpNEQ, crm.OpIn, crm.OpNotIn, crm.OpLT, crm.OpLTE, crm.OpGT, crm.OpGTE, crm.OpBetween:
		return true
	}
	return false
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
	valueCondition(m, typeID, f, "v", true)
	m.add(")")
}

// jsonCondition evaluates f on the stored record for properties kept out of
// the index. Values are compared as text, lower-cased unless exact.
func jsonCondition(m *query, f crm.SearchFilter) {
	expr := m.d.JSONText("o", f.Property)
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
	vals := make([]any, len(texts))
	for i, t := range texts {
		vals[i] = t
	}
	compare(m, f.Op, expr, expr, vals)
	m.add(")")
}

// placeholders returns "?, ?, ..." for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// compare writes " AND <col> <op> <values>" for a filter's operator;
// CONTAINS_TOKEN matches words of tokenExpr. HAS_PROPERTY and
// NOT_HAS_PROPERTY add nothing: the caller's row existence is the test.
func compare(m *query, op, col, tokenExpr string, vals []any) {
	switch op {
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
		cond, arg := m.d.TokenMatch(tokenExpr, vals[0].(string))
		m.add(" AND "+cond, arg)
	}
}

// Rows is what Run reads of a driver's result rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Query runs one statement; done releases its rows.
type Query func(ctx context.Context, s Statement) (rows Rows, done func(), err error)

// Run compiles q for d, runs it through query and returns the ids of the
// page and the total number of matches.
func Run(ctx context.Context, q crm.SearchQuery, d Dialect, query Query) ([]int64, int, error) {
	count, page := Build(q, d)
	var ids []int64
	total := 0
	if page.SQL != "" {
		rows, done, err := query(ctx, page)
		if err != nil {
			return nil, 0, err
		}
		defer done()
		for rows.Next() {
			var id int64
			var key any
			if err := rows.Scan(&id, &total, &key); err != nil {
				return nil, 0, err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
	}
	if len(ids) == 0 { // past the last match, or no page asked: count alone
		rows, done, err := query(ctx, count)
		if err != nil {
			return nil, 0, err
		}
		defer done()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return nil, 0, err
			}
			return nil, 0, fmt.Errorf("search count: no row")
		}
		if err := rows.Scan(&total); err != nil {
			return nil, 0, err
		}
	}
	return ids, total, nil
}
