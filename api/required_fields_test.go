package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Bodies without their required fields get HubSpot's JSON-binding refusal
// naming each field that is missing, and change nothing.
func TestRequiredFieldsNamed(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	a := newApp(t, s, "required")
	const binding = "Invalid input JSON on line 1, column 2. Some required fields were not set: "
	cases := []struct {
		method, path, body string
		status             int
		message            string
	}{
		{"POST", "/crm-object-schemas/v3/schemas", `{}`, 400, binding + "[name, labels]"},
		{"POST", "/crm-object-schemas/v3/schemas", `{"name":"vans"}`, 400, binding + "[labels]"},
		{"POST", "/crm-object-schemas/v3/schemas", `{"labels":{"singular":"Van","plural":"Vans"}}`, 400, binding + "[name]"},
		{"POST", "/crm-object-schemas/v3/schemas/" + typeID + "/associations", `{}`, 400, binding + "[fromObjectTypeId, toObjectTypeId]"},
		{"POST", "/crm-object-schemas/v3/schemas/" + typeID + "/associations", `{"fromObjectTypeId":"` + typeID + `"}`, 400, binding + "[toObjectTypeId]"},
		{"POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Boss"}`, 400, binding + "[label, name]"},
		{"PUT", "/crm/v4/associations/contacts/companies/labels", `{"label":"Boss"}`, 400, binding + "[associationTypeId, label]"},
		{"POST", "/crm/v4/associations/definitions/configurations/deals/contacts/batch/create", `{"inputs":[{"category":"HUBSPOT_DEFINED"}]}`, 207, binding + "[maxToObjectIds, typeId]"},
		{"POST", "/crm/v4/associations/definitions/configurations/deals/contacts/batch/create", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":3}]}`, 207, binding + "[maxToObjectIds]"},
		{"PUT", a.path("/settings"), `{}`, 400, "Some required fields were not set: [targetUrl throttling.maxConcurrentRequests]"},
		{"PUT", a.path("/settings"), `{"targetUrl":"http://localhost:9/hook","throttling":{}}`, 400, "Some required fields were not set: [throttling.maxConcurrentRequests]"},
	}
	for _, c := range cases {
		r := s.Do(c.method, c.path, c.body)
		if r.Status != c.status || !strings.Contains(string(r.Body), c.message) {
			t.Errorf("%s %s %s: %d %s, want %d with %q", c.method, c.path, c.body, r.Status, r.Body, c.status, c.message)
		}
	}
	// Nothing was made.
	if list := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas", nil), 200)["results"].([]any); len(list) != 1 {
		t.Errorf("schemas after the refusals: %d", len(list))
	}
	mustStatus(t, s.Do("GET", a.path("/settings"), nil), 404)
	if got := mustStatus(t, s.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200); strings.Contains(fmt.Sprint(got), "Boss") {
		t.Errorf("labels after the refusals: %v", got)
	}
}
