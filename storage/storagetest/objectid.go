package storagetest

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/internal/searchsql"
)

// testSearchByObjectID checks that filters and sorts on hs_object_id,
// which has no index entry, read the record id: exactly at ids as large as
// 2^53, only live records of the searched type, alone, with another filter
// and in several groups.
func testSearchByObjectID(t *testing.T, s crm.Store) {
	const top = int64(1) << 53
	// Deals at top-6, top-4, top-2 and top; an archived deal at top-3 and
	// a contact at top-5.
	deals := []int64{top - 6, top - 4, top - 2, top}
	archived, contact := top-3, top-5
	err := s.Write(ctx, func(tx crm.Tx) error {
		var objs []*crm.Object
		var docs []crm.SearchDoc
		for i, id := range append(deals, archived) {
			o := newObject(id, "0-3", map[string]string{"hs_object_id": strconv.FormatInt(id, 10), "amount": strconv.Itoa(i % 2)})
			objs = append(objs, o)
			docs = append(docs, crm.SearchDoc{ObjectID: id, TypeID: "0-3", Values: []crm.IndexedValue{{Name: "amount", Num: num(float64(i % 2))}}, New: true})
		}
		objs = append(objs, newObject(contact, "0-1", map[string]string{"hs_object_id": strconv.FormatInt(contact, 10)}))
		docs = append(docs, crm.SearchDoc{ObjectID: contact, TypeID: "0-1", New: true})
		if err := tx.InsertObjects(ctx, objs); err != nil {
			return err
		}
		if err := tx.IndexObjects(ctx, docs); err != nil {
			return err
		}
		a := objs[len(deals)]
		a.Archived, a.ArchivedAt = true, t0
		if err := tx.UpdateObjects(ctx, []*crm.Object{a}); err != nil {
			return err
		}
		return tx.UnindexObjects(ctx, []int64{archived})
	})
	if err != nil {
		t.Fatal(err)
	}
	label := func(id int64) string {
		switch id {
		case archived:
			return "archived"
		case contact:
			return "contact"
		}
		return fmt.Sprintf("top-%d", top-id)
	}
	search := func(q crm.SearchQuery) string {
		t.Helper()
		q.TypeID = "0-3"
		if q.Limit == 0 {
			q.Limit = 10
		}
		var out string
		err := s.Read(ctx, func(tx crm.ReadTx) error {
			ids, total, err := tx.Search(ctx, q)
			var got []string
			for _, id := range ids {
				got = append(got, label(id))
			}
			out = fmt.Sprint(got, total)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	id := func(op string, v ...float64) crm.SearchFilter {
		return crm.SearchFilter{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true, Op: op, Nums: v}
	}
	f := func(n int64) float64 { return float64(n) }
	amount := crm.SearchFilter{Property: "amount", Kind: crm.KindNumeric, Indexed: true, Op: crm.OpEQ, Nums: []float64{1}}
	one := func(filters ...crm.SearchFilter) crm.SearchQuery {
		return crm.SearchQuery{Groups: [][]crm.SearchFilter{filters}}
	}
	for _, tc := range []struct {
		name string
		q    crm.SearchQuery
		want string
	}{
		{"EQ", one(id(crm.OpEQ, f(top))), "[top-0] 1"},
		{"EQ archived", one(id(crm.OpEQ, f(archived))), "[] 0"},
		{"EQ of another type", one(id(crm.OpEQ, f(contact))), "[] 0"},
		{"NEQ", one(id(crm.OpNEQ, f(top-4))), "[top-6 top-2 top-0] 3"},
		{"IN", one(id(crm.OpIn, f(top-6), f(archived), f(contact), f(top))), "[top-6 top-0] 2"},
		{"NOT_IN", one(id(crm.OpNotIn, f(top-6), f(top))), "[top-4 top-2] 2"},
		{"GT", one(id(crm.OpGT, f(top-4))), "[top-2 top-0] 2"},
		{"GTE", one(id(crm.OpGTE, f(top-4))), "[top-4 top-2 top-0] 3"},
		{"LT", one(id(crm.OpLT, f(top-2))), "[top-6 top-4] 2"},
		{"LTE", one(id(crm.OpLTE, f(top-2))), "[top-6 top-4 top-2] 3"},
		{"LT fraction", one(id(crm.OpLT, 0.5)), "[] 0"},
		{"GT fraction", one(id(crm.OpGT, -0.5)), "[top-6 top-4 top-2 top-0] 4"},
		{"GT past every id", one(id(crm.OpGT, 1e300)), "[] 0"},
		{"LT past every id", one(id(crm.OpLT, 1e300)), "[top-6 top-4 top-2 top-0] 4"},
		{"BETWEEN", one(id(crm.OpBetween, f(top-5), f(top-1))), "[top-4 top-2] 2"},
		{"HAS_PROPERTY", one(id(crm.OpHasProperty)), "[top-6 top-4 top-2 top-0] 4"},
		{"NOT_HAS_PROPERTY", one(id(crm.OpNotHasProperty)), "[] 0"},
		{"with another", one(amount, id(crm.OpGT, f(top-6))), "[top-4 top-0] 2"},
		{"with another, negated", one(amount, id(crm.OpNEQ, f(top))), "[top-4] 1"},
		{"with another, lacking", one(amount, id(crm.OpNotHasProperty)), "[] 0"},
		{"groups", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpEQ, f(top-6))}, {amount}}}, "[top-6 top-4 top-0] 3"},
		{"groups, one lacking", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpNotHasProperty)}, {id(crm.OpIn, f(top-2))}}}, "[top-2] 1"},
		{"sorted descending", crm.SearchQuery{Sort: &crm.SearchSort{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true, Desc: true}, Limit: 2, Offset: 1},
			"[top-2 top-4] 4"},
		{"sorted ascending, filtered", crm.SearchQuery{Groups: [][]crm.SearchFilter{{id(crm.OpGTE, f(top-4))}},
			Sort: &crm.SearchSort{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true}, Limit: 2}, "[top-4 top-2] 3"},
		{"sorted descending, groups", crm.SearchQuery{Groups: [][]crm.SearchFilter{{amount}, {id(crm.OpEQ, f(top-6))}},
			Sort: &crm.SearchSort{Property: crm.ObjectIDProperty, Kind: crm.KindNumeric, Indexed: true, Desc: true}}, "[top-0 top-4 top-6] 3"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// objectIDLeftIndex checks that the database at at, upgraded from one
// whose index held values of hs_object_id, holds none of a built-in type
// any more (migration 0034): no entry, no value in a document.
func objectIDLeftIndex(t *testing.T, d Driver, at string) {
	t.Helper()
	query := func(t *testing.T, sql string) Rows { return d.Query(t, at, sql) }
	keys := map[string]bool{}
	var list []string
	for _, typ := range crm.DefaultRegistry().Types() {
		k := strconv.FormatInt(searchsql.Key(typ.ID, crm.ObjectIDProperty), 10)
		keys[k] = true
		list = append(list, k)
	}
	eachRow(t, query, `SELECT key, object_id FROM (`+d.entries()[0]+`) n WHERE key IN (`+strings.Join(list, ", ")+`)`, func(scan func(...any) error) {
		var key, id int64
		if err := scan(&key, &id); err != nil {
			t.Fatal(err)
		}
		t.Errorf("the search index holds hs_object_id of record %d (key %d)", id, key)
	})
	docs := 0
	eachRow(t, query, `SELECT object_id, `+d.DocText("nums")+` FROM search_docs`, func(scan func(...any) error) {
		var id int64
		var nums []byte
		if err := scan(&id, &nums); err != nil {
			t.Fatal(err)
		}
		docs++
		if nums == nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal(nums, &m); err != nil {
			t.Fatalf("document of %d: %v", id, err)
		}
		if len(m) == 0 {
			t.Errorf("document of %d: no numbers, not NULL", id)
		}
		for k := range m {
			if keys[k] {
				t.Errorf("document of %d holds hs_object_id: %s", id, nums)
			}
		}
	})
	if docs == 0 {
		t.Error("the upgraded database has no search documents")
	}
}

// objectIDProperty is the migration that gives every record its id as
// hs_object_id.
const objectIDProperty = "migrations/0036_object_id_property.sql"

// objectIDPropertyUpgrade checks migration 0036 on d: records stored with
// an hs_object_id other than their id (as seeds before 0034 kept a
// fixture's value), or with none, live and archived, of built-in and custom
// types, read back with their id as hs_object_id and every other value as
// it was.
func objectIDPropertyUpgrade(t *testing.T, d Driver) {
	at := d.NewLocation(t)
	s := d.Open(t, at)
	props := []map[string]string{
		{"hs_object_id": "12345", "email": "kept@example.com"},
		{"email": "none@example.com", "note": `quotes " and \ and <tags> & ünïcödé`},
		{"hs_object_id": "", "email": "empty@example.com"},
	}
	var objs []*crm.Object
	err := s.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, len(props)+2)
		if err != nil {
			return err
		}
		for i, p := range props {
			objs = append(objs, newObject(ids[i], "0-1", p))
		}
		objs = append(objs, newObject(ids[3], "2-7", map[string]string{"hs_object_id": "1", "name": "custom"}))
		right := newObject(ids[4], "0-18", map[string]string{"hs_object_id": strconv.FormatInt(ids[4], 10), "hs_timestamp": "2026-03-14T09:26:00.000Z"})
		right.Archived, right.ArchivedAt = true, t0
		objs = append(objs, right)
		objs[0].Archived, objs[0].ArchivedAt = true, t0
		return tx.InsertObjects(ctx, objs)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Versions are file names: no quote to escape.
	if n := d.Exec(t, at, `DELETE FROM schema_migrations WHERE version = '`+objectIDProperty+`'`); n != 1 {
		t.Fatalf("%s was not recorded", objectIDProperty)
	}
	s = d.Open(t, at)
	err = s.Read(ctx, func(tx crm.ReadTx) error {
		for _, want := range objs {
			got, err := tx.Object(ctx, want.TypeID, want.ID)
			if err != nil {
				return err
			}
			wantProps := maps.Clone(want.Properties)
			wantProps["hs_object_id"] = strconv.FormatInt(want.ID, 10)
			if !maps.Equal(got.Properties, wantProps) {
				t.Errorf("record %d: properties %v, want %v", want.ID, got.Properties, wantProps)
			}
			if got.Archived != want.Archived {
				t.Errorf("record %d: archived %v, want %v", want.ID, got.Archived, want.Archived)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
