package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// PostgreSQL stores neither NUL characters nor invalid UTF-8, SQLite stores
// both: Spoke refuses them on every store, before storage, so both answer
// alike and keep the same data. Property values are refused with a 400
// VALIDATION_ERROR naming the property; other strings that would be stored
// with a 400 naming what they belong to; lookups by such a value find
// nothing. Run with SPOKE_TEST_STORE=postgres too.
func TestNULAndInvalidUTF8AreRefusedBeforeStorage(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "nul@example.com")
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts/groups", `{"name":"chat","label":"Chat"}`), 201)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", `{"name":"tag","label":"Tag","type":"string","fieldType":"text","groupName":"contactinformation","hasUniqueValue":true}`), 201)

	// Property values, wherever they are written.
	for _, c := range []struct{ method, path, body, property string }{
		{"POST", "/crm/v3/objects/contacts", `{"properties":{"firstname":"a\u0000b"}}`, "firstname"},
		{"PATCH", "/crm/v3/objects/contacts/" + contact, `{"properties":{"lastname":"\u0000"}}`, "lastname"},
		{"POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"x\u0000@example.com"}}]}`, "email"},
		{"POST", "/crm/v3/objects/contacts/batch/update", `{"inputs":[{"id":"` + contact + `","properties":{"firstname":"\u0000"}}]}`, "firstname"},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"u\u0000@example.com","idProperty":"email","properties":{"firstname":"U"}}]}`, "email"},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"u@example.com","idProperty":"email","properties":{"firstname":"\u0000"}}]}`, "firstname"},
		{"POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"t\u0000","idProperty":"tag","properties":{}}]}`, "tag"},
		{"POST", "/_spoke/seed", `{"objects":{"contacts":[{"properties":{"email":"s@example.com","company":"\u0000"}}]}}`, "company"},
		// Computed values in a fixture (an export's) are stored as given.
		{"POST", "/_spoke/seed", `{"objects":{"contacts":[{"id":"5","properties":{"hs_object_source_label":"A\u0000"}}]}}`, "hs_object_source_label"},
	} {
		r := s.Do(c.method, c.path, c.body)
		got := mustStatus(t, r, 400)
		details, _ := got["errors"].([]any)
		if got["category"] != "VALIDATION_ERROR" || len(details) != 1 ||
			fmt.Sprint(details[0].(map[string]any)["context"]) != "map[propertyName:["+c.property+"]]" ||
			details[0].(map[string]any)["code"] != "INVALID_CHARACTER" || !strings.Contains(got["message"].(string), "NUL") {
			t.Errorf("%s %s: %s", c.method, c.path, r.Body)
		}
	}

	// Other strings that would be stored.
	for _, c := range []struct{ method, path, body, words string }{
		{"POST", "/crm/v3/properties/contacts", `{"name":"p1","label":"P\u0000","type":"string","fieldType":"text","groupName":"contactinformation"}`, "property p1"},
		{"POST", "/crm/v3/properties/contacts", `{"name":"p2","label":"P","description":"\u0000","type":"string","fieldType":"text","groupName":"contactinformation"}`, "property p2"},
		{"POST", "/crm/v3/properties/contacts", `{"name":"p3","label":"P","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"\u0000","value":"v"}]}`, `Option "v" of property p3`},
		{"POST", "/crm/v3/properties/contacts", `{"name":"p4","label":"P","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"L","value":"v\u0000"}]}`, "of property p4"},
		{"PATCH", "/crm/v3/properties/contacts/tag", `{"label":"\u0000"}`, "property tag"},
		{"POST", "/crm/v3/properties/contacts/groups", `{"name":"g1","label":"G\u0000"}`, "property group g1"},
		{"PATCH", "/crm/v3/properties/contacts/groups/chat", `{"label":"\u0000"}`, "property group chat"},
		{"POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"L\u0000","name":"l1"}`, "association label l1"},
		{"POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"L","inverseLabel":"\u0000","name":"l2"}`, "association label l2"},
		{"POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"\u0000"}]}]}`, "property email"},
		{"POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"firstname","operator":"IN","values":["a","\u0000"]}]}]}`, "property firstname"},
		{"POST", "/_spoke/seed", `{"owners":[{"email":"o@example.com","firstName":"\u0000"}]}`, "owners[0]"},
		{"POST", "/_spoke/seed", `{"propertyGroups":{"contacts":[{"name":"g2","label":"\u0000"}]}}`, "propertyGroups.contacts[0]"},
		{"POST", "/_spoke/seed", `{"properties":{"contacts":[{"name":"p5","label":"\u0000","type":"string","fieldType":"text","groupName":"contactinformation"}]}}`, "properties.contacts[0]"},
		{"POST", "/_spoke/seed", `{"associationLabels":[{"from":"contacts","to":"companies","typeId":3001,"inverseTypeId":3002,"label":"\u0000","name":"l3"}]}`, "associationLabels[0]"},
	} {
		r := s.Do(c.method, c.path, c.body)
		got := mustStatus(t, r, 400)
		if msg, _ := got["message"].(string); got["category"] != "VALIDATION_ERROR" || !strings.Contains(msg, "NUL") || !strings.Contains(msg, c.words) {
			t.Errorf("%s %s: %s", c.method, c.path, r.Body)
		}
	}

	// Lookups by such a value find nothing; the free-text query holds words only.
	for _, c := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/crm/v3/objects/contacts/nul%00@example.com?idProperty=email", "", 404},
		{"GET", "/crm/v3/objects/contacts/nul%FF@example.com?idProperty=email", "", 404},
		{"GET", "/crm/objects/2026-03/contacts/x%00?idProperty=tag", "", 404},
		{"PATCH", "/crm/v3/objects/contacts/nul%00@example.com?idProperty=email", `{"properties":{"firstname":"N"}}`, 404},
		{"POST", "/crm/v3/objects/contacts/batch/read", `{"idProperty":"email","inputs":[{"id":"nul\u0000@example.com"},{"id":"nul@example.com"}]}`, 207},
		{"POST", "/crm/v3/objects/contacts/search", `{"query":"nul\u0000example"}`, 200},
		{"GET", "/crm/v3/owners?email=a%00b%FF", "", 200},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		mustStatus(t, s.Do(c.method, c.path, body), c.status)
	}

	// None of it reached storage.
	if exp := string(s.Do("GET", "/_spoke/export", nil).Body); strings.Contains(exp, `\u0000`) || count(t, s, "contacts") != 1 {
		t.Errorf("stored after refusals: %s", exp)
	}
}
