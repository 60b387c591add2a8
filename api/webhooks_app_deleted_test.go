package api_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// An app deleted (spoke apps delete) while one of its requests is in
// flight leaves nothing behind when the request ends: no delivery log
// entry, no request slot, no event; other apps' deliveries go on.
func TestWebhookAppDeletedWithARequestInFlight(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	recv := newHoldingReceiver(t, 1)
	t.Cleanup(recv.releaseHeld)
	gone := newApp(t, s, "gone")
	setThrottledTarget(t, s, gone, recv.url())
	subscribe(t, s, gone, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"held@example.com"}}`)
	recv.waitHeld(t, 1) // the worker's request, holding one of the app's slots

	if err := s.Store.(crm.WebhookStorer).Webhooks().DeleteApp(context.Background(), gone.id); err != nil {
		t.Fatal(err)
	}
	other := newApp(t, s, "other")
	other2 := newReceiver(t)
	setTarget(t, s, other, other2.url())
	subscribe(t, s, other, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"next@example.com"}}`)
	recv.releaseHeld()
	// A flush returns once this node's deliveries in flight have ended.
	if res := flush(t, s); res["pending"] != float64(0) {
		t.Fatalf("flush: %v", res)
	}
	log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
	for _, d := range log {
		if d := d.(map[string]any); d["appId"] != float64(other.id) {
			t.Errorf("delivery log entry of a deleted app: %v", d)
		}
	}
	if len(log) != 1 {
		t.Errorf("delivery log: %v, want the other app's one attempt", log)
	}
	if got := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries?appId="+strconv.FormatInt(gone.id, 10), nil), 200)["results"].([]any); len(got) != 0 {
		t.Errorf("deleted app's log: %v", got)
	}
}
