package api_test

import (
	"fmt"
	"sync"
	"testing"
)

// A schema PATCH at the same moment as the schema's archive or hard delete,
// through two nodes: whichever comes second sees the first. A PATCH never
// brings an archived or deleted schema back.
func TestCustomObjectUpdateRacesArchive(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	for i := range 16 {
		typeID := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema(fmt.Sprintf("patched%d", i))), 201)["objectTypeId"].(string)
		del := "/crm/v3/schemas/" + typeID
		if i%2 == 1 {
			del += "?archived=true"
		}
		var wg sync.WaitGroup
		var delStatus, patchStatus int
		wg.Add(2)
		go func() {
			defer wg.Done()
			st, body, err := send(a, "DELETE", del, "")
			if err != nil || st >= 500 {
				t.Errorf("DELETE %s: %d %v %s", del, st, err, body)
			}
			delStatus = st
		}()
		go func() {
			defer wg.Done()
			st, body, err := send(b, "PATCH", "/crm/v3/schemas/"+typeID, fmt.Sprintf(`{"description":"round %d"}`, i))
			if err != nil || st >= 500 {
				t.Errorf("PATCH: %d %v %s", st, err, body)
			}
			patchStatus = st
		}()
		wg.Wait()
		if delStatus != 204 {
			t.Fatalf("round %d: DELETE %s answered %d", i, del, delStatus)
		}
		if patchStatus != 200 && patchStatus != 404 {
			t.Errorf("round %d: PATCH answered %d", i, patchStatus)
		}
		if live := a.Do("GET", "/crm/v3/schemas/"+typeID, nil); live.Status != 404 {
			t.Errorf("round %d: after DELETE %s (204) and PATCH (%d) the schema is live: %d", i, del, patchStatus, live.Status)
		}
		archived := a.Do("GET", "/crm/v3/schemas/"+typeID+"?archived=true", nil)
		if i%2 == 0 && (archived.Status != 200 || archived.JSON()["archived"] != true) {
			t.Errorf("round %d: archived schema after the PATCH: %d", i, archived.Status)
		}
		if i%2 == 1 && archived.Status != 404 {
			t.Errorf("round %d: deleted schema after the PATCH: %d", i, archived.Status)
		}
	}
}

// A PATCH that names a property at the same moment as the property's
// archive: one of the two is refused, so the schema never names an
// archived property (which would fail every later PATCH and every create
// of a required one).
func TestCustomObjectUpdateRacesPropertyArchive(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	typeID := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("racks")), 201)["objectTypeId"].(string)
	for i := range 16 {
		name := fmt.Sprintf("extra%d", i)
		mustStatus(t, a.Do("POST", "/crm/v3/properties/"+typeID, fmt.Sprintf(`{"name":%q,"label":"Extra","type":"string","fieldType":"text","groupName":"racks_information"}`, name)), 201)
		var wg sync.WaitGroup
		var patchStatus, archiveStatus int
		wg.Add(2)
		go func() {
			defer wg.Done()
			st, body, err := send(b, "PATCH", "/crm/v3/schemas/"+typeID, fmt.Sprintf(`{"requiredProperties":[%q]}`, name))
			if err != nil || st >= 500 {
				t.Errorf("PATCH: %d %v %s", st, err, body)
			}
			patchStatus = st
		}()
		go func() {
			defer wg.Done()
			st, body, err := send(a, "DELETE", "/crm/v3/properties/"+typeID+"/"+name, "")
			if err != nil || st >= 500 {
				t.Errorf("DELETE property: %d %v %s", st, err, body)
			}
			archiveStatus = st
		}()
		wg.Wait()
		if patchStatus == 200 && archiveStatus == 204 {
			t.Errorf("round %d: the schema now requires %s, which was archived", i, name)
		}
		// Undo whichever passed, for the next round.
		mustStatus(t, a.Do("PATCH", "/crm/v3/schemas/"+typeID, `{"requiredProperties":[]}`), 200)
	}
}
