package storagetest

import (
	"testing"

	"github.com/spoke-crm/spoke/crm"
)

// testValuesHeldByMany indexes values that hundreds of records share (one
// text, one number) and one each of their own, across several blocks of
// record ids, then changes and removes some: every search counts exactly
// the records holding the value, whatever the store keeps per value.
func testValuesHeldByMany(t *testing.T, s crm.Store) {
	const n = 700
	props := make([]map[string]string, n)
	for i := range props {
		props[i] = map[string]string{}
	}
	objs := insert(t, s, "0-2", props...)
	docs := func(from, to int, tag string, shared float64) []crm.SearchDoc {
		var out []crm.SearchDoc
		for i := from; i < to; i++ {
			out = append(out, crm.SearchDoc{ObjectID: objs[i].ID, TypeID: "0-2", Values: []crm.IndexedValue{
				{Name: "tag", Text: text(tag)}, {Name: "shared", Num: num(shared)}, {Name: "own", Num: num(float64(i))},
			}})
		}
		return out
	}
	write := func(d []crm.SearchDoc, fresh bool) {
		t.Helper()
		for i := range d {
			d[i].New = fresh
		}
		if err := s.Write(ctx, func(tx crm.Tx) error { return tx.IndexObjects(ctx, d) }); err != nil {
			t.Fatal(err)
		}
	}
	count := func(f crm.SearchFilter) int {
		t.Helper()
		f.Indexed = true
		var total int
		err := s.Read(ctx, func(tx crm.ReadTx) error {
			var err error
			_, total, err = tx.Search(ctx, crm.SearchQuery{TypeID: "0-2", Limit: 10, Groups: [][]crm.SearchFilter{{f}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	tag := func(op string, v ...string) crm.SearchFilter {
		return crm.SearchFilter{Property: "tag", Kind: crm.KindExact, Op: op, Texts: v}
	}
	numf := func(name, op string, v ...float64) crm.SearchFilter {
		return crm.SearchFilter{Property: name, Kind: crm.KindNumeric, Op: op, Nums: v}
	}
	// In three writes, so that sets grow across transactions.
	write(docs(0, 100, "a", 1), true)
	write(docs(100, 450, "a", 1), true)
	write(docs(450, n, "b", 2), true)
	check := func(when string, want map[string]int, got map[string]int) {
		t.Helper()
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s matches %d, want %d", when, k, got[k], w)
			}
		}
	}
	all := func() map[string]int {
		return map[string]int{
			"tag=a": count(tag(crm.OpEQ, "a")), "tag=b": count(tag(crm.OpEQ, "b")), "tag in a,b": count(tag(crm.OpIn, "a", "b")),
			"tag has": count(tag(crm.OpHasProperty)), "tag lacks": count(tag(crm.OpNotHasProperty)),
			"shared=1": count(numf("shared", crm.OpEQ, 1)), "shared>=1": count(numf("shared", crm.OpGTE, 1)),
			"own<300": count(numf("own", crm.OpLT, 300)), "own 299..301": count(numf("own", crm.OpBetween, 299, 301)),
		}
	}
	check("indexed", map[string]int{"tag=a": 450, "tag=b": 250, "tag in a,b": n, "tag has": n, "tag lacks": 0,
		"shared=1": 450, "shared>=1": n, "own<300": 300, "own 299..301": 3}, all())

	// Records 200-499 change value; records 600-699 leave the index.
	write(docs(200, 500, "c", 3), false)
	var gone []int64
	for _, o := range objs[600:] {
		gone = append(gone, o.ID)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UnindexObjects(ctx, gone) }); err != nil {
		t.Fatal(err)
	}
	check("after changes", map[string]int{"tag=a": 200, "tag=b": 100, "tag in a,b": 300, "tag has": 600, "tag lacks": 100,
		"shared=1": 200, "shared>=1": 600, "own<300": 300, "own 299..301": 3}, all())
	if got := count(tag(crm.OpEQ, "c")); got != 300 {
		t.Errorf("tag=c matches %d, want 300", got)
	}

	// Every record out: nothing left to find.
	var ids []int64
	for _, o := range objs[:600] {
		ids = append(ids, o.ID)
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UnindexObjects(ctx, ids) }); err != nil {
		t.Fatal(err)
	}
	for k, v := range all() {
		want := 0
		if k == "tag lacks" {
			want = n
		}
		if v != want {
			t.Errorf("after removing all: %s matches %d, want %d", k, v, want)
		}
	}

}
