package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

func newContact(t *testing.T, s *spoketest.Server, email string) string {
	t.Helper()
	return create(t, s, "contacts", fmt.Sprintf(`{"properties":{"email":%q}}`, email))["id"].(string)
}

func newCompany(t *testing.T, s *spoketest.Server, name string) string {
	t.Helper()
	return create(t, s, "companies", fmt.Sprintf(`{"properties":{"name":%q}}`, name))["id"].(string)
}

func newMessage(t *testing.T, s *spoketest.Server, assoc string) string {
	t.Helper()
	body := `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[` + assoc + `]}`
	return create(t, s, "communications", body)["id"].(string)
}

func to(id string, category string, typeID int) string {
	return fmt.Sprintf(`{"to":{"id":%q},"types":[{"associationCategory":%q,"associationTypeId":%d}]}`, id, category, typeID)
}

// v4Types lists "category/typeId/label" of the v4 GET from one record to a type.
func v4Types(t *testing.T, s *spoketest.Server, fromType, fromID, toType string) map[string][]string {
	t.Helper()
	got := mustStatus(t, s.Do("GET", "/crm/v4/objects/"+fromType+"/"+fromID+"/associations/"+toType, nil), 200)
	out := map[string][]string{}
	for _, r := range got["results"].([]any) {
		m := r.(map[string]any)
		id := fmt.Sprintf("%.0f", m["toObjectId"].(float64)) // a JSON number
		for _, at := range m["associationTypes"].([]any) {
			a := at.(map[string]any)
			out[id] = append(out[id], fmt.Sprintf("%s/%.0f/%v", a["category"], a["typeId"], a["label"]))
		}
	}
	return out
}

// v3Assoc lists "id:type" of ?associations= on a GET.
func v3Assoc(t *testing.T, s *spoketest.Server, typ, id, toPlural string) []string {
	t.Helper()
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ+"/"+id+"?associations="+toPlural, nil), 200)
	assoc, ok := got["associations"].(map[string]any)
	if !ok {
		return nil
	}
	var out []string
	for _, r := range assoc[toPlural].(map[string]any)["results"].([]any) {
		m := r.(map[string]any)
		out = append(out, m["id"].(string)+":"+m["type"].(string))
	}
	return out
}

func TestAssociationRoutesSeeTheSameStore(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "a@example.com")
	company := newCompany(t, s, "Acme")
	deal := create(t, s, "deals", `{"properties":{"dealname":"d","dealstage":"closedwon","pipeline":"default"}}`)["id"].(string)

	// 1. inline on create
	m1 := newMessage(t, s, to(contact, "HUBSPOT_DEFINED", 81)+","+to(company, "HUBSPOT_DEFINED", 87))
	// 2. v3 object path, by name and by numeric id
	m2 := newMessage(t, s, "")
	put := mustStatus(t, s.Do("PUT", "/crm/v3/objects/communications/"+m2+"/associations/contacts/"+contact+"/communication_to_contact", nil), 200)
	if fmt.Sprint(put["associations"]) != fmt.Sprintf("map[contacts:map[results:[map[id:%s type:communication_to_contact]]]]", contact) {
		t.Errorf("v3 PUT response %v", put["associations"])
	}
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/communication/"+m2+"/associations/deal/"+deal+"/85", nil), 200)
	// 3. v4 default and labelled
	m3 := newMessage(t, s, "")
	def := mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m3+"/associations/default/contacts/"+contact, nil), 200)
	if rs := def["results"].([]any); len(rs) != 2 || fmt.Sprint(rs[1].(map[string]any)["associationSpec"]) != "map[associationCategory:HUBSPOT_DEFINED associationTypeId:82]" {
		t.Errorf("v4 default %v", def)
	}
	lab := mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m3+"/associations/companies/"+company, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":87}]`), 201)
	if lab["fromObjectTypeId"] != "0-18" || lab["toObjectTypeId"] != "0-2" || fmt.Sprintf("%.0f", lab["toObjectId"]) != company || len(lab["labels"].([]any)) != 0 {
		t.Errorf("v4 labelled %v", lab)
	}

	// Every route, both ends.
	fromContact := v4Types(t, s, "contacts", contact, "communications")
	for _, m := range []string{m1, m2, m3} {
		if fmt.Sprint(fromContact[m]) != "[HUBSPOT_DEFINED/82/<nil>]" {
			t.Errorf("contact -> %s: %v", m, fromContact[m])
		}
	}
	if got := v3Assoc(t, s, "contacts", contact, "communications"); fmt.Sprint(got) != fmt.Sprintf("[%s:contact_to_communication %s:contact_to_communication %s:contact_to_communication]", m1, m2, m3) {
		t.Errorf("?associations= from contact: %v", got)
	}
	if got := v3Assoc(t, s, "communications", m1, "companies"); fmt.Sprint(got) != fmt.Sprintf("[%s:communication_to_company]", company) {
		t.Errorf("m1 companies %v", got)
	}
	if got := v4Types(t, s, "deals", deal, "communications"); fmt.Sprint(got) != fmt.Sprintf("map[%s:[HUBSPOT_DEFINED/86/<nil>]]", m2) {
		t.Errorf("deal -> communications %v", got)
	}
	v3list := mustStatus(t, s.Do("GET", "/crm/v3/objects/companies/"+company+"/associations/communications", nil), 200)
	if n := len(v3list["results"].([]any)); n != 2 {
		t.Errorf("v3 list from company: %v", v3list)
	}
	// The list endpoint returns associations too, and the dated path is v4 style.
	list := mustStatus(t, s.Do("GET", "/crm/v3/objects/communications?associations=contact&associations=deals", nil), 200)
	if rs := list["results"].([]any); len(rs) != 3 || rs[1].(map[string]any)["associations"].(map[string]any)["deals"] == nil {
		t.Errorf("list with associations %v", list)
	}
	mustStatus(t, s.Do("GET", "/crm/objects/2026-03/contacts/"+contact+"/associations/communications", nil), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+contact+"?associations=widgets", nil), 400)

	// Removing: v3 DELETE of the type, v4 DELETE of the pair.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+m2+"/associations/contacts/"+contact+"/communication_to_contact", nil), 204)
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/contacts/"+contact+"/associations/communications/"+m3, nil), 204)
	if got := v4Types(t, s, "contacts", contact, "communications"); len(got) != 1 || got[m1] == nil {
		t.Errorf("after deletes %v", got)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/contacts/"+contact+"/associations/communications/"+m3, nil), 204) // idempotent
}

func TestAssociationRefusals(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "r@example.com")
	m := newMessage(t, s, "")
	base := `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1},"associations":[%s]}`
	for _, tc := range []struct {
		assoc, contains string
	}{
		{to("424242", "HUBSPOT_DEFINED", 81), "One or more associations are invalid"},
		{to(m, "HUBSPOT_DEFINED", 81), "One or more associations are invalid"}, // the target is not a contact
		{to(contact, "HUBSPOT_DEFINED", 82), "invalid from object type 0-18 for associations to be created. expected: 0-1"},
		{to(contact, "USER_DEFINED", 81), "USER_DEFINED=81 is not a valid association definition id"},
		{to(contact, "HUBSPOT_DEFINED", 99999), "One or more associations are invalid"},
		{`{"to":{"id":"` + contact + `"},"types":[]}`, "at least one type"},
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications", fmt.Sprintf(base, tc.assoc)), 400)
		if got["category"] != "VALIDATION_ERROR" || !strings.Contains(fmt.Sprint(got), tc.contains) {
			t.Errorf("%s: %v", tc.assoc, got)
		}
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/objects/communications", nil), 200)["results"].([]any)); n != 1 {
		t.Errorf("refused creates left %d messages", n)
	}
	// Explicit association endpoints.
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/communications/"+m+"/associations/contacts/"+contact+"/contact_to_company", nil), 400)
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/communications/"+m+"/associations/contacts/424242/81", nil), 404)
	nf := mustStatus(t, s.Do("PUT", "/crm/v3/objects/communications/424242/associations/contacts/"+contact+"/81", nil), 404)
	if nf["subCategory"] != "crm.associations.FROM_OBJECT_NOT_FOUND" || nf["message"] != "No communication with ID 424242 exists" {
		t.Errorf("missing from %v", nf)
	}
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m+"/associations/contacts/"+contact, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":87}]`), 400)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m+"/associations/contacts/"+contact, `[]`), 400)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m+"/associations/contacts/"+contact, ``), 400)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m+"/associations/widgets/"+contact, `[]`), 400)
	mustStatus(t, s.Do("GET", "/crm/v4/objects/communications/424242/associations/contacts", nil), 404)
}

func TestAssociationLabels(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "l@example.com")
	acme, globex := newCompany(t, s, "Acme"), newCompany(t, s, "Globex")

	labels := mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Decision maker","name":"decision_maker","inverseLabel":"Buyer of"}`), 200)
	var labelID float64
	for _, l := range labels["results"].([]any) {
		if m := l.(map[string]any); m["label"] == "Decision maker" && m["category"] == "USER_DEFINED" {
			labelID = m["typeId"].(float64)
		}
	}
	if labelID == 0 {
		t.Fatalf("label not listed: %v", labels)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"Again","name":"decision_maker"}`), 409)
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/companies/labels", `{"label":"x"}`), 400)
	inverse := mustStatus(t, s.Do("GET", "/crm/associations/v4/companies/contacts/labels", nil), 200)
	if !strings.Contains(fmt.Sprint(inverse), "Buyer of") {
		t.Errorf("inverse label %v", inverse)
	}

	spec := fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, labelID)
	got := mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+acme, spec), 201)
	if fmt.Sprint(got["labels"]) != "[Decision maker]" {
		t.Errorf("labels %v", got)
	}
	types := v4Types(t, s, "contacts", contact, "companies")[acme]
	if fmt.Sprint(types) != fmt.Sprintf("[HUBSPOT_DEFINED/279/<nil> USER_DEFINED/%.0f/Decision maker]", labelID) {
		t.Errorf("types %v", types)
	}
	if got := v3Assoc(t, s, "contacts", contact, "companies"); fmt.Sprint(got) != fmt.Sprintf("[%s:contact_to_company_unlabeled %s:decision_maker]", acme, acme) {
		t.Errorf("v3 view %v", got)
	}
	if got := v4Types(t, s, "companies", acme, "contacts")[contact]; !strings.Contains(fmt.Sprint(got), "Buyer of") {
		t.Errorf("from the company %v", got)
	}
	// Primary company moves: one per contact.
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/contacts/"+contact+"/associations/companies/"+acme+"/1", nil), 200)
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/contacts/"+contact+"/associations/companies/"+globex+"/contact_to_company", nil), 200)
	all := v4Types(t, s, "contacts", contact, "companies")
	if strings.Contains(fmt.Sprint(all[acme]), "/1/Primary") || !strings.Contains(fmt.Sprint(all[globex]), "HUBSPOT_DEFINED/1/Primary") {
		t.Errorf("primary %v", all)
	}
	// A labelled PUT replaces the labels of the pair.
	got = mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+acme, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]`), 201)
	if len(got["labels"].([]any)) != 0 {
		t.Errorf("labels after replace %v", got)
	}
	// Update, then delete a label: its associations go with it.
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+contact+"/associations/companies/"+globex, spec), 201)
	mustStatus(t, s.Do("PUT", "/crm/v4/associations/contacts/companies/labels", fmt.Sprintf(`{"associationTypeId":%.0f,"label":"Signer"}`, labelID)), 204)
	if !strings.Contains(fmt.Sprint(v4Types(t, s, "contacts", contact, "companies")[globex]), "Signer") {
		t.Error("label rename not seen")
	}
	mustStatus(t, s.Do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%.0f", labelID), nil), 204)
	if strings.Contains(fmt.Sprint(v4Types(t, s, "contacts", contact, "companies")), "USER_DEFINED") {
		t.Error("deleted label still on associations")
	}
	mustStatus(t, s.Do("DELETE", fmt.Sprintf("/crm/v4/associations/contacts/companies/labels/%.0f", labelID), nil), 404)
	mustStatus(t, s.Do("DELETE", "/crm/v4/associations/contacts/companies/labels/1", nil), 404) // HubSpot's own
	// Removing the unlabelled type removes the labels too.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+contact+"/associations/companies/"+globex+"/contact_to_company_unlabeled", nil), 204)
	if _, ok := v4Types(t, s, "contacts", contact, "companies")[globex]; ok {
		t.Error("pair still associated after removing the unlabelled type")
	}
	typesV3 := mustStatus(t, s.Do("GET", "/crm/v3/associations/communications/contacts/types", nil), 200)
	if fmt.Sprint(typesV3["results"]) != "[map[id:81 name:communication_to_contact]]" {
		t.Errorf("v3 types %v", typesV3)
	}
}

func TestAssociationBatches(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c1, c2 := newContact(t, s, "b1@example.com"), newContact(t, s, "b2@example.com")
	m1, m2 := newMessage(t, s, ""), newMessage(t, s, "")
	r := s.Do("POST", "/crm/v4/associations/communications/contacts/batch/create", fmt.Sprintf(`{"inputs":[
		{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]},
		{"from":{"id":"424242"},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]}]}`, m1, c1, c1))
	body := mustStatus(t, r, 207)
	if body["numErrors"] != float64(1) || len(body["results"].([]any)) != 1 ||
		body["errors"].([]any)[0].(map[string]any)["subCategory"] != "crm.associations.FROM_OBJECT_NOT_FOUND" {
		t.Errorf("v4 batch create %v", body)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/communications/contacts/batch/associate/default", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q}}]}`, m2, c2)), 200)
	read := mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, c1, c2)), 200)
	if len(read["results"].([]any)) != 2 {
		t.Errorf("v4 batch read %v", read)
	}
	none := newContact(t, s, "none@example.com")
	partial := mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, c1, none)), 207)
	if e := partial["errors"].([]any)[0].(map[string]any); e["subCategory"] != "crm.associations.NO_ASSOCIATIONS_FOUND" {
		t.Errorf("no associations error %v", e)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":[{"id":%q}]}]}`, c1, m1)), 204)
	if got := v4Types(t, s, "communications", m1, "contacts"); len(got) != 0 {
		t.Errorf("after batch archive %v", got)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/labels/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":82}]}]}`, c2, m2)), 204)
	if got := v4Types(t, s, "communications", m2, "contacts"); len(got) != 0 {
		t.Errorf("after labels archive %v", got)
	}
	// Limits and empty batches.
	var many []string
	for range 1001 {
		many = append(many, `{"id":"1"}`)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/read", `{"inputs":[`+strings.Join(many, ",")+`]}`), 400)
	mustStatus(t, s.Do("POST", "/crm/v4/associations/contacts/communications/batch/create", `{"inputs":[]}`), 400)

	// v3 batch API.
	v3 := mustStatus(t, s.Do("POST", "/crm/v3/associations/communications/contacts/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"type":"communication_to_contact"}]}`, m1, c2)), 201)
	if fmt.Sprint(v3["results"]) != fmt.Sprintf("[map[from:map[id:%s] to:map[id:%s] type:communication_to_contact]]", m1, c2) {
		t.Errorf("v3 batch create %v", v3)
	}
	v3read := mustStatus(t, s.Do("POST", "/crm/v3/associations/contacts/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, c2)), 200)
	if fmt.Sprint(v3read["results"]) != fmt.Sprintf("[map[from:map[id:%s] to:[map[id:%s type:contact_to_communication]]]]", c2, m1) {
		t.Errorf("v3 batch read %v", v3read)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/associations/communications/contacts/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"type":"communication_to_contact"}]}`, m1, c2)), 204)
	mustStatus(t, s.Do("POST", "/crm/v3/associations/contacts/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, c2)), 207)
	mustStatus(t, s.Do("POST", "/crm/v3/associations/communications/contacts/batch/create", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"type":"nope"}]}`, m1, c2)), 207)

	// An archive batch with an invalid type in a later input removes nothing.
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/communications/"+m1+"/associations/default/contacts/"+c1, nil), 200)
	for _, bad := range []struct{ path, body string }{
		{"/crm/v3/associations/communications/contacts/batch/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"type":"communication_to_contact"},{"from":{"id":%q},"to":{"id":%q},"type":"nope"}]}`, m1, c1, m1, c1)},
		{"/crm/v4/associations/communications/contacts/batch/labels/archive", fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":81}]},{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"USER_DEFINED","associationTypeId":999999}]}]}`, m1, c1, m1, c1)},
	} {
		mustStatus(t, s.Do("POST", bad.path, bad.body), 400)
		if got := v4Types(t, s, "communications", m1, "contacts"); len(got) != 1 {
			t.Errorf("%s: a failed batch removed associations: %v", bad.path, got)
		}
	}
}

func TestAssociationPaging(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "p@example.com")
	var ids []string
	for range 105 {
		ids = append(ids, newMessage(t, s, to(contact, "HUBSPOT_DEFINED", 81)))
	}
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+contact+"?associations=communications", nil), 200)
	page := got["associations"].(map[string]any)["communications"].(map[string]any)
	if len(page["results"].([]any)) != 100 || page["paging"].(map[string]any)["next"].(map[string]any)["after"] != ids[100] {
		t.Errorf("?associations= page %d %v", len(page["results"].([]any)), page["paging"])
	}
	var seen []string
	after := ""
	for range 10 {
		p := mustStatus(t, s.Do("GET", "/crm/v4/objects/contacts/"+contact+"/associations/communications?limit=40&after="+after, nil), 200)
		for _, r := range p["results"].([]any) {
			seen = append(seen, fmt.Sprintf("%.0f", r.(map[string]any)["toObjectId"]))
		}
		next, ok := p["paging"]
		if !ok {
			break
		}
		after = next.(map[string]any)["next"].(map[string]any)["after"].(string)
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("v4 paging gave %d ids", len(seen))
	}
}

func TestPinning(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "pin@example.com")
	m1 := newMessage(t, s, to(contact, "HUBSPOT_DEFINED", 81))
	m2 := newMessage(t, s, to(contact, "HUBSPOT_DEFINED", 81))
	loose := newMessage(t, s, "")
	path := "/crm/v3/objects/contacts/" + contact
	pin := func(v string) *spoketest.Response {
		return s.Do("PATCH", path, fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, v))
	}
	pinned := func() any {
		return props(mustStatus(t, s.Do("GET", path+"?properties=hs_pinned_engagement_id", nil), 200))["hs_pinned_engagement_id"]
	}
	if p := props(mustStatus(t, pin(m1), 200)); p["hs_pinned_engagement_id"] != m1 {
		t.Errorf("pin %v", p)
	}
	mustStatus(t, pin(m2), 200) // replaces
	if pinned() != m2 {
		t.Errorf("pinned %v, want %s", pinned(), m2)
	}
	if body := mustStatus(t, pin("abc"), 400); body["errors"].([]any)[0].(map[string]any)["code"] != "INVALID_INTEGER" {
		t.Errorf("pin abc: %v", body)
	}
	for _, bad := range []string{loose, "424242", contact} {
		body := mustStatus(t, pin(bad), 400)
		if body["errors"].([]any)[0].(map[string]any)["code"] != "INVALID_PINNED_ENGAGEMENT" {
			t.Errorf("pin %s: %v", bad, body)
		}
	}
	if pinned() != m2 {
		t.Error("a refused pin changed the pin")
	}
	mustStatus(t, pin(""), 200)
	if pinned() != nil {
		t.Error("unpin failed")
	}
	// Create with a pin and the association to the same message in one request.
	company := create(t, s, "companies", fmt.Sprintf(`{"properties":{"name":"Pinned","hs_pinned_engagement_id":%q},"associations":[%s]}`,
		loose, to(loose, "HUBSPOT_DEFINED", 88)))
	if props(company)["hs_pinned_engagement_id"] != loose {
		t.Errorf("create with pin %v", company)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/companies", fmt.Sprintf(`{"properties":{"name":"Bad","hs_pinned_engagement_id":%q}}`, m1)), 400)
	// Removing the association unpins; archiving the message unpins.
	mustStatus(t, pin(m1), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/contacts/"+contact+"/associations/communications/"+m1, nil), 204)
	if pinned() != nil {
		t.Errorf("pin kept after the association was removed: %v", pinned())
	}
	mustStatus(t, pin(m2), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+m2, nil), 204)
	if pinned() != nil {
		t.Errorf("pin kept after the message was archived: %v", pinned())
	}
	mustStatus(t, pin(m2), 400) // archived messages cannot be pinned
}

func TestRecycleBinRestoreAndPurge(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Clock.Set(start)
	contact := newContact(t, s, "bin@example.com")
	m := newMessage(t, s, to(contact, "HUBSPOT_DEFINED", 81))
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+m, nil), 204)

	// Invisible from every route.
	if got := v4Types(t, s, "contacts", contact, "communications"); len(got) != 0 {
		t.Errorf("archived message in v4 %v", got)
	}
	if got := v3Assoc(t, s, "contacts", contact, "communications"); got != nil {
		t.Errorf("archived message in ?associations= %v", got)
	}
	mustStatus(t, s.Do("GET", "/crm/v4/objects/communications/"+m+"/associations/contacts", nil), 404)
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/communications/"+m+"/associations/contacts/"+contact+"/81", nil), 404)

	// Restore is a Spoke extension needing the write scope.
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "POST", "/_spoke/objects/communications/"+m+"/restore", nil), 403)
	restored := mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+m+"/restore", nil), 200)
	if restored["archived"] != false || props(restored)["hs_communication_body"] != "hi" {
		t.Errorf("restored %v", restored)
	}
	if got := v3Assoc(t, s, "contacts", contact, "communications"); fmt.Sprint(got) != "["+m+":contact_to_communication]" {
		t.Errorf("associations after restore %v", got)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+m+"/restore", nil), 404) // not archived
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/424242/restore", nil), 404)

	// A restored contact whose email was taken meanwhile conflicts.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+contact, nil), 204)
	taker := newContact(t, s, "bin@example.com")
	mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/"+contact+"/restore", nil), 409)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+taker, nil), 204)
	batch := mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/batch/restore", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, contact)), 200)
	if rs := batch["results"].([]any); len(rs) != 1 || batch["status"] != "COMPLETE" {
		t.Errorf("batch restore %v", batch)
	}

	// After 90 days an archived record is gone, then purged with its history and associations.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+m, nil), 204)
	s.Clock.Set(start.Add(89 * 24 * time.Hour))
	mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+m+"?archived=true", nil), 200)
	s.Clock.Set(start.Add(91 * 24 * time.Hour))
	mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+m+"?archived=true", nil), 404)
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/objects/communications?archived=true", nil), 200)["results"].([]any)); n != 0 {
		t.Errorf("%d expired records listed", n)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+m+"/restore", nil), 404)
	purged, err := s.Engine.PurgeArchived(context.Background())
	if err != nil || purged != 2 { // the message and the contact that took the email
		t.Fatalf("purged %d %v", purged, err)
	}
	ctx := context.Background()
	s.Store.Read(ctx, func(tx crm.ReadTx) error {
		id := mustInt(t, m)
		if _, err := tx.Object(ctx, "0-18", id); err == nil {
			t.Error("purged record still stored")
		}
		if h, _ := tx.History(ctx, []int64{id}, []string{"hs_communication_body"}); len(h) != 0 {
			t.Error("history kept after purge")
		}
		if rows, _ := tx.AssociationsBetween(ctx, mustInt(t, contact), id); len(rows) != 0 {
			t.Error("associations kept after purge")
		}
		return nil
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDatedAssociationPaths covers what HubSpot's dated association paths
// do differently from v4: the labels API under /crm/associations/{version},
// label items with their object type ids, and batch archives answering 200
// with a batch body.
func TestDatedAssociationPaths(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "dated@example.com")
	acme, globex := newCompany(t, s, "Acme"), newCompany(t, s, "Globex")
	const labels = "/crm/associations/2026-03/contacts/companies/labels"

	created := mustStatus(t, s.Do("POST", labels, `{"label":"Signer","name":"signer","inverseLabel":"Signed by"}`), 200)
	var labelID float64
	for _, l := range created["results"].([]any) {
		m := l.(map[string]any)
		if m["fromObjectTypeId"] != "0-1" || m["toObjectTypeId"] != "0-2" || m["category"] == nil || m["typeId"] == nil {
			t.Errorf("label item %v", m)
		}
		if m["label"] == "Signer" && m["category"] == "USER_DEFINED" {
			labelID = m["typeId"].(float64)
		}
	}
	if labelID == 0 {
		t.Fatalf("label not listed: %v", created)
	}
	listed := mustStatus(t, s.Do("GET", labels, nil), 200)
	if fmt.Sprint(listed) != fmt.Sprint(created) {
		t.Errorf("GET %v, want what POST answered %v", listed, created)
	}
	// The same labels as on v4, and the inverse from the other side.
	if v4 := mustStatus(t, s.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200); fmt.Sprint(v4) != fmt.Sprint(listed) {
		t.Errorf("v4 labels %v, dated %v", v4, listed)
	}
	inverse := mustStatus(t, s.Do("GET", "/crm/associations/2026-09/companies/contacts/labels", nil), 200)
	found := false
	for _, l := range inverse["results"].([]any) {
		m := l.(map[string]any)
		found = found || m["label"] == "Signed by" && m["fromObjectTypeId"] == "0-2" && m["toObjectTypeId"] == "0-1"
	}
	if !found {
		t.Errorf("inverse labels %v", inverse)
	}
	mustStatus(t, s.Do("POST", labels, `{"label":"Again","name":"signer"}`), 409)
	mustStatus(t, s.Do("POST", labels, `{"label":"x"}`), 400)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "POST", labels, `{"label":"No","name":"no"}`), 403)
	mustStatus(t, s.Do("GET", "/crm/associations/2024-01/contacts/companies/labels", nil), 404)

	spec := fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, labelID)
	for _, co := range []string{acme, globex} {
		got := mustStatus(t, s.Do("PUT", "/crm/objects/2026-03/contacts/"+contact+"/associations/companies/"+co, spec), 201)
		if fmt.Sprint(got["labels"]) != "[Signer]" {
			t.Errorf("labelled PUT %v", got)
		}
	}
	mustStatus(t, s.Do("PUT", labels, fmt.Sprintf(`{"associationTypeId":%.0f,"label":"Co-signer"}`, labelID)), 204)
	if got := v4Types(t, s, "contacts", contact, "companies")[acme]; !strings.Contains(fmt.Sprint(got), "Co-signer") {
		t.Errorf("renamed label not seen: %v", got)
	}

	// Batch archives answer 200 with an empty batch body.
	batchBody := func(r *spoketest.Response) {
		t.Helper()
		got := mustStatus(t, r, 200)
		if got["status"] != "COMPLETE" || fmt.Sprint(got["results"]) != "[]" || got["startedAt"] == nil || got["completedAt"] == nil || len(got) != 4 {
			t.Errorf("batch archive body %s", r.Body)
		}
	}
	batchBody(s.Do("POST", "/crm/associations/2026-03/contacts/companies/batch/labels/archive",
		fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":%s}]}`, contact, acme, spec)))
	if got := v4Types(t, s, "contacts", contact, "companies")[acme]; fmt.Sprint(got) != "[HUBSPOT_DEFINED/279/<nil>]" {
		t.Errorf("after labels archive %v", got)
	}
	batchBody(s.Do("POST", "/crm/associations/2025-09/contacts/companies/batch/archive",
		fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":[{"id":%q}]}]}`, contact, acme)))
	if _, ok := v4Types(t, s, "contacts", contact, "companies")[acme]; ok {
		t.Error("pair still associated after the dated batch archive")
	}
	mustStatus(t, s.Do("POST", "/crm/associations/2026-03/contacts/companies/batch/archive", `{"inputs":[]}`), 400)

	// Deleting the label removes it and its associations.
	mustStatus(t, s.Do("DELETE", fmt.Sprintf("%s/%.0f", labels, labelID), nil), 204)
	mustStatus(t, s.Do("DELETE", fmt.Sprintf("%s/%.0f", labels, labelID), nil), 404)
	if strings.Contains(fmt.Sprint(v4Types(t, s, "contacts", contact, "companies")), "USER_DEFINED") {
		t.Error("deleted label still on associations")
	}
}
