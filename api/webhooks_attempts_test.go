package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/webhooks"
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

// A retry is signed with the app's client secret and sent to its target
// URL as they are when it is sent: a secret rotated (by a seed) and a
// target moved between attempts apply to the next attempt.
func TestWebhookRetrySignedWithTheCurrentSecretAndTarget(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "rotate")
	first, second := newReceiver(t), newReceiver(t)
	first.fail.Store(1)
	setTarget(t, s, a, first.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"rotate@example.com"}}`)
	if res := flush(t, s); res["failed"] != float64(1) {
		t.Fatalf("first flush: %v", res)
	}
	verify(t, first.deliveries()[0], a.secret, first.url())

	secret := crm.NewAppSecret()
	fixture := map[string]any{"apps": []any{map[string]any{"id": fmt.Sprint(a.id), "name": "rotate", "clientSecret": secret, "developerApiKeyHash": crm.HashToken(a.key),
		"settings": map[string]any{"targetUrl": second.url(), "maxConcurrentRequests": 10}}}}
	mustStatus(t, s.Do("POST", "/_spoke/seed", fixture), 200)
	if res := flush(t, s); res["delivered"] != float64(1) {
		t.Fatalf("second flush: %v", res)
	}
	if len(first.deliveries()) != 1 {
		t.Fatalf("the old target got %d requests", len(first.deliveries()))
	}
	ds := second.deliveries()
	if len(ds) != 1 || ds[0].events[0]["attemptNumber"] != float64(1) || ds[0].events[0]["eventId"] != first.deliveries()[0].events[0]["eventId"] {
		t.Fatalf("retry: %v", ds)
	}
	verify(t, ds[0], secret, second.url())
}

// Events of a subscription deleted while they wait (for their first
// attempt or a retry) are not delivered: the receiver would get a
// subscriptionId its app no longer has. The app's other events go on.
func TestWebhookEventsOfADeletedSubscriptionAreNotDelivered(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "unsubscribe")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	keep := subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	gone := subscribe(t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	recv.fail.Store(1)
	create(t, s, "contacts", `{"properties":{"email":"a@example.com","firstname":"A"}}`)
	if res := flush(t, s); res["failed"] != float64(2) {
		t.Fatalf("first flush: %v", res)
	}
	create(t, s, "contacts", `{"properties":{"email":"b@example.com","firstname":"B"}}`)
	mustStatus(t, s.Do("DELETE", a.path("/subscriptions/"+gone), nil), 204)
	if _, pending := deliveryLog(t, s); pending != 2 {
		t.Fatalf("%v events pending after the delete, want the two creations", pending)
	}
	if res := flush(t, s); res["delivered"] != float64(2) || res["pending"] != float64(0) {
		t.Fatalf("flush: %v", res)
	}
	ds := recv.deliveries()
	for _, e := range ds[len(ds)-1].events {
		if fmt.Sprint(e["subscriptionId"]) != keep {
			t.Errorf("event of subscription %v delivered: %v", e["subscriptionId"], e)
		}
	}
}

// Deleting a subscription while nodes claim and deliver its events
// neither fails nor disturbs the app's other events: each of those is
// delivered exactly once. On PostgreSQL two nodes share the database.
func TestWebhookSubscriptionDeletedDuringDelivery(t *testing.T) {
	t.Parallel()
	nodes := []*spoketest.Server{spoketest.Open(t)}
	if spoketest.Postgres() {
		path := t.TempDir() + "/shared"
		nodes = []*spoketest.Server{spoketest.OpenPath(t, path), spoketest.OpenPath(t, path)}
	}
	n1 := nodes[0]
	a := newApp(t, n1, "unsubscribe live")
	recv := newReceiver(t)
	setTarget(t, n1, a, recv.url())
	keep := subscribe(t, n1, a, map[string]any{"eventType": "contact.creation"})
	gone := subscribe(t, n1, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	for _, n := range nodes[1:] {
		if err := n.Webhooks.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	batch := func(prefix string) {
		var inputs []string
		for i := range 100 {
			inputs = append(inputs, fmt.Sprintf(`{"properties":{"email":"%s-%d@example.com","firstname":"F"}}`, prefix, i))
		}
		mustStatus(t, n1.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[`+join(inputs)+`]}`), 201)
	}
	for b := range 5 {
		batch(fmt.Sprint("before", b))
	}
	var wg sync.WaitGroup
	for _, n := range append(nodes, nodes...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Do("POST", "/_spoke/webhooks/flush", nil)
		}()
	}
	mustStatus(t, n1.Do("DELETE", a.path("/subscriptions/"+gone), nil), 204)
	wg.Wait()
	batch("after")
	for _, n := range nodes {
		flush(t, n)
	}
	seen := map[float64]int{}
	for _, d := range recv.deliveries() {
		for _, e := range d.events {
			if fmt.Sprint(e["subscriptionId"]) == keep {
				seen[e["eventId"].(float64)]++
			}
		}
	}
	if len(seen) != 600 {
		t.Errorf("%d creations delivered, want 600", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %v delivered %d times", id, n)
		}
	}
	if _, pending := deliveryLog(t, n1); pending != 0 {
		t.Errorf("%v events pending", pending)
	}
}

// A request in flight when its subscription is deleted ends as usual: its
// events are delivered once and logged, whatever the server's clock says.
func TestWebhookSubscriptionDeletedWithARequestInFlight(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2025, 2, 18, 5, 51, 18, 0, time.UTC))
	recv := newHoldingReceiver(t, 1)
	t.Cleanup(recv.releaseHeld)
	a := newApp(t, s, "in flight")
	setThrottledTarget(t, s, a, recv.url())
	sub := subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"held@example.com"}}`)
	recv.waitHeld(t, 1)
	mustStatus(t, s.Do("DELETE", a.path("/subscriptions/"+sub), nil), 204)
	recv.releaseHeld()
	if res := flush(t, s); res["pending"] != float64(0) {
		t.Fatalf("flush: %v", res)
	}
	log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
	if len(log) != 1 || log[0].(map[string]any)["status"] != float64(204) {
		t.Fatalf("log: %v", log)
	}
	if requests, _, distinct := recv.stats(); requests != 1 || distinct != 1 {
		t.Fatalf("%d requests, %d events", requests, distinct)
	}
}

// A node whose lease lapsed (paused longer than the lease, then resuming)
// records its outcome late, after another node claimed the same events:
// the late outcome leaves them to the node now holding them, so that no
// third claim sends them again meanwhile and the holder's outcome counts.
func TestWebhookLateOutcomeOfALapsedLease(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	t0 := time.Date(2025, 2, 18, 5, 51, 18, 0, time.UTC)
	s.Clock.Set(t0)
	a := newApp(t, s, "late")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"late@example.com"}}`)
	ws := s.Store.(crm.WebhookStorer).Webhooks()
	ctx := context.Background()
	claim := func(at time.Time, token string) []*crm.WebhookEvent {
		t.Helper()
		got, err := ws.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: a.id, Now: at, LeaseUntil: at.Add(webhooks.Lease), Limit: webhooks.MaxBatch,
			Owner: token, Slots: 10, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := claim(t0, "paused")
	t1 := t0.Add(webhooks.Lease)
	second := claim(t1, "holder")
	if len(first) != 1 || len(second) != 1 || first[0].ID != second[0].ID {
		t.Fatalf("claims %v then %v", first, second)
	}
	// The paused node resumes: its attempt failed.
	late := crm.WebhookOutcome{Token: "paused", LeaseUntil: t0.Add(webhooks.Lease), Delivery: crm.WebhookDelivery{AppID: a.id, At: t0, URL: recv.url(),
		EventIDs: []int64{first[0].ID}, Status: 500, NextRetry: t1}}
	if err := ws.FinishWebhookEvents(ctx, late); err != nil {
		t.Fatal(err)
	}
	if got := claim(t1, "third"); len(got) != 0 {
		t.Fatalf("claimed again while the holder's lease runs: %v", got)
	}
	done := crm.WebhookOutcome{Token: "holder", Delivered: true, LeaseUntil: t1.Add(webhooks.Lease), Delivery: crm.WebhookDelivery{AppID: a.id, At: t1, URL: recv.url(),
		EventIDs: []int64{second[0].ID}, Status: 204}}
	if err := ws.FinishWebhookEvents(ctx, done); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(t1.Add(time.Hour))
	if res := flush(t, s); res["requests"] != float64(0) || res["pending"] != float64(0) {
		t.Fatalf("flush: %v", res)
	}
	log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
	if len(log) != 1 || log[0].(map[string]any)["status"] != float64(204) {
		t.Fatalf("log %v, want the holder's delivery only", log)
	}
}

// Deactivating a subscription stops its new events; those queued while it
// was active are still delivered.
func TestWebhookEventsQueuedBeforeADeactivationAreDelivered(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "deactivate")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	sub := subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	id := create(t, s, "contacts", `{"properties":{"email":"queued@example.com"}}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", a.path("/subscriptions/"+sub), map[string]any{"active": false}), 200)
	create(t, s, "contacts", `{"properties":{"email":"inactive@example.com"}}`)
	if res := flush(t, s); res["delivered"] != float64(1) || res["pending"] != float64(0) {
		t.Fatalf("flush: %v", res)
	}
	if e := recv.deliveries()[0].events; len(e) != 1 || fmt.Sprintf("%.0f", e[0]["objectId"]) != id {
		t.Fatalf("delivered %s", recv.deliveries()[0].body)
	}
}
