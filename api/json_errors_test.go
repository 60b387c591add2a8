package api_test

import (
	"net/http"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestJSONErrorsNameFields checks the messages of values of the wrong JSON
// type: they name the JSON fields that lead to the value (never Go types)
// and point at the value's line and column, inside batches and for
// property values too.
func TestJSONErrorsNameFields(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, tc := range []struct{ path, body, want string }{
		{"/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":"x"}]}`,
			"Invalid input JSON on line 1, column 29: Cannot deserialize inputs.properties: expected an object, got JSON string"},
		{"/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"a@example.com"},"associations":"x"}]}`,
			"Invalid input JSON on line 1, column 70: Cannot deserialize inputs.associations: expected an array, got JSON string"},
		{"/crm/v3/objects/contacts", `{"properties":{"email":{"a":1}}}`,
			"Invalid input JSON on line 1, column 25: Cannot deserialize properties.email: expected a string, a number or a boolean, got JSON object"},
		{"/crm/v3/objects/contacts", `{"properties":{"firstname":"Ana","email":[1]}}`,
			"Invalid input JSON on line 1, column 43: Cannot deserialize properties.email: expected a string, a number or a boolean, got JSON array"},
		{"/crm/v3/objects/contacts/batch/create", "{\"inputs\":[{\"properties\":{\"email\":\"a@example.com\"}},\n  {\"properties\":{\"email\":\"b@example.com\",\"firstname\":\n    {\"x\":1}}}]}",
			"Invalid input JSON on line 3, column 6: Cannot deserialize inputs.properties.firstname: expected a string, a number or a boolean, got JSON object"},
		{"/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"a@example.com","idProperty":"email","properties":{"firstname":true,"lastname":null,"company":{}}}]}`,
			"Invalid input JSON on line 1, column 113: Cannot deserialize inputs.properties.company: expected a string, a number or a boolean, got JSON object"},
		{"/crm/v3/objects/contacts/batch/read", `{"inputs":[{"id":{}}]}`,
			"Invalid input JSON on line 1, column 19: Cannot deserialize inputs.id: expected a string or a number, got JSON object"},
		{"/crm/v3/objects/contacts", `{"properties":{"email":"c@example.com"},"associations":[{"to":{"id":[]}}]}`,
			"Invalid input JSON on line 1, column 70: Cannot deserialize associations.to.id: expected a string or a number, got JSON array"},
		{"/crm/v4/associations/contacts/companies/batch/create", `{"inputs":[{"from":{"id":"1"},"to":{"id":null}}]}`,
			"Invalid input JSON on line 1, column 46: Cannot deserialize inputs.to.id: expected a string or a number, got JSON null"},
		{"/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":{}}]}]}`,
			"Invalid input JSON on line 1, column 79: Cannot deserialize filterGroups.filters.value: expected a string, a number or a boolean, got JSON object"},
		{"/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"email","operator":"IN","values":["a",[]]}]}]}`,
			"Invalid input JSON on line 1, column 85: Cannot deserialize filterGroups.filters.values: expected a string, a number or a boolean, got JSON array"},
	} {
		r := s.Do("POST", tc.path, tc.body)
		body := mustStatus(t, r, http.StatusBadRequest)
		if body["message"] != tc.want || body["category"] != nil {
			t.Errorf("POST %s %s:\n%s\nwant message %q and no category", tc.path, tc.body, r.Body, tc.want)
		}
	}
}
