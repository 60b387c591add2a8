package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// The user's whole flow to delete a custom object: HubSpot archives a
// schema only once its records, association definitions and properties are
// deleted, naming what remains; archived, its name stays taken until it is
// deleted for good with ?archived=true.
func TestCustomObjectArchive(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	toContact := assocID(t, schema, "0-1")
	toCompany := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas/"+typeID+"/associations",
		fmt.Sprintf(`{"fromObjectTypeId":%q,"toObjectTypeId":"COMPANY"}`, typeID)), 201)["id"].(string)
	// Another schema pointing at cars makes a pair of cars too.
	drivers := mustStatus(t, s.Do("POST", "/crm-object-schemas/v3/schemas", fmt.Sprintf(`{"name":"drivers",
		"labels":{"singular":"Driver","plural":"Drivers"},"primaryDisplayProperty":"driver_name",
		"properties":[{"name":"driver_name","label":"Name"}],"requiredProperties":[],"associatedObjects":[%q]}`, typeID)), 201)
	toDriver := ""
	for _, a := range mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID, nil), 200)["associations"].([]any) {
		if a := a.(map[string]any); a["toObjectTypeId"] == drivers["objectTypeId"] {
			toDriver = a["id"].(string)
		}
	}
	if toDriver == "" {
		t.Fatalf("no cars to drivers definition on cars")
	}

	car := create(t, s, typeID, `{"properties":{"model":"T","vin":"V1"}}`)["id"].(string)
	car2 := create(t, s, typeID, `{"properties":{"model":"S","vin":"V3"}}`)["id"].(string)
	gone := create(t, s, typeID, `{"properties":{"model":"A","vin":"V2"}}`)["id"].(string)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+gone, nil), 204) // in the recycle bin: not counted
	for _, del := range []string{
		"/crm-object-schemas/v3/schemas/" + typeID,
		"/crm/v3/schemas/p_cars",
		"/crm-object-schemas/2026-03/schemas/" + typeID,
		"/crm-object-schemas/v3/schemas/" + typeID + "?archived=true",
		"/crm-object-schemas/v3/schemas/" + typeID + "/purge",
	} {
		got := s.Do("DELETE", del, nil)
		mustFail(t, got, 400, "Object type cars still has 2 records")
		if got.JSON()["category"] != "VALIDATION_ERROR" {
			t.Errorf("DELETE %s: %s", del, got.Body)
		}
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+car2, nil), 204)
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, "still has 1 record;")
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+car, nil), 204)

	// Association definitions: the one made with the schema, the one added
	// later, the one another schema made; the pairs with activity types go
	// with the schema.
	msg := func() string {
		r := s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil)
		mustFail(t, r, 400)
		return r.JSON()["message"].(string)
	}
	m := msg()
	for _, want := range []string{
		"still has association definitions",
		fmt.Sprintf("%d cars_to_contact to 0-1", toContact),
		toCompany + " cars_to_company to 0-2",
		toDriver + " cars_to_drivers to " + drivers["objectTypeId"].(string),
	} {
		if !strings.Contains(m, want) {
			t.Errorf("message %q does not say %q", m, want)
		}
	}
	if strings.Contains(m, "communication") || strings.Contains(m, "properties") {
		t.Errorf("message names more than the definitions to delete: %q", m)
	}
	for _, id := range []string{fmt.Sprint(toContact), toCompany} {
		mustStatus(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"/associations/"+id, nil), 204)
	}
	if m := msg(); !strings.Contains(m, toDriver+" cars_to_drivers") || strings.Contains(m, "cars_to_contact") {
		t.Errorf("after deleting two definitions: %q", m)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID+"/associations/"+toDriver, nil), 204)

	// Properties: every custom property but the primary display property,
	// which cannot be archived while it is one.
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400,
		"Object type cars still has custom properties (color, make, vin, year)")
	mustFail(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/model", nil), 400,
		"Property model cannot be archived: it is in the primaryDisplayProperty and requiredProperties and searchableProperties of object type cars")
	mustFail(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/make", nil), 400,
		"searchableProperties and secondaryDisplayProperties")
	mustStatus(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID,
		`{"requiredProperties":[],"searchableProperties":[],"secondaryDisplayProperties":[]}`), 200)
	mustFail(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/model", nil), 400, "primaryDisplayProperty of object type cars")
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/make", nil), 204)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/vin", nil), 204)
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, "still has custom properties (color, year)")
	mustStatus(t, s.Do("POST", "/crm/v3/properties/"+typeID+"/batch/archive", `{"inputs":[{"name":"year"},{"name":"color"}]}`), 204)
	mustStatus(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID, nil), 204)

	mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID, nil), 404)
	if got := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID+"?archived=true", nil), 200); got["archived"] != true {
		t.Errorf("archived schema: %v", got)
	}
	live := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas", nil), 200)["results"].([]any)
	if len(live) != 1 || live[0].(map[string]any)["name"] != "drivers" {
		t.Errorf("live schemas: %v", live)
	}
	if res := mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas?archived=true", nil), 200)["results"].([]any); len(res) != 1 || res[0].(map[string]any)["objectTypeId"] != typeID {
		t.Errorf("archived schemas: %v", res)
	}
	// Drivers no longer has a pair with cars.
	for _, a := range mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/p_drivers", nil), 200)["associations"].([]any) {
		if a.(map[string]any)["toObjectTypeId"] == typeID {
			t.Errorf("drivers still associated with cars: %v", a)
		}
	}
	mustFail(t, s.Do("GET", "/crm/v3/objects/"+typeID, nil), 400, "Unable to infer object type from: "+typeID)
	mustFail(t, s.Do("POST", "/crm-object-schemas/v3/schemas", carSchema), 409, "cars")
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 404)

	// An archived schema passed the rule; deleting it for good asks nothing
	// more and takes its primary display property and recycle bin with it.
	mustStatus(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"?archived=true", nil), 204)
	mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID+"?archived=true", nil), 404)
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"?archived=true", nil), 404)
	again := newCarSchema(t, s)
	if again["objectTypeId"] == typeID {
		t.Errorf("a deleted type id was used again: %v", typeID)
	}
	// The new type starts empty: the old records and their unique values are gone.
	create(t, s, again["objectTypeId"].(string), `{"properties":{"model":"T","vin":"V1"}}`)
	if got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+again["objectTypeId"].(string)+"?archived=true", nil), 200); len(got["results"].([]any)) != 0 {
		t.Errorf("recycle bin of the new type: %v", got)
	}
}

// A live schema is deleted for good under the same rule as an archive,
// with ?archived=true or HubSpot's former DELETE .../purge.
func TestCustomObjectPurgeLive(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for i, del := range []string{"?archived=true", "/purge"} {
		name := fmt.Sprintf("boxes%d", i)
		typeID := mustStatus(t, s.Do("POST", "/crm/v3/schemas", fmt.Sprintf(`{"name":%q,
			"labels":{"singular":"Box","plural":"Boxes"},"primaryDisplayProperty":"label","requiredProperties":["label"],
			"properties":[{"name":"label","label":"Label"},{"name":"size","label":"Size"}],
			"associatedObjects":[],"shouldCreateSameObjectAssociation":true}`, name)), 201)["objectTypeId"].(string)
		self := s.Do("GET", "/crm/v3/schemas/"+typeID, nil).JSON()["associations"].([]any)
		selfID := ""
		for _, a := range self {
			if a := a.(map[string]any); a["toObjectTypeId"] == typeID {
				selfID = a["id"].(string)
			}
		}
		if selfID == "" {
			t.Fatalf("no same-object definition: %v", self)
		}
		mustFail(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID+del, nil), 400, selfID+" "+name+"_to_"+name+" to "+typeID)
		mustStatus(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID+"/associations/"+selfID, nil), 204)
		mustFail(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID+del, nil), 400, "still has custom properties (size)")
		mustStatus(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/size", nil), 204)
		// The required primary display property goes with the schema.
		mustStatus(t, s.Do("DELETE", "/crm/v3/schemas/"+typeID+del, nil), 204)
		mustStatus(t, s.Do("GET", "/crm/v3/schemas/"+typeID+"?archived=true", nil), 404)
		mustStatus(t, s.Do("POST", "/crm/v3/schemas", fmt.Sprintf(`{"name":%q,
			"labels":{"singular":"Box","plural":"Boxes"},"properties":[],"requiredProperties":[],"associatedObjects":[]}`, name)), 201)
	}
	mustFail(t, s.Do("DELETE", "/crm/v3/schemas/nothing_here/purge", nil), 404)
}

// The properties API refuses to archive a property the schema names, one
// at a time and in a batch (which then archives nothing); HubSpot's own
// properties of a custom type cannot be archived either.
func TestCustomPropertyArchiveSchemaNames(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	typeID := newCarSchema(t, s)["objectTypeId"].(string)
	for _, c := range []struct{ name, says string }{
		{"model", "primaryDisplayProperty and requiredProperties and searchableProperties"},
		{"make", "searchableProperties and secondaryDisplayProperties"},
		{"hs_createdate", "defined by HubSpot"},
	} {
		r := s.Do("DELETE", "/crm/v3/properties/"+typeID+"/"+c.name, nil)
		mustFail(t, r, 400, c.says)
		if r.JSON()["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %s", c.name, r.Body)
		}
	}
	mustFail(t, s.Do("POST", "/crm/v3/properties/"+typeID+"/batch/archive", `{"inputs":[{"name":"vin"},{"name":"model"}]}`), 400, "Property model cannot be archived")
	mustStatus(t, s.Do("GET", "/crm/v3/properties/"+typeID+"/vin", nil), 200)

	mustStatus(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"requiredProperties":["vin"],"primaryDisplayProperty":"vin"}`), 200)
	mustFail(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/vin", nil), 400, "primaryDisplayProperty and requiredProperties")
	mustFail(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/model", nil), 400, "in the searchableProperties of object type cars")
	mustStatus(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"searchableProperties":["make"]}`), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/"+typeID+"/model", nil), 204)
	// The schema still reads and updates: it names no archived property.
	mustStatus(t, s.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"description":"Cars"}`), http.StatusOK)
}

// The archive rules read the schema as stored, so a change made on one node
// counts on the other at once.
func TestCustomObjectArchiveTwoNodes(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	typeID := newCarSchema(t, a)["objectTypeId"].(string)
	mustStatus(t, b.Do("GET", "/crm/v3/properties/"+typeID+"/vin", nil), 200) // b knows the type
	mustStatus(t, a.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID,
		`{"requiredProperties":["vin"],"searchableProperties":[],"secondaryDisplayProperties":[]}`), 200)
	mustFail(t, b.Do("DELETE", "/crm/v3/properties/"+typeID+"/vin", nil), 400, "in the requiredProperties of object type cars")
	mustFail(t, b.Do("POST", "/crm/v3/properties/"+typeID+"/batch/archive", `{"inputs":[{"name":"vin"}]}`), 400, "requiredProperties")
	mustStatus(t, b.Do("POST", "/crm/v3/properties/"+typeID+"/batch/archive", `{"inputs":[{"name":"make"},{"name":"year"},{"name":"color"}]}`), 204)
	mustStatus(t, a.Do("PATCH", "/crm-object-schemas/v3/schemas/"+typeID, `{"requiredProperties":[]}`), 200)
	mustStatus(t, b.Do("DELETE", "/crm/v3/properties/"+typeID+"/vin", nil), 204)
	mustFail(t, a.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, "association definitions")
	mustStatus(t, b.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"/associations/"+fmt.Sprint(assocID(t, newSchemaRead(t, b, typeID), "0-1")), nil), 204)
	car := create(t, b, typeID, `{"properties":{"model":"T"}}`)["id"].(string)
	mustFail(t, a.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, "still has 1 record")
	mustStatus(t, b.Do("DELETE", "/crm/v3/objects/"+typeID+"/"+car, nil), 204)
	mustStatus(t, a.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 204)
	// b has not reloaded the schemas yet, but its writes read the schema as
	// stored: it creates no record of the archived type.
	mustFail(t, b.Do("POST", "/crm/v3/objects/"+typeID, `{"properties":{"model":"Late"}}`), 400, "Unable to infer object type from: "+typeID)
	mustStatus(t, a.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"?archived=true", nil), 204)
	for _, id := range []string{car} {
		mustStatus(t, b.Do("GET", "/crm/v3/objects/"+typeID+"/"+id+"?archived=true", nil), 404)
		mustStatus(t, b.Do("GET", "/crm/v3/objects/"+typeID+"/"+id, nil), 404)
	}
}

func newSchemaRead(t *testing.T, s *spoketest.Server, typeID string) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("GET", "/crm-object-schemas/v3/schemas/"+typeID, nil), 200)
}

// A label added to a pair of the type is an association definition too:
// deleting the pair's definition leaves it, and the schema is archived once
// the labels API has deleted it.
func TestCustomObjectArchiveLabels(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	schema := newCarSchema(t, s)
	typeID := schema["objectTypeId"].(string)
	mustStatus(t, s.Do("POST", "/crm/v4/associations/"+typeID+"/contacts/labels", `{"label":"Owner","name":"car_owner"}`), 200)
	var owner string
	for _, l := range mustStatus(t, s.Do("GET", "/crm/v4/associations/"+typeID+"/contacts/labels", nil), 200)["results"].([]any) {
		if l := l.(map[string]any); l["label"] == "Owner" {
			owner = fmt.Sprint(l["typeId"])
		}
	}
	if owner == "" {
		t.Fatal("no Owner label")
	}
	mustStatus(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID+"/associations/"+fmt.Sprint(assocID(t, schema, "0-1")), nil), 204)
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, owner+` car_owner to 0-1 labelled "Owner"`)
	mustStatus(t, s.Do("DELETE", "/crm/v4/associations/"+typeID+"/contacts/labels/"+owner, nil), 204)
	mustFail(t, s.Do("DELETE", "/crm-object-schemas/v3/schemas/"+typeID, nil), 400, "still has custom properties")
}
