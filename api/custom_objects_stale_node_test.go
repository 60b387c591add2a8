package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// boxSchema is a custom object schema with nothing but its primary display
// property, which can be archived as soon as it is made.
func boxSchema(name string) string {
	return fmt.Sprintf(`{"name":%q,"labels":{"singular":"Box","plural":"Boxes"},"primaryDisplayProperty":"label",
		"properties":[{"name":"label","label":"Label"}],"requiredProperties":[],"associatedObjects":[]}`, name)
}

// A node that has not yet seen another node archive or delete a schema
// still knows the type, but its writes read the schema as stored: it
// creates and restores no record of a type that is archived or gone. A
// record created after the hard delete would belong to no type at all,
// kept for ever and removed by nothing.
func TestCustomObjectRecordsOnAStaleNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	for _, c := range []struct{ name, del string }{{"archived", ""}, {"deleted", "?archived=true"}} {
		typeID := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("boxes_"+c.name)), 201)["objectTypeId"].(string)
		binned := create(t, a, typeID, `{"properties":{"label":"binned"}}`)["id"].(string)
		mustStatus(t, a.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+binned, nil), 204)
		mustStatus(t, b.Do("GET", "/crm/v3/properties/"+typeID+"/label", nil), 200) // b knows the type
		mustStatus(t, a.Do("DELETE", "/crm/v3/schemas/"+typeID+c.del, nil), 204)

		mustFail(t, b.Do("POST", "/crm/v3/objects/"+typeID, `{"properties":{"label":"late"}}`), 400, "Unable to infer object type from: "+typeID)
		mustFail(t, b.Do("POST", "/crm/v3/objects/"+typeID+"/batch/create", `{"inputs":[{"properties":{"label":"late"}}]}`), 400, "Unable to infer object type from: "+typeID)
		mustFail(t, b.Do("POST", "/crm/v3/objects/"+typeID+"/batch/upsert", `{"inputs":[{"id":"late","idProperty":"label","properties":{"label":"late"}}]}`), 400)
		if c.del == "" {
			mustFail(t, b.Do("POST", "/_spoke/objects/"+typeID+"/"+binned+"/restore", nil), 400, "Unable to infer object type from: "+typeID)
			// Nothing came back to life: the archived schema still goes for good.
			mustStatus(t, a.Do("DELETE", "/crm/v3/schemas/"+typeID+"?archived=true", nil), 204)
		}
		// Seen from the store, the type has no record left, live or binned.
		var left []int64
		for _, archived := range []bool{false, true} {
			got, err := storeObjects(a, typeID, archived)
			if err != nil {
				t.Fatal(err)
			}
			left = append(left, got...)
		}
		if len(left) != 0 {
			t.Errorf("%s type %s: records %v are left", c.name, typeID, left)
		}
	}
}

// An archive, a hard delete and record creations of the type at once,
// through both nodes: a record is created only if the schema's archive is
// refused because of it, never beside a schema archived or deleted.
func TestCustomObjectArchiveRacesRecordCreation(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	for i := range 12 {
		typeID := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema(fmt.Sprintf("race%d", i))), 201)["objectTypeId"].(string)
		mustStatus(t, b.Do("GET", "/crm/v3/properties/"+typeID+"/label", nil), 200)
		del := "/crm/v3/schemas/" + typeID
		if i%2 == 1 {
			del += "/purge"
		}
		reqs := []struct {
			n          *spoketest.Server
			m, p, body string
		}{
			{a, "DELETE", del, ""},
			{b, "POST", "/crm/v3/objects/" + typeID, `{"properties":{"label":"x"}}`},
			{a, "POST", "/crm/v3/objects/" + typeID, `{"properties":{"label":"y"}}`},
		}
		status := make([]int, len(reqs))
		var wg sync.WaitGroup
		for j, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, body, err := send(r.n, r.m, r.p, r.body)
				if err != nil || st >= 500 {
					t.Errorf("%s %s: %d %v %s", r.m, r.p, st, err, body)
				}
				status[j] = st
			}()
		}
		wg.Wait()
		created := 0
		for _, st := range status[1:] {
			if st == 201 {
				created++
			}
		}
		if status[0] == 204 && created > 0 {
			t.Errorf("round %d: the schema was deleted (%s) and %d records of it were created", i, del, created)
		}
		live, err := storeObjects(a, typeID, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(live) != created {
			t.Errorf("round %d: %d records created, %d live in the store", i, created, len(live))
		}
	}
}

// storeObjects lists the ids of the records of a type as stored, whether
// or not the type is still known.
func storeObjects(s *spoketest.Server, typeID string, archived bool) ([]int64, error) {
	var ids []int64
	err := s.Store.Read(context.Background(), func(tx crm.ReadTx) error {
		objs, err := tx.ListObjects(context.Background(), crm.ListQuery{TypeID: typeID, Archived: archived, Limit: 1000})
		for _, o := range objs {
			ids = append(ids, o.ID)
		}
		return err
	})
	return ids, err
}

// Nor does such a node add a property to the archived type: it would be a
// custom property of a type that serves nothing.
func TestCustomObjectPropertiesOnAStaleNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	typeID := mustStatus(t, a.Do("POST", "/crm/v3/schemas", boxSchema("lockers")), 201)["objectTypeId"].(string)
	mustStatus(t, b.Do("GET", "/crm/v3/properties/"+typeID+"/label", nil), 200) // b knows the type
	mustStatus(t, a.Do("DELETE", "/crm/v3/schemas/"+typeID, nil), 204)
	mustFail(t, b.Do("POST", "/crm/v3/properties/"+typeID, `{"name":"late","label":"Late","type":"string","fieldType":"text","groupName":"lockers_information"}`),
		400, "Unable to infer object type from: "+typeID)
	err := a.Store.Read(context.Background(), func(tx crm.ReadTx) error {
		props, err := tx.CustomProperties(context.Background(), typeID)
		for _, p := range props {
			if p.Name == "late" {
				t.Errorf("property %s of the archived type was stored", p.Name)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
