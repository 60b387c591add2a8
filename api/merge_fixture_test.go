package api_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Reset empties merged ids and blocked addresses (and, with the schema,
// association limits); export writes them and seed loads them back, so a
// merged id answers again after reset and seed.
func TestMergeStateInResetSeedExport(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a, b := newContact(t, s, "a@example.com"), newContact(t, s, "b@example.com")
	n := merge(t, s, "contacts", a, b)["id"].(string)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"erased@example.com","idProperty":"email"}`), 204)
	setLimit(t, s, "create", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":4}`, 201)
	first := mustStatus(t, s.Do("GET", "/_spoke/export", nil), 200)
	if got := first["associationLimits"]; len(got.([]any)) != 1 {
		t.Errorf("exported limits %v", got)
	}
	if got := first["gdprBlockedEmails"]; len(got.([]any)) != 1 {
		t.Errorf("exported blocked addresses %v", got)
	}

	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"schema":false}`), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+a, nil), 404)
	if got := blockedEmails(t, s); len(got) != 0 {
		t.Errorf("blocked addresses after a reset: %v", got)
	}
	if got := limitsOf(t, s, limitsV4, "deals", "contacts"); got != "HUBSPOT_DEFINED/3=4" {
		t.Errorf("a reset keeping the schema dropped a limit: %s", got)
	}
	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	if got := limitsOf(t, s, limitsV4, "deals", "contacts"); got != "HUBSPOT_DEFINED/3=-" {
		t.Errorf("a full reset kept a limit: %s", got)
	}

	body, _ := json.Marshal(first)
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(body)), 200)
	for _, id := range []string{a, b} {
		if g := getID(t, s, "contacts", id); g != n {
			t.Errorf("after seeding, %s answers %s, want %s", id, g, n)
		}
	}
	second := mustStatus(t, s.Do("GET", "/_spoke/export", nil), 200)
	if !reflect.DeepEqual(first, second) {
		t.Errorf("round trip differs:\nfirst  %v\nsecond %v", first, second)
	}
	// Seeding twice is the same as seeding once.
	mustStatus(t, s.Do("POST", "/_spoke/seed", string(body)), 200)
	// A merged id that is a record's id, or that two records list, is a 409.
	for _, bad := range []string{
		`{"objects":{"contacts":[{"id":"` + n + `","properties":{"email":"a@example.com","hs_merged_object_ids":"` + n + `"}}]}}`,
		`{"objects":{"contacts":[{"id":"5","properties":{"hs_merged_object_ids":"7"}},{"id":"6","properties":{"hs_merged_object_ids":"7"}}]}}`,
	} {
		mustStatus(t, s.Do("POST", "/_spoke/seed", bad), 409)
	}
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"associationLimits":[{"from":"deals","to":"contacts","typeId":999,"maxToObjectIds":1}]}`), 400)
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"gdprBlockedEmails":[""]}`), 400)
}
