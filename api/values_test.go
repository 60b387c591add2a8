package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Only decimal notation is a number: Go's digit separators and hexadecimal
// floats are refused, as values, as epoch milliseconds and in filters.
func TestNumbersAreDecimal(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, props := range []string{
		`{"dealname":"D","pipeline":"default","dealstage":"closedwon","amount":"1_000"}`,
		`{"dealname":"D","pipeline":"default","dealstage":"closedwon","amount":"0x1p4"}`,
		`{"dealname":"D","pipeline":"default","dealstage":"closedwon","closedate":"1_700_000_000_000"}`,
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":`+props+`}`), http.StatusBadRequest)
		errs, _ := got["errors"].([]any)
		if len(errs) != 1 || got["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %v", props, got)
			continue
		}
		if code := errs[0].(map[string]any)["code"]; code != "INVALID_INTEGER" && code != "INVALID_DATETIME" {
			t.Errorf("%s: code %v", props, code)
		}
	}
	created := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"D","pipeline":"default","dealstage":"closedwon","amount":"+1.5E3"}}`), http.StatusCreated)
	if amount := created["properties"].(map[string]any)["amount"]; amount != "1500" {
		t.Errorf("amount %v", amount)
	}
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/search", `{"filterGroups":[{"filters":[{"propertyName":"amount","operator":"EQ","value":"1_500"}]}]}`), http.StatusBadRequest)
	if got["message"] != "1_500 is not a valid value for number property amount" {
		t.Errorf("search: %v", got)
	}
}

// The list of failures inside "Property values were not valid: [...]"
// keeps "&", "<" and ">" as they are, as HubSpot writes it.
func TestValidationMessageKeepsHTMLCharacters(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"lifecyclestage":"R&D <team>"}}`), http.StatusBadRequest)
	msg, _ := got["message"].(string)
	if !strings.HasPrefix(msg, `Property values were not valid: [{"isValid":false,"message":"R&D <team> was not one of the allowed options: [subscriber,`) {
		t.Errorf("message %q", msg)
	}
}
