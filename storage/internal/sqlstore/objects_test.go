package sqlstore

import (
	"strconv"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/jsonenc"
	"github.com/spoke-crm/spoke/storage/internal/history"
)

// A record prepared before its id is known (Prepare) is stored, once
// renumbered, exactly as one encoded in the transaction: its properties'
// JSON and its first write. Values that hold the text of the id's pair,
// quotes and backslashes do not move the id.
func TestPreparedRecords(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC)
	for i, props := range []map[string]string{
		{},
		{"a": "x"},
		{"zz": `"hs_object_id":"0"`, "hs_a": `\`, "hs_z": `"`},
		{"hs_object_id_x": "0", "hs_object": "0", "b": `{"hs_object_id":"0"}`},
		{"hs_communication_body": "History import message 7: order shipped, courier tomorrow.", "hs_timestamp": "2026-03-14T09:26:07.589Z", "é": "東京\u2028"},
	} {
		o := &crm.Object{TypeID: "0-18", Properties: map[string]string{crm.ObjectIDProperty: "0"}}
		for k, v := range props {
			o.Properties[k] = v
		}
		for k, v := range o.Properties {
			o.CreateHistory = append(o.CreateHistory, crm.HistoryEntry{Name: k, Value: v, Timestamp: now, SourceType: "INTEGRATION", SourceID: "7"})
		}
		if i == 0 {
			o.CreateHistory = nil // no first write to keep
		}
		Prepare(nil, []*crm.Object{o}, nil)
		r, ok := o.Prepared.(*preparedRecord)
		if !ok {
			t.Fatalf("%d: not prepared", i)
		}
		// What crm's renumber does.
		id := int64(10_000_000_000 + i)
		o.ID = id
		o.Properties[crm.ObjectIDProperty] = strconv.FormatInt(id, 10)
		for j := range o.CreateHistory {
			h := &o.CreateHistory[j]
			h.ObjectID = id
			if h.Name == crm.ObjectIDProperty {
				h.Value = o.Properties[crm.ObjectIDProperty]
			}
		}
		if !r.fits(o) {
			t.Fatalf("%d: the renumbered record does not fit its preparation", i)
		}
		if got, want := r.props(id), jsonenc.StringMap(o.Properties); got != want {
			t.Errorf("%d: properties %s, want %s", i, got, want)
		}
		want, kept := history.Compact(o)
		if r.created != want || kept != (r.created != "") {
			t.Errorf("%d: first write %q, want %q (kept %v)", i, r.created, want, kept)
		}
		// A record changed after its preparation is encoded again.
		o.Properties["late"] = "x"
		if r.fits(o) {
			t.Errorf("%d: a record with one more property fits its preparation", i)
		}
	}
	// A record with its id, or without hs_object_id, is not prepared.
	for _, o := range []*crm.Object{
		{ID: 5, Properties: map[string]string{crm.ObjectIDProperty: "5"}},
		{Properties: map[string]string{"a": "b"}},
	} {
		Prepare(nil, []*crm.Object{o}, nil)
		if o.Prepared != nil {
			t.Errorf("%v prepared", o.Properties)
		}
	}
}
