package api_test

import (
	"testing"
)

// A property a schema comes to require through one node is required by
// the other at once, before that node's periodic reload: a client
// balanced onto it creates no record without it.
func TestCustomObjectRequiredPropertyFromAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	id := mustStatus(t, a.Do("POST", "/crm/v3/schemas", `{"name":"cars","labels":{"singular":"Car","plural":"Cars"},"primaryDisplayProperty":"label",
		"properties":[{"name":"label","label":"Label"},{"name":"vin","label":"VIN"}],"requiredProperties":[],"associatedObjects":[]}`), 201)["objectTypeId"].(string)
	mustStatus(t, b.Do("GET", "/crm/v3/properties/"+id+"/label", nil), 200) // b knows the type
	mustStatus(t, a.Do("PATCH", "/crm/v3/schemas/"+id, `{"requiredProperties":["vin"]}`), 200)

	got := mustStatus(t, b.Do("POST", "/crm/v3/objects/"+id, `{"properties":{"label":"Van"}}`), 400)
	if got["message"] != "Error creating cars.  Some required properties were not set." {
		t.Errorf("create without the required property: %v", got)
	}
	mustStatus(t, b.Do("POST", "/crm/v3/objects/"+id+"/batch/create", `{"inputs":[{"properties":{"label":"Bus"}}]}`), 400)
	mustStatus(t, b.Do("POST", "/crm/v3/objects/"+id, `{"properties":{"label":"Van","vin":"1HGCM82633A004352"}}`), 201)
	if list := mustStatus(t, a.Do("GET", "/crm/v3/objects/"+id, nil), 200)["results"].([]any); len(list) != 1 {
		t.Errorf("records: %v", list)
	}
}
