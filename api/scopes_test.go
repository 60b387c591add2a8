package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// request is one operation and the scopes any one of which allows it.
type request struct {
	method, path, body string
	scopes             []string
}

func scopeMatrix(commID, contactID string) []request {
	msg := `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1}}`
	return []request{
		{"GET", "/crm/v3/objects/communications", "", []string{"crm.objects.contacts.read"}},
		{"GET", "/crm/v3/objects/communications/" + commID, "", []string{"crm.objects.contacts.read"}},
		{"POST", "/crm/v3/objects/communications", msg, []string{"crm.objects.contacts.write"}},
		{"PATCH", "/crm/v3/objects/communications/" + commID, `{"properties":{}}`, []string{"crm.objects.contacts.write"}},
		{"DELETE", "/crm/v3/objects/communications/999", "", []string{"crm.objects.contacts.write"}},
		{"GET", "/crm/objects/2026-03/contacts/" + contactID, "", []string{"crm.objects.contacts.read"}},
		{"GET", "/crm/v3/objects/companies", "", []string{"crm.objects.companies.read"}},
		{"POST", "/crm/v3/objects/companies", `{"properties":{"name":"Acme"}}`, []string{"crm.objects.companies.write"}},
		{"GET", "/crm/v3/objects/deals", "", []string{"crm.objects.deals.read"}},
		{"DELETE", "/crm/v3/objects/deals/999", "", []string{"crm.objects.deals.write"}},
		{"GET", "/crm/v3/objects/tickets", "", []string{"tickets", "crm.objects.tickets.read"}},
		{"DELETE", "/crm/v3/objects/tickets/999", "", []string{"tickets", "crm.objects.tickets.write"}},
		{"GET", "/crm/v3/owners", "", []string{"crm.objects.owners.read", "automation"}},
		{"GET", "/crm/v3/owners/", "", []string{"crm.objects.owners.read", "automation"}},
		{"GET", "/crm/v3/owners/80000001", "", []string{"crm.objects.owners.read", "automation"}},
		{"GET", "/crm/owners/2026-03", "", []string{"crm.objects.owners.read", "automation"}},
		{"GET", "/crm/associations/2026-03/contacts/companies/labels", "", []string{"crm.objects.contacts.read", "crm.schemas.contacts.read"}},
		{"GET", "/crm/v3/properties/communications", "", []string{"crm.objects.contacts.read", "crm.schemas.contacts.read"}},
		{"GET", "/crm/v3/properties/deals/dealname", "", []string{"crm.objects.deals.read", "crm.schemas.deals.read"}},
		{"POST", "/crm/v3/properties/deals/batch/read", `{"inputs":[{"name":"dealname"}]}`, []string{"crm.objects.deals.read", "crm.schemas.deals.read"}},
		{"GET", "/crm/v3/properties/tickets/groups", "", []string{"tickets", "crm.objects.tickets.read", "crm.schemas.tickets.read"}},
		{"DELETE", "/crm/v3/properties/companies/nothing_here", "", []string{"crm.schemas.companies.write"}},
		{"POST", "/crm/v3/properties/tickets/batch/archive", `{"inputs":[]}`, []string{"tickets", "crm.schemas.tickets.write"}},
	}
}

func TestScopesPerOperation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	commID := create(t, s, "communications", whatsApp("x"))["id"].(string)
	contactID := create(t, s, "contacts", `{"properties":{"email":"c@example.com"}}`)["id"].(string)
	for _, rq := range scopeMatrix(commID, contactID) {
		// Every listed scope alone is enough.
		for _, scope := range rq.scopes {
			r := s.DoToken(s.NewToken(scope), rq.method, rq.path, bodyOrNil(rq.body))
			if r.Status == 403 || r.Status == 401 {
				t.Errorf("%s %s with %s: %d %s", rq.method, rq.path, scope, r.Status, r.Body)
			}
		}
		// Any other scope is refused with HubSpot's 403 body.
		var others []string
		for _, sc := range crm.AllScopes {
			if !contains(rq.scopes, sc) {
				others = append(others, sc)
			}
		}
		r := s.DoToken(s.NewToken(others...), rq.method, rq.path, bodyOrNil(rq.body))
		body := mustStatus(t, r, 403)
		if body["category"] != "MISSING_SCOPES" || !strings.HasPrefix(body["message"].(string), "This app hasn't been granted all required scopes") {
			t.Errorf("%s %s: %s", rq.method, rq.path, r.Body)
			continue
		}
		required := body["errors"].([]any)[0].(map[string]any)["context"].(map[string]any)["requiredGranularScopes"].([]any)
		if len(required) != len(rq.scopes) || required[0] != rq.scopes[0] {
			t.Errorf("%s %s: requiredGranularScopes %v, want %v", rq.method, rq.path, required, rq.scopes)
		}
	}
}

func bodyOrNil(b string) any {
	if b == "" {
		return nil
	}
	return b
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	id := create(t, s, "communications", whatsApp("x"))["id"].(string)
	ro := s.NewToken("crm.objects.contacts.read")
	if r := s.DoToken(ro, "GET", "/crm/v3/objects/communications", nil); r.Status != 200 {
		t.Fatalf("list: %d", r.Status)
	}
	for _, w := range []struct{ method, path, body string }{
		{"POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1}}`},
		{"PATCH", "/crm/v3/objects/communications/" + id, `{"properties":{"hs_communication_body":"changed"}}`},
		{"DELETE", "/crm/v3/objects/communications/" + id, ""},
		{"POST", "/crm/v3/properties/communications", `{"name":"x","label":"X","type":"string","fieldType":"text","groupName":"communicationinformation"}`},
	} {
		mustStatus(t, s.DoToken(ro, w.method, w.path, bodyOrNil(w.body)), 403)
	}
	// Nothing changed.
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+id+"?properties=hs_communication_body", nil), 200)
	if props(got)["hs_communication_body"] != "x" {
		t.Errorf("read-only token changed data: %v", got)
	}
	// A write scope alone does not grant reads.
	wo := s.NewToken("crm.objects.contacts.write")
	mustStatus(t, s.DoToken(wo, "GET", "/crm/v3/objects/communications/"+id, nil), 403)
}

func TestRevokedTokenIsRefused(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Clock.Set(start)
	tok := s.NewToken("crm.objects.contacts.read")
	mustStatus(t, s.DoToken(tok, "GET", "/crm/v3/objects/contacts", nil), 200)
	tokens, _ := s.Store.Tokens().ListTokens(context.Background())
	if err := s.Store.Tokens().RevokeToken(context.Background(), tokens[0].ID, start); err != nil {
		t.Fatal(err)
	}
	// Revocation from another process is seen once the cached lookup expires.
	s.Clock.Set(start.Add(3 * time.Second))
	r := s.DoToken(tok, "GET", "/crm/v3/objects/contacts", nil)
	if body := mustStatus(t, r, 401); body["category"] != "INVALID_AUTHENTICATION" || r.Header.Get("X-HubSpot-Auth-Failure") != "401 Unauthorized" {
		t.Errorf("revoked: %s", r.Body)
	}
}
