package crm

import (
	"testing"
	"time"
)

// A record built without its id takes its id everywhere the id shows, and
// nothing else of it changes.
func TestRenumber(t *testing.T) {
	e := NewEngine(nil, time.Now, 1)
	messages, _ := e.Types.Resolve("communications")
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	props := map[string]string{"hs_communication_channel_type": "SMS", "hs_communication_body": "hi", "hs_timestamp": "2026-03-01T08:00:00Z"}
	actor := Actor{SourceType: SourceIntegration, SourceID: "7"}
	want, wantHistory := e.newObject(actor, messages, 10000000042, props, nil, now, nil)
	got, history := e.newObject(actor, messages, 0, props, nil, now, nil)
	got.CreateHistory = history
	renumber(got, 10000000042)
	if got.ID != want.ID || len(got.Properties) != len(want.Properties) {
		t.Fatalf("renumbered %+v, want %+v", got, want)
	}
	for k, v := range want.Properties {
		if got.Properties[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Properties[k], v)
		}
	}
	if len(got.CreateHistory) != len(wantHistory) {
		t.Fatalf("history %v, want %v", got.CreateHistory, wantHistory)
	}
	for i, h := range wantHistory {
		if got.CreateHistory[i] != h {
			t.Errorf("history %d: %+v, want %+v", i, got.CreateHistory[i], h)
		}
	}
}

// Records built before the write transaction are used only when their
// owners' user ids are still those they were built with.
func TestSameOwners(t *testing.T) {
	o := func(user int64) *Owner { return &Owner{UserID: user} }
	for _, tc := range []struct {
		now, then map[string]*Owner
		want      bool
	}{
		{map[string]*Owner{}, map[string]*Owner{}, true},
		{map[string]*Owner{"1": o(5)}, map[string]*Owner{"1": o(5)}, true},
		{map[string]*Owner{"1": o(5)}, map[string]*Owner{"1": o(6)}, false},
		{map[string]*Owner{"1": o(5)}, map[string]*Owner{}, false},
		{map[string]*Owner{}, map[string]*Owner{"1": o(5)}, true}, // an owner no valid input names any more
	} {
		if got := sameOwners(tc.now, tc.then); got != tc.want {
			t.Errorf("sameOwners(%v, %v) = %v", tc.now, tc.then, got)
		}
	}
}
