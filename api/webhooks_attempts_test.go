package api_test

import (
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// An event on its last attempt and events on their first, claimed in one
// batch, fail together: only the first is given up; the others are
// retried on their own schedule and delivered once the receiver recovers.
func TestWebhookBatchOfMixedAttemptsGivesUpOnlyTheLastAttempts(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "mixed")
	recv := newReceiver(t)
	recv.fail.Store(1 << 20)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"old@example.com"}}`)
	// Ten failed attempts: the event has one left.
	for range 10 {
		flush(t, s)
	}
	create(t, s, "contacts", `{"properties":{"email":"new@example.com"}}`)
	res := flush(t, s) // one batch of both, failing
	if res["requests"] != float64(1) || res["failed"] != float64(2) || res["pending"] != float64(1) {
		t.Fatalf("flush: %v, want one request failing both events and the new one pending", res)
	}
	ds := recv.deliveries()
	last := ds[len(ds)-1]
	if len(last.events) != 2 || last.events[0]["attemptNumber"] != float64(10) || last.events[1]["attemptNumber"] != float64(0) {
		t.Fatalf("last request: %s", last.body)
	}
	newID := last.events[1]["eventId"]
	log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
	for _, d := range log[:2] {
		d := d.(map[string]any)
		ids := fmt.Sprint(d["eventIds"])
		switch {
		case d["dropped"] == true && ids != fmt.Sprintf("[%v]", last.events[0]["eventId"]):
			t.Errorf("given up: %v", d)
		case d["dropped"] != true && (ids != fmt.Sprintf("[%v]", newID) || d["nextRetryAt"] == nil):
			t.Errorf("retried: %v", d)
		}
	}
	recv.fail.Store(0)
	if res := flush(t, s); res["delivered"] != float64(1) || res["pending"] != float64(0) {
		t.Fatalf("flush after recovery: %v", res)
	}
	ds = recv.deliveries()
	if e := ds[len(ds)-1].events; len(e) != 1 || e[0]["eventId"] != newID || e[0]["attemptNumber"] != float64(1) {
		t.Errorf("delivered %s, want the new event's second attempt", ds[len(ds)-1].body)
	}
}
