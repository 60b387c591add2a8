package api_test

import (
	"testing"
)

// A property made on one node is read, changed and archived through the
// other at once, before that node's periodic reload.
func TestPropertyMadeOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, b.Do("GET", "/crm/v3/properties/contacts", nil), 200) // b has loaded the type
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"loyalty_tier","label":"Loyalty tier","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)

	if got := mustStatus(t, b.Do("GET", "/crm/v3/properties/contacts/loyalty_tier", nil), 200); got["label"] != "Loyalty tier" {
		t.Errorf("read on the other node: %v", got)
	}
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"loyalty_since","label":"Loyalty since","type":"date","fieldType":"date","groupName":"contactinformation"}`), 201)
	read := mustStatus(t, b.Do("POST", "/crm/v3/properties/contacts/batch/read", `{"inputs":[{"name":"loyalty_since"}],"archived":false}`), 200)
	if res := read["results"].([]any); len(res) != 1 || res[0].(map[string]any)["name"] != "loyalty_since" {
		t.Errorf("batch read on the other node: %v", read)
	}
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"loyalty_note","label":"Loyalty note","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)
	if got := mustStatus(t, b.Do("PATCH", "/crm/v3/properties/contacts/loyalty_note", `{"label":"Note"}`), 200); got["label"] != "Note" {
		t.Errorf("update on the other node: %v", got)
	}
	mustStatus(t, a.Do("POST", "/crm/v3/properties/contacts", `{"name":"loyalty_gone","label":"Gone","type":"string","fieldType":"text","groupName":"contactinformation"}`), 201)
	mustStatus(t, b.Do("DELETE", "/crm/v3/properties/contacts/loyalty_gone", nil), 204)
	if got := mustStatus(t, a.Do("GET", "/crm/v3/properties/contacts/loyalty_gone?archived=true", nil), 200); got["archived"] != true {
		t.Errorf("archived on the other node: %v", got)
	}
	// A name no node made is still a 404.
	mustStatus(t, b.Do("GET", "/crm/v3/properties/contacts/loyalty_never", nil), 404)
}
