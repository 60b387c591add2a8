package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/jsonenc"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// The search index of a live record (see package searchsql): its document
// in search_docs, an entry per value in search_times, search_nums or
// search_texts (or value sets), and its free text.

// UnindexObjects removes the index entries of ids. The value indexes are
// ordered by value, so the entries to remove are found from the records'
// documents: for each key, those of these records with one of their values.
func (t *Tx) UnindexObjects(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var nums, texts valueSets
	err := forIDs(t.d, "object_id", ids, func(in string, args []any) error {
		rows, err := t.q.Query(ctx, `SELECT object_id, `+t.d.DocText("nums")+`, `+t.d.DocText("texts")+` FROM search_docs WHERE `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n, s []byte
			if err := rows.Scan(&id, &n, &s); err != nil {
				return err
			}
			if err := nums.addDoc(id, n); err != nil {
				return err
			}
			if err := texts.addDoc(id, s); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	// The values of properties with a scoped index are entries of
	// search_times, the others of search_nums or value sets; which keys
	// are which is not told here, so every numeric key is looked for in
	// both.
	stmts := deleteValues("search_times", "bucket", buckets(nums), t.d.MaxParams())
	if usesValueSets(t.d) {
		stmts = append(stmts, removeFromSets(t.d, nums, true)...)
		stmts = append(stmts, removeFromSets(t.d, texts, false)...)
	} else {
		stmts = append(stmts, deleteValues("search_nums", "num", nums, t.d.MaxParams())...)
		stmts = append(stmts, deleteValues("search_texts", "text", texts, t.d.MaxParams())...)
	}
	forIDs(t.d, "object_id", ids, func(in string, args []any) error {
		stmts = append(stmts, statement{`DELETE FROM search_docs WHERE ` + in, args})
		return nil
	})
	if t.text != nil {
		for _, id := range ids {
			t.text.set(id, "")
		}
	}
	textID, _, _ := t.d.SearchText()
	for _, table := range t.d.FreeTextTables() {
		forIDs(t.d, textID, ids, func(in string, args []any) error {
			stmts = append(stmts, statement{`DELETE FROM ` + table + ` WHERE ` + in, args})
			return nil
		})
	}
	return t.run(ctx, stmts)
}

// statement is SQL with "?" placeholders and its arguments.
type statement struct {
	sql  string
	args []any
}

// run runs stmts in order. Where the dialect combines writes, those that
// fit in one statement's parameters run as one (each but the last in a
// WITH clause): one round trip to PostgreSQL instead of one each. They
// write different tables, or delete disjoint rows, so that running them
// on one snapshot changes nothing.
func (t *Tx) run(ctx context.Context, stmts []statement) error {
	for len(stmts) > 0 {
		n, params := 1, len(stmts[0].args)
		if t.d.CombinesWrites() {
			for n < len(stmts) && params+len(stmts[n].args) <= t.d.MaxParams() {
				params += len(stmts[n].args)
				n++
			}
		}
		sql, args := stmts[0].sql, stmts[0].args
		if n > 1 {
			var b strings.Builder
			args = make([]any, 0, params)
			b.WriteString("WITH ")
			for i, st := range stmts[:n] {
				if i == n-1 {
					b.WriteString(" " + st.sql)
				} else {
					if i > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "w%d AS (%s)", i, st.sql)
				}
				args = append(args, st.args...)
			}
			sql = b.String()
		}
		if _, err := t.q.Exec(ctx, sql, args...); err != nil {
			return err
		}
		stmts = stmts[n:]
	}
	return nil
}

// rowStatements are the multi-row INSERT statements of n rows of cols
// arguments each, laid end to end in args, one per chunk that fits the
// dialect's parameters: prefix, a row tuple per row, suffix.
func rowStatements(d Dialect, args []any, cols int, prefix, row, suffix string) []statement {
	var out []statement
	n := len(args) / cols
	chunk := d.MaxParams() / cols
	for start := 0; start < n; start += chunk {
		end := min(n, start+chunk)
		out = append(out, statement{prefix + strings.TrimSuffix(strings.Repeat(row+", ", end-start), ", ") + suffix, args[start*cols : end*cols]})
	}
	return out
}

// FreeText holds free-text rows that a transaction's writes index, to be
// written together just before it commits (WriteFreeText) rather than as
// each write indexes them. SQLite's FTS5 writes its pending terms out as a
// new segment at every savepoint and commit, and merges segments as they
// pile up: concurrent writes sharing a transaction each run in a savepoint
// (storage/sqlite's group commit), so each wrote a segment of its own. No
// write reads the free text, and searches read only committed data.
type FreeText struct {
	rows    map[int64]string // text by record; "" once unindexed
	cleared bool             // everything before rows was removed
}

func (f *FreeText) set(id int64, text string) {
	if f.rows == nil {
		f.rows = map[int64]string{}
	}
	f.rows[id] = text
}

// Merge applies the changes of a write that succeeded, collected in
// another FreeText, to f.
func (f *FreeText) Merge(w *FreeText) {
	if w.cleared {
		f.rows = nil
	}
	for id, text := range w.rows {
		if text == "" {
			delete(f.rows, id)
		} else {
			f.set(id, text)
		}
	}
}

// DeferFreeText makes t collect its free-text rows in f instead of writing
// them.
func (t *Tx) DeferFreeText(f *FreeText) { t.text = f }

// clearFreeText forgets the rows collected so far, when the index is
// emptied.
func (t *Tx) clearFreeText() {
	if t.text != nil {
		t.text.rows, t.text.cleared = nil, true
	}
}

// WriteFreeText writes the rows f holds, in record order.
func WriteFreeText(ctx context.Context, q Querier, d Dialect, f *FreeText) error {
	ids := make([]int64, 0, len(f.rows))
	for id, text := range f.rows {
		if text != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, id, f.rows[id])
	}
	_, insert, row := d.SearchText()
	return (&Tx{q: q, d: d, write: true}).insertFlat(ctx, args, 2, insert, row, "")
}

// valueSets are the values and records of each key of some documents.
type valueSets struct {
	keys  []int64
	byKey map[int64]*valueSet
}

type valueSet struct {
	values  []any
	seen    map[any]bool
	objects []int64
}

// addDoc adds the values of one document column of record id.
func (vs *valueSets) addDoc(id int64, doc []byte) error {
	if len(doc) == 0 {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		return fmt.Errorf("search document of %d: %w", id, err)
	}
	if vs.byKey == nil {
		vs.byKey = map[int64]*valueSet{}
	}
	for k, raw := range m {
		key, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return fmt.Errorf("search document of %d: key %q", id, k)
		}
		var vals []any
		if len(raw) > 0 && raw[0] == '[' {
			if err := json.Unmarshal(raw, &vals); err != nil {
				return fmt.Errorf("search document of %d: %w", id, err)
			}
		} else {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("search document of %d: %w", id, err)
			}
			vals = []any{v}
		}
		set := vs.byKey[key]
		if set == nil {
			set = &valueSet{seen: map[any]bool{}}
			vs.byKey[key] = set
			vs.keys = append(vs.keys, key)
		}
		set.objects = append(set.objects, id)
		for _, v := range vals {
			if !set.seen[v] {
				set.seen[v] = true
				set.values = append(set.values, v)
			}
		}
	}
	return nil
}

// buckets are the numbers of sets as buckets of search_times
// (searchsql.TimeBucket), with the same records.
func buckets(sets valueSets) valueSets {
	out := valueSets{keys: sets.keys, byKey: make(map[int64]*valueSet, len(sets.byKey))}
	for key, set := range sets.byKey {
		b := &valueSet{seen: map[any]bool{}, objects: set.objects}
		for _, v := range set.values {
			if n, ok := v.(float64); ok {
				if x := searchsql.TimeBucket(n); !b.seen[x] {
					b.seen[x] = true
					b.values = append(b.values, x)
				}
			}
		}
		out.byKey[key] = b
	}
	return out
}

// deleteValues are the statements deleting, for each key of sets, the
// entries of its records holding one of its values: exactly those records'
// entries of the key, since every entry of theirs holds one of those
// values. One statement covers as many keys as limit parameters allow.
func deleteValues(table, column string, sets valueSets, limit int) []statement {
	slices.Sort(sets.keys) // the same statement for the same shape
	var out []statement
	var cond strings.Builder
	var args []any
	flush := func() {
		if len(args) > 0 {
			out = append(out, statement{`DELETE FROM ` + table + ` WHERE ` + cond.String(), args})
			cond.Reset()
			args = nil
		}
	}
	for _, key := range sets.keys {
		set := sets.byKey[key]
		// A key with more values or records than one statement takes is
		// split into several conditions.
		chunk := limit/2 - 1
		for v := 0; v < len(set.values); v += chunk {
			values := set.values[v:min(len(set.values), v+chunk)]
			for o := 0; o < len(set.objects); o += chunk {
				objects := set.objects[o:min(len(set.objects), o+chunk)]
				if len(args)+1+len(values)+len(objects) > limit {
					flush()
				}
				if len(args) > 0 {
					cond.WriteString(" OR ")
				}
				cond.WriteString(`key = ? AND ` + column + ` IN (` + Placeholders(len(values)) + `) AND object_id IN (` + Placeholders(len(objects)) + `)`)
				args = append(args, key)
				args = append(args, values...)
				for _, id := range objects {
					args = append(args, id)
				}
			}
		}
	}
	flush()
	return out
}

// appendDoc appends one document column: a JSON object from the decimal
// key of each property to its value, or to the array of its values when it
// has several. vals are the document's values of that column and keys
// their keys; the values of one property may come in any order.
func appendDoc(dst []byte, vals []crm.IndexedValue, keys []int64) []byte {
	dst = append(dst, '{')
	done := make([]bool, len(vals))
	first := true
	for i := range vals {
		if done[i] {
			continue
		}
		n := 0
		for j := i; j < len(vals); j++ {
			if keys[j] == keys[i] {
				n++
			}
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, keys[i], 10)
		dst = append(dst, '"', ':')
		if n > 1 {
			dst = append(dst, '[')
		}
		for j, k := i, 0; j < len(vals); j++ {
			if keys[j] != keys[i] {
				continue
			}
			done[j] = true
			if k > 0 {
				dst = append(dst, ',')
			}
			k++
			if v := vals[j]; v.Num != nil {
				// The shortest form that reads back as the same number.
				dst = strconv.AppendFloat(dst, *v.Num, 'g', -1, 64)
			} else {
				dst = jsonenc.AppendString(dst, *v.Text)
			}
		}
		if n > 1 {
			dst = append(dst, ']')
		}
	}
	return append(dst, '}')
}

// docParts is a record's indexed values split by kind, without those of
// scoped names, with their keys, and its two documents (nil when empty).
type docParts struct {
	nums, texts       []crm.IndexedValue
	numKeys, textKeys []int64
	numDoc, textDoc   any
}

// Prepare gives each of objs its encoded form (preparedRecord) and each of
// docs its docParts for d as their Prepared forms (crm.Preparer), for
// InsertObjects and IndexObjects to use.
func Prepare(d Dialect, objs []*crm.Object, docs []crm.SearchDoc) {
	for _, o := range objs {
		if r, ok := prepareRecord(o); ok {
			o.Prepared = r
		}
	}
	for i := range docs {
		p := newDocParts(d, docs[i])
		docs[i].Prepared = &p
	}
}

func newDocParts(d Dialect, doc crm.SearchDoc) docParts {
	var p docParts
	for _, v := range doc.Values {
		if _, scoped := scopedProperty(v.Name); scoped {
			continue
		}
		switch {
		case v.Num != nil:
			p.nums = append(p.nums, v)
			p.numKeys = append(p.numKeys, searchsql.Key(doc.TypeID, v.Name))
		case v.Text != nil:
			p.texts = append(p.texts, v)
			p.textKeys = append(p.textKeys, searchsql.Key(doc.TypeID, v.Name))
		}
	}
	if len(p.nums) > 0 {
		p.numDoc = document(d, p.nums, p.numKeys)
	}
	if len(p.texts) > 0 {
		p.textDoc = document(d, p.texts, p.textKeys)
	}
	return p
}

// document returns one document column as the dialect d stores it.
func document(d Dialect, vals []crm.IndexedValue, keys []int64) any {
	if d.BinaryDocuments() {
		return appendJSONB(nil, vals, keys)
	}
	return string(appendDoc(nil, vals, keys))
}

// SQLite's JSONB element types (https://sqlite.org/jsonb.html).
const (
	jsonbInt     = 3
	jsonbFloat   = 5
	jsonbTextRaw = 10 // UTF-8 text, escaped when turned into JSON text
	jsonbArray   = 11
	jsonbObject  = 12
)

// appendJSONBHeader appends the header of an element of type typ whose
// payload is size bytes long.
func appendJSONBHeader(dst []byte, typ byte, size int) []byte {
	switch {
	case size <= 11:
		return append(dst, byte(size)<<4|typ)
	case size <= 0xff:
		return append(dst, 12<<4|typ, byte(size))
	case size <= 0xffff:
		return append(dst, 13<<4|typ, byte(size>>8), byte(size))
	default:
		return append(dst, 14<<4|typ, byte(size>>24), byte(size>>16), byte(size>>8), byte(size))
	}
}

// appendJSONBElement appends an element of type typ holding payload.
func appendJSONBElement(dst []byte, typ byte, payload []byte) []byte {
	return append(appendJSONBHeader(dst, typ, len(payload)), payload...)
}

// appendJSONB appends the document of appendDoc in SQLite's JSONB: an
// object whose labels are the decimal keys, numbers as INT or FLOAT (their
// shortest text that reads back as the same number), texts as TEXTRAW.
func appendJSONB(dst []byte, vals []crm.IndexedValue, keys []int64) []byte {
	var body, elem, arr []byte
	done := make([]bool, len(vals))
	for i := range vals {
		if done[i] {
			continue
		}
		elem = strconv.AppendInt(elem[:0], keys[i], 10)
		body = appendJSONBElement(body, jsonbTextRaw, elem)
		arr = arr[:0]
		n := 0
		for j := i; j < len(vals); j++ {
			if keys[j] != keys[i] {
				continue
			}
			done[j] = true
			n++
			if v := vals[j]; v.Num != nil {
				elem = strconv.AppendFloat(elem[:0], *v.Num, 'g', -1, 64)
				typ := byte(jsonbInt)
				if strings.ContainsAny(string(elem), ".eE") {
					typ = jsonbFloat
				}
				arr = appendJSONBElement(arr, typ, elem)
			} else {
				arr = appendJSONBElement(arr, jsonbTextRaw, []byte(*v.Text))
			}
		}
		if n > 1 {
			body = appendJSONBElement(body, jsonbArray, arr)
		} else {
			body = append(body, arr...)
		}
	}
	return appendJSONBElement(dst, jsonbObject, body)
}

// scopedProperty returns the property of a value named by crm.ScopedName.
// Property names hold no "|".
func scopedProperty(name string) (string, bool) {
	p, _, ok := strings.Cut(name, "|")
	return p, ok
}

// IndexObjects writes the index entries of docs, replacing those of the
// records that are not new.
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
	// Rows as flat argument lists: docs (object_id, nums, texts), entries
	// (key, bucket, object_id, num, scope), (key, num, object_id, scope)
	// and (key, text, object_id), free text (id, text).
	docArgs := make([]any, 0, 3*len(docs))
	var numArgs, timeArgs, textArgs, ftsArgs []any
	if len(docs) > 0 {
		timeArgs = make([]any, 0, 5*len(docs))
		numArgs = make([]any, 0, 4*4*len(docs))
		textArgs = make([]any, 0, 3*4*len(docs))
		ftsArgs = make([]any, 0, 2*len(docs))
	}
	// Each record's values split by kind, with their keys and documents,
	// built in two halves at once for a large batch (see inHalves).
	parts := make([]docParts, len(docs))
	inHalves(len(docs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if p, ok := docs[i].Prepared.(*docParts); ok {
				parts[i] = *p
			} else {
				parts[i] = newDocParts(t.d, docs[i])
			}
		}
	})
	var numSets, textSets idSets
	if usesValueSets(t.d) {
		numSets, textSets = idSets{}, idSets{}
	}
	for k, d := range docs {
		p := &parts[k]
		nums, texts, numKeys, textKeys := p.nums, p.texts, p.numKeys, p.textKeys
		for i, v := range nums {
			if slices.ContainsFunc(nums[:i], func(w crm.IndexedValue) bool { return w.Name == v.Name && *w.Num == *v.Num }) {
				continue
			}
			if !v.Scoped {
				if numSets != nil {
					numSets.add(numKeys[i], *v.Num, "", d.ObjectID)
				} else {
					numArgs = append(numArgs, numKeys[i], *v.Num, d.ObjectID, nil)
				}
				continue
			}
			// The entry of a property with a scoped index carries the key
			// of the record's scoped name: the first of the property's,
			// that of its first scoped index (crm.ObjectType.SearchDoc
			// lists them in the type's order).
			var scope any
			for _, w := range d.Values {
				if p, ok := scopedProperty(w.Name); ok && p == v.Name {
					scope = searchsql.Key(d.TypeID, w.Name)
					break
				}
			}
			timeArgs = append(timeArgs, numKeys[i], searchsql.TimeBucket(*v.Num), d.ObjectID, *v.Num, scope)
		}
		for i, v := range texts {
			// A value held twice by one record (a multi-valued property)
			// has one entry.
			dup := false
			for j := range i {
				if textKeys[j] == textKeys[i] && *texts[j].Text == *v.Text {
					dup = true
					break
				}
			}
			switch {
			case textSets != nil:
				textSets.add(textKeys[i], 0, *v.Text, d.ObjectID)
			case !dup:
				textArgs = append(textArgs, textKeys[i], *v.Text, d.ObjectID)
			}
		}
		if len(nums)+len(texts) > 0 {
			docArgs = append(docArgs, d.ObjectID, p.numDoc, p.textDoc)
		}
		if d.Text != "" {
			ftsArgs = append(ftsArgs, d.ObjectID, d.Text)
		}
	}
	stmts := rowStatements(t.d, docArgs, 3, `INSERT INTO search_docs (object_id, nums, texts) VALUES `, `(?, ?, ?)`, "")
	stmts = append(stmts, rowStatements(t.d, timeArgs, 5, `INSERT INTO search_times (key, bucket, object_id, num, scope) VALUES `, `(?, ?, ?, ?, ?)`, "")...)
	stmts = append(stmts, rowStatements(t.d, numArgs, 4, `INSERT INTO search_nums (key, num, object_id, scope) VALUES `, `(?, ?, ?, ?)`, "")...)
	stmts = append(stmts, rowStatements(t.d, textArgs, 3, `INSERT INTO search_texts (key, text, object_id) VALUES `, `(?, ?, ?)`, "")...)
	stmts = append(stmts, addToSets(t.d, numSets, true)...)
	stmts = append(stmts, addToSets(t.d, textSets, false)...)
	if t.text != nil {
		for i := 0; i < len(ftsArgs); i += 2 {
			t.text.set(ftsArgs[i].(int64), ftsArgs[i+1].(string))
		}
	} else {
		_, insert, row := t.d.SearchText()
		stmts = append(stmts, rowStatements(t.d, ftsArgs, 2, insert, row, "")...)
	}
	return t.run(ctx, stmts)
}

// insertFlat is insertRows over rows of cols arguments each, laid end to
// end in args.
func (t *Tx) insertFlat(ctx context.Context, args []any, cols int, prefix, row, suffix string) error {
	return t.insertRows(ctx, len(args)/cols, cols, prefix, row, suffix, func(i int) []any { return args[i*cols : (i+1)*cols] })
}

// Search runs the compiled count and page statements.
func (t *Tx) Search(ctx context.Context, q crm.SearchQuery) ([]int64, int, error) {
	for _, s := range t.d.Settings() {
		if _, err := t.q.Exec(ctx, s); err != nil {
			return nil, 0, err
		}
	}
	return searchsql.Run(ctx, q, t.d, func(ctx context.Context, s searchsql.Statement) (searchsql.Rows, func(), error) {
		rows, err := t.q.Query(ctx, s.SQL, s.Args...)
		if err != nil {
			return nil, nil, err
		}
		return rows, rows.Close, nil
	})
}
