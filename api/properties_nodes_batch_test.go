package api_test

import (
	"context"
	"fmt"
	"testing"
)

// A property made on one node is usable at once through the other's batch
// writes and searches too, as through its single writes: they name it
// before that node's periodic reload.
func TestPropertyMadeOnAnotherNodeInBatchesAndSearch(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, b.Do("GET", "/crm/v3/properties/contacts", nil), 200) // b has loaded the type
	id := create(t, a, "contacts", map[string]any{"properties": map[string]any{"email": "pat@example.com"}})["id"].(string)
	made := func(name string) {
		t.Helper()
		mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", fmt.Sprintf(`{"name":%q,"label":%q,"type":"string","fieldType":"text","groupName":"contactinformation"}`, name, name)), 201)
	}
	made("region_created")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"lou@example.com","region_created":"north"}}]}`), 201)
	made("region_traced")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"objectWriteTraceId":"t1","properties":{"email":"max@example.com","region_traced":"east"}}]}`), 201)
	made("region_updated")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/update", fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"region_updated":"south"}}]}`, id)), 200)
	made("region_upserted")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"idProperty":"email","id":"pat@example.com","properties":{"region_upserted":"west"}}]}`), 200)
	made("region_searched")
	mustStatus(t, a.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"region_searched":"up"}}`), 200)
	got := mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[{"propertyName":"region_searched","operator":"EQ","value":"up"}]}],"properties":["region_updated","region_upserted"]}`), 200)
	if got["total"] != float64(1) {
		t.Fatalf("search on the other node: %v", got)
	}
	p := props(got["results"].([]any)[0].(map[string]any))
	if p["region_updated"] != "south" || p["region_upserted"] != "west" {
		t.Errorf("values written through the other node: %v", p)
	}
	made("region_sorted")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/search", `{"sorts":[{"propertyName":"region_sorted","direction":"ASCENDING"}]}`), 200)
}

// An option added to a property through one node is a valid value through
// the other at once, in single and batch writes.
func TestOptionAddedOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"tier","label":"Tier","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{"label":"Gold","value":"gold"}]}`), 201)
	mustStatus(t, b.Do("GET", "/crm/v3/properties/contacts/tier", nil), 200) // b knows the property
	option := func(values ...string) {
		t.Helper()
		opts := ""
		for i, v := range values {
			if i > 0 {
				opts += ","
			}
			opts += fmt.Sprintf(`{"label":%q,"value":%q}`, v, v)
		}
		mustStatus(t, a.Do("PATCH", "/crm/v3/properties/contacts/tier", `{"options":[`+opts+`]}`), 200)
	}
	option("gold", "silver")
	id := create(t, b, "contacts", map[string]any{"properties": map[string]any{"email": "ida@example.com", "tier": "silver"}})["id"].(string)
	option("gold", "silver", "bronze")
	mustStatus(t, b.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"tier":"bronze"}}`), 200)
	option("gold", "silver", "bronze", "iron")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"joe@example.com","tier":"iron"}}]}`), 201)
	option("gold", "silver", "bronze", "iron", "tin")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/update", fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"tier":"tin"}}]}`, id)), 200)
	option("gold", "silver", "bronze", "iron", "tin", "lead")
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"idProperty":"email","id":"ida@example.com","properties":{"tier":"lead"}}]}`), 200)
	// A value that is no option anywhere is still refused.
	mustStatus(t, b.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"kay@example.com","tier":"plastic"}}`), 400)
}

// A change through a node that still knows a property another node
// archived does not bring the property back: it is not found.
func TestPropertyArchivedOnAnotherNodeIsNotChanged(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"shoe_size","label":"Shoe size","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)
	if err := b.Engine.LoadSchemas(context.Background()); err != nil { // b's periodic reload
		t.Fatal(err)
	}
	mustStatus(t, a.Do("DELETE", "/crm/v3/properties/contacts/shoe_size", nil), 204)
	mustStatus(t, b.Do("PATCH", "/crm/v3/properties/contacts/shoe_size", `{"label":"Size"}`), 404)
	mustStatus(t, a.Do("GET", "/crm/v3/properties/contacts/shoe_size", nil), 404)
	if got := mustStatus(t, a.Do("GET", "/crm/v3/properties/contacts/shoe_size?archived=true", nil), 200); got["label"] != "Shoe size" {
		t.Errorf("the archived property changed through the other node: %v", got)
	}
}
