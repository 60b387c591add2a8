package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestExportWritesOptionsInHubSpotsShape checks that an enumeration's
// options are exported with the keys of HubSpot's Option (label, value,
// displayOrder, hidden), as the properties API writes them, and that such an
// export seeds back.
func TestExportWritesOptionsInHubSpotsShape(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", `{"name":"wa_opt_in","label":"WhatsApp opt-in","type":"enumeration","fieldType":"select","groupName":"contactinformation",
		"options":[{"label":"Yes","value":"yes","displayOrder":0},{"label":"No","value":"no","displayOrder":1,"hidden":true}]}`), 201)
	r := s.Do("GET", "/_spoke/export", nil)
	mustStatus(t, r, 200)
	var f struct {
		Properties map[string][]struct {
			Name    string           `json:"name"`
			Options []map[string]any `json:"options"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(r.Body, &f); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	for _, p := range f.Properties["contacts"] {
		if p.Name == "wa_opt_in" {
			got = p.Options
		}
	}
	want := []map[string]any{
		{"label": "Yes", "value": "yes", "displayOrder": float64(0), "hidden": false},
		{"label": "No", "value": "no", "displayOrder": float64(1), "hidden": true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("exported options %v, want %v", got, want)
	}

	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(r.Body)), 200)
	p := mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/wa_opt_in", nil), 200)
	opts, _ := json.Marshal(p["options"])
	if string(opts) != `[{"displayOrder":0,"hidden":false,"label":"Yes","value":"yes"},{"displayOrder":1,"hidden":true,"label":"No","value":"no"}]` {
		t.Errorf("options after the seed: %s", opts)
	}
}

// TestExportSeedKeepsDefinitionTimes checks that owners and custom property
// definitions (live and archived) read with the same createdAt, updatedAt and
// archivedAt after an export is reset and seeded back, as records do.
func TestExportSeedKeepsDefinitionTimes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.NewOwner("olga@example.com", "Olga", "Owner")
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", `{"name":"tier","label":"Tier","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)
	mustStatus(t, s.Do("PATCH", "/crm/v3/properties/contacts/tier", `{"label":"Loyalty tier"}`), 200)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", `{"name":"old_code","label":"Old code","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/contacts/old_code", nil), 204)
	read := func() (owners, tier, old any) {
		return mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"],
			mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/tier", nil), 200),
			mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/old_code?archived=true", nil), 200)
	}
	owners, tier, old := read()
	export := s.Do("GET", "/_spoke/export", nil)
	mustStatus(t, export, 200)
	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(export.Body)), 200)
	owners2, tier2, old2 := read()
	if !reflect.DeepEqual(owners2, owners) {
		t.Errorf("owners after the seed:\n%v\nbefore:\n%v", owners2, owners)
	}
	if !reflect.DeepEqual(tier2, tier) {
		t.Errorf("property after the seed:\n%v\nbefore:\n%v", tier2, tier)
	}
	if !reflect.DeepEqual(old2, old) {
		t.Errorf("archived property after the seed:\n%v\nbefore:\n%v", old2, old)
	}
	// Seeding again over what is stored changes nothing either.
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(export.Body)), 200)
	if owners3, tier3, old3 := read(); !reflect.DeepEqual([]any{owners3, tier3, old3}, []any{owners, tier, old}) {
		t.Errorf("after a second seed: %v %v %v", owners3, tier3, old3)
	}
	// A time that is not one is the fixture's fault, named.
	r := s.Do("POST", "/_spoke/seed", `{"owners":[{"email":"x@example.com","createdAt":"yesterday"}]}`)
	if body := mustStatus(t, r, 400); !strings.Contains(body["message"].(string), "owners[0]: createdAt") {
		t.Errorf("bad time: %s", r.Body)
	}
	r = s.Do("POST", "/_spoke/seed", `{"properties":{"contacts":[{"name":"x","label":"X","type":"string","fieldType":"text","groupName":"contactinformation","updatedAt":"soon"}]}}`)
	if body := mustStatus(t, r, 400); !strings.Contains(body["message"].(string), "properties.contacts[0]: updatedAt") {
		t.Errorf("bad time: %s", r.Body)
	}
}

// TestExportSeedKeepsHistoryWhenAsked checks that GET /_spoke/export?history=true
// writes each record's property history and that seeding it back gives the
// same propertiesWithHistory, live and archived records alike; a plain
// export carries none.
func TestExportSeedKeepsHistoryWhenAsked(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	id := create(t, s, "contacts", `{"properties":{"email":"h@example.com","firstname":"Ana"}}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"firstname":"Ana Maria","lastname":"Lima"}}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"firstname":"Ana"}}`), 200)
	gone := create(t, s, "contacts", `{"properties":{"email":"g@example.com","firstname":"Gil"}}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+gone, `{"properties":{"firstname":"Gilberto"}}`), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+gone, nil), 204)
	const props = "email,firstname,lastname,createdate,lastmodifieddate,hs_object_source"
	read := func() (live, archived any) {
		return mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+id+"?propertiesWithHistory="+props, nil), 200)["propertiesWithHistory"],
			mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+gone+"?archived=true&propertiesWithHistory="+props, nil), 200)["propertiesWithHistory"]
	}
	live, archived := read()
	if n := len(live.(map[string]any)["firstname"].([]any)); n != 3 {
		t.Fatalf("firstname history before the export: %v", live)
	}

	plain := s.Do("GET", "/_spoke/export", nil)
	if strings.Contains(string(mustStatusBody(t, plain)), "propertiesWithHistory") {
		t.Errorf("a plain export carries history")
	}
	if body := mustStatus(t, s.Do("GET", "/_spoke/export?history=yes", nil), 400); body["message"] != `history must be true or false, not "yes"` {
		t.Errorf("export?history=yes: %v", body)
	}
	r := s.Do("GET", "/_spoke/export?history=true", nil)
	mustStatus(t, r, 200)
	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(r.Body)), 200)
	live2, archived2 := read()
	if !reflect.DeepEqual(live2, live) {
		t.Errorf("history after the seed:\n%v\nbefore:\n%v", live2, live)
	}
	if !reflect.DeepEqual(archived2, archived) {
		t.Errorf("archived record's history after the seed:\n%v\nbefore:\n%v", archived2, archived)
	}
	// Seeded over itself, and exported again: the same.
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(r.Body)), 200)
	if live3, archived3 := read(); !reflect.DeepEqual([]any{live3, archived3}, []any{live, archived}) {
		t.Errorf("after a second seed: %v %v", live3, archived3)
	}
	var a, b map[string]any
	json.Unmarshal(r.Body, &a)
	json.Unmarshal(mustStatusBody(t, s.Do("GET", "/_spoke/export?history=true", nil)), &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("export after the seed differs")
	}

	// What a fixture's history may hold.
	for _, c := range []struct{ body, want string }{
		{`{"objects":{"contacts":[{"properties":{"email":"x@example.com"},"propertiesWithHistory":{"nope":[{"value":"a","timestamp":"2026-01-01T00:00:00Z"}]}}]}}`, "objects.contacts[0]: propertiesWithHistory.nope"},
		{`{"objects":{"contacts":[{"properties":{"email":"x@example.com"},"propertiesWithHistory":{"email":[{"value":"a","timestamp":"then"}]}}]}}`, "objects.contacts[0]: propertiesWithHistory.email[0]"},
		{`{"objects":{"contacts":[{"properties":{"email":"x@example.com"},"propertiesWithHistory":{"email":[{"value":"a\u0000","timestamp":"2026-01-01T00:00:00Z"}]}}]}}`, "objects.contacts[0]: propertiesWithHistory.email[0]"},
	} {
		r := s.Do("POST", "/_spoke/seed", c.body)
		if body := mustStatus(t, r, 400); !strings.Contains(body["message"].(string), c.want) {
			t.Errorf("seed %s: %s", c.body, r.Body)
		}
	}
}

func mustStatusBody(t *testing.T, r *spoketest.Response) []byte {
	t.Helper()
	mustStatus(t, r, 200)
	return r.Body
}

// TestSeededHistoryEmitsTheSeedsEvents checks that a record seeded with
// propertiesWithHistory sends the webhook events of any seed (its creation
// and one change of each value, from the seed's source), not one event
// for each past value with that value's source.
func TestSeededHistoryEmitsTheSeedsEvents(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "history")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.creation"})
	subscribe(t, s, a, map[string]any{"eventType": "contact.propertyChange", "propertyName": "firstname"})
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"objects":{"contacts":[{"id":"601","properties":{"email":"past@example.com","firstname":"Ana Maria"},
		"propertiesWithHistory":{"firstname":[
			{"value":"Ana Maria","timestamp":"2026-02-01T00:00:00Z","sourceType":"CRM_UI","sourceId":"userId:7"},
			{"value":"Ana","timestamp":"2026-01-01T00:00:00Z","sourceType":"IMPORT"}]}}]}}`), 200)
	flush(t, s)
	var got []string
	for _, d := range recv.deliveries() {
		for _, e := range d.events {
			got = append(got, fmt.Sprintf("%v %v %v %v/%v", e["subscriptionType"], e["objectId"], e["propertyValue"], e["changeSource"], e["sourceId"]))
		}
	}
	sort.Strings(got)
	if fmt.Sprint(got) != "[contact.creation 601 <nil> INTEGRATION/0 contact.propertyChange 601 Ana Maria INTEGRATION/0]" {
		t.Fatalf("events of a record seeded with history: %q", got)
	}
	h := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/601?propertiesWithHistory=firstname", nil), 200)["propertiesWithHistory"]
	b, _ := json.Marshal(h)
	if string(b) != `{"firstname":[{"sourceId":"userId:7","sourceType":"CRM_UI","timestamp":"2026-02-01T00:00:00Z","value":"Ana Maria"},{"sourceType":"IMPORT","timestamp":"2026-01-01T00:00:00Z","value":"Ana"}]}` {
		t.Errorf("history: %s", b)
	}
}
