package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

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
