package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// hookReceiver answers 204 to every delivery and keeps, per event, the time
// from its occurredAt to its receipt.
type hookReceiver struct {
	srv    *httptest.Server
	events atomic.Int64
	mu     sync.Mutex
	delays []time.Duration
}

func newHookReceiver(b *testing.B) *hookReceiver {
	r := &hookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		at := time.Now()
		body, _ := io.ReadAll(req.Body)
		var events []struct {
			OccurredAt int64 `json:"occurredAt"`
		}
		json.Unmarshal(body, &events)
		r.events.Add(int64(len(events)))
		r.mu.Lock()
		for _, e := range events {
			r.delays = append(r.delays, at.Sub(time.UnixMilli(e.OccurredAt)))
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(r.srv.Close)
	return r
}

// subscribeAll makes an app that receives at r every event of
// communications (object.*) and contacts, property changes of one property
// each.
func subscribeAll(b *testing.B, s *spoketest.Server, r *hookReceiver) {
	key := crm.NewAppSecret()
	app := &crm.App{Name: "bench", ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(key), CreatedAt: time.Now()}
	if err := s.Store.(crm.WebhookStorer).Webhooks().CreateApp(context.Background(), app); err != nil {
		b.Fatal(err)
	}
	path := fmt.Sprintf("/webhooks/v3/%d", app.ID)
	q := "?hapikey=" + key
	if r := s.Do("PUT", path+"/settings"+q, map[string]any{"targetUrl": r.srv.URL, "throttling": map[string]any{"maxConcurrentRequests": 10}}); r.Status != 200 {
		b.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	subs := []map[string]any{}
	for _, k := range []string{"creation", "deletion", "associationChange", "restore", "merge"} {
		subs = append(subs, map[string]any{"eventType": "object." + k, "objectTypeId": "0-18"}, map[string]any{"eventType": "contact." + k})
	}
	subs = append(subs, map[string]any{"eventType": "contact.privacyDeletion"},
		map[string]any{"eventType": "object.propertyChange", "objectTypeId": "0-18", "propertyName": "hs_communication_channel_type"},
		map[string]any{"eventType": "contact.propertyChange", "propertyName": "email"})
	for _, sub := range subs {
		sub["active"] = true
		if r := s.Do("POST", path+"/subscriptions"+q, sub); r.Status != 201 {
			b.Fatalf("subscribe %v: %d %s", sub, r.Status, r.Body)
		}
	}
}

// messageBatch is a batch/create of 100 WhatsApp messages associated with
// contact, as BenchmarkBatchCreate posts.
func messageBatch(contact string) []byte {
	var batch strings.Builder
	batch.WriteString(`{"inputs":[`)
	for i := range 100 {
		if i > 0 {
			batch.WriteString(",")
		}
		fmt.Fprintf(&batch, `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_communication_logged_from":"CRM",`+
			`"hs_communication_body":"History import message %d: order shipped, courier tomorrow.","hs_timestamp":"2026-03-14T09:26:%02d.589Z"},`+
			`"associations":[{"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, i, i%60, contact)
	}
	batch.WriteString(`]}`)
	return []byte(batch.String())
}

// BenchmarkWebhooks measures what webhooks cost and deliver:
//
//   - batch-create/unsubscribed and batch-create/subscribed: batch/create of
//     100 messages each associated with a contact, from batchClients
//     clients, without and with subscriptions to every event of
//     communications and contacts (four events a message: its creation,
//     its channel's property change, and the association seen from each
//     side), while the delivery worker sends them to a local receiver
//     (subscribed) or with no worker running (subscribed-outbox-only: the
//     cost of emitting alone); the ratios of the rates are logged (goal:
//     at least 0.8);
//   - delivery: the events/s a flush delivers from an outbox of b.N
//     batches' events;
//   - latency: single creates of contacts, one at a time, and the time from
//     each commit (the event's occurredAt) to its receipt, p50 and p99.
func BenchmarkWebhooks(b *testing.B) {
	var plain, subscribed float64
	b.Run("batch-create/unsubscribed", func(b *testing.B) {
		s := spoketest.Open(b)
		plain = webhookBatchCreate(b, s)
	})
	b.Run("batch-create/subscribed", func(b *testing.B) {
		s := spoketest.Open(b)
		r := newHookReceiver(b)
		subscribeAll(b, s, r)
		subscribed = webhookBatchCreate(b, s)
		b.ReportMetric(float64(r.events.Load())/b.Elapsed().Seconds(), "events-received/s")
	})
	var emitOnly float64
	b.Run("batch-create/subscribed-outbox-only", func(b *testing.B) {
		s := spoketest.Open(b, spoketest.WithoutWebhookDelivery())
		r := newHookReceiver(b)
		subscribeAll(b, s, r)
		emitOnly = webhookBatchCreate(b, s)
	})
	if plain > 0 && subscribed > 0 && emitOnly > 0 {
		b.Logf("objects/s, subscribed/unsubscribed: %.3f with delivery beside the writes, %.3f writing the outbox only (goal >= 0.80)", subscribed/plain, emitOnly/plain)
	}
	b.Run("delivery", func(b *testing.B) {
		// No worker runs: b.N batches' events wait in the outbox, and the
		// timed flush delivers them all.
		s := spoketest.Open(b, spoketest.WithoutWebhookDelivery())
		r := newHookReceiver(b)
		subscribeAll(b, s, r)
		contact := s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"bulk@example.com"}}`).JSON()["id"].(string)
		body := string(messageBatch(contact))
		b.StopTimer()
		for range b.N {
			if r := s.Do("POST", "/crm/v3/objects/communications/batch/create", body); r.Status != 201 {
				b.Fatalf("batch/create: %d", r.Status)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := s.Deliveries.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(r.events.Load())/time.Since(t0).Seconds(), "events/s")
	})
	b.Run("latency", func(b *testing.B) {
		s := spoketest.Open(b)
		r := newHookReceiver(b)
		subscribeAll(b, s, r)
		b.ResetTimer()
		for i := range b.N {
			if got := s.Do("POST", "/crm/v3/objects/contacts", fmt.Sprintf(`{"properties":{"email":"lat%d@example.com"}}`, i)); got.Status != 201 {
				b.Fatalf("create: %d", got.Status)
			}
		}
		b.StopTimer()
		s.Deliveries.Flush(context.Background())
		r.mu.Lock()
		d := slices.Clone(r.delays)
		r.mu.Unlock()
		slices.Sort(d)
		if len(d) > 0 {
			b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
		}
	})
}

func webhookBatchCreate(b *testing.B, s *spoketest.Server) float64 {
	contact := s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"bulk@example.com"}}`).JSON()["id"].(string)
	body := messageBatch(contact)
	url := s.URL + "/crm/v3/objects/communications/batch/create"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: batchClients}, Timeout: time.Minute}
	runClients(b, func() error {
		status, data, err := post(client, url, body)
		if err == nil && status != 201 {
			err = fmt.Errorf("batch/create: %d %.200s", status, data)
		}
		return err
	})
	return float64(b.N*100) / b.Elapsed().Seconds()
}
