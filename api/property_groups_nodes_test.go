package api_test

import (
	"context"
	"testing"
)

// Property groups changed through one node, as the other sees them before
// its periodic reload: a group made on one node is changed, archived and
// used through the other; a group archived on one node is neither brought
// back by a change through the other nor given a new property there; a
// name taken on one node is a conflict on the other.
func TestPropertyGroupsOnTwoNodes(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	const groups = "/crm/v3/properties/contacts/groups"
	mustStatus(t, b.Do("GET", groups, nil), 200)

	mustStatus(t, a.Do("POST", groups, `{"name":"billing","label":"Billing"}`), 201)
	mustStatus(t, b.Do("PATCH", groups+"/billing", `{"label":"Invoices"}`), 200)
	mustStatus(t, a.Do("POST", groups, `{"name":"shipping","label":"Shipping"}`), 201)
	mustStatus(t, b.Do("POST", "/crm/v3/properties/contacts", `{"name":"dock","label":"Dock","type":"string","fieldType":"text","groupName":"shipping"}`), 201)
	mustStatus(t, a.Do("POST", groups, `{"name":"unused","label":"Unused"}`), 201)
	mustStatus(t, b.Do("DELETE", groups+"/unused", nil), 204)
	mustStatus(t, b.Do("POST", groups, `{"name":"billing","label":"Billing again"}`), 409)

	mustStatus(t, a.Do("POST", groups, `{"name":"legacy","label":"Legacy"}`), 201)
	if err := b.Engine.LoadSchemas(context.Background()); err != nil { // b's periodic reload
		t.Fatal(err)
	}
	mustStatus(t, a.Do("DELETE", groups+"/legacy", nil), 204)
	mustStatus(t, b.Do("PATCH", groups+"/legacy", `{"label":"Back"}`), 404)
	mustStatus(t, b.Do("POST", "/crm/v3/properties/contacts", `{"name":"old_code","label":"Old code","type":"string","fieldType":"text","groupName":"legacy"}`), 400)

	mustStatus(t, a.Do("POST", groups, `{"name":"filled","label":"Filled"}`), 201)
	if err := b.Engine.LoadSchemas(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"fill","label":"Fill","type":"string","fieldType":"text","groupName":"filled"}`), 201)
	mustStatus(t, b.Do("DELETE", groups+"/filled", nil), 400)

	for name, want := range map[string]int{"billing": 200, "shipping": 200, "unused": 404, "legacy": 404, "filled": 200} {
		if got := a.Do("GET", groups+"/"+name, nil); got.Status != want {
			t.Errorf("group %s: %d, want %d: %s", name, got.Status, want, got.Body)
		}
	}
	if got := mustStatus(t, a.Do("GET", groups+"/billing", nil), 200); got["label"] != "Invoices" {
		t.Errorf("billing: %v", got)
	}
}
