package history

import (
	"encoding/json"
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
