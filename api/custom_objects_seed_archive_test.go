package api_test

import (
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A seed that archives a stored live schema is held to the archive rule of
// the schemas API: it is refused, naming what remains, and changes nothing;
// once nothing remains it archives the schema. Otherwise a seed could leave
// live records and properties under an archived type, which no path serves.
func TestCustomObjectSeedArchivesUnderTheRule(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	typeID := mustStatus(t, s.Do("POST", "/crm/v3/schemas", boxSchema("crates")), 201)["objectTypeId"].(string)
	car := create(t, s, typeID, `{"properties":{"label":"one"}}`)["id"].(string)
	archive := fmt.Sprintf(`{"schemas":[{"objectTypeId":%q,"name":"crates","labels":{"singular":"Box","plural":"Boxes"},
		"primaryDisplayProperty":"label","archived":true}],"objects":{"contacts":[{"id":"901","properties":{"email":"seeded@example.com"}}]}}`, typeID)
	r := s.Do("POST", "/_spoke/seed", archive)
	mustFail(t, r, 400, "Object type crates still has 1 record")
	if r.JSON()["category"] != "VALIDATION_ERROR" {
		t.Errorf("refusal: %s", r.Body)
	}
	// Nothing of the fixture was stored.
	if got := mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID, nil), 200); got["archived"] != false {
		t.Errorf("schema after the refused seed: %v", got)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typeID+"/"+car, nil), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/901", nil), 404)

	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+car, nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", archive), 200)
	if got := mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID+"?archived=true", nil), 200); got["archived"] != true {
		t.Errorf("schema after the seed: %v", got)
	}
	// Seeding it again over the archived schema, as a reseed of an export
	// does, asks nothing more.
	mustStatus(t, s.Do("POST", "/_spoke/seed", archive), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/901", nil), 200)
}
