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

// newWebhookApp makes an app with settings and a subscription.
func newWebhookApp(t *testing.T, ws crm.WebhookStore, name string) *crm.Subscription {
	t.Helper()
	app := &crm.App{Name: name, ClientSecret: "secret", KeyHash: "hash-" + name, CreatedAt: t0}
	if err := ws.CreateApp(ctx, app); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutWebhookSettings(ctx, &crm.WebhookSettings{AppID: app.ID, TargetURL: "https://x", MaxConcurrentRequests: 6, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	sub := &crm.Subscription{AppID: app.ID, EventType: "contact.creation", Active: true, CreatedAt: t0, UpdatedAt: t0}
	if err := ws.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	return sub
}

// testWebhookSlots: a claim that asks for a request slot gets events only
// while fewer than Slots of the app's claims hold one; finishing frees the
// slot, a lapsed lease frees it too, and a late finish does not free the
// slot another claim took since. Other apps have slots of their own.
func testWebhookSlots(t *testing.T, s crm.Store) {
	ws := s.(crm.WebhookStorer).Webhooks()
	sub := newWebhookApp(t, ws, "slots")
	other := newWebhookApp(t, ws, "other")
	var objects []int64
	for i := range 10 {
		objects = append(objects, int64(i+1))
	}
	appendEvents(t, s, sub, objects...)
	appendEvents(t, s, other, 1)
	now := t0.Add(time.Hour)
	claim := func(appID int64, at time.Time, token string) []*crm.WebhookEvent {
		t.Helper()
		got, err := ws.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: appID, Now: at, LeaseUntil: at.Add(30 * time.Second), Limit: 1, Slots: 2, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	finish := func(appID int64, events []*crm.WebhookEvent, token string) {
		t.Helper()
		if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Token: token, Delivery: crm.WebhookDelivery{AppID: appID, At: now, EventIDs: []int64{events[0].ID}, Status: 204}}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := claim(sub.AppID, now, "a"), claim(sub.AppID, now, "b")
	if len(a) != 1 || len(b) != 1 {
		t.Fatalf("two slots: %s, %s", claimed(a), claimed(b))
	}
	if got := claim(sub.AppID, now, "c"); len(got) != 0 {
		t.Fatalf("a third claim with two slots leased: %s", claimed(got))
	}
	if got := claim(other.AppID, now, "o"); len(got) != 1 {
		t.Fatalf("another app's claim: %s", claimed(got))
	}
	finish(sub.AppID, a, "a")
	c := claim(sub.AppID, now, "c")
	if len(c) != 1 {
		t.Fatalf("claim after a slot was released: %s", claimed(c))
	}
	if got := claim(sub.AppID, now, "d"); len(got) != 0 {
		t.Fatalf("claim with both slots leased again: %s", claimed(got))
	}
	// b's and c's node dies: their leases lapse and the slots are free.
	later := now.Add(time.Minute)
	d, e := claim(sub.AppID, later, "d"), claim(sub.AppID, later, "e")
	if len(d) != 1 || len(e) != 1 {
		t.Fatalf("claims after the leases lapsed: %s, %s", claimed(d), claimed(e))
	}
	// b's late outcome frees nothing: both slots are d's and e's.
	finish(sub.AppID, b, "b")
	if got := claim(sub.AppID, later, "f"); len(got) != 0 {
		t.Fatalf("a late outcome freed a slot: %s", claimed(got))
	}
	finish(sub.AppID, d, "d")
	if got := claim(sub.AppID, later, "f"); len(got) != 1 {
		t.Fatalf("claim after d's outcome: %s", claimed(got))
	}
	// A lower limit counts the slots above it while they are leased.
	got, err := ws.ClaimWebhookEvents(ctx, crm.WebhookClaim{AppID: sub.AppID, Now: later, LeaseUntil: later.Add(30 * time.Second), Limit: 1, Slots: 1, Token: "g"})
	if err != nil || len(got) != 0 {
		t.Fatalf("claim with one slot and two leased: %s %v", claimed(got), err)
	}
	// Deleting the app deletes its slots.
	if err := ws.DeleteApp(ctx, sub.AppID); err != nil {
		t.Fatal(err)
	}
}

// testWebhookPrune: the delivery log loses the attempts older than the
// cutoff and those beyond each app's cap, oldest first, at most Limit per
// call; concurrent prunes delete each entry once.
func testWebhookPrune(t *testing.T, s crm.Store) {
	ws := s.(crm.WebhookStorer).Webhooks()
	one := newWebhookApp(t, ws, "one")
	two := newWebhookApp(t, ws, "two")
	log := func(appID int64, at time.Time) {
		t.Helper()
		if err := ws.FinishWebhookEvents(ctx, crm.WebhookOutcome{Delivered: true, Delivery: crm.WebhookDelivery{AppID: appID, At: at, URL: "https://x", EventIDs: []int64{1}, Status: 204}}); err != nil {
			t.Fatal(err)
		}
	}
	// App one: 30 attempts a minute apart from t0; app two: 5 from t0+1h.
	for i := range 30 {
		log(one.AppID, t0.Add(time.Duration(i)*time.Minute))
	}
	for i := range 5 {
		log(two.AppID, t0.Add(time.Hour+time.Duration(i)*time.Minute))
	}
	count := func(appID int64) (int, time.Time) {
		t.Helper()
		ds, err := ws.WebhookDeliveries(ctx, appID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 {
			return 0, time.Time{}
		}
		return len(ds), ds[len(ds)-1].At
	}
	prune := func(p crm.WebhookPrune) int {
		t.Helper()
		n, err := ws.PruneWebhookDeliveries(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Older than t0+10m: ten of app one's, four per call.
	cut := crm.WebhookPrune{Before: t0.Add(10 * time.Minute), Limit: 4}
	if n := prune(cut); n != 4 {
		t.Fatalf("first prune deleted %d, want 4", n)
	}
	if n, oldest := count(one.AppID); n != 26 || !oldest.Equal(t0.Add(4*time.Minute)) {
		t.Fatalf("after one prune: %d entries, oldest %s", n, oldest)
	}
	if n := prune(cut) + prune(cut) + prune(cut); n != 6 {
		t.Fatalf("later prunes deleted %d, want 6", n)
	}
	if n, oldest := count(one.AppID); n != 20 || !oldest.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("after the prunes: %d entries, oldest %s", n, oldest)
	}
	if n, _ := count(two.AppID); n != 5 {
		t.Fatalf("app two: %d entries", n)
	}
	// A cap of 3 per app keeps each app's newest 3; concurrent prunes
	// divide the work.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := ws.PruneWebhookDeliveries(ctx, crm.WebhookPrune{MaxPerApp: 3, Limit: 2})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total += n
				mu.Unlock()
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if total != 17+2 {
		t.Fatalf("capped prunes deleted %d, want 19", total)
	}
	if n, oldest := count(one.AppID); n != 3 || !oldest.Equal(t0.Add(27*time.Minute)) {
		t.Fatalf("app one after the cap: %d entries, oldest %s", n, oldest)
	}
	if n, oldest := count(two.AppID); n != 3 || !oldest.Equal(t0.Add(time.Hour+2*time.Minute)) {
		t.Fatalf("app two after the cap: %d entries, oldest %s", n, oldest)
	}
	if n := prune(crm.WebhookPrune{Limit: 100}); n != 0 {
		t.Fatalf("a prune with no rule deleted %d", n)
	}
}
