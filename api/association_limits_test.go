package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

const limitsV4 = "/crm/associations/v4/definitions/configurations"

// limitsOf lists "typeId=max" (max "-" without a limit) of a pair's
// configurations.
func limitsOf(t *testing.T, s *spoketest.Server, prefix, from, to string) string {
	t.Helper()
	var out []string
	for _, r := range mustStatus(t, s.Do("GET", prefix+"/"+from+"/"+to, nil), 200)["results"].([]any) {
		m := r.(map[string]any)
		max := "-"
		if v, ok := m["userEnforcedMaxToObjectIds"]; ok {
			max = fmt.Sprintf("%.0f", v)
		}
		out = append(out, fmt.Sprintf("%s/%.0f=%s", m["category"], m["typeId"], max))
	}
	return strings.Join(out, " ")
}

// setLimit posts one input to batch/create or batch/update and returns the reply.
func setLimit(t *testing.T, s *spoketest.Server, op, from, to, input string, status int) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", limitsV4+"/"+from+"/"+to+"/batch/"+op, `{"inputs":[`+input+`]}`), status)
}

// batchError is the message of a 207's one error.
func batchError(t *testing.T, got map[string]any) (string, string) {
	t.Helper()
	errs, _ := got["errors"].([]any)
	if len(errs) != 1 || got["numErrors"] != float64(1) {
		t.Fatalf("want one error: %v", got)
	}
	e := errs[0].(map[string]any)
	return fmt.Sprint(e["category"]), e["message"].(string)
}

// Limits are read per pair (every association type, with its limit where
// one is set) and all at once, set with batch/create, changed with
// batch/update and removed with batch/purge, on HubSpot's paths (both v4
// prefixes and the dated ones), with HubSpot's batch shapes.
func TestAssociationLimitsConfiguration(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	if got := limitsOf(t, s, limitsV4, "deals", "contacts"); got != "HUBSPOT_DEFINED/3=-" {
		t.Errorf("deals to contacts before any limit: %s", got)
	}
	got := setLimit(t, s, "create", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":2}`, 201)
	res := got["results"].([]any)
	if got["status"] != "COMPLETE" || len(res) != 1 || fmt.Sprint(res[0]) != "map[category:HUBSPOT_DEFINED typeId:3 userEnforcedMaxToObjectIds:2]" {
		t.Errorf("batch/create: %v", got)
	}
	for _, prefix := range []string{limitsV4, "/crm/v4/associations/definitions/configurations", "/crm/associations/2026-03/definitions/configurations"} {
		if got := limitsOf(t, s, prefix, "0-3", "contact"); got != "HUBSPOT_DEFINED/3=2" {
			t.Errorf("%s: %s", prefix, got)
		}
	}
	if got := limitsOf(t, s, limitsV4, "contacts", "deals"); got != "HUBSPOT_DEFINED/4=-" {
		t.Errorf("the other direction has its own limit: %s", got)
	}
	// Category may be left out, as HubSpot's newer documentation does.
	setLimit(t, s, "create", "companies", "contacts", `{"typeId":280,"maxToObjectIds":5}`, 201)
	all := mustStatus(t, s.Do("GET", limitsV4+"/all", nil), 200)["results"].([]any)
	if fmt.Sprint(all) != "[map[category:HUBSPOT_DEFINED fromObjectTypeId:0-2 toObjectTypeId:0-1 typeId:280 userEnforcedMaxToObjectIds:5] "+
		"map[category:HUBSPOT_DEFINED fromObjectTypeId:0-3 toObjectTypeId:0-1 typeId:3 userEnforcedMaxToObjectIds:2]]" {
		t.Errorf("all limits: %v", all)
	}

	category, msg := batchError(t, setLimit(t, s, "create", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":4}`, 207))
	if category != "CONFLICT" || !strings.Contains(msg, "already set") {
		t.Errorf("a second create: %s %s", category, msg)
	}
	got = setLimit(t, s, "update", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":3}`, 200)
	if res := got["results"].([]any); fmt.Sprint(res) != "[map[category:HUBSPOT_DEFINED typeId:3 userEnforcedMaxToObjectIds:3]]" {
		t.Errorf("batch/update: %v", got)
	}
	category, _ = batchError(t, setLimit(t, s, "update", "deals", "companies", `{"category":"HUBSPOT_DEFINED","typeId":341,"maxToObjectIds":3}`, 207))
	if category != "OBJECT_NOT_FOUND" {
		t.Errorf("update without a limit: %s", category)
	}
	for _, bad := range []string{
		`{"category":"HUBSPOT_DEFINED","typeId":279,"maxToObjectIds":3}`, // a type of another pair
		`{"category":"HUBSPOT_DEFINED","typeId":341,"maxToObjectIds":0}`,
		`{"category":"HUBSPOT_DEFINED","typeId":341}`,
	} {
		if category, msg := batchError(t, setLimit(t, s, "create", "deals", "companies", bad, 207)); category == "" || msg == "" {
			t.Errorf("%s: %s %s", bad, category, msg)
		}
	}
	mustStatus(t, s.Do("POST", limitsV4+"/deals/companies/batch/create", `{"inputs":[]}`), 400)
	mustStatus(t, s.Do("POST", limitsV4+"/deals/companies/batch/create", `{}`), 400)

	// Purge: 204 on the v4 paths, 200 with a batch body on the dated ones.
	mustStatus(t, s.Do("POST", limitsV4+"/deals/contacts/batch/purge", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":3}]}`), 204)
	dated := mustStatus(t, s.Do("POST", "/crm/associations/2026-03/definitions/configurations/companies/contacts/batch/purge", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":280},{"category":"HUBSPOT_DEFINED","typeId":2}]}`), 200)
	if dated["status"] != "COMPLETE" {
		t.Errorf("dated purge: %v", dated)
	}
	if all := mustStatus(t, s.Do("GET", limitsV4+"/all", nil), 200)["results"].([]any); len(all) != 0 {
		t.Errorf("limits after purges: %v", all)
	}
	// Reading needs a scope of the type (or any, for all); writing, the schema scope.
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.deals.read"), "GET", limitsV4+"/deals/contacts", nil), 200)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.tickets.read"), "GET", limitsV4+"/all", nil), 200)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.deals.read"), "POST", limitsV4+"/deals/contacts/batch/create", `{"inputs":[{"typeId":3,"maxToObjectIds":1}]}`), 403)
}

// A limit refuses association writes that would give a record more
// associations of the type than it allows, on every route that writes
// associations, in either direction of the pair; writes of associations
// already there, other types and the other direction's own limit are not
// affected; lowering a limit keeps what is stored.
func TestAssociationLimitsEnforced(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	deal := create(t, s, "deals", `{"properties":{"dealname":"D","pipeline":"default","dealstage":"appointmentscheduled"}}`)["id"].(string)
	c := make([]string, 4)
	for i := range c {
		c[i] = newContact(t, s, fmt.Sprintf("limit%d@example.com", i))
	}
	setLimit(t, s, "create", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":2}`, 201)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[0], nil), 200)
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/contacts/"+c[1]+"/associations/deals/"+deal+"/contact_to_deal", nil), 200)
	// Already associated: nothing is added, nothing refused.
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[0], nil), 200)

	refused := mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[2], nil), 400)
	want := "Association limit exceeded: deal " + deal + " can be associated with at most 2 contacts by association type HUBSPOT_DEFINED=3 (unlabeled) and has 2"
	if refused["category"] != "VALIDATION_ERROR" || refused["message"] != want {
		t.Errorf("over the limit: %v", refused)
	}
	for _, w := range []struct{ method, path, body string }{
		{"PUT", "/crm/v4/objects/contacts/" + c[2] + "/associations/deals/" + deal, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":4}]`},
		{"PUT", "/crm/v3/objects/deals/" + deal + "/associations/contacts/" + c[2] + "/3", ""},
		{"PUT", "/crm/objects/2026-03/deals/" + deal + "/associations/default/contacts/" + c[2], ""},
	} {
		mustStatus(t, s.Do(w.method, w.path, orNil(w.body)), 400)
	}
	batch := mustStatus(t, s.Do("POST", "/crm/v4/associations/deals/contacts/batch/create",
		`{"inputs":[{"from":{"id":"`+deal+`"},"to":{"id":"`+c[0]+`"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]},`+
			`{"from":{"id":"`+deal+`"},"to":{"id":"`+c[3]+`"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":3}]}]}`), 207)
	if cat, _ := batchError(t, batch); cat != "VALIDATION_ERROR" || len(batch["results"].([]any)) != 1 {
		t.Errorf("v4 batch: %v", batch)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"E","pipeline":"default","dealstage":"appointmentscheduled"},"associations":[`+
		to(c[0], "HUBSPOT_DEFINED", 3)+","+to(c[1], "HUBSPOT_DEFINED", 3)+","+to(c[2], "HUBSPOT_DEFINED", 3)+`]}`), 400)
	// A contact may have several deals: contacts to deals has no limit.
	other := create(t, s, "deals", `{"properties":{"dealname":"F","pipeline":"default","dealstage":"appointmentscheduled"},"associations":[`+to(c[0], "HUBSPOT_DEFINED", 3)+`]}`)["id"].(string)
	if got := v4Types(t, s, "contacts", c[0], "deals"); len(got) != 2 || got[other] == nil {
		t.Errorf("deals of the first contact: %v", got)
	}
	if got := v4Types(t, s, "deals", deal, "contacts"); len(got) != 2 {
		t.Errorf("the deal holds %d contacts, want 2: %v", len(got), got)
	}
	// An archived contact does not count; removing one makes room.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+c[1], nil), 204)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[2], nil), 200)
	// Lowering the limit keeps the two associations; a third is refused.
	setLimit(t, s, "update", "deals", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":3,"maxToObjectIds":1}`, 200)
	if got := v4Types(t, s, "deals", deal, "contacts"); len(got) != 2 {
		t.Errorf("lowering the limit changed stored associations: %v", got)
	}
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[3], nil), 400)
	mustStatus(t, s.Do("POST", limitsV4+"/deals/contacts/batch/purge", `{"inputs":[{"category":"HUBSPOT_DEFINED","typeId":3}]}`), 204)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/"+c[3], nil), 200)
}

// A label's limit counts the records with that label only, and stays
// within the pair's object limit; the object limit cannot fall below a
// label's. Deleting a label removes its limit.
func TestAssociationLimitsOfLabels(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	labels := mustStatus(t, s.Do("POST", "/crm/v4/associations/companies/contacts/labels", `{"label":"Decision maker","name":"decision_maker","inverseLabel":"Decides for"}`), 200)
	var label float64
	for _, r := range labels["results"].([]any) {
		if m := r.(map[string]any); m["label"] == "Decision maker" {
			label = m["typeId"].(float64)
		}
	}
	spec := fmt.Sprintf(`{"category":"USER_DEFINED","typeId":%.0f`, label)
	setLimit(t, s, "create", "companies", "contacts", spec+`,"maxToObjectIds":1}`, 201)
	if got := limitsOf(t, s, limitsV4, "companies", "contacts"); got != fmt.Sprintf("HUBSPOT_DEFINED/2=- HUBSPOT_DEFINED/280=- USER_DEFINED/%.0f=1", label) {
		t.Errorf("limits: %s", got)
	}
	company := newCompany(t, s, "K")
	a, b := newContact(t, s, "dm-a@example.com"), newContact(t, s, "dm-b@example.com")
	labelled := fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, label)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/companies/"+company+"/associations/contacts/"+a, labelled), 201)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/companies/"+company+"/associations/contacts/"+b, labelled), 400)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/companies/"+company+"/associations/default/contacts/"+b, nil), 200)

	_, msg := batchError(t, setLimit(t, s, "create", "companies", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":280,"maxToObjectIds":0}`, 207))
	if !strings.Contains(msg, "at least 1") {
		t.Errorf("zero limit: %s", msg)
	}
	setLimit(t, s, "create", "companies", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":280,"maxToObjectIds":3}`, 201)
	if _, msg := batchError(t, setLimit(t, s, "update", "companies", "contacts", spec+`,"maxToObjectIds":4}`, 207)); !strings.Contains(msg, "must be between 1 and 3") {
		t.Errorf("label above the object limit: %s", msg)
	}
	setLimit(t, s, "update", "companies", "contacts", spec+`,"maxToObjectIds":3}`, 200)
	if _, msg := batchError(t, setLimit(t, s, "update", "companies", "contacts", `{"category":"HUBSPOT_DEFINED","typeId":280,"maxToObjectIds":2}`, 207)); !strings.Contains(msg, "must be at least 3") {
		t.Errorf("object limit below a label's: %s", msg)
	}
	mustStatus(t, s.Do("DELETE", fmt.Sprintf("/crm/v4/associations/companies/contacts/labels/%.0f", label), nil), 204)
	if all := mustStatus(t, s.Do("GET", limitsV4+"/all", nil), 200)["results"].([]any); len(all) != 1 {
		t.Errorf("limits after the label was deleted: %v", all)
	}
}
