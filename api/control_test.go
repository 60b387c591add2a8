package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// populate writes a bit of everything through the API.
func populate(t *testing.T, s *spoketest.Server) {
	t.Helper()
	owner := s.NewOwner("owner@example.com", "Olga", "Owner")
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", `{"name":"wa_id","label":"WhatsApp id","type":"string","fieldType":"text","groupName":"communicationinformation","hasUniqueValue":true}`), 201)
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Buyer","name":"buyer","inverseLabel":"Bought by"}`), 200)
	contact := create(t, s, "contacts", fmt.Sprintf(`{"properties":{"email":"c@example.com","firstname":"Cora","hubspot_owner_id":"%d"}}`, owner.ID))["id"].(string)
	company := newCompany(t, s, "Acme")
	m := create(t, s, "communications", fmt.Sprintf(`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi","wa_id":"w1"},"associations":[%s]}`, to(contact, "HUBSPOT_DEFINED", 81)))["id"].(string)
	gone := newMessage(t, s, "")
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+gone, nil), 204)
	labels := mustStatus(t, s.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)
	var label float64
	for _, l := range labels["results"].([]any) {
		if l.(map[string]any)["label"] == "Buyer" {
			label = l.(map[string]any)["typeId"].(float64)
		}
	}
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+company, fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, label)), 201)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+contact, `{"properties":{"hs_pinned_engagement_id":"`+m+`"}}`), 200)
}

func TestExportResetSeedRoundTrip(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	populate(t, s)
	first := s.Do("GET", "/_spoke/export", nil)
	mustStatus(t, first, 200)

	// A reset can keep owners and schema; records always go.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"owners":false,"schema":false}`), 204)
	if n := count(t, s, "communications") + count(t, s, "contacts"); n != 0 {
		t.Errorf("%d records after reset", n)
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)); n != 1 {
		t.Errorf("owners after reset: %d", n)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/properties/communications/wa_id", nil), 200)
	// Without a body it empties them too (so does {"owners":true,"schema":true}).
	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/properties/communications/wa_id", nil), 404)
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)); n != 0 {
		t.Errorf("owners after full reset: %d", n)
	}

	// Seeding the export gives back the same data: ids, properties, associations, pins.
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(first.Body)), 200)
	second := s.Do("GET", "/_spoke/export", nil)
	var a, b map[string]any
	json.Unmarshal(first.Body, &a)
	json.Unmarshal(second.Body, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("round trip differs:\nfirst  %s\nsecond %s", first.Body, second.Body)
	}
	// The seeded data works like any other: search, unique values, new ids above the seeded ones.
	if _, total := searchIDs(t, s, "communications", `{"query":"hi"}`); total != 1 {
		t.Errorf("seeded message not searchable: %d", total)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"c@example.com"}}`), 409)
	fresh := create(t, s, "contacts", `{"properties":{"email":"new@example.com"}}`)["id"].(string)
	for _, c := range a["objects"].(map[string]any)["contacts"].([]any) {
		if id := c.(map[string]any)["id"].(string); id >= fresh {
			t.Errorf("new id %s not above seeded id %s", fresh, id)
		}
	}
}

func TestSeedIsAllOrNothing(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, bad := range []string{
		`{"objects":{"contacts":[{"properties":{"email":"a@example.com"}}],"communications":[{"properties":{"hs_communication_channel_type":"FAX","hs_timestamp":"1"}}]}}`,
		`{"objects":{"contacts":[{"id":"5","properties":{"email":"a@example.com"}}]},"associations":[{"from":{"type":"contacts","id":"5"},"to":{"type":"companies","id":"6"},"types":[]}]}`,
		`{"objects":{"widgets":[{"properties":{}}]}}`,
		`{"objects":{"contacts":[{"properties":{"email":"a@example.com","hs_pinned_engagement_id":"9"}}]}}`,
		`{"owners":[{"email":"x@example.com"}],"objects":{"contacts":[{"properties":{"hubspot_owner_id":"1"}}]}}`,
		`{"objects":{"contacts":[{"properties":{"email":"d@example.com"}},{"properties":{"email":"D@example.com"}}]}}`,
		`{"objects":`,
	} {
		got := mustStatus(t, s.Do("POST", "/_spoke/seed", bad), map[bool]int{true: 409, false: 400}[strings.Contains(bad, "d@example")])
		if got["status"] != "error" {
			t.Errorf("%s: %v", bad, got)
		}
	}
	if n := count(t, s, "contacts"); n != 0 {
		t.Errorf("failed seeds left %d contacts", n)
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)); n != 0 {
		t.Errorf("failed seed left owners: %d", n)
	}
	// A hand-written fixture without ids gets ids, computed properties and associations.
	got := mustStatus(t, s.Do("POST", "/_spoke/seed", `{"objects":{
		"contacts":[{"id":"77","properties":{"email":"ana@example.com"}}],
		"communications":[{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_timestamp":"2025-01-01T10:00:00Z","hs_communication_body":"<p>Olá</p>"}}]},
		"associations":[]}`), 200)
	if got["loaded"].(map[string]any)["communications"] != float64(1) {
		t.Errorf("seed result %v", got)
	}
	msgs, _ := searchIDs(t, s, "communications", `{"properties":["hs_body_preview"]}`)
	if len(msgs) != 1 {
		t.Fatalf("seeded messages %v", msgs)
	}
	p := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+msgs[0]+"?properties=hs_body_preview", nil), 200))
	if p["hs_body_preview"] != "Olá" {
		t.Errorf("computed preview %v", p)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/77", nil), 200)
}

func TestControlsNeedAdminScope(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	ordinary := s.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	for _, c := range []struct{ method, path string }{{"POST", "/_spoke/reset"}, {"POST", "/_spoke/seed"}, {"GET", "/_spoke/export"}} {
		got := mustStatus(t, s.DoToken(ordinary, c.method, c.path, `{}`), 403)
		if fmt.Sprint(got["errors"].([]any)[0].(map[string]any)["context"]) != "map[requiredGranularScopes:[spoke.admin]]" {
			t.Errorf("%s: %v", c.path, got)
		}
	}
	admin := s.NewToken("spoke.admin")
	mustStatus(t, s.DoToken(admin, "GET", "/_spoke/export", nil), 200)
	// Restore is a data operation: the type's write scope, not spoke.admin.
	mustStatus(t, s.DoToken(admin, "POST", "/_spoke/objects/contacts/1/restore", nil), 403)
	health := s.DoToken("", "GET", "/_spoke/health", nil)
	if health.Status != 200 || !strings.Contains(string(health.Body), `"database":"ok"`) {
		t.Errorf("health %d %s", health.Status, health.Body)
	}

	off := spoketest.Open(t, func(st *spoketest.Settings) { st.API.NoAdmin = true })
	for _, c := range []struct{ method, path string }{{"POST", "/_spoke/reset"}, {"POST", "/_spoke/seed"}, {"GET", "/_spoke/export"}} {
		mustStatus(t, off.Do(c.method, c.path, `{}`), 404)
	}
	mustStatus(t, off.Do("GET", "/_spoke/health", nil), 200)
}
