package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/webhooks"
)

// minConcurrent is the lowest maxConcurrentRequests HubSpot accepts.
const minConcurrent = 6

// holdingReceiver is a webhook target that holds its first hold requests
// until release is closed (or their sender gives up) and answers the others
// at once. It counts the requests in flight, as their senders see them,
// and the highest count.
type holdingReceiver struct {
	srv     *httptest.Server
	hold    int
	held    chan struct{} // one per request held
	release chan struct{}
	once    sync.Once

	mu          sync.Mutex
	requests    int
	inflight    int
	maxInflight int
	seen        map[float64]int // answered event ids
}

func newHoldingReceiver(t *testing.T, hold int) *holdingReceiver {
	r := &holdingReceiver{hold: hold, held: make(chan struct{}, hold), release: make(chan struct{}), seen: map[float64]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var events []map[string]any
		if err := json.Unmarshal(body, &events); err != nil {
			t.Errorf("body is not a JSON array: %s", body)
		}
		r.mu.Lock()
		r.requests++
		n := r.requests
		r.inflight++
		r.maxInflight = max(r.maxInflight, r.inflight)
		r.mu.Unlock()
		answered := true
		if n <= r.hold {
			r.held <- struct{}{}
			select {
			case <-r.release:
			case <-req.Context().Done(): // the sender gave up: no longer in flight
				answered = false
			}
		}
		r.mu.Lock()
		r.inflight--
		if answered {
			for _, e := range events {
				r.seen[e["eventId"].(float64)]++
			}
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *holdingReceiver) url() string { return r.srv.URL + "/hook" }

// releaseHeld lets the held requests be answered.
func (r *holdingReceiver) releaseHeld() { r.once.Do(func() { close(r.release) }) }

// waitHeld waits until n requests are held.
func (r *holdingReceiver) waitHeld(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		select {
		case <-r.held:
		case <-time.After(time.Minute):
			t.Fatalf("%d requests held, want %d", i, n)
		}
	}
}

func (r *holdingReceiver) stats() (requests, maxInflight, distinct int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.maxInflight, len(r.seen)
}

// setThrottledTarget points the app's webhooks at url with HubSpot's
// lowest maxConcurrentRequests.
func setThrottledTarget(t *testing.T, s *spoketest.Server, a testApp, url string) {
	t.Helper()
	mustStatus(t, s.Do("PUT", a.path("/settings"), map[string]any{"targetUrl": url, "throttling": map[string]any{"maxConcurrentRequests": minConcurrent}}), 200)
}

// createContacts creates batches of 100 contacts, each a creation event.
func createContacts(t *testing.T, s *spoketest.Server, prefix string, batches int) {
	t.Helper()
	for b := range batches {
		var inputs []string
		for i := range 100 {
			inputs = append(inputs, fmt.Sprintf(`{"properties":{"email":"%s-%d-%d@example.com"}}`, prefix, b, i))
		}
		mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[`+join(inputs)+`]}`), 201)
	}
}

// Two nodes share an app's maxConcurrentRequests, as HubSpot keeps that
// many requests in flight per account: while one node has that many
// requests in flight, the other sends none, and however the nodes share
// the rest, the receiver never sees more than the limit at once.
func TestWebhookMaxConcurrentRequestsAcrossNodes(t *testing.T) {
	if !spoketest.Postgres() {
		t.Skip("two nodes share a database on PostgreSQL only")
	}
	t.Parallel()
	recv := newHoldingReceiver(t, minConcurrent)
	path := t.TempDir() + "/shared"
	n1 := spoketest.OpenPath(t, path)
	n2 := spoketest.OpenPath(t, path, spoketest.WithoutWebhookDelivery())
	t.Cleanup(recv.releaseHeld) // before the servers stop: they wait for their deliveries
	a := newApp(t, n1, "limit")
	setThrottledTarget(t, n1, a, recv.url())
	subscribe(t, n1, a, map[string]any{"eventType": "contact.creation"})

	// Node 1 delivers as the events are written, until its requests
	// take every slot; the rest stay pending.
	createContacts(t, n1, "c", 8)
	recv.waitHeld(t, minConcurrent)
	// Node 2's flush finds no slot free while node 1's requests are held.
	flush(t, n2)
	if requests, most, _ := recv.stats(); most > minConcurrent {
		t.Fatalf("%d requests in flight at once (of %d), want at most %d", most, requests, minConcurrent)
	}
	recv.releaseHeld()
	// Both nodes deliver the rest at once.
	var wg sync.WaitGroup
	for _, n := range []*spoketest.Server{n1, n2, n1, n2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Do("POST", "/_spoke/webhooks/flush", nil)
		}()
	}
	wg.Wait()
	if res := flush(t, n2); res["pending"] != float64(0) {
		t.Fatalf("after the flushes: %v", res)
	}
	requests, most, distinct := recv.stats()
	if most > minConcurrent {
		t.Fatalf("%d requests in flight at once, want at most %d", most, minConcurrent)
	}
	if distinct != 800 || requests < 8 {
		t.Fatalf("%d events delivered in %d requests, want 800 in at least 8", distinct, requests)
	}
}

// A node that dies with requests in flight leaves their slots leased: the
// app gets no more requests until the leases lapse, and then gets them
// all. The dead node is its claims, left in the store unfinished.
func TestWebhookSlotsOfADeadNodeComeBack(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	t0 := time.Date(2025, 2, 18, 5, 51, 18, 0, time.UTC)
	s.Clock.Set(t0)
	recv := newHoldingReceiver(t, 0)
	a := newApp(t, s, "dead")
	setThrottledTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	createContacts(t, s, "d", 8)
	ws := s.Store.(crm.WebhookStorer).Webhooks()
	for i := range minConcurrent {
		got, err := ws.ClaimWebhookEvents(context.Background(), crm.WebhookClaim{AppID: a.id, Now: t0, LeaseUntil: t0.Add(webhooks.Lease), Limit: 10,
			Owner: "dead", Slots: minConcurrent, Token: fmt.Sprintf("dead-%d", i)})
		if err != nil || len(got) != 10 {
			t.Fatalf("dead node's claim %d: %d events, %v", i, len(got), err)
		}
	}
	// Within the dead node's leases: no slot is free.
	s.Clock.Set(t0.Add(webhooks.Lease - time.Second))
	if res := flush(t, s); res["requests"] != float64(0) || res["pending"] != float64(800) {
		t.Fatalf("flush while the dead node's slots are leased: %v", res)
	}
	// Once they lapse, its slots and its events come back.
	s.Clock.Set(t0.Add(webhooks.Lease))
	if res := flush(t, s); res["delivered"] != float64(800) || res["pending"] != float64(0) {
		t.Fatalf("flush after the leases lapsed: %v", res)
	}
	if requests, most, distinct := recv.stats(); distinct != 800 || most > minConcurrent {
		t.Fatalf("%d events in %d requests, %d at once", distinct, requests, most)
	}
}

// The delivery log keeps the attempts of --webhook-log-retention and at most
// --webhook-log-max-per-app of each app; /_spoke/webhooks/deliveries shows
// the ones kept.
func TestWebhookDeliveryLogRetention(t *testing.T) {
	t.Parallel()
	logIDs := func(t *testing.T, s *spoketest.Server) []any {
		t.Helper()
		var ids []any
		for _, d := range mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any) {
			ids = append(ids, d.(map[string]any)["eventIds"].([]any)...)
		}
		return ids
	}
	// deliverOne creates a contact at `at` and delivers its event, and
	// returns the event's id.
	deliverOne := func(t *testing.T, s *spoketest.Server, recv *receiver, at time.Time, email string) any {
		t.Helper()
		s.Clock.Set(at)
		create(t, s, "contacts", map[string]any{"properties": map[string]string{"email": email}})
		if res := flush(t, s); res["delivered"] != float64(1) {
			t.Fatalf("flush: %v", res)
		}
		ds := recv.deliveries()
		return ds[len(ds)-1].events[0]["eventId"]
	}
	t0 := time.Date(2025, 2, 18, 5, 51, 18, 0, time.UTC)

	t.Run("age", func(t *testing.T) {
		t.Parallel()
		s := spoketest.Open(t, spoketest.WithoutWebhookDelivery(), spoketest.WebhookLog(time.Hour, 0))
		recv := newReceiver(t)
		a := newApp(t, s, "age")
		setTarget(t, s, a, recv.url())
		subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
		first := deliverOne(t, s, recv, t0, "a@example.com")
		second := deliverOne(t, s, recv, t0.Add(40*time.Minute), "b@example.com")
		if got := fmt.Sprint(logIDs(t, s)); got != fmt.Sprint([]any{second, first}) {
			t.Fatalf("log within the hour: %s", got)
		}
		// An hour after the first attempt, the next flush prunes it.
		s.Clock.Set(t0.Add(time.Hour + time.Millisecond))
		flush(t, s)
		if got := fmt.Sprint(logIDs(t, s)); got != fmt.Sprint([]any{second}) {
			t.Fatalf("log after an hour: %s, want %v", got, second)
		}
		s.Clock.Set(t0.Add(2 * time.Hour))
		flush(t, s)
		if got := logIDs(t, s); len(got) != 0 {
			t.Fatalf("log after two hours: %v", got)
		}
	})

	t.Run("cap", func(t *testing.T) {
		t.Parallel()
		s := spoketest.Open(t, spoketest.WithoutWebhookDelivery(), spoketest.WebhookLog(0, 2))
		recv := newReceiver(t)
		a := newApp(t, s, "cap")
		setTarget(t, s, a, recv.url())
		subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
		var ids []any
		for i := range 4 {
			ids = append(ids, deliverOne(t, s, recv, t0.Add(time.Duration(i)*24*time.Hour), fmt.Sprintf("c%d@example.com", i)))
		}
		if got := fmt.Sprint(logIDs(t, s)); got != fmt.Sprint([]any{ids[3], ids[2]}) {
			t.Fatalf("log with a cap of 2: %s, want the last two of %v", got, ids)
		}
	})
}
