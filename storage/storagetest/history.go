package storagetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// historyOf reads the history of names for id as "name=value@seconds:source/id"
// lines, newest first per name, names in order.
func historyOf(t *testing.T, s crm.Store, id int64, names ...string) []string {
	t.Helper()
	var got []crm.HistoryEntry
	if err := s.Read(ctx, func(tx crm.ReadTx) error {
		var err error
		got, err = tx.History(ctx, []int64{id}, names)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range names {
		for _, h := range got {
			if h.ObjectID != id {
				t.Errorf("history of %d holds an entry of %d", id, h.ObjectID)
			}
			if h.Name == name {
				out = append(out, fmt.Sprintf("%s=%s@%d:%s/%s", h.Name, h.Value, h.Timestamp.Sub(t0)/time.Second, h.SourceType, h.SourceID))
			}
		}
	}
	return out
}

// testCreateHistory checks the first write of records given with
// InsertObjects (crm.Object.CreateHistory): read back as written, kept
// through later writes that change the properties, archive and restore,
// forgotten by DeleteHistory, and written as given when it does not set
// exactly the record's properties.
func testCreateHistory(t *testing.T, s crm.Store) {
	props := map[string]string{"a": "1", "b": "two", "c": "x\"y", "hs_object_id": "0"}
	created := func(id int64, props map[string]string) []crm.HistoryEntry {
		var out []crm.HistoryEntry
		for _, name := range slices.Sorted(maps.Keys(props)) {
			src, srcID := "INTEGRATION", "7"
			if name == "hs_object_id" || name == "c" {
				src, srcID = "CALCULATED", ""
			}
			out = append(out, crm.HistoryEntry{ObjectID: id, Name: name, Value: props[name], Timestamp: t0, SourceType: src, SourceID: srcID})
		}
		return out
	}
	var objs []*crm.Object
	err := s.Write(ctx, func(tx crm.Tx) error {
		ids, err := tx.NextIDs(ctx, 3)
		if err != nil {
			return err
		}
		for i, id := range ids {
			p := maps.Clone(props)
			p["hs_object_id"] = fmt.Sprint(id)
			o := newObject(id, "0-1", p)
			o.CreateHistory = created(id, p)
			if i == 2 {
				// Not exactly the record's properties: a value set twice.
				o.CreateHistory = append(o.CreateHistory, crm.HistoryEntry{ObjectID: id, Name: "a", Value: "1", Timestamp: t0, SourceType: "CALCULATED"})
			}
			objs = append(objs, o)
		}
		return tx.InsertObjects(ctx, objs)
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b, odd := objs[0], objs[1], objs[2]
	first := func(id int64) []string {
		return []string{"a=1@0:INTEGRATION/7", "b=two@0:INTEGRATION/7", `c=x"y@0:CALCULATED/`, fmt.Sprintf("hs_object_id=%d@0:CALCULATED/", id)}
	}
	if got, want := historyOf(t, s, a.ID, "a", "b", "c", "hs_object_id"), first(a.ID); !slices.Equal(got, want) {
		t.Errorf("after create: %q, want %q", got, want)
	}
	if got := historyOf(t, s, odd.ID, "a", "b"); !slices.Equal(got, []string{"a=1@0:INTEGRATION/7", "a=1@0:CALCULATED/", "b=two@0:INTEGRATION/7"}) {
		t.Errorf("first write not of the record's properties: %q", got)
	}
	if o, err := get(t, s, "0-1", a.ID); err != nil || o.Properties["a"] != "1" || len(o.CreateHistory) != 0 {
		t.Fatalf("read back: %+v %v", o, err)
	}

	// Two writes changing a, one clearing b; archive and restore.
	write := func(o *crm.Object, sec int, set map[string]string) {
		t.Helper()
		at := t0.Add(time.Duration(sec) * time.Second)
		var entries []crm.HistoryEntry
		for _, name := range slices.Sorted(maps.Keys(set)) {
			if set[name] == "" {
				delete(o.Properties, name)
			} else {
				o.Properties[name] = set[name]
			}
			entries = append(entries, crm.HistoryEntry{ObjectID: o.ID, Name: name, Value: set[name], Timestamp: at, SourceType: "CRM_UI", SourceID: "u"})
		}
		o.UpdatedAt = at
		if err := s.Write(ctx, func(tx crm.Tx) error {
			if err := tx.UpdateObjects(ctx, []*crm.Object{o}); err != nil {
				return err
			}
			return tx.AppendHistory(ctx, entries)
		}); err != nil {
			t.Fatal(err)
		}
	}
	write(a, 1, map[string]string{"a": "2", "b": ""})
	write(a, 2, map[string]string{"a": "3"})
	for _, archived := range []bool{true, false} {
		a.Archived, a.ArchivedAt = archived, t0.Add(3*time.Second)
		if err := s.Write(ctx, func(tx crm.Tx) error { return tx.UpdateObjects(ctx, []*crm.Object{a}) }); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"a=3@2:CRM_UI/u", "a=2@1:CRM_UI/u", "a=1@0:INTEGRATION/7", "b=@1:CRM_UI/u", "b=two@0:INTEGRATION/7", `c=x"y@0:CALCULATED/`}
	if got := historyOf(t, s, a.ID, "a", "b", "c"); !slices.Equal(got, want) {
		t.Errorf("after updates: %q, want %q", got, want)
	}
	// Records read together keep their own first writes.
	var both []crm.HistoryEntry
	s.Read(ctx, func(tx crm.ReadTx) error {
		both, err = tx.History(ctx, []int64{a.ID, b.ID}, []string{"a"})
		return err
	})
	if err != nil || len(both) != 4 {
		t.Errorf("history of two records: %+v %v", both, err)
	}
	if got := historyOf(t, s, b.ID, "a", "b", "c", "hs_object_id"); !slices.Equal(got, first(b.ID)) {
		t.Errorf("the other record: %q", got)
	}

	// DeleteHistory forgets the first write too; later writes start anew.
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.DeleteHistory(ctx, []int64{a.ID, odd.ID}) }); err != nil {
		t.Fatal(err)
	}
	if got := historyOf(t, s, a.ID, "a", "b", "c"); len(got) != 0 {
		t.Errorf("after DeleteHistory: %q", got)
	}
	write(a, 4, map[string]string{"a": "4"})
	if got := historyOf(t, s, a.ID, "a", "b", "c"); !slices.Equal(got, []string{"a=4@4:CRM_UI/u"}) {
		t.Errorf("after DeleteHistory and a write: %q", got)
	}
	if got := historyOf(t, s, odd.ID, "a"); len(got) != 0 {
		t.Errorf("after DeleteHistory of the record written as given: %q", got)
	}
}
