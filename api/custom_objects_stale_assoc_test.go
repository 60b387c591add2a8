package api_test

import (
	"fmt"
	"testing"
)

// A node that has not yet seen another node archive a schema makes no
// association definition or label with the archived type: they would be
// definitions of a type that serves nothing, listed in the other schema's
// associations.
func TestCustomObjectAssociationsOnAStaleNode(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	for _, n := range nodes {
		n.Engine.Shared = true
	}
	a, b := nodes[0], nodes[1]
	gone := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("bins")), 201)["objectTypeId"].(string)
	live := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("shelves")), 201)["objectTypeId"].(string)
	mustStatus(t, b.Do("GET", "/crm/v3/properties/"+gone+"/label", nil), 200) // b knows both types
	mustStatus(t, b.Do("GET", "/crm/v3/properties/"+live+"/label", nil), 200)
	mustStatus(t, a.Do("DELETE", "/crm/v3/schemas/"+gone, nil), 204)

	r := b.Do("POST", "/crm/v3/schemas/"+live+"/associations", fmt.Sprintf(`{"fromObjectTypeId":%q,"toObjectTypeId":%q}`, live, gone))
	mustFail(t, r, 400, "toObjectTypeId "+gone+" is not an object type")
	mustFail(t, b.Do("POST", "/crm/v4/associations/"+live+"/"+gone+"/labels", `{"label":"Holds","name":"holds"}`), 400, "Unable to infer object type from: "+gone)
	mustFail(t, b.Do("POST", "/crm/v4/associations/"+gone+"/"+live+"/labels", `{"label":"Held","name":"held"}`), 400, "Unable to infer object type from: "+gone)
	for _, as := range mustStatus(t, a.Do("GET", "/crm/v3/schemas/"+live, nil), 200)["associations"].([]any) {
		if as.(map[string]any)["toObjectTypeId"] == gone {
			t.Errorf("shelves has a definition to the archived type: %v", as)
		}
	}
}
