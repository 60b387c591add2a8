package api_test

import (
	"encoding/json"
	"reflect"
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
