package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A batch large enough to have its records built before its write
// transaction gives each record its own id everywhere (the record, its
// hs_object_id, its history, the search index), derives owner properties,
// and reports inputs refused in the transaction without giving their ids
// to anyone.
func TestBatchCreateBuiltBeforeTheTransaction(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"owners":[{"id":"80000100","email":"olga@example.com","firstName":"Olga","userId":9100000}]}`), 200)
	contact := create(t, s, "contacts", map[string]any{"properties": map[string]any{"email": "ana@example.com"}})["id"].(string)
	var inputs []string
	for i := range 15 {
		to := contact
		if i == 7 {
			to = "999999" // no such contact: refused in the transaction
		}
		inputs = append(inputs, fmt.Sprintf(`{"objectWriteTraceId":"t%d","properties":{"hs_communication_channel_type":"SMS","hs_communication_body":"message %d","hs_timestamp":"2026-03-01T08:00:00Z","hubspot_owner_id":"80000100"},
			"associations":[{"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, i, i, to))
	}
	r := s.Do("POST", "/crm/v3/objects/communications/batch/create", `{"inputs":[`+strings.Join(inputs, ",")+`]}`)
	got := mustStatus(t, r, 207)
	results := got["results"].([]any)
	if len(results) != 14 || len(got["errors"].([]any)) != 1 {
		t.Fatalf("results %d, errors %v", len(results), got["errors"])
	}
	seen := map[string]bool{}
	for _, x := range results {
		rec := x.(map[string]any)
		id := rec["id"].(string)
		p := props(rec)
		if seen[id] || p["hs_object_id"] != id || p["hs_user_ids_of_all_owners"] != "9100000" || p["hs_all_owner_ids"] != "80000100" ||
			rec["createdAt"] != "2026-03-01T09:00:00Z" {
			t.Errorf("record %s: %v", id, rec)
		}
		seen[id] = true
		path := "/crm/v3/objects/communications/" + id
		read := mustStatus(t, s.Do("GET", path+"?propertiesWithHistory=hs_object_id,hs_communication_body", nil), 200)
		h := read["propertiesWithHistory"].(map[string]any)
		oid := h["hs_object_id"].([]any)
		if props(read)["hs_object_id"] != id || len(oid) != 1 || oid[0].(map[string]any)["value"] != id || len(h["hs_communication_body"].([]any)) != 1 {
			t.Errorf("record %s read back: %v %v", id, props(read), h)
		}
		found := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/search",
			`{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"EQ","value":"`+id+`"},{"propertyName":"hs_communication_channel_type","operator":"EQ","value":"SMS"}]}]}`), 200)
		if found["total"] != float64(1) {
			t.Errorf("search for %s: %v", id, found)
		}
	}
	// The contact's messages are the fourteen, and a record created next
	// has an id none of them has.
	assoc := mustStatus(t, s.Do("GET", "/crm/v4/objects/contacts/"+contact+"/associations/communications", nil), 200)
	if n := len(assoc["results"].([]any)); n != 14 {
		t.Errorf("%d messages associated", n)
	}
	next := create(t, s, "communications", whatsApp("later"))["id"].(string)
	if seen[next] {
		t.Errorf("id %s given twice", next)
	}
}
