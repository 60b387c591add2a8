package api_test

import (
	"fmt"
	"sync"
	"testing"
)

// A node that has not yet seen another node archive a schema makes no
// association definition or label with the archived type: they would be
// definitions of a type that serves nothing, listed in the other schema's
// associations.
func TestCustomObjectAssociationsOnAStaleNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
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

// An association definition or label made with a type at the same moment
// as the type's archive: either the archive is refused because of it, or
// it is refused because the type is archived; never both pass.
func TestCustomObjectArchiveRacesAssociationDefinitions(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	live := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("cabinets")), 201)["objectTypeId"].(string)
	for i := range 16 {
		gone := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema(fmt.Sprintf("drawers%d", i))), 201)["objectTypeId"].(string)
		mustStatus(t, b.Do("GET", "/crm/v3/properties/"+gone+"/label", nil), 200)
		make := []string{"POST", "/crm/v3/schemas/" + live + "/associations", fmt.Sprintf(`{"fromObjectTypeId":%q,"toObjectTypeId":%q}`, live, gone)}
		if i%2 == 1 {
			make = []string{"POST", "/crm/v4/associations/" + gone + "/contacts/labels", `{"label":"Kept","name":"kept"}`}
		}
		var wg sync.WaitGroup
		var archiveStatus, makeStatus int
		wg.Add(2)
		go func() {
			defer wg.Done()
			st, body, err := send(a, "DELETE", "/crm/v3/schemas/"+gone, "")
			if err != nil || st >= 500 {
				t.Errorf("DELETE schema: %d %v %s", st, err, body)
			}
			archiveStatus = st
		}()
		go func() {
			defer wg.Done()
			st, body, err := send(b, make[0], make[1], make[2])
			if err != nil || st >= 500 {
				t.Errorf("%s %s: %d %v %s", make[0], make[1], st, err, body)
			}
			makeStatus = st
		}()
		wg.Wait()
		if archiveStatus == 204 && makeStatus/100 == 2 {
			t.Errorf("round %d: %s %s (%d) passed beside the archive of %s", i, make[0], make[1], makeStatus, gone)
		}
	}
}
