package api_test

import (
	"context"
	"fmt"
	"testing"
)

// A node that still knows a label another node deleted neither brings it
// back by changing it nor stores associations of it.
func TestLabelDeletedOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	id := labelID(t, a, "Partner")
	if err := b.Engine.LoadSchemas(context.Background()); err != nil { // b's periodic reload
		t.Fatal(err)
	}
	contact := create(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "lee@example.com"}})["id"].(string)
	company := create(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Acme"}})["id"].(string)
	mustStatus(t, a.Do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%d", id), nil), 204)

	mustStatus(t, b.Do("PUT", "/crm/v4/associations/contacts/companies/labels", fmt.Sprintf(`{"associationTypeId":%d,"label":"Back"}`, id)), 404)
	for _, r := range mustStatus(t, a.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)["results"].([]any) {
		if int64(r.(map[string]any)["typeId"].(float64)) == id {
			t.Errorf("a label deleted on one node came back through the other: %v", r)
		}
	}
	mustStatus(t, b.Do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%s/associations/companies/%s", contact, company),
		fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%d}]`, id)), 400)
	got := mustStatus(t, a.Do("GET", fmt.Sprintf("/crm/v4/objects/contacts/%s/associations/companies", contact), nil), 200)
	if res := got["results"].([]any); len(res) != 0 {
		t.Errorf("associated with a deleted label through the other node: %v", got)
	}
}

// After a reset through one node, which starts the label ids again, a
// label made there may take the id of a label the other node still knows
// between another pair: that node stores no association of the old pair
// under the new label's id.
func TestLabelIDReusedAfterResetOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	old := labelID(t, a, "Partner")
	if err := b.Engine.LoadSchemas(context.Background()); err != nil { // b's periodic reload
		t.Fatal(err)
	}
	mustStatus(t, a.Do("POST", "/_spoke/reset", nil), 204)
	id := pairLabelID(t, a, "deals/tickets", "Escalation")
	if id != old {
		t.Fatalf("the reset did not start the label ids again (%d, then %d): nothing to check", old, id)
	}
	contact := create(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "kim@example.com"}})["id"].(string)
	company := create(t, a, "companies", map[string]any{"properties": map[string]any{"name": "Initech"}})["id"].(string)
	mustStatus(t, b.Do("PUT", fmt.Sprintf("/crm/v4/objects/contacts/%s/associations/companies/%s", contact, company),
		fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%d}]`, old)), 400)
	got := mustStatus(t, a.Do("GET", fmt.Sprintf("/crm/v4/objects/contacts/%s/associations/companies", contact), nil), 200)
	if res := got["results"].([]any); len(res) != 0 {
		t.Errorf("associated through the other node under a label id now of another pair: %v", got)
	}
}

// A node that still knows a label another node deleted sets no limit on
// it: the limit would be stored for a type no node has.
func TestLimitOnALabelDeletedOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	id := labelID(t, a, "Reseller")
	if err := b.Engine.LoadSchemas(context.Background()); err != nil { // b's periodic reload
		t.Fatal(err)
	}
	mustStatus(t, a.Do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%d", id), nil), 204)
	got := setLimit(t, b, "create", "contacts", "companies", fmt.Sprintf(`{"category":"USER_DEFINED","typeId":%d,"maxToObjectIds":2}`, id), 207)
	if cat, _ := batchError(t, got); cat != "VALIDATION_ERROR" {
		t.Errorf("limit on a deleted label: %v", got)
	}
}
