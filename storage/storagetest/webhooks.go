package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// appendEvents stores events for one subscription in one write transaction.
func appendEvents(t *testing.T, s crm.Store, sub *crm.Subscription, objects ...int64) {
	t.Helper()
	var events []*crm.WebhookEvent
	for _, o := range objects {
		events = append(events, &crm.WebhookEvent{AppID: sub.AppID, SubscriptionID: sub.ID, ObjectID: o, OccurredAt: t0, Payload: []byte(fmt.Sprintf(`{"objectId":%d}`, o))})
	}
	if err := s.Write(ctx, func(tx crm.Tx) error { return tx.(crm.WebhookOutbox).AppendWebhookEvents(ctx, events) }); err != nil {
		t.Fatal(err)
	}
}

func claimed(events []*crm.WebhookEvent) string {
	out := ""
	for _, e := range events {
		out += fmt.Sprintf("%d/%d ", e.ObjectID, e.Attempts)
	}
	return out
}

// testWebhookOutbox: events written in a transaction are claimed in id
// order, one claim at a time per event, records in order, retried, expedited,
// reclaimed after a lapsed lease, and delivered once between concurrent
// claimers.
func testWebhookOutbox(t *testing.T, s crm.Store) {
	ws := s.(crm.WebhookStorer).Webhooks()
	app := &crm.App{Name: "a", ClientSecret: "secret", KeyHash: "hash", CreatedAt: t0}
	if err := ws.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	if got, err := ws.AppByKeyHash(ctx, "hash"); err != nil || got.ID != app.ID || got.ClientSecret != "secret" {
		t.Fatalf("AppByKeyHash: %v %v", got, err)
	}
	if err := ws.PutWebhookSettings(ctx, &crm.WebhookSettings{AppID: app.ID, TargetURL: "https://x", MaxConcurrentRequests: 10, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	sub := &crm.Subscription{AppID: app.ID, EventType: "contact.creation", Active: true, CreatedAt: t0, UpdatedAt: t0}
	if err := ws.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}

	// A transaction that fails stores none of its events.
	failed := errors.New("no")
	err := s.Write(ctx, func(tx crm.Tx) error {
		if err := tx.(crm.WebhookOutbox).AppendWebhookEvents(ctx, []*crm.WebhookEvent{{AppID: app.ID, SubscriptionID: sub.ID, ObjectID: 9, OccurredAt: t0, Payload: []byte(`{}`)}}); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	appendEvents(t, s, sub, 1, 2, 1)
	now := t0.Add(time.Hour)
	claim := func(at time.Time, limit int) []*crm.WebhookEvent {
		t.Helper()
		got, err := ws.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: app.ID, Now: at, LeaseUntil: at.Add(30 * time.Second), Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := claim(now, 2)
	if claimed(first) != "1/0 2/0 " || string(first[0].Payload) != `{"objectId":1}` {
		t.Fatalf("first claim: %s", claimed(first))
	}
	// The third event waits for the first, which is leased.
	if got := claim(now, 10); len(got) != 0 {
		t.Fatalf("claim during the lease: %s", claimed(got))
	}
	fail := crm.WebhookOutcome{Delivery: crm.WebhookDelivery{AppID: app.ID, At: now, URL: "https://x", EventIDs: []int64{first[0].ID, first[1].ID}, Status: 500, NextRetry: now.Add(time.Minute)}}
	if err := ws.FinishWebhookEvents(ctx, fail); err != nil {
		t.Fatal(err)
	}
	if got := claim(now, 10); len(got) != 0 {
		t.Fatalf("claim before the retry is due: %s", claimed(got))
	}
	if q, err := ws.WebhookQueue(ctx); err != nil || q.Pending != 3 || !q.OldestUnsent.Equal(t0) {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if top, err := ws.ExpediteWebhookEvents(ctx, now); err != nil || top == 0 {
		t.Fatalf("expedite: %d %v", top, err)
	}
	all := claim(now, 10)
	if claimed(all) != "1/1 2/1 1/0 " {
		t.Fatalf("claim after expediting: %s", claimed(all))
	}
	ids := []int64{all[0].ID, all[1].ID, all[2].ID}
	if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Delivery: crm.WebhookDelivery{AppID: app.ID, At: now, URL: "https://x", EventIDs: ids, Attempt: 1, Status: 200, Latency: 1500 * time.Microsecond}}); err != nil {
		t.Fatal(err)
	}
	ds, err := ws.WebhookDeliveries(ctx, app.ID, 10)
	if err != nil || len(ds) != 2 || ds[0].Status != 200 || len(ds[0].EventIDs) != 3 || ds[0].Latency != 1500*time.Microsecond || !ds[1].NextRetry.Equal(now.Add(time.Minute)) {
		t.Fatalf("deliveries: %+v %v", ds, err)
	}
	if q, _ := ws.WebhookQueue(ctx); q.Pending != 0 {
		t.Fatalf("pending after delivery: %+v", q)
	}

	// A lease that lapses (its node died) frees the batch.
	appendEvents(t, s, sub, 3)
	if got := claim(now, 10); len(got) != 1 {
		t.Fatalf("claim: %s", claimed(got))
	}
	if got := claim(now.Add(10*time.Second), 10); len(got) != 0 {
		t.Fatalf("claim within the lease: %s", claimed(got))
	}
	again := claim(now.Add(time.Minute), 10)
	if claimed(again) != "3/0 " {
		t.Fatalf("claim after the lease: %s", claimed(again))
	}
	if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Delivery: crm.WebhookDelivery{AppID: app.ID, At: now, EventIDs: []int64{again[0].ID}, Status: 204}}); err != nil {
		t.Fatal(err)
	}

	// Concurrent claimers deliver each event once.
	var objects []int64
	for i := range 200 {
		objects = append(objects, int64(100+i%50))
	}
	appendEvents(t, s, sub, objects...)
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idle := 0; idle < 3; {
				got, err := ws.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: app.ID, Now: now.Add(time.Hour), LeaseUntil: now.Add(2 * time.Hour), Limit: 7})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					idle++
					continue
				}
				var ids []int64
				mu.Lock()
				for _, e := range got {
					seen[e.ID]++
					ids = append(ids, e.ID)
				}
				mu.Unlock()
				if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Delivery: crm.WebhookDelivery{AppID: app.ID, At: now, EventIDs: ids, Status: 200}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if q, _ := ws.WebhookQueue(ctx); q.Pending != 0 {
		// A claimer may give up while another still holds a lease; what
		// is left is claimable.
		rest := claim(now.Add(3*time.Hour), 1000)
		for _, e := range rest {
			seen[e.ID]++
		}
	}
	if len(seen) != 200 {
		t.Fatalf("%d events claimed, want 200", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %d claimed %d times", id, n)
		}
	}

	// Deleting the app deletes its settings, subscriptions and events.
	if err := ws.DeleteApp(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.WebhookSettings(ctx, app.ID); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("settings after delete: %v", err)
	}
	if subs, _ := ws.Subscriptions(ctx, 0); len(subs) != 0 {
		t.Fatalf("subscriptions after delete: %v", subs)
	}
}
