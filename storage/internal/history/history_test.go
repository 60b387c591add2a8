package history

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// TestGroup checks that consecutive entries of one record and timestamp
// become one write, stored as encoding/json writes [][4]string, and that a
// collector reads them back.
func TestGroup(t *testing.T) {
	t0 := time.UnixMilli(1773480413589).UTC()
	t1 := t0.Add(time.Second)
	entries := []crm.HistoryEntry{
		{ObjectID: 1, Name: "a", Value: "x <b>\"q\"</b>", Timestamp: t0, SourceType: "INTEGRATION", SourceID: "7"},
		{ObjectID: 1, Name: "b", Value: "line\nbreak", Timestamp: t0, SourceType: "CALCULATED"},
		{ObjectID: 1, Name: "a", Value: "y", Timestamp: t1, SourceType: "INTEGRATION", SourceID: "7"},
		{ObjectID: 2, Name: "a", Value: "z", Timestamp: t1, SourceType: "INTEGRATION", SourceID: "7"},
	}
	writes, err := Group(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id      int64
		ts      time.Time
		changes [][4]string
	}{
		{1, t0, [][4]string{{"a", "x <b>\"q\"</b>", "INTEGRATION", "7"}, {"b", "line\nbreak", "CALCULATED", ""}}},
		{1, t1, [][4]string{{"a", "y", "INTEGRATION", "7"}}},
		{2, t1, [][4]string{{"a", "z", "INTEGRATION", "7"}}},
	}
	if len(writes) != len(want) {
		t.Fatalf("%d writes, want %d: %+v", len(writes), len(want), writes)
	}
	c := NewCollector([]string{"a", "b"})
	for i, w := range want {
		data, _ := json.Marshal(w.changes)
		if got := writes[i]; got.ObjectID != w.id || got.Timestamp != w.ts.UnixMilli() || got.Changes != string(data) {
			t.Errorf("write %d = %+v, want %d %d %s", i, got, w.id, w.ts.UnixMilli(), data)
		}
		if err := c.Add(writes[i].ObjectID, writes[i].Timestamp, []byte(writes[i].Changes)); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Entries(); len(got) != len(entries) {
		t.Errorf("collected %d entries, want %d: %+v", len(got), len(entries), got)
	}
	if writes, _ := Group(nil); len(writes) != 0 {
		t.Errorf("Group(nil) = %v", writes)
	}
}

// TestCompact checks the stored form of a first write: read back by a
// collector as the entries it was made of, and refused for entries that do
// not set exactly the record's properties once each at one time.
func TestCompact(t *testing.T) {
	t0 := time.UnixMilli(1773480413589).UTC()
	props := map[string]string{"a": "x \"q\"", "b": "2", "c": "3", "d": "4"}
	entries := []crm.HistoryEntry{
		{ObjectID: 9, Name: "a", Value: "x \"q\"", Timestamp: t0, SourceType: "INTEGRATION", SourceID: "7"},
		{ObjectID: 9, Name: "b", Value: "2", Timestamp: t0, SourceType: "CALCULATED"},
		{ObjectID: 9, Name: "c", Value: "3", Timestamp: t0, SourceType: "CALCULATED"},
		{ObjectID: 9, Name: "d", Value: "4", Timestamp: t0, SourceType: "CRM_UI", SourceID: "u"},
	}
	o := &crm.Object{ID: 9, Properties: props, CreateHistory: entries}
	c, ok := Compact(o)
	if !ok || c != `[1773480413589,["CALCULATED",""],["INTEGRATION","7","a"],["CRM_UI","u","d"]]` {
		t.Fatalf("Compact = %s, %v", c, ok)
	}
	col := NewCollector([]string{"a", "b", "c", "d"})
	if err := col.AddCreate(9, []byte(c), props); err != nil {
		t.Fatal(err)
	}
	got := col.Entries()
	slices.SortFunc(got, func(x, y crm.HistoryEntry) int { return strings.Compare(x.Name, y.Name) })
	if !slices.Equal(got, entries) {
		t.Errorf("read back %+v, want %+v", got, entries)
	}
	for name, bad := range map[string][]crm.HistoryEntry{
		"a name twice":    {entries[0], entries[0], entries[2], entries[3]},
		"another value":   {entries[0], {ObjectID: 9, Name: "b", Value: "9", Timestamp: t0}, entries[2], entries[3]},
		"another time":    {entries[0], entries[1], entries[2], {ObjectID: 9, Name: "d", Value: "4", Timestamp: t0.Add(time.Millisecond)}},
		"another record":  {entries[0], entries[1], entries[2], {ObjectID: 8, Name: "d", Value: "4", Timestamp: t0}},
		"a property less": entries[:3],
		"none":            nil,
	} {
		if c, ok := Compact(&crm.Object{ID: 9, Properties: props, CreateHistory: bad}); ok {
			t.Errorf("%s: kept as %s", name, c)
		}
	}
	for _, bad := range []string{"", "[]", "[1]", `[1,["a"]]`, `["x",["a",""]]`, `[1,["a",""],["b","c"]]`} {
		if err := NewCollector([]string{"a"}).AddCreate(9, []byte(bad), props); err == nil {
			t.Errorf("AddCreate(%q) took it", bad)
		}
	}
}
