package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// deliveredIDs flushes and returns the object ids delivered since from,
// checking every delivery's signatures with secret.
func deliveredIDs(t *testing.T, s *spoketest.Server, recv *receiver, secret string, from int) []string {
	t.Helper()
	flush(t, s)
	var ids []string
	for _, d := range recv.deliveries()[from:] {
		verify(t, d, secret, recv.url())
		for _, e := range d.events {
			ids = append(ids, fmt.Sprintf("%s %.0f", e["subscriptionType"], e["objectId"]))
		}
	}
	return ids
}

// Apps, settings and subscriptions go through export and seed: with
// secrets, a reset that removes the apps and a seed give back apps whose
// key works and whose deliveries verify with the same secret; without,
// the export holds no secret and seeds only apps already stored.
func TestWebhookAppsExportResetSeed(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "round trip")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	mustStatus(t, s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "deal.creation", "active": false}), 201)

	bare := s.Do("GET", "/_spoke/export", nil)
	mustStatus(t, bare, 200)
	hash := crm.HashToken(a.key)
	for _, secret := range []string{a.secret, hash, a.key, "clientSecret", "developerApiKeyHash"} {
		if strings.Contains(string(bare.Body), secret) {
			t.Fatalf("an export without secrets holds %q: %s", secret, bare.Body)
		}
	}
	withSecrets := s.Do("GET", "/_spoke/export?secrets=true", nil)
	var f crm.Fixture
	if err := json.Unmarshal(withSecrets.Body, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Apps) != 1 || f.Apps[0].ClientSecret != a.secret || f.Apps[0].DeveloperAPIKeyHash != hash || f.Apps[0].Name != "round trip" ||
		f.Apps[0].Settings == nil || f.Apps[0].Settings.TargetURL != recv.url() || len(f.Apps[0].Subscriptions) != 3 || f.Apps[0].Subscriptions[2].Active {
		t.Fatalf("apps of the export: %s", withSecrets.Body)
	}
	mustFail(t, s.Do("GET", "/_spoke/export?secrets=yes", nil), 400)

	// Without its secrets, an app that is not stored is refused, and
	// nothing of the fixture is loaded.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"webhooks":true}`), 204)
	mustFail(t, s.Do("POST", "/_spoke/seed", string(bare.Body)), 400, "apps[0]", "clientSecret")

	mustStatus(t, s.Do("POST", "/_spoke/seed", string(withSecrets.Body)), 200)
	mustStatus(t, s.Do("GET", a.path("/settings"), nil), 200)
	subs := mustStatus(t, s.Do("GET", a.path("/subscriptions"), nil), 200)["results"].([]any)
	if len(subs) != 3 || fmt.Sprint(subs[0].(map[string]any)["id"]) != f.Apps[0].Subscriptions[0].ID {
		t.Fatalf("seeded subscriptions: %v", subs)
	}
	from := len(recv.deliveries())
	c := create(t, s, "contacts", `{"properties":{"email":"back@example.com","firstname":"Ana"}}`)["id"].(string)
	create(t, s, "deals", `{"properties":{"dealname":"inactive","dealstage":"appointmentscheduled"}}`)
	if got := deliveredIDs(t, s, recv, a.secret, from); fmt.Sprint(got) != "[contact.creation "+c+" contact.propertyChange "+c+"]" {
		t.Fatalf("deliveries after the seed: %v", got)
	}

	// Seeding the export without secrets over the stored app keeps them.
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(bare.Body)), 200)
	mustStatus(t, s.Do("GET", a.path("/settings"), nil), 200)
	from = len(recv.deliveries())
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"firstname":"Bo"}}`), 200)
	if got := deliveredIDs(t, s, recv, a.secret, from); fmt.Sprint(got) != "[contact.propertyChange "+c+"]" {
		t.Fatalf("deliveries after seeding without secrets: %v", got)
	}

	// A new server takes the apps with their ids; apps and subscriptions
	// made afterwards get ids of their own.
	s2 := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	mustStatus(t, s2.Do("POST", "/_spoke/seed", string(withSecrets.Body)), 200)
	mustStatus(t, s2.Do("GET", a.path("/settings"), nil), 200)
	b := newApp(t, s2, "after")
	if b.id == a.id {
		t.Fatalf("new app got the seeded id %d", b.id)
	}
	id := subscribe(t, s2, b, map[string]any{"eventType": "contact.creation"})
	for _, sub := range f.Apps[0].Subscriptions {
		if sub.ID == id {
			t.Fatalf("new subscription got a seeded id %s", id)
		}
	}
}

// Seeding apps refuses what it cannot store, naming the place.
func TestWebhookAppsSeedRefusals(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithoutWebhookDelivery())
	a := newApp(t, s, "one")
	b := newApp(t, s, "two")
	sub := subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	app := func(id int64, extra string) string {
		return fmt.Sprintf(`{"apps":[{"id":"%d","name":"x"%s}]}`, id, extra)
	}
	mustFail(t, s.Do("POST", "/_spoke/seed", app(b.id, `,"subscriptions":[{"id":"`+sub+`","eventType":"contact.creation","active":true}]`)), 409,
		"apps[0].subscriptions[0]", "belongs to app")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"apps":[{"id":"`+fmt.Sprint(a.id)+`","name":"x"},{"id":"`+fmt.Sprint(a.id)+`","name":"y"}]}`), 409, "apps[1]")
	mustFail(t, s.Do("POST", "/_spoke/seed", app(a.id, `,"subscriptions":[{"eventType":"contact.creation","active":true}]`)), 409,
		"apps[0].subscriptions[0]", "already exists")
	mustFail(t, s.Do("POST", "/_spoke/seed", app(a.id, `,"settings":{"targetUrl":"nope","maxConcurrentRequests":10}`)), 400, "apps[0]", "targetUrl")
	mustFail(t, s.Do("POST", "/_spoke/seed", app(a.id, `,"subscriptions":[{"eventType":"contact.nothing","active":true}]`)), 400, "apps[0].subscriptions[0]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"apps":[{"id":"`+fmt.Sprint(a.id)+`","name":"x\u0000y"}]}`), 400, "apps[0]", "NUL")
	mustFail(t, s.Do("POST", "/_spoke/seed", app(999, `,"clientSecret":"s"`)), 400, "apps[0]", "developerApiKeyHash")
	// A subscription without an id gets one above those the fixture gives.
	next := fmt.Sprint(mustInt(t, sub) + 1)
	mustStatus(t, s.Do("POST", "/_spoke/seed", app(b.id, `,"subscriptions":[{"eventType":"deal.creation","active":true},{"id":"`+next+`","eventType":"contact.creation","active":true}]`)), 200)
	got := mustStatus(t, s.Do("GET", b.path("/subscriptions"), nil), 200)["results"].([]any)
	if len(got) != 2 || fmt.Sprint(got[0].(map[string]any)["id"]) != next || got[1].(map[string]any)["eventType"] != "deal.creation" {
		t.Fatalf("subscriptions seeded with and without ids: %v", got)
	}

	// Nothing of a refused fixture is stored.
	if got := mustStatus(t, s.Do("GET", a.path("/subscriptions"), nil), 200)["results"].([]any); len(got) != 1 {
		t.Fatalf("subscriptions after refused seeds: %v", got)
	}
	apps, _ := s.Store.(crm.WebhookStorer).Webhooks().ListApps(t.Context())
	if len(apps) != 2 || apps[0].Name != "one" || apps[1].Name != "x" {
		t.Fatalf("apps after refused seeds: %v", apps)
	}
}
