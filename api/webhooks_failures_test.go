package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Receivers that fail in the ways real ones do: each failure is an
// attempt logged with its cause and retried, and the retry that succeeds
// carries the next attemptNumber, signed again.
func TestWebhookReceiverFailuresAreRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fail  func(w http.ResponseWriter, r *http.Request)
		check func(entry map[string]any) bool
	}{
		{"answers 400", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad", http.StatusBadRequest) },
			func(e map[string]any) bool { return e["status"] == float64(400) && e["response"] == "bad\n" }},
		{"answers 503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
			func(e map[string]any) bool { return e["status"] == float64(503) }},
		{"closes the connection", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, func(e map[string]any) bool {
			return e["status"] == float64(0) && strings.Contains(e["error"].(string), "EOF")
		}},
		{"answers bytes that are not HTTP", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err == nil {
				buf.WriteString("\xff\xfe\x00 caf\xe9\r\n\r\n")
				buf.Flush()
				conn.Close()
			}
		}, func(e map[string]any) bool {
			return e["status"] == float64(0) && strings.Contains(e["error"].(string), "malformed") && utf8.ValidString(e["error"].(string))
		}},
		{"answers after the deadline", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done() // the sender gave up
			w.WriteHeader(http.StatusOK)
		}, func(e map[string]any) bool {
			return e["status"] == float64(0) && strings.Contains(e["error"].(string), "deadline exceeded")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
			s.Deliveries.Timeout = 50 * time.Millisecond
			a := newApp(t, s, c.name)
			var failing atomic.Bool
			failing.Store(true)
			var mu sync.Mutex
			var got []delivery
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, delivery{header: r.Header.Clone(), body: body})
				mu.Unlock()
				if failing.Load() {
					c.fail(w, r)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			t.Cleanup(srv.Close)
			setTarget(t, s, a, srv.URL+"/hook")
			subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
			create(t, s, "contacts", `{"properties":{"email":"f@example.com"}}`)
			if res := flush(t, s); res["failed"] != float64(1) || res["pending"] != float64(1) {
				t.Fatalf("failing flush: %v", res)
			}
			failing.Store(false)
			if res := flush(t, s); res["delivered"] != float64(1) || res["pending"] != float64(0) {
				t.Fatalf("flush after recovery: %v", res)
			}
			log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
			if len(log) != 2 {
				t.Fatalf("log %v", log)
			}
			failed, ok := log[1].(map[string]any), log[0].(map[string]any)
			if !c.check(failed) || failed["nextRetryAt"] == nil || failed["attemptNumber"] != float64(0) {
				t.Errorf("failed attempt logged as %v", failed)
			}
			if ok["status"] != float64(200) || ok["attemptNumber"] != float64(1) {
				t.Errorf("retry logged as %v", ok)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 2 {
				t.Fatalf("%d requests", len(got))
			}
			for i, d := range got {
				verify(t, d, a.secret, srv.URL+"/hook")
				if !strings.Contains(string(d.body), `"attemptNumber":`+string(rune('0'+i))) {
					t.Errorf("request %d: %s", i, d.body)
				}
			}
		})
	}
}

// Whatever bytes a receiver answers with (not UTF-8, NUL, a character cut
// by the excerpt's 512-byte limit), the outcome is recorded: the events
// are done, and the log keeps the answer's excerpt as valid text.
func TestWebhookAnswerBodyOfAnyBytesIsRecorded(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"latin-1":    "caf\xe9",
		"nul":        "a\x00b",
		"cut at 512": strings.Repeat("a", 511) + "é and more",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
			a := newApp(t, s, name)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			setTarget(t, s, a, srv.URL+"/hook")
			subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
			create(t, s, "contacts", `{"properties":{"email":"bytes@example.com"}}`)
			if res := flush(t, s); res["delivered"] != float64(1) || res["pending"] != float64(0) {
				t.Fatalf("flush: %v", res)
			}
			log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
			if len(log) != 1 {
				t.Fatalf("log: %v", log)
			}
			resp := log[0].(map[string]any)["response"].(string)
			if !utf8.ValidString(resp) || strings.ContainsRune(resp, 0) || resp == "" {
				t.Errorf("response excerpt %q", resp)
			}
		})
	}
}

// Batches carry at most 100 events, and each record's events reach the
// receiver in the order they happened, across batches, failures and
// retries (the delivered ones are counted in the order they were
// answered 2xx).
func TestWebhookBatchesAndOrderPerRecordAcrossFailures(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "order")
	var mu sync.Mutex
	var accepted [][]map[string]any
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var events []map[string]any
		if err := json.NewDecoder(r.Body).Decode(&events); err != nil {
			t.Errorf("body: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		requests++
		if len(events) > 100 {
			t.Errorf("request of %d events", len(events))
		}
		if requests%3 == 1 { // every third request fails
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		accepted = append(accepted, events)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	setTarget(t, s, a, srv.URL+"/hook")
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	id := create(t, s, "contacts", `{"properties":{"email":"busy@example.com"}}`)["id"].(string)
	for i := range 120 {
		mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+id, fmt.Sprintf(`{"properties":{"firstname":"v%d"}}`, i)), 200)
		if i%40 == 0 {
			createContacts(t, s, fmt.Sprint("order", i), 1)
		}
	}
	for i := 0; flush(t, s)["pending"] != float64(0); i++ {
		if i == 20 {
			t.Fatal("events still pending after 20 flushes")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	last := map[float64]float64{}
	values := []string{}
	n := 0
	for _, batch := range accepted {
		for _, e := range batch {
			n++
			obj, ev := e["objectId"].(float64), e["eventId"].(float64)
			if ev <= last[obj] {
				t.Errorf("record %v: event %v after %v", obj, ev, last[obj])
			}
			last[obj] = ev
			if fmt.Sprintf("%.0f", obj) == id && e["subscriptionType"] == "contact.propertyChange" {
				values = append(values, e["propertyValue"].(string))
			}
		}
	}
	if n != 1+120+300 { // creations and the busy record's changes
		t.Errorf("%d events delivered, want %d", n, 1+120+300)
	}
	if len(values) != 120 || values[0] != "v0" || values[119] != "v119" {
		t.Errorf("firstname changes in order: %d, %v ... %v", len(values), values[:min(2, len(values))], values[max(0, len(values)-2):])
	}
}

// A flush delivers every event this node can claim even while the node's
// own worker is claiming the same app at that moment (on PostgreSQL a
// claim skips an app another transaction is claiming): after each write
// and flush, nothing is pending and the receiver has every event.
func TestWebhookFlushWhileTheWorkerClaims(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "flush race")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, s, a, map[string]any{"eventType": "contact.deletion"})
	for i := range 40 {
		id := create(t, s, "contacts", fmt.Sprintf(`{"properties":{"email":"race%d@example.com"}}`, i))["id"].(string)
		mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+id, nil), 204)
		if res := flush(t, s); res["pending"] != float64(0) {
			t.Fatalf("round %d: flush %v", i, res)
		}
		n := 0
		for _, d := range recv.deliveries() {
			n += len(d.events)
		}
		if n != 2*(i+1) {
			t.Fatalf("round %d: %d events received, want %d", i, n, 2*(i+1))
		}
	}
}
