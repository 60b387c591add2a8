package api_test

import (
	"slices"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// The history of a merged record is newest first across both records'
// writes, and ends with the value the record has: where the merge keeps the
// primary's value over a newer one of the other record, the kept value is
// recorded at the merge's time.
func TestMergeHistoryEndsWithTheMergedValues(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tick := func() { at = at.Add(time.Minute); s.Clock.Set(at) }
	tick()
	p := create(t, s, "contacts", `{"properties":{"email":"hp@example.com","firstname":"Pat"}}`)["id"].(string)
	tick()
	o := create(t, s, "contacts", `{"properties":{"email":"ho@example.com","firstname":"Sam","lastname":"Smith"}}`)["id"].(string)
	tick()
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+p, `{"properties":{"lastname":"Jones"}}`), 200)
	tick()
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+o, `{"properties":{"lastname":"Smythe","firstname":"Samuel"}}`), 200)
	tick()
	n := merge(t, s, "contacts", p, o)["id"].(string)
	checkMergedHistory(t, s, n)

	// Writes of both records in one millisecond: the primary's is the newer.
	tick()
	p = create(t, s, "contacts", `{"properties":{"email":"tp@example.com","firstname":"Tia"}}`)["id"].(string)
	o = create(t, s, "contacts", `{"properties":{"email":"to@example.com","firstname":"Tom"}}`)["id"].(string)
	tick()
	n = merge(t, s, "contacts", p, o)["id"].(string)
	checkMergedHistory(t, s, n)
	if h := historyValues(t, s, "contacts", n, "firstname"); !slices.Equal(h, []string{"Tia", "Tom"}) {
		t.Errorf("firstname history %v, want both records' values, the primary's first", h)
	}

	// A merge in the millisecond of the other's newer write.
	tick()
	p = create(t, s, "contacts", `{"properties":{"email":"ap@example.com","firstname":"Ann"}}`)["id"].(string)
	tick()
	o = create(t, s, "contacts", `{"properties":{"email":"ao@example.com","firstname":"Bob"}}`)["id"].(string)
	checkMergedHistory(t, s, merge(t, s, "contacts", p, o)["id"].(string))
}

// checkMergedHistory checks that a record's history of email, firstname and
// lastname is newest first and ends with the record's values.
func checkMergedHistory(t *testing.T, s *spoketest.Server, n string) {
	t.Helper()
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+n+"?properties=email,firstname,lastname&propertiesWithHistory=email,firstname,lastname", nil), 200)
	for _, name := range []string{"email", "firstname", "lastname"} {
		hist, _ := got["propertiesWithHistory"].(map[string]any)[name].([]any)
		if len(hist) == 0 {
			if props(got)[name] != nil {
				t.Errorf("%s is %v, with no history", name, props(got)[name])
			}
			continue
		}
		var last time.Time
		for i, h := range hist {
			h := h.(map[string]any)
			ts := spokeTime(h["timestamp"].(string))
			if i > 0 && ts.After(last) {
				t.Errorf("%s history is not newest first: %v", name, hist)
				break
			}
			last = ts
		}
		if cur, newest := props(got)[name], hist[0].(map[string]any)["value"]; cur != newest {
			t.Errorf("%s is %v, its newest history %v: %v", name, cur, newest, hist)
		}
	}
}
