package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// deliveryLog is GET /_spoke/webhooks/deliveries: the attempts logged and
// the events pending.
func deliveryLog(t *testing.T, s *spoketest.Server) (attempts int, pending float64) {
	t.Helper()
	got := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)
	return len(got["results"].([]any)), got["queue"].(map[string]any)["pending"].(float64)
}

// A reset empties the outbox and the delivery log: events about records
// it removed are never delivered. Apps, settings and subscriptions stay
// unless the body says {"webhooks": true}.
func TestResetEmptiesWebhookQueueAndKeepsAppsUnlessAsked(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "reset")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})

	// One failed attempt in the log, two events pending.
	recv.fail.Store(1)
	create(t, s, "contacts", `{"properties":{"email":"first@example.com"}}`)
	flush(t, s)
	create(t, s, "contacts", `{"properties":{"email":"second@example.com"}}`)
	if n, pending := deliveryLog(t, s); n != 1 || pending != 2 {
		t.Fatalf("before the reset: %d attempts, %v pending", n, pending)
	}
	before := len(recv.deliveries())

	for _, body := range []string{`{}`, `{"webhooks":false}`} {
		mustStatus(t, s.Do("POST", "/_spoke/reset", body), 204)
		if n, pending := deliveryLog(t, s); n != 0 || pending != 0 {
			t.Fatalf("after reset %s: %d attempts, %v pending", body, n, pending)
		}
		flush(t, s)
		if got := len(recv.deliveries()); got != before {
			t.Fatalf("reset %s: %d deliveries after it", body, got-before)
		}
		// The app, its settings and its subscription are kept and work.
		mustStatus(t, s.Do("GET", a.path("/settings"), nil), 200)
		if subs := mustStatus(t, s.Do("GET", a.path("/subscriptions"), nil), 200)["results"].([]any); len(subs) != 1 {
			t.Fatalf("reset %s: subscriptions %v", body, subs)
		}
		id := create(t, s, "contacts", `{"properties":{"email":"after@example.com"}}`)["id"].(string)
		flush(t, s)
		ds := recv.deliveries()
		if len(ds) != before+1 || fmt.Sprintf("%.0f", ds[before].events[0]["objectId"]) != id {
			t.Fatalf("reset %s: deliveries after it %v, want one of %s", body, ds[before:], id)
		}
		verify(t, ds[before], a.secret, recv.url())
		before = len(ds)
	}

	// {"webhooks": true} removes the apps: nothing is queued any more.
	create(t, s, "contacts", `{"properties":{"email":"queued@example.com"}}`)
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"webhooks":true}`), 204)
	apps, err := s.Store.(crm.WebhookStorer).Webhooks().ListApps(context.Background())
	if err != nil || len(apps) != 0 {
		t.Fatalf("apps after the reset: %v %v", apps, err)
	}
	if subs, err := s.Store.(crm.WebhookStorer).Webhooks().Subscriptions(context.Background(), 0); err != nil || len(subs) != 0 {
		t.Fatalf("subscriptions after the reset: %v %v", subs, err)
	}
	if r := s.Do("GET", a.path("/settings"), nil); r.Status < 400 {
		t.Fatalf("settings of a removed app: %d %s", r.Status, r.Body)
	}
	create(t, s, "contacts", `{"properties":{"email":"unwatched@example.com"}}`)
	if n, pending := deliveryLog(t, s); n != 0 || pending != 0 {
		t.Fatalf("after reset with webhooks: %d attempts, %v pending", n, pending)
	}
	flush(t, s)
	if got := len(recv.deliveries()); got != before {
		t.Fatalf("%d deliveries after removing the apps", got-before)
	}
}

// A request in flight when a reset empties the outbox and the delivery log
// leaves no entry when it ends: the log after a reset shows only attempts
// of events emitted after it.
func TestResetDuringADeliveryLeavesNoLogEntry(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "reset in flight")
	recv := newHoldingReceiver(t, 1)
	t.Cleanup(recv.releaseHeld)
	setThrottledTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"before@example.com"}}`)
	recv.waitHeld(t, 1) // the worker's request

	mustStatus(t, s.Do("POST", "/_spoke/reset", `{}`), 204)
	recv.releaseHeld()
	flush(t, s) // returns once the request in flight has ended
	if n, pending := deliveryLog(t, s); n != 0 || pending != 0 {
		t.Fatalf("after the reset: %d attempts logged, %v pending", n, pending)
	}
	create(t, s, "contacts", `{"properties":{"email":"after@example.com"}}`)
	flush(t, s)
	if n, pending := deliveryLog(t, s); n != 1 || pending != 0 {
		t.Fatalf("after a new event: %d attempts logged, %v pending", n, pending)
	}
}
