// Package searchsql compiles a crm.SearchQuery into SQL over the search
// index tables that the SQLite and PostgreSQL stores share, and a Dialect
// supplies the few parts that differ. The index of a live record is:
//
//   - one row of search_docs: its indexed values as two JSON objects, nums
//     and texts, from the key of each property (Key, in decimal) to its
//     value, or to the array of its values when it has several (JSONB on
//     SQLite, jsonb on PostgreSQL). Checks of a candidate record and sort
//     keys read it;
//   - one row of search_nums (key, num, object_id) or search_texts (key,
//     text, object_id) per value, in value order: the value indexes that
//     find the records matching a filter;
//   - for a property with a scoped index (crm.ScopedIndex), one row of
//     search_times (key, bucket, object_id, num, scope) instead, ordered
//     by the hour of the value (TimeBucket) and then by record, so that
//     records written in time order append to the index. Its scope is the
//     key of the record's scoped name, so a filter on the scope and a
//     range of the property reads the range's hours and keeps the entries
//     in the range and in scope;
//   - a row of the free-text table;
//
// with objects and associations for the rest. hs_object_id
// (crm.ObjectIDProperty) has no entry: its value is the record's id, so its
// filters and sort read objects.id (idCondition).
package searchsql

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
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
	// holds every term as a word prefix (a record at most once), and the
	// arguments for its placeholders.
	TextMatches(terms []string) (string, []any)
	// False is the literal for false in the objects.archived column.
	False() string
	// Materialized is the CTE keyword that makes the matches be computed
	// before they are sorted and counted, or "".
	Materialized() string
	// Settings are statements run in a search's transaction before it.
	Settings() []string
	// DocValue is the value under key in the JSON object of column col of
	// search_docs (a number when numeric, else text; NULL when there is
	// none), and the argument of its one placeholder. It is used for
	// properties holding one value.
	DocValue(col string, key int64, numeric bool) (string, any)
	// ValueSets is, for a database that keeps the values held by several
	// records once with the set of their ids (search_num_sets,
	// search_text_sets: key, value, block, ids), the FROM item reading the
	// sets of numbers (numeric) or texts, aliased v, with a row per id, and
	// the expression of that id. It is "" for a database keeping one entry
	// per value (search_nums, search_texts: key, value, object_id).
	ValueSets(numeric bool) (from, id string)
	// DocValues is a FROM item, aliased j, with a row for each value under
	// key in col (the elements of an array, or the one value) in column
	// j.value, and the argument of its one placeholder.
	DocValues(col string, key int64, numeric bool) (string, any)
}

// Statement is SQL with "?" placeholders and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Key identifies (type, property) in the index: a 63-bit hash, so no
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
	// With one group, the driver may carry the sort key (sk) along. The
	// record id needs no carrying.
	idSort := q.Sort != nil && q.Sort.Property == crm.ObjectIDProperty && q.Sort.Indexed && q.Sort.Kind == crm.KindNumeric
	withKey := len(groups) == 1 && q.Sort != nil && q.Sort.Indexed && q.Sort.Kind == crm.KindNumeric && !idSort
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
		if s.Desc {
			dir = "DESC"
		}
		if idSort {
			key = "m.id"
		} else if keyed {
			key = "m.sk"
		} else if s.Indexed {
			key, keyArgs = sortKey(d, q.TypeID, s)
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
// No record lacks hs_object_id, which has no index entries.
func lacking(q crm.SearchQuery) (crm.SearchFilter, bool) {
	if len(q.Groups) != 1 || len(q.Groups[0]) != 1 || len(q.Terms) > 0 || q.Sort != nil || !q.WrittenBefore.IsZero() {
		return crm.SearchFilter{}, false
	}
	f := q.Groups[0][0]
	return f, f.Op == crm.OpNotHasProperty && f.Indexed && f.AssociatedWith == "" && !idFilter(f)
}

// buildLacking compiles a search for the records lacking a property. Such
// records have no index entry, so no index finds them; but the index holds
// live records only, so their number is the type's live records less those
// with an entry (two index counts instead of a check of every record), and
// a page walks the records in id order, checking each, only until it is
// full.
func buildLacking(q crm.SearchQuery, f crm.SearchFilter, d Dialect) (count Statement, page Statement) {
	from, id := entries(d, q, f)
	having := `SELECT ` + id + ` FROM ` + from + ` WHERE v.key = ?`
	if f.Multi {
		having = `SELECT DISTINCT ` + id + ` FROM ` + from + ` WHERE v.key = ?`
	}
	key := Key(q.TypeID, f.Property)
	total := `(SELECT count(*) FROM objects o WHERE o.type_id = ? AND o.archived = ` + d.False() + `) - (SELECT count(*) FROM (` + having + `) h)`
	count = Statement{SQL: `SELECT ` + total, Args: []any{q.TypeID, key}}
	if q.Limit == 0 {
		return count, Statement{}
	}
	// A record has an entry when either of its documents has the key.
	nums, numsArg := d.DocValue("s.nums", key, false)
	texts, textsArg := d.DocValue("s.texts", key, false)
	page = Statement{
		SQL: `SELECT o.id, ` + total + `, NULL FROM objects o WHERE o.type_id = ? AND o.archived = ` + d.False() + `
			AND NOT EXISTS (SELECT 1 FROM search_docs s WHERE s.object_id = o.id AND (` + nums + ` IS NOT NULL OR ` + texts + ` IS NOT NULL))
			ORDER BY o.id LIMIT ? OFFSET ?`,
		Args: []any{q.TypeID, key, q.TypeID, numsArg, textsArg, q.Limit, q.Offset},
	}
	return count, page
}

// entries is the FROM item of the value index holding f's values, aliased
// v, and the expression of an entry's record id: search_times for a
// property with a scoped index (timed), the dialect's value sets when it
// keeps them, else one entry per value (valueTable).
func entries(d Dialect, q crm.SearchQuery, f crm.SearchFilter) (from, id string) {
	if timed(q, f) {
		return "search_times v", "v.object_id"
	}
	if from, id := d.ValueSets(numericValues(f)); from != "" {
		return from, id
	}
	table, _ := valueTable(f)
	return table + " v", "v.object_id"
}

// timed reports whether f compares the numbers of a property with a scoped
// index, whose entries are in search_times.
func timed(q crm.SearchQuery, f crm.SearchFilter) bool {
	return numericValues(f) && slices.ContainsFunc(q.Scoped, func(si crm.ScopedIndex) bool { return si.Property == f.Property })
}

// bucketWidth is the span of values, in milliseconds, of a bucket of
// search_times: an hour.
const bucketWidth = 3_600_000

// TimeBucket is the bucket of search_times holding the value num: num
// divided by bucketWidth, truncated toward zero as SQL's CAST to an
// integer does (a value that only grows with num, which is what ranges
// need), held within ±2^62 for numbers far outside any time.
func TimeBucket(num float64) int64 {
	const bound = 1 << 62
	q := num / bucketWidth
	switch {
	case q >= bound:
		return bound
	case q <= -bound:
		return -bound
	}
	return int64(q)
}

// bucketCondition writes the condition on v.bucket of search_times that
// holds for every entry whose num meets f, so that the index reads only
// the hours of f's range; the condition on num follows it.
func bucketCondition(m *query, f crm.SearchFilter, v string) {
	b := func(i int) any { return TimeBucket(f.Nums[i]) }
	switch f.Op {
	case crm.OpEQ:
		m.add(" AND "+v+".bucket = ?", b(0))
	case crm.OpIn:
		m.add(" AND " + v + ".bucket IN ")
		m.list(len(f.Nums), b)
	case crm.OpLT, crm.OpLTE:
		m.add(" AND "+v+".bucket <= ?", b(0))
	case crm.OpGT, crm.OpGTE:
		m.add(" AND "+v+".bucket >= ?", b(0))
	case crm.OpBetween:
		m.add(" AND "+v+".bucket BETWEEN ? AND ?", b(0), b(1))
	}
}

// valueTable is the value index holding f's values, and its value column:
// numbers, or text for the other kinds and for CONTAINS_TOKEN, which
// matches words of text.
func valueTable(f crm.SearchFilter) (table, column string) {
	if numericValues(f) {
		return "search_nums", "num"
	}
	return "search_texts", "text"
}

// numericValues reports whether f compares numbers.
func numericValues(f crm.SearchFilter) bool {
	return f.Kind == crm.KindNumeric && f.Op != crm.OpContainsToken && f.Op != crm.OpNotContainsToken
}

// sortKey is the sort key of the record m.id for an indexed sort, read
// from its document, and its arguments: the number, or the least of its
// texts.
func sortKey(d Dialect, typeID string, s *crm.SearchSort) (string, []any) {
	key := Key(typeID, s.Property)
	if s.Kind == crm.KindNumeric {
		expr, arg := d.DocValue("s.nums", key, true)
		return `(SELECT ` + expr + ` FROM search_docs s WHERE s.object_id = m.id)`, []any{arg}
	}
	from, arg := d.DocValues("s.texts", key, false)
	return `(SELECT min(j.value) FROM search_docs s, ` + from + ` WHERE s.object_id = m.id)`, []any{arg}
}

// selectivity ranks how few rows a filter is likely to match, so that the
// most selective one drives a group. Higher is better; 0 cannot drive.
func selectivity(f crm.SearchFilter) int {
	switch {
	case idFilter(f):
		switch f.Op {
		case crm.OpEQ, crm.OpIn:
			return 7 // ids: a lookup of each
		case crm.OpBetween, crm.OpLT, crm.OpLTE, crm.OpGT, crm.OpGTE:
			return 3
		}
		return 0 // true of every record, or of none
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
		dr.add(`SELECT v.object_id AS id, v.num AS sk FROM search_times v WHERE v.key = ?`, Key(q.TypeID, f.Property))
		bucketCondition(&dr, f, "v")
		vals := make([]any, len(f.Nums))
		for i, n := range f.Nums {
			vals[i] = n
		}
		compare(&dr, f.Op, "v.num", "v.num", vals)
		dr.add(` AND v.scope IN `)
		dr.list(len(s.Texts), func(i int) any { return Key(q.TypeID, crm.ScopedName(f.Property, s.Property, s.Texts[i])) })
	case driver >= 0 && idFilter(group[driver]):
		dr.add(`SELECT o.id FROM objects o WHERE o.type_id = ? AND o.archived = `+d.False()+` AND `, q.TypeID)
		idCondition(&dr, "o.id", group[driver])
	case driver >= 0 && group[driver].AssociatedWith != "":
		f := group[driver]
		// A pair may be associated by several types, and a record with
		// several of the ids: each record once.
		dr.add(`SELECT DISTINCT a.to_id AS id FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = `+d.False()+` AND o.type_id = ?
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
		from, id := entries(d, q, f)
		dr.add(`SELECT ` + distinct + id + ` AS id` + sk + ` FROM ` + from + ` WHERE `)
		valueCondition(&dr, q.TypeID, f, "v", timed(q, f))
	case terms:
		ids, args := d.TextMatches(q.Terms)
		dr.add(`SELECT o.id FROM (`+ids+`) s JOIN objects o ON o.id = s.id AND o.type_id = ? AND o.archived = `+d.False(), append(args, q.TypeID)...)
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
		ids, args := d.TextMatches(q.Terms)
		m.add(` AND d.id IN (`+ids+`)`, args...)
	}
	if !q.WrittenBefore.IsZero() {
		m.add(` AND EXISTS (SELECT 1 FROM objects w WHERE w.id = d.id AND w.updated_at <= ?)`, q.WrittenBefore.UnixMilli())
	}
	return keyed
}

// scopedDriver returns the positions in group of a filter on the scope of
// one of the scoped indexes (EQ or IN) and of a positive numeric filter on
// its property, or -1s when the group has no such pair. An entry carries
// one scope, that of the first scoped index of its property: later ones of
// the same property are not used.
func scopedDriver(indexes []crm.ScopedIndex, group []crm.SearchFilter) (scope, scoped int) {
	for i, si := range indexes {
		if slices.ContainsFunc(indexes[:i], func(o crm.ScopedIndex) bool { return o.Property == si.Property }) {
			continue
		}
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

// valueCondition writes the positive condition of f on the value index
// alias v (search_nums or search_texts, as valueTable says, or
// search_times when timed).
func valueCondition(m *query, typeID string, f crm.SearchFilter, v string, timed bool) {
	m.add(v+`.key = ?`, Key(typeID, f.Property))
	if timed {
		bucketCondition(m, f, v)
	}
	_, col := valueTable(f)
	compare(m, f.Op, v+"."+col, v+"."+col, filterValues(f))
}

// filterValues are the values f compares with, as arguments.
func filterValues(f crm.SearchFilter) []any {
	vals := make([]any, 0, len(f.Texts)+len(f.Nums))
	if numericValues(f) {
		for _, n := range f.Nums {
			vals = append(vals, n)
		}
	} else {
		for _, s := range f.Texts {
			vals = append(vals, s)
		}
	}
	return vals
}

// negated reports whether f matches records that lack a matching value.
func negated(op string) bool {
	return op == crm.OpNEQ || op == crm.OpNotIn || op == crm.OpNotHasProperty || op == crm.OpNotContainsToken
}

// filterCondition writes f as a condition on the candidate id d.id. An
// indexed property is checked in the record's document (search_docs), a
// lookup by id: never a range of a value index.
func filterCondition(m *query, typeID string, f crm.SearchFilter) {
	if f.AssociatedWith != "" {
		m.add(`EXISTS (SELECT 1 FROM associations a WHERE a.from_id = d.id AND a.to_type = ? AND a.to_id IN `, f.AssociatedWith)
		m.list(len(f.Nums), func(i int) any { return int64(f.Nums[i]) })
		m.add(")")
		return
	}
	if idFilter(f) {
		idCondition(m, "d.id", f)
		return
	}
	if !f.Indexed {
		jsonCondition(m, f)
		return
	}
	if negated(f.Op) {
		m.add("NOT ")
	}
	key := Key(typeID, f.Property)
	numeric := numericValues(f)
	col := "s.texts"
	if numeric {
		col = "s.nums"
	}
	if f.Multi {
		from, arg := m.d.DocValues(col, key, numeric)
		m.add(`EXISTS (SELECT 1 FROM search_docs s, `+from+` WHERE s.object_id = d.id`, arg)
	} else {
		expr, arg := m.d.DocValue(col, key, numeric)
		m.add(`EXISTS (SELECT 1 FROM (SELECT `+expr+` AS value FROM search_docs s WHERE s.object_id = d.id) j WHERE j.value IS NOT NULL`, arg)
	}
	compare(m, f.Op, "j.value", "j.value", filterValues(f))
	m.add(")")
}

// idFilter reports whether f compares the numbers of hs_object_id, whose
// value is the record's id: idCondition writes it. CONTAINS_TOKEN and
// NOT_CONTAINS_TOKEN match words of text, which hs_object_id has none of
// in the index, as before its numbers left it.
func idFilter(f crm.SearchFilter) bool {
	return f.Property == crm.ObjectIDProperty && f.AssociatedWith == "" && f.Indexed && numericValues(f)
}

// idCondition writes f, a filter on hs_object_id (idFilter), as a condition
// on the record id col. Values are numbers, compared here as integers so
// that the id's index serves them: a bound that is not a whole number is
// rounded the way that keeps the same ids (GT 10.5 is > 10, LT 10.5 is
// < 11) and equality with it holds for no id. Every record has an id:
// HAS_PROPERTY is always true, NOT_HAS_PROPERTY never.
func idCondition(m *query, col string, f crm.SearchFilter) {
	if negated(f.Op) {
		m.add("NOT ")
	}
	m.add("(")
	switch f.Op {
	case crm.OpEQ, crm.OpNEQ, crm.OpIn, crm.OpNotIn:
		var ids []any
		for _, n := range f.Nums {
			if id, ok := wholeID(n); ok {
				ids = append(ids, id)
			}
		}
		switch len(ids) {
		case 0:
			m.add("1 = 0")
		case 1:
			m.add(col+" = ?", ids[0])
		default:
			m.add(col + " IN ")
			m.list(len(ids), func(i int) any { return ids[i] })
		}
	case crm.OpLT:
		m.add(col+" < ?", idBound(math.Ceil(f.Nums[0])))
	case crm.OpLTE:
		m.add(col+" <= ?", idBound(math.Floor(f.Nums[0])))
	case crm.OpGT:
		m.add(col+" > ?", idBound(math.Floor(f.Nums[0])))
	case crm.OpGTE:
		m.add(col+" >= ?", idBound(math.Ceil(f.Nums[0])))
	case crm.OpBetween:
		m.add(col+" >= ? AND "+col+" <= ?", idBound(math.Ceil(f.Nums[0])), idBound(math.Floor(f.Nums[1])))
	default: // HAS_PROPERTY, and NOT_HAS_PROPERTY negated
		m.add("1 = 1")
	}
	m.add(")")
}

// maxIDBound bounds the integers idCondition compares ids with: past every
// id, well within int64.
const maxIDBound = 1 << 62

// idBound is n, a whole number, as an integer bound for ids: numbers
// beyond ±maxIDBound stand for ±maxIDBound, which no id reaches.
func idBound(n float64) int64 {
	return int64(max(-maxIDBound, min(maxIDBound, n)))
}

// wholeID is n as an id, when n is a whole number that an id can be.
func wholeID(n float64) (int64, bool) {
	if n != math.Trunc(n) || math.Abs(n) >= maxIDBound {
		return 0, false
	}
	return int64(n), true
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
