package storagetest

import (
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// testSearchIndexEntries checks that replacing a record's index entries
// removes exactly its old values, however they are written: a value held
// twice, numbers that differ in their last digit, text with characters
// that JSON escapes. And that a property with two scoped indexes is found
// through either scope.
func testSearchIndexEntries(t *testing.T, s crm.Store) {
	objs := insert(t, s, "0-18", map[string]string{}, map[string]string{}, map[string]string{})
	odd := "Q \"x\" \\ <b>&\u2028 東京"
	docs := func(tag string, n float64, name string) []crm.SearchDoc {
		return []crm.SearchDoc{
			{ObjectID: objs[0].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "tag", Text: text(tag)}, {Name: "tag", Text: text(tag)}, {Name: "tag", Text: text("y")}}},
			{ObjectID: objs[1].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "n", Num: num(n)}, {Name: "name", Text: text(name)}}},
			{ObjectID: objs[2].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "n", Num: num(0.3)}}},
		}
	}
	write := func(d []crm.SearchDoc) {
		t.Helper()
		if err := s.Write(ctx, func(tx crm.Tx) error { return tx.IndexObjects(ctx, d) }); err != nil {
			t.Fatal(err)
		}
	}
	search := func(q crm.SearchQuery) string {
		t.Helper()
		q.TypeID, q.Limit = "0-18", 10
		var out string
		err := s.Read(ctx, func(tx crm.ReadTx) error {
			ids, total, err := tx.Search(ctx, q)
			var idx []int
			for _, id := range ids {
				for i, o := range objs {
					if o.ID == id {
						idx = append(idx, i)
					}
				}
			}
			out = fmt.Sprint(idx, total)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tag := func(op string, v ...string) crm.SearchQuery {
		return crm.SearchQuery{Groups: [][]crm.SearchFilter{{{Property: "tag", Kind: crm.KindExact, Indexed: true, Multi: true, Op: op, Texts: v}}}}
	}
	n := func(op string, v ...float64) crm.SearchQuery {
		return crm.SearchQuery{Groups: [][]crm.SearchFilter{{{Property: "n", Kind: crm.KindNumeric, Indexed: true, Op: op, Nums: v}}}}
	}
	name := func(v string) crm.SearchQuery {
		return crm.SearchQuery{Groups: [][]crm.SearchFilter{{{Property: "name", Kind: crm.KindExact, Indexed: true, Op: crm.OpEQ, Texts: []string{v}}}}}
	}
	for _, d := range docs("x", 0.30000000000000004, odd) {
		d.New = true
		write([]crm.SearchDoc{d})
	}
	for _, tc := range []struct {
		name string
		q    crm.SearchQuery
		want string
	}{
		{"value held twice", tag(crm.OpEQ, "x"), "[0] 1"},
		{"NEQ of a value held twice", tag(crm.OpNEQ, "x"), "[1 2] 2"},
		{"last digit", n(crm.OpEQ, 0.30000000000000004), "[1] 1"},
		{"rounded", n(crm.OpEQ, 0.3), "[2] 1"},
		{"escaped text", name(odd), "[1] 1"},
		{"sorted by a value held twice", crm.SearchQuery{Sort: &crm.SearchSort{Property: "tag", Kind: crm.KindExact, Indexed: true}}, "[0 1 2] 3"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	write(docs("z", 5, "plain"))
	for _, tc := range []struct {
		name string
		q    crm.SearchQuery
		want string
	}{
		{"old value held twice", tag(crm.OpEQ, "x"), "[] 0"},
		{"new value", tag(crm.OpIn, "z"), "[0] 1"},
		{"kept value", tag(crm.OpEQ, "y"), "[0] 1"},
		{"old last digit", n(crm.OpEQ, 0.30000000000000004), "[] 0"},
		{"old rounded kept", n(crm.OpLT, 1), "[2] 1"},
		{"new number", n(crm.OpGTE, 5), "[1] 1"},
		{"old escaped text", name(odd), "[] 0"},
		{"new text", name("plain"), "[1] 1"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("after reindexing, %s: %s, want %s", tc.name, got, tc.want)
		}
	}

	// ts has two scoped indexes, within ch and within kind (its values are
	// marked Scoped, as crm.ObjectType.SearchDoc marks them). Record 0 has
	// both scopes, record 1 only kind, record 2 neither.
	scoped := []crm.ScopedIndex{{Property: "ts", Scope: "ch"}, {Property: "ts", Scope: "kind"}}
	scopedDocs := []crm.SearchDoc{
		{ObjectID: objs[0].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ch", Text: text("A")}, {Name: "kind", Text: text("K")}, {Name: "ts", Num: num(10), Scoped: true},
			{Name: crm.ScopedName("ts", "ch", "A"), Num: num(10)}, {Name: crm.ScopedName("ts", "kind", "K"), Num: num(10)}}},
		{ObjectID: objs[1].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "kind", Text: text("K")}, {Name: "ts", Num: num(20), Scoped: true},
			{Name: crm.ScopedName("ts", "kind", "K"), Num: num(20)}}},
		{ObjectID: objs[2].ID, TypeID: "0-18", Values: []crm.IndexedValue{{Name: "ts", Num: num(30), Scoped: true}}},
	}
	write(scopedDocs)
	f := func(name string, op string, nums []float64, texts ...string) crm.SearchFilter {
		kind := crm.KindExact
		if nums != nil {
			kind = crm.KindNumeric
		}
		return crm.SearchFilter{Property: name, Kind: kind, Indexed: true, Op: op, Nums: nums, Texts: texts}
	}
	scopedCases := []struct {
		name  string
		group []crm.SearchFilter
		want  string
	}{
		{"first scope", []crm.SearchFilter{f("ch", crm.OpEQ, nil, "A"), f("ts", crm.OpBetween, []float64{0, 100})}, "[0] 1"},
		{"second scope", []crm.SearchFilter{f("kind", crm.OpEQ, nil, "K"), f("ts", crm.OpGT, []float64{0})}, "[0 1] 2"},
		{"second scope, first lacking", []crm.SearchFilter{f("kind", crm.OpIn, nil, "K", "L"), f("ts", crm.OpGTE, []float64{15})}, "[1] 1"},
		{"first scope, other value", []crm.SearchFilter{f("ch", crm.OpEQ, nil, "K"), f("ts", crm.OpHasProperty, []float64{})}, "[] 0"},
		{"no scope", []crm.SearchFilter{f("ts", crm.OpLT, []float64{25})}, "[0 1] 2"},
	}
	for _, tc := range scopedCases {
		if got := search(crm.SearchQuery{Scoped: scoped, Groups: [][]crm.SearchFilter{tc.group}}); got != tc.want {
			t.Errorf("scoped, %s: %s, want %s", tc.name, got, tc.want)
		}
	}

	// The same documents prepared before the transaction by a store that
	// prepares them (crm.Preparer) index the same.
	p, ok := s.(crm.Preparer)
	if !ok {
		return
	}
	p.Prepare(nil, scopedDocs)
	for i, d := range scopedDocs {
		if d.Prepared == nil {
			t.Fatalf("document %d not prepared", i)
		}
	}
	write(scopedDocs)
	for _, tc := range scopedCases {
		if got := search(crm.SearchQuery{Scoped: scoped, Groups: [][]crm.SearchFilter{tc.group}}); got != tc.want {
			t.Errorf("scoped, prepared, %s: %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		q    crm.SearchQuery
		want string
	}{
		{"prepared kind", crm.SearchQuery{Groups: [][]crm.SearchFilter{{f("kind", crm.OpEQ, nil, "K")}}}, "[0 1] 2"},
		{"prepared ts", crm.SearchQuery{Scoped: scoped, Groups: [][]crm.SearchFilter{{f("ts", crm.OpGTE, []float64{20})}}}, "[1 2] 2"},
		{"prepared sort", crm.SearchQuery{Sort: &crm.SearchSort{Property: "ts", Kind: crm.KindNumeric, Indexed: true, Desc: true}}, "[2 1 0] 3"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
