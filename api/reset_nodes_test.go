package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Resets and seeds through one node while clients use the other: the
// other node answers every request, whatever the reset has removed from
// under it, without a server error.
func TestResetAndSeedWhileAnotherNodeServes(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	fixture := exampleFixture(t)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []string
	)
	fail := func(s string) {
		mu.Lock()
		failed = append(failed, s)
		mu.Unlock()
	}
	call := func(s *spoketest.Server, method, path, body string) {
		status, got, err := send(s, method, path, body)
		if err != nil || status >= 500 {
			fail(fmt.Sprintf("%s %s: %d %s %v", method, path, status, got, err))
		}
	}
	// What the resets remove: a custom property, a label, a custom type;
	// the seed may meet records the other node's clients made since the
	// reset (a 409), which is no concern here.
	shape := func() {
		call(a, "POST", "/crm/v3/properties/contacts", `{"name":"tier","label":"Tier","type":"string","fieldType":"text","groupName":"contactinformation"}`)
		call(a, "POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Buyer","name":"buyer"}`)
		call(a, "POST", "/crm/v3/schemas", boxSchema("crates"))
		call(a, "POST", "/_spoke/seed", fixture)
	}
	shape()
	const rounds, clients, calls = 4, 3, 12
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				email := fmt.Sprintf("c%d-%d@example.com", c, i)
				steps := []struct{ method, path, body string }{
					{"POST", "/crm/v3/objects/contacts", fmt.Sprintf(`{"properties":{"email":%q,"tier":"gold"},"associations":[{"to":{"id":"10000000001"},"types":[{"associationCategory":"USER_DEFINED","associationTypeId":2001}]}]}`, email)},
					{"POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"tier","operator":"HAS_PROPERTY"}]}],"properties":["tier"]}`},
					{"GET", "/crm/v3/objects/contacts/" + email + "?idProperty=email&properties=tier&associations=companies", ""},
					{"GET", "/crm/v3/properties/contacts/tier", ""},
					{"GET", "/crm/v4/associations/contacts/companies/labels", ""},
					{"GET", "/crm/v3/schemas", ""},
					{"GET", "/crm/v3/objects/crates?properties=label", ""},
					{"POST", "/crm/v3/objects/crates", `{"properties":{"label":"one"}}`},
					{"GET", "/crm/v3/pipelines/deals", ""},
					{"GET", "/crm/v3/owners", ""},
					{"POST", "/crm/v3/objects/contacts/batch/upsert", fmt.Sprintf(`{"inputs":[{"idProperty":"email","id":%q,"properties":{"tier":"silver"}}]}`, email)},
				}
				for _, s := range steps {
					call(b, s.method, s.path, s.body)
				}
			}
		}()
	}
	for range rounds {
		call(a, "POST", "/_spoke/reset", "")
		shape()
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Errorf("%d server errors on the other node, first: %s", len(failed), strings.Join(failed[:min(len(failed), 5)], "\n"))
	}
}
