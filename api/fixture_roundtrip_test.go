package api_test

import (
	"encoding/json"
	"reflect"
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
