package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// labelID creates a label from contacts to companies through s and returns
// its type id.
func labelID(t *testing.T, s *spoketest.Server, name string) int64 {
	t.Helper()
	return pairLabelID(t, s, "contacts/companies", name)
}

// pairLabelID makes a label between the types of pair ("from/to") and
// returns its id.
func pairLabelID(t *testing.T, s *spoketest.Server, pair, name string) int64 {
	t.Helper()
	got := mustStatus(t, s.Do("POST", "/crm/v4/associations/"+pair+"/labels", fmt.Sprintf(`{"label":%q,"name":%q}`, name, strings.ToLower(name))), 200)
	for _, r := range got["results"].([]any) {
		if r.(map[string]any)["label"] == name {
			return int64(r.(map[string]any)["typeId"].(float64))
		}
	}
	t.Fatalf("label %s not listed: %v", name, got)
	return 0
}

// A label made on one node is changed and deleted through the other at
// once, before that node's periodic reload, as a client balanced between
// the nodes expects.
func TestLabelMadeOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, b.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)

	changed := labelID(t, a, "Supplier")
	mustStatus(t, b.Do("PUT", "/crm/v4/associations/contacts/companies/labels", fmt.Sprintf(`{"associationTypeId":%d,"label":"Vendor"}`, changed)), 204)
	gone := labelID(t, a, "Auditor")
	mustStatus(t, b.Do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%d", gone), nil), 204)
	for _, r := range mustStatus(t, b.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)["results"].([]any) {
		l := r.(map[string]any)
		if int64(l["typeId"].(float64)) == gone {
			t.Errorf("deleted through the other node, still listed: %v", l)
		}
		if int64(l["typeId"].(float64)) == changed && l["label"] != "Vendor" {
			t.Errorf("changed through the other node: %v", l)
		}
	}
	// A type id no node made is still a 404.
	mustStatus(t, b.Do("DELETE", "/crm/v4/associations/contacts/companies/labels/999999", nil), 404)
}

// A label name taken through one node is taken for the other at once: a
// second label of that name between the pair is a conflict.
func TestLabelNameTakenOnAnotherNode(t *testing.T) {
	t.Parallel()
	nodes := sharedNodes(t)
	a, b := nodes[0], nodes[1]
	mustStatus(t, b.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)
	labelID(t, a, "Mentor")
	mustStatus(t, b.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Mentor","name":"mentor"}`), 409)
	mustStatus(t, b.Do("POST", "/crm/v4/associations/companies/contacts/labels", `{"label":"Mentor","name":"mentor"}`), 409)
	n := 0
	for _, r := range mustStatus(t, a.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)["results"].([]any) {
		if r.(map[string]any)["label"] == "Mentor" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d labels named mentor between contacts and companies", n)
	}
}
