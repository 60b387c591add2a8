package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestErrorBodiesWordForWord pins the exact bytes of the error bodies that
// carry more than a domain error holds: the status codes of the HTTP
// exchange itself (405, 413), HubSpot's wire-only fields (the scopes link,
// errorType and policyName of 429s) and injected faults' statuses.
func TestErrorBodiesWordForWord(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithFaults(nil))
	addFaults(t, s, `{"rules":[
		{"path":"/crm/v3/objects/deals","status":477},
		{"path":"/crm/v3/objects/tickets","status":500},
		{"path":"/crm/v3/objects/companies","status":502,"message":"Try later"},
		{"path":"/crm/v3/objects/communications","status":429,"policyName":"DAILY","retryAfter":3},
		{"path":"/crm/v3/objects/notes","status":429,"policyName":"SECONDLY","message":"Slow down"}]}`)
	reader := s.NewToken("crm.objects.deals.read")
	big := `{"properties":{"email":"` + strings.Repeat("a", 17<<20) + `"}}`
	for _, tc := range []struct {
		name, token, method, path, body string
		status                          int
		header, value                   string // a header the answer must carry
		want                            string // {id} stands for the correlation id
	}{
		{"no token", "", "GET", "/crm/v3/objects/contacts", "", 401, "X-Hubspot-Auth-Failure", "401 Unauthorized",
			`{"status":"error","message":"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview","correlationId":"{id}","category":"INVALID_AUTHENTICATION"}`},
		{"missing scopes", reader, "GET", "/crm/v3/objects/contacts", "", 403, "", "",
			`{"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.","correlationId":"{id}","errors":[{"message":"One or more of the following scopes are required.","context":{"requiredGranularScopes":["crm.objects.contacts.read"]}}],"links":{"scopes":"https://developers.hubspot.com/scopes"},"category":"MISSING_SCOPES"}`},
		{"method not allowed", spoketest.Token, "PUT", "/crm/v3/objects/contacts", "", 405, "Allow", "GET, HEAD, POST",
			`{"status":"error","message":"Method PUT is not allowed on /crm/v3/objects/contacts","correlationId":"{id}"}`},
		{"no route", spoketest.Token, "GET", "/crm/v3/nothing", "", 404, "", "",
			`{"status":"error","message":"No route matches GET /crm/v3/nothing","correlationId":"{id}"}`},
		{"body too large", spoketest.Token, "POST", "/crm/v3/objects/contacts", big, 413, "", "",
			`{"status":"error","message":"Request body exceeds the limit of 16777216 bytes","correlationId":"{id}","category":"VALIDATION_ERROR"}`},
		{"fault 477", spoketest.Token, "GET", "/crm/v3/objects/deals", "", 477, "Retry-After", "1",
			`{"status":"error","message":"Migration in progress: this account is being moved between data hosting locations. Retry after the number of seconds in the Retry-After header.","correlationId":"{id}"}`},
		{"fault 500", spoketest.Token, "GET", "/crm/v3/objects/tickets", "", 500, "", "",
			`{"status":"error","message":"internal error","correlationId":"{id}"}`},
		{"fault 502 with a message", spoketest.Token, "GET", "/crm/v3/objects/companies", "", 502, "", "",
			`{"status":"error","message":"Try later","correlationId":"{id}"}`},
		{"fault 429 daily", spoketest.Token, "GET", "/crm/v3/objects/communications", "", 429, "Retry-After", "3",
			`{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"{id}","policyName":"DAILY"}`},
		{"fault 429 secondly with a message", spoketest.Token, "GET", "/crm/v3/objects/notes", "", 429, "", "",
			`{"status":"error","message":"Slow down","correlationId":"{id}","category":"RATE_LIMITS"}`},
	} {
		r := s.DoToken(tc.token, tc.method, tc.path, bodyOrNil(tc.body))
		want := strings.ReplaceAll(tc.want, "{id}", r.Header.Get("X-HubSpot-Correlation-Id"))
		if r.Status != tc.status || string(r.Body) != want {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, r.Status, r.Body, tc.status, want)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if tc.header != "" && r.Header.Get(tc.header) != tc.value {
			t.Errorf("%s: %s %q, want %q", tc.name, tc.header, r.Header.Get(tc.header), tc.value)
		}
		if tc.status != http.StatusUnauthorized && r.Header.Get("X-Hubspot-Auth-Failure") != "" {
			t.Errorf("%s: X-HubSpot-Auth-Failure on a %d", tc.name, r.Status)
		}
	}
}
