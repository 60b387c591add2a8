package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// testApp is an app made for a test, with its secrets.
type testApp struct {
	id     int64
	secret string
	key    string
}

func newApp(t *testing.T, s *spoketest.Server, name string) testApp {
	t.Helper()
	key := crm.NewAppSecret()
	app := &crm.App{Name: name, ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(key), CreatedAt: time.Now()}
	if err := s.Store.(crm.WebhookStorer).Webhooks().CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	return testApp{id: app.ID, secret: app.ClientSecret, key: key}
}

// path is a webhooks API path of the app, with its key.
func (a testApp) path(rest string) string {
	return fmt.Sprintf("/webhooks/v3/%d%s?hapikey=%s", a.id, rest, a.key)
}

// delivery is one POST a receiver got.
type delivery struct {
	header http.Header
	body   []byte
	events []map[string]any
}

// receiver is a webhook target: it checks nothing itself and records every
// request; fail makes the next n answers 500.
type receiver struct {
	t    *testing.T
	srv  *httptest.Server
	mu   sync.Mutex
	got  []delivery
	fail atomic.Int32
	// ok receives the number of events of each answered-200 request.
	ok chan int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, ok: make(chan int, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var events []map[string]any
		if err := json.Unmarshal(body, &events); err != nil {
			t.Errorf("body is not a JSON array: %s", body)
		}
		r.mu.Lock()
		r.got = append(r.got, delivery{header: req.Header.Clone(), body: body, events: events})
		r.mu.Unlock()
		if r.fail.Add(-1) >= 0 {
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		r.ok <- len(events)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/hook" }

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// verify checks a delivery's v1 and v3 signatures as HubSpot's guide
// describes them.
func verify(t *testing.T, d delivery, secret, uri string) {
	t.Helper()
	sum := sha256.Sum256([]byte(secret + string(d.body)))
	if got := d.header.Get("X-HubSpot-Signature"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-HubSpot-Signature %q, want %q", got, hex.EncodeToString(sum[:]))
	}
	if v := d.header.Get("X-HubSpot-Signature-Version"); v != "v1" {
		t.Errorf("X-HubSpot-Signature-Version %q", v)
	}
	ts := d.header.Get("X-HubSpot-Request-Timestamp")
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.UnixMilli(ms)) > 5*time.Minute {
		t.Errorf("X-HubSpot-Request-Timestamp %q", ts)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("POST" + uri + string(d.body) + ts))
	if got, want := d.header.Get("X-HubSpot-Signature-v3"), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("X-HubSpot-Signature-v3 %q, want %q", got, want)
	}
	if ct := d.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
}

func setTarget(t *testing.T, s *spoketest.Server, a testApp, url string) {
	t.Helper()
	mustStatus(t, s.Do("PUT", a.path("/settings"), map[string]any{"targetUrl": url, "throttling": map[string]any{"maxConcurrentRequests": 10}}), 200)
}

func subscribe(t *testing.T, s *spoketest.Server, a testApp, body map[string]any) string {
	t.Helper()
	body["active"] = true
	return mustStatus(t, s.Do("POST", a.path("/subscriptions"), body), 201)["id"].(string)
}

func flush(t *testing.T, s *spoketest.Server) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", "/_spoke/webhooks/flush", nil), 200)
}

func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a, other := newApp(t, s, "one"), newApp(t, s, "two")

	// Authentication: the developer API key of the app in the path.
	r := s.DoToken("", "GET", fmt.Sprintf("/webhooks/v3/%d/settings", a.id), nil)
	if r.Status != 401 || r.JSON()["category"] != "INVALID_AUTHENTICATION" {
		t.Fatalf("no key: %d %s", r.Status, r.Body)
	}
	if r := s.DoToken("", "GET", fmt.Sprintf("/webhooks/v3/%d/settings?hapikey=nope", a.id), nil); r.Status != 401 {
		t.Fatalf("bad key: %d %s", r.Status, r.Body)
	}
	if r := s.DoToken("", "GET", fmt.Sprintf("/webhooks/v3/%d/settings?hapikey=%s", other.id, a.key), nil); r.Status != 403 {
		t.Fatalf("another app's key: %d %s", r.Status, r.Body)
	}

	// Settings.
	if r := s.Do("GET", a.path("/settings"), nil); r.Status != 404 {
		t.Fatalf("settings before any: %d %s", r.Status, r.Body)
	}
	for _, bad := range []map[string]any{
		{"targetUrl": "http://example.com/hook", "throttling": map[string]any{"maxConcurrentRequests": 10}},
		{"targetUrl": "https://example.com/hook", "throttling": map[string]any{"maxConcurrentRequests": 5}},
		{"targetUrl": "https://example.com/hook"},
		{"targetUrl": "not a url", "throttling": map[string]any{"maxConcurrentRequests": 10}},
	} {
		if r := s.Do("PUT", a.path("/settings"), bad); r.Status != 400 || r.JSON()["category"] != "VALIDATION_ERROR" {
			t.Errorf("PUT %v: %d %s", bad, r.Status, r.Body)
		}
	}
	got := mustStatus(t, s.Do("PUT", a.path("/settings"), map[string]any{"targetUrl": "https://example.com/hook",
		"throttling": map[string]any{"maxConcurrentRequests": 6, "period": "SECONDLY"}}), 200)
	if got["targetUrl"] != "https://example.com/hook" || got["throttling"].(map[string]any)["maxConcurrentRequests"] != 6.0 || got["createdAt"] == nil {
		t.Fatalf("PUT settings: %v", got)
	}
	setTarget(t, s, a, "http://127.0.0.1:9/hook") // loopback may use http
	if got := mustStatus(t, s.Do("GET", a.path("/settings"), nil), 200); got["targetUrl"] != "http://127.0.0.1:9/hook" {
		t.Fatalf("GET settings: %v", got)
	}

	// Subscriptions.
	created := mustStatus(t, s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "contact.propertyChange", "propertyName": "email"}), 201)
	id, ok := created["id"].(string)
	if !ok || created["active"] != false || created["eventType"] != "contact.propertyChange" || created["propertyName"] != "email" {
		t.Fatalf("created: %v", created)
	}
	for _, bad := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"eventType": "contact.propertyChange", "propertyName": "email"}, 409},
		{map[string]any{"eventType": "contact.exploded"}, 400},
		{map[string]any{}, 400},
		{map[string]any{"eventType": "contact.propertyChange"}, 400},
		{map[string]any{"eventType": "contact.creation", "propertyName": "email"}, 400},
		{map[string]any{"eventType": "contact.propertyChange", "propertyName": "hs_lastmodifieddate"}, 400},
		{map[string]any{"eventType": "object.creation"}, 400},
		{map[string]any{"eventType": "object.propertyChange", "objectTypeId": "0-18", "propertyName": "hs_communication_body"}, 400},
		{map[string]any{"eventType": "object.creation", "objectTypeId": "0-999"}, 400},
		{map[string]any{"eventType": "product.associationChange"}, 400},
	} {
		if r := s.Do("POST", a.path("/subscriptions"), bad.body); r.Status != bad.status {
			t.Errorf("POST %v: %d, want %d: %s", bad.body, r.Status, bad.status, r.Body)
		}
	}
	generic := mustStatus(t, s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "object.creation", "objectTypeId": "communications"}), 201)
	if generic["objectTypeId"] != "0-18" {
		t.Fatalf("generic: %v", generic)
	}
	if got := mustStatus(t, s.Do("PATCH", a.path("/subscriptions/"+id), map[string]any{"active": true}), 200); got["active"] != true {
		t.Fatalf("PATCH: %v", got)
	}
	if got := mustStatus(t, s.Do("GET", a.path("/subscriptions/"+id), nil), 200); got["active"] != true {
		t.Fatalf("GET: %v", got)
	}
	list := mustStatus(t, s.Do("GET", a.path("/subscriptions"), nil), 200)["results"].([]any)
	if len(list) != 2 {
		t.Fatalf("list: %v", list)
	}
	if got := mustStatus(t, s.Do("GET", other.path("/subscriptions"), nil), 200)["results"].([]any); len(got) != 0 {
		t.Fatalf("other app's list: %v", got)
	}
	if r := s.Do("GET", other.path("/subscriptions/"+id), nil); r.Status != 404 {
		t.Fatalf("another app's subscription: %d %s", r.Status, r.Body)
	}

	// Batch update: 200, or 207 naming the ids not found.
	gid, _ := strconv.Atoi(generic["id"].(string))
	batch := mustStatus(t, s.Do("POST", a.path("/subscriptions/batch/update"), map[string]any{"inputs": []any{map[string]any{"id": gid, "active": true}}}), 200)
	if batch["status"] != "COMPLETE" || batch["results"].([]any)[0].(map[string]any)["active"] != true {
		t.Fatalf("batch: %v", batch)
	}
	multi := mustStatus(t, s.Do("POST", a.path("/subscriptions/batch/update"), map[string]any{"inputs": []any{
		map[string]any{"id": gid, "active": false}, map[string]any{"id": 987654, "active": true}}}), 207)
	if multi["numErrors"] != 1.0 || multi["errors"].([]any)[0].(map[string]any)["category"] != "SUBSCRIPTION_ID_NOT_FOUND" {
		t.Fatalf("207: %v", multi)
	}

	mustStatus(t, s.Do("DELETE", a.path("/subscriptions/"+id), nil), 204)
	if r := s.Do("GET", a.path("/subscriptions/"+id), nil); r.Status != 404 {
		t.Fatalf("deleted subscription: %d %s", r.Status, r.Body)
	}
	mustStatus(t, s.Do("DELETE", a.path("/settings"), nil), 204)
	if r := s.Do("GET", a.path("/settings"), nil); r.Status != 404 {
		t.Fatalf("deleted settings: %d", r.Status)
	}
}

// eventKey describes an event by what it is about, for comparing sets.
func eventKey(e map[string]any) string {
	k := fmt.Sprintf("%s %.0f", e["subscriptionType"], e["objectId"])
	if p, ok := e["propertyName"]; ok {
		k += fmt.Sprintf(" %s=%s", p, e["propertyValue"])
	}
	if at, ok := e["associationType"]; ok {
		k += fmt.Sprintf(" %s %.0f->%.0f removed=%v", at, e["fromObjectId"], e["toObjectId"], e["associationRemoved"])
	}
	return k
}

func TestWebhookDeliveryOfEveryWritePath(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "session")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subs := map[string]string{}
	for _, sub := range []map[string]any{
		{"eventType": "contact.creation"}, {"eventType": "contact.deletion"}, {"eventType": "contact.restore"},
		{"eventType": "contact.propertyChange", "propertyName": "firstname"},
		{"eventType": "contact.associationChange"},
		{"eventType": "company.creation"},
		{"eventType": "object.creation", "objectTypeId": "0-18"},
		{"eventType": "object.propertyChange", "objectTypeId": "0-18", "propertyName": "hs_communication_channel_type"},
	} {
		subs[sub["eventType"].(string)] = subscribe(t, s, a, sub)
	}
	// An inactive subscription fires nothing.
	mustStatus(t, s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "deal.creation"}), 201)

	ana := create(t, s, "contacts", `{"properties":{"email":"ana@example.com","firstname":"Ana"}}`)["id"].(string)
	batch := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"bo@example.com"}},{"properties":{"email":"cy@example.com","firstname":"Cy"}}]}`), 201)
	var bo string
	for _, r := range batch["results"].([]any) {
		if m := r.(map[string]any); m["properties"].(map[string]any)["email"] == "bo@example.com" {
			bo = m["id"].(string)
		}
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+ana, `{"properties":{"firstname":"Anna"}}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+ana, `{"properties":{"firstname":"Anna"}}`), 200) // no change, no event
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"idProperty":"email","id":"bo@example.com","properties":{"firstname":"Bo"}}]}`), 200)
	acme := create(t, s, "companies", `{"properties":{"name":"Acme"}}`)["id"].(string)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+ana+"/associations/default/companies/"+acme, nil), 200)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+ana+"/associations/default/companies/"+acme, nil), 200) // already there: no event
	msg := create(t, s, "communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"}}`)["id"].(string)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+bo, nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/"+bo+"/restore", nil), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/contacts/"+ana+"/associations/companies/"+acme, nil), 204)

	res := flush(t, s)
	if res["pending"] != 0.0 || res["failed"] != 0.0 {
		t.Fatalf("flush: %v", res)
	}
	var got []string
	ids := map[float64]bool{}
	sources := map[string]bool{}
	for _, d := range recv.deliveries() {
		verify(t, d, a.secret, recv.url())
		if len(d.events) > 100 {
			t.Errorf("%d events in one request", len(d.events))
		}
		for _, e := range d.events {
			if ids[e["eventId"].(float64)] {
				t.Errorf("eventId %v twice", e["eventId"])
			}
			ids[e["eventId"].(float64)] = true
			if e["portalId"] != float64(spoketest.PortalID) || e["appId"] != float64(a.id) || e["attemptNumber"] != 0.0 || e["occurredAt"].(float64) < 1e12 {
				t.Errorf("event fields: %v", e)
			}
			if want := subs[e["subscriptionType"].(string)]; fmt.Sprintf("%.0f", e["subscriptionId"]) != want {
				t.Errorf("subscriptionId %v for %s, want %s", e["subscriptionId"], e["subscriptionType"], want)
			}
			// Every change of this session was made through the API with
			// one token: its events name it as their source, whether the
			// change recorded values or not.
			sources[fmt.Sprintf("%v/%v", e["changeSource"], e["sourceId"])] = true
			switch e["subscriptionType"] {
			case "contact.creation", "company.creation":
				if e["changeFlag"] != "CREATED" || e["changeSource"] != "INTEGRATION" || e["sourceId"] == nil {
					t.Errorf("creation: %v", e)
				}
			case "contact.deletion":
				if e["changeFlag"] != "DELETED" {
					t.Errorf("deletion: %v", e)
				}
			case "object.creation", "object.propertyChange":
				if e["objectTypeId"] != "0-18" {
					t.Errorf("generic: %v", e)
				}
			case "contact.associationChange":
				if e["isPrimaryAssociation"] != false {
					t.Errorf("association: %v", e)
				}
			}
			got = append(got, eventKey(e))
		}
	}
	want := []string{
		"contact.creation " + ana, "contact.propertyChange " + ana + " firstname=Ana",
		"contact.creation " + bo, "contact.creation " + s2(batch, "cy@example.com"), "contact.propertyChange " + s2(batch, "cy@example.com") + " firstname=Cy",
		"contact.propertyChange " + ana + " firstname=Anna",
		"contact.propertyChange " + bo + " firstname=Bo",
		"company.creation " + acme,
		"contact.associationChange " + ana + " CONTACT_TO_COMPANY " + ana + "->" + acme + " removed=false",
		"object.creation " + msg, "object.propertyChange " + msg + " hs_communication_channel_type=SMS",
		"contact.deletion " + bo, "contact.restore " + bo,
		"contact.associationChange " + ana + " CONTACT_TO_COMPANY " + ana + "->" + acme + " removed=true",
	}
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
	for src := range sources {
		if len(sources) != 1 || src == "INTEGRATION/<nil>" || src[:len("INTEGRATION/")] != "INTEGRATION/" {
			t.Errorf("changeSource/sourceId of the events: %v, want the token's, the same for all", sources)
		}
	}

	// The delivery log lists the attempt.
	log := mustStatus(t, s.Do("GET", fmt.Sprintf("/_spoke/webhooks/deliveries?appId=%d", a.id), nil), 200)
	first := log["results"].([]any)[0].(map[string]any)
	if first["status"] != 204.0 || first["url"] != recv.url() || log["queue"].(map[string]any)["pending"] != 0.0 {
		t.Fatalf("deliveries: %v", log)
	}
}

// s2 is the id of the record with that email among a batch's results.
func s2(batch map[string]any, email string) string {
	for _, r := range batch["results"].([]any) {
		if m := r.(map[string]any); m["properties"].(map[string]any)["email"] == email {
			return m["id"].(string)
		}
	}
	return ""
}

func TestWebhookRolledBackWriteEmitsNothing(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "rollback")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"taken@example.com"}}`)
	// The second input clashes, so the whole batch rolls back.
	if r := s.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"new@example.com"}},{"properties":{"email":"taken@example.com"}}]}`); r.Status < 400 {
		t.Fatalf("batch: %d %s", r.Status, r.Body)
	}
	flush(t, s)
	n := 0
	for _, d := range recv.deliveries() {
		n += len(d.events)
	}
	if n != 1 {
		t.Fatalf("%d events, want only the first create's", n)
	}
}

func TestWebhookRetriesUntilTheReceiverRecovers(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WebhookRetryScale(0.0005))
	a := newApp(t, s, "retries")
	recv := newReceiver(t)
	recv.fail.Store(2)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	create(t, s, "contacts", `{"properties":{"email":"x@example.com"}}`)
	// The worker delivers on its own after the commit, and retries after
	// the scaled delays (30 ms, then 60 ms).
	select {
	case n := <-recv.ok:
		if n != 1 {
			t.Fatalf("%d events", n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no successful delivery")
	}
	ds := recv.deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d requests, want 3", len(ds))
	}
	for i, d := range ds {
		verify(t, d, a.secret, recv.url())
		if e := d.events[0]; e["attemptNumber"] != float64(i) || e["eventId"] != ds[0].events[0]["eventId"] {
			t.Errorf("request %d: %v", i, e)
		}
	}
	flush(t, s) // waits for the delivery in flight to be recorded
	log := mustStatus(t, s.Do("GET", "/_spoke/webhooks/deliveries", nil), 200)["results"].([]any)
	statuses := []any{}
	for _, d := range log {
		statuses = append(statuses, d.(map[string]any)["status"])
	}
	if fmt.Sprint(statuses) != "[204 500 500]" || log[1].(map[string]any)["nextRetryAt"] == nil {
		t.Fatalf("log: %v", log)
	}
}

func TestWebhookTwoNodesDeliverEachEventOnce(t *testing.T) {
	if !spoketest.Postgres() {
		t.Skip("two nodes share a database on PostgreSQL only")
	}
	t.Parallel()
	path := t.TempDir() + "/shared"
	n1 := spoketest.OpenPath(t, path)
	n2 := spoketest.OpenPath(t, path)
	a := newApp(t, n1, "two")
	recv := newReceiver(t)
	setTarget(t, n1, a, recv.url())
	subscribe(t, n1, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, n1, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	if err := n2.Webhooks.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, n := range []*spoketest.Server{n1, n2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				var inputs []string
				for k := range 40 {
					inputs = append(inputs, fmt.Sprintf(`{"properties":{"email":"n%d-%d-%d@example.com","firstname":"F"}}`, i, j, k))
				}
				n.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[`+join(inputs)+`]}`)
			}
		}()
	}
	wg.Wait()
	var fl sync.WaitGroup
	for _, n := range []*spoketest.Server{n1, n2, n1, n2} {
		fl.Add(1)
		go func() {
			defer fl.Done()
			n.Do("POST", "/_spoke/webhooks/flush", nil)
		}()
	}
	fl.Wait()
	flush(t, n1)
	seen := map[float64]int{}
	for _, d := range recv.deliveries() {
		for _, e := range d.events {
			seen[e["eventId"].(float64)]++
		}
	}
	if len(seen) != 2*5*40*2 {
		t.Fatalf("%d distinct events, want %d", len(seen), 2*5*40*2)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %v delivered %d times", id, n)
		}
	}
}

func join(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ","
		}
		out += p
	}
	return out
}

func TestWebhookMergeAndPrivacyDeletion(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "merge")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	for _, ev := range []string{"contact.merge", "contact.privacyDeletion", "contact.deletion", "contact.creation"} {
		subscribe(t, s, a, map[string]any{"eventType": ev})
	}
	subscribe(t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	p := create(t, s, "contacts", `{"properties":{"email":"p@example.com"}}`)["id"].(string)
	sec := create(t, s, "contacts", `{"properties":{"email":"s@example.com","firstname":"Sam"}}`)["id"].(string)
	flush(t, s)
	before := len(recv.deliveries())
	merged := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": p, "objectIdToMerge": sec}), 200)["id"].(string)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", map[string]any{"objectId": merged}), 204)
	flush(t, s)
	var got []string
	for _, d := range recv.deliveries()[before:] {
		verify(t, d, a.secret, recv.url())
		for _, e := range d.events {
			switch e["subscriptionType"] {
			case "contact.merge":
				got = append(got, fmt.Sprintf("merge %v primary=%v merged=%v new=%v moved=%v", e["objectId"], e["primaryObjectId"], e["mergedObjectIds"], e["newObjectId"], e["numberOfPropertiesMoved"]))
			default:
				got = append(got, fmt.Sprintf("%s %v", e["subscriptionType"], e["objectId"]))
			}
		}
	}
	sort.Strings(got)
	n := func(id string) string { f, _ := strconv.ParseFloat(id, 64); return fmt.Sprint(f) }
	want := []string{
		"contact.deletion " + n(merged), "contact.privacyDeletion " + n(merged),
		fmt.Sprintf("merge %s primary=%s merged=[%s] new=%s moved=1", n(merged), n(p), n(sec), n(merged)),
	}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
}

func TestWebhookEventsOfSeeds(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "seed")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, s, a, map[string]any{"eventType": "contact.deletion"})
	mustStatus(t, s.Do("POST", "/_spoke/seed?webhooks=false", `{"objects":{"contacts":[{"id":"501","properties":{"email":"quiet@example.com"}}]}}`), 200)
	// Seeded with a stored token of its own (id not 0).
	admin := crm.NewTokenSecret()
	if err := s.Store.Tokens().CreateToken(context.Background(), &crm.Token{Name: "seeder", Hash: crm.HashToken(admin), CreatedAt: time.Now(), Scopes: []string{"spoke.admin"}}); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s.DoToken(admin, "POST", "/_spoke/seed", `{"objects":{"contacts":[{"id":"502","properties":{"email":"loud@example.com"}}]}}`), 200)
	mustStatus(t, s.DoToken(admin, "POST", "/_spoke/seed", `{"objects":{"contacts":[{"id":"502","properties":{"email":"loud@example.com"},"archived":true}]}}`), 200)
	flush(t, s)
	var got []string
	for _, d := range recv.deliveries() {
		for _, e := range d.events {
			// A seed's changes all have the seed's source, whoever asked.
			got = append(got, fmt.Sprintf("%v %v %v/%v", e["subscriptionType"], e["objectId"], e["changeSource"], e["sourceId"]))
		}
	}
	if fmt.Sprint(got) != "[contact.creation 502 INTEGRATION/0 contact.deletion 502 INTEGRATION/0]" {
		t.Fatalf("events of seeded records: %v", got)
	}
}
