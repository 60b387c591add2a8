package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

func mergeBody(primary, other string) string {
	return fmt.Sprintf(`{"primaryObjectId":%q,"objectIdToMerge":%q}`, primary, other)
}

// merge merges other into primary and returns the new record.
func merge(t *testing.T, s *spoketest.Server, typ, primary, other string) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", "/crm/v3/objects/"+typ+"/merge", mergeBody(primary, other)), 200)
}

// getID reads a record by id and returns the id it answers with.
func getID(t *testing.T, s *spoketest.Server, typ, id string) string {
	t.Helper()
	return mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ+"/"+id, nil), 200)["id"].(string)
}

// historyValues lists the values of a property's history on a record.
func historyValues(t *testing.T, s *spoketest.Server, typ, id, name string) []string {
	t.Helper()
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ+"/"+id+"?propertiesWithHistory="+name, nil), 200)
	var out []string
	for _, h := range got["propertiesWithHistory"].(map[string]any)[name].([]any) {
		out = append(out, h.(map[string]any)["value"].(string))
	}
	return out
}

// A merge of two contacts makes a new contact with a new id, which both old
// ids answer; it takes the primary's values and the other's where the
// primary has none, keeps the primary's email and adds the other's to
// hs_additional_emails, keeps the lifecycle stage furthest down the funnel,
// lists the merged ids, and carries both records' history and associations
// (messages with the primary's pin, the primary's primary company).
func TestMergeContacts(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	p := create(t, s, "contacts", `{"properties":{"email":"pat@example.com","firstname":"Pat","lifecyclestage":"lead","phone":"+441234"}}`)["id"].(string)
	o := create(t, s, "contacts", `{"properties":{"email":"Sam@Example.com","firstname":"Sam","lastname":"Smith","lifecyclestage":"customer","hs_additional_emails":"sam2@example.com"}}`)["id"].(string)
	c1, c2 := newCompany(t, s, "Primary Co"), newCompany(t, s, "Other Co")
	deal := create(t, s, "deals", `{"properties":{"dealname":"D","pipeline":"default","dealstage":"appointmentscheduled"}}`)["id"].(string)
	m1 := newMessage(t, s, to(p, "HUBSPOT_DEFINED", 81))
	m2 := newMessage(t, s, to(o, "HUBSPOT_DEFINED", 81))
	for _, c := range []struct{ contact, company string }{{p, c1}, {o, c2}} {
		mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c.contact+"/associations/companies/"+c.company, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), 201)
	}
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+o+"/associations/default/deals/"+deal, nil), 200)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+p+"/associations/default/contacts/"+o, nil), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+p, `{"properties":{"hs_pinned_engagement_id":"`+m1+`"}}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+o, `{"properties":{"hs_pinned_engagement_id":"`+m2+`"}}`), 200)

	got := merge(t, s, "contacts", p, o)
	n := got["id"].(string)
	if n == p || n == o {
		t.Fatalf("the merged contact kept an old id: %s (merged %s and %s)", n, p, o)
	}
	want := map[string]string{
		"email": "pat@example.com", "hs_additional_emails": "Sam@Example.com;sam2@example.com",
		"firstname": "Pat", "lastname": "Smith", "phone": "+441234", "lifecyclestage": "customer",
		"hs_pinned_engagement_id": m1, "hs_object_id": n, "hs_merged_object_ids": p + ";" + o,
	}
	for name, v := range want {
		if props(got)[name] != v {
			t.Errorf("%s = %v, want %q", name, props(got)[name], v)
		}
	}
	for _, id := range []string{p, o, n} {
		if g := getID(t, s, "contacts", id); g != n {
			t.Errorf("GET of %s answered %s, want the merged contact %s", id, g, n)
		}
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+p+"?archived=true", nil), 404)
	if n := count(t, s, "contacts"); n != 1 {
		t.Errorf("%d contacts after the merge, want the merged one only", n)
	}

	// Associations: both companies (the primary's stays primary), both
	// messages, the other's deal; none between the two merged contacts.
	companies := v4Types(t, s, "contacts", n, "companies")
	if fmt.Sprint(companies[c1]) != "[HUBSPOT_DEFINED/1/Primary HUBSPOT_DEFINED/279/<nil>]" || fmt.Sprint(companies[c2]) != "[HUBSPOT_DEFINED/279/<nil>]" {
		t.Errorf("companies of the merged contact: %v", companies)
	}
	if msgs := v4Types(t, s, "contacts", n, "communications"); len(msgs) != 2 || msgs[m1] == nil || msgs[m2] == nil {
		t.Errorf("messages of the merged contact: %v", msgs)
	}
	if deals := v4Types(t, s, "contacts", n, "deals"); len(deals) != 1 || deals[deal] == nil {
		t.Errorf("deals: %v", deals)
	}
	if self := v4Types(t, s, "contacts", n, "contacts"); len(self) != 0 {
		t.Errorf("the merged contact is associated with contacts %v", self)
	}
	if back := v4Types(t, s, "communications", m2, "contacts"); len(back) != 1 || back[n] == nil {
		t.Errorf("the other's message leads to %v, want the merged contact", back)
	}
	if back := v4Types(t, s, "companies", c2, "contacts"); fmt.Sprint(back) != fmt.Sprintf("map[%s:[HUBSPOT_DEFINED/280/<nil>]]", n) {
		t.Errorf("the other's company leads to %v", back)
	}
	// Association routes and ?associations= take old ids.
	if list := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+o+"/associations/deals", nil), 200)["results"].([]any); len(list) != 1 {
		t.Errorf("v3 associations of an old id: %v", list)
	}
	if assoc := v3Assoc(t, s, "contacts", p, "deals"); len(assoc) == 0 {
		t.Errorf("?associations= of an old id: %v", assoc)
	}

	// Both records' history, newest first, then the merge's values.
	if h := historyValues(t, s, "contacts", n, "firstname"); !slices.Contains(h, "Pat") || !slices.Contains(h, "Sam") {
		t.Errorf("firstname history %v, want both contacts' values", h)
	}
	if h := historyValues(t, s, "contacts", n, "lastname"); len(h) == 0 || h[0] != "Smith" {
		t.Errorf("lastname history %v", h)
	}

	// Batch reads and writes by old ids reach the merged contact; two old
	// ids of it read it once.
	read := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/read", `{"inputs":[{"id":"`+p+`"},{"id":"`+o+`"}],"properties":["email"]}`), 200)
	if res := read["results"].([]any); len(res) != 1 || res[0].(map[string]any)["id"] != n {
		t.Errorf("batch read of both old ids: %v", res)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/update", `{"inputs":[{"id":"`+o+`","properties":{"jobtitle":"Buyer"}}]}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+p, `{"properties":{"city":"Leeds"}}`), 200)
	after := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+n+"?properties=jobtitle,city", nil), 200)
	if props(after)["jobtitle"] != "Buyer" || props(after)["city"] != "Leeds" {
		t.Errorf("writes by old ids: %v", props(after))
	}
	// A new association named by an old id lands on the merged contact.
	c3 := newCompany(t, s, "Third Co")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+o+"/associations/default/companies/"+c3, nil), 200)
	note := create(t, s, "notes", `{"properties":{"hs_note_body":"about Sam","hs_timestamp":"2025-01-01T00:00:00Z"},"associations":[`+to(p, "HUBSPOT_DEFINED", 202)+`]}`)["id"].(string)
	if back := v4Types(t, s, "notes", note, "contacts"); back[n] == nil {
		t.Errorf("a note created with an old id is associated with %v", back)
	}
	if companies := v4Types(t, s, "contacts", n, "companies"); companies[c3] == nil {
		t.Errorf("association by an old id: %v", companies)
	}

	// Search finds the merged contact by its values and by a merged id;
	// hs_object_id is the new id only.
	search := func(filter string) []string {
		t.Helper()
		return resultIDs(mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/search", `{"filterGroups":[{"filters":[`+filter+`]}]}`), 200))
	}
	if ids := search(`{"propertyName":"hs_merged_object_ids","operator":"EQ","value":"` + o + `"}`); fmt.Sprint(ids) != "["+n+"]" {
		t.Errorf("search by a merged id: %v", ids)
	}
	if ids := search(`{"propertyName":"hs_additional_emails","operator":"EQ","value":"Sam@Example.com"}`); fmt.Sprint(ids) != "["+n+"]" {
		t.Errorf("search by the other's address: %v", ids)
	}
	if ids := search(`{"propertyName":"hs_object_id","operator":"EQ","value":"` + p + `"}`); len(ids) != 0 {
		t.Errorf("search by an old hs_object_id: %v", ids)
	}

	// The primary's address stays unique to the merged contact; the
	// other's, now an additional address, can be given to a new contact.
	conflict := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"PAT@example.com"}}`), 409)
	if msg := conflict["message"].(string); msg != "Contact already exists. Existing ID: "+n {
		t.Errorf("conflict: %s", msg)
	}
	create(t, s, "contacts", `{"properties":{"email":"sam@example.com"}}`)

	// Deleting by an old id archives the merged contact.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+o, nil), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+n, nil), 404)
	if g := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+p+"?archived=true", nil), 200)["id"]; g != n {
		t.Errorf("archived read of an old id: %v", g)
	}
}

// Merging a merged record again makes a newer record, which every id
// merged so far answers; hs_merged_object_ids lists them all.
func TestMergeChainsOfMerges(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = newContact(t, s, fmt.Sprintf("chain%d@example.com", i))
	}
	first := merge(t, s, "contacts", ids[0], ids[1])["id"].(string)
	second := merge(t, s, "contacts", ids[2], ids[0])
	n := second["id"].(string)
	all := []string{ids[0], ids[1], ids[2], first}
	slices.SortFunc(all, func(a, b string) int { return int(mustInt(t, a) - mustInt(t, b)) })
	if got := props(second)["hs_merged_object_ids"]; got != strings.Join(all, ";") {
		t.Errorf("hs_merged_object_ids %v, want %s", got, strings.Join(all, ";"))
	}
	if props(second)["email"] != "chain2@example.com" {
		t.Errorf("email %v: the primary's", props(second)["email"])
	}
	for _, id := range all {
		if g := getID(t, s, "contacts", id); g != n {
			t.Errorf("GET %s answered %s, want %s", id, g, n)
		}
	}
	// A merge naming the merged record by two of its ids is a merge with itself.
	r := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/merge", mergeBody(ids[1], first)), 400)
	if r["category"] != "VALIDATION_ERROR" {
		t.Errorf("self merge: %v", r)
	}
}

// Companies, deals and tickets merge the same way, on the v3 and dated
// paths; the record keeps the primary's values and the older creation time.
func TestMergeOtherRecordTypes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	bodies := map[string][2]string{
		"companies": {`{"properties":{"name":"Acme","domain":"acme.example"}}`, `{"properties":{"name":"ACME Ltd","industry":"Retail"}}`},
		"deals": {`{"properties":{"dealname":"Big","pipeline":"default","dealstage":"appointmentscheduled","amount":"10"}}`,
			`{"properties":{"dealname":"Big too","pipeline":"default","dealstage":"closedwon","description":"d"}}`},
		"tickets": {`{"properties":{"subject":"Broken","hs_pipeline":"0","hs_pipeline_stage":"1"}}`,
			`{"properties":{"subject":"Still broken","hs_pipeline":"0","hs_pipeline_stage":"2","content":"c"}}`},
	}
	// What the merged record holds: a value of the primary's, and one only the other had.
	want := map[string][2][2]string{
		"companies": {{"name", "Acme"}, {"industry", "Retail"}},
		"deals":     {{"dealname", "Big"}, {"description", "d"}},
		"tickets":   {{"subject", "Broken"}, {"content", "c"}},
	}
	for typ, b := range bodies {
		s.Clock.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		older := create(t, s, typ, b[1])["id"].(string)
		s.Clock.Set(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
		primary := create(t, s, typ, b[0])["id"].(string)
		msg := newMessage(t, s, fmt.Sprintf(`{"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":%d}]}`,
			older, map[string]int{"companies": 87, "deals": 85, "tickets": 83}[typ]))
		s.Clock.Set(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		got := mustStatus(t, s.Do("POST", "/crm/objects/2026-03/"+typ+"/merge", mergeBody(primary, older)), 200)
		n := got["id"].(string)
		for _, kv := range want[typ] {
			if props(got)[kv[0]] != kv[1] {
				t.Errorf("%s: %s = %v, want %q", typ, kv[0], props(got)[kv[0]], kv[1])
			}
		}
		if got["createdAt"] != "2025-01-01T00:00:00Z" || got["updatedAt"] != "2025-07-01T00:00:00Z" {
			t.Errorf("%s: createdAt %v updatedAt %v, want the older creation and the merge's time", typ, got["createdAt"], got["updatedAt"])
		}
		for _, id := range []string{primary, older} {
			if g := getID(t, s, typ, id); g != n {
				t.Errorf("%s: GET %s answered %s", typ, id, g)
			}
		}
		if back := v4Types(t, s, "communications", msg, typ); len(back) != 1 || back[n] == nil {
			t.Errorf("%s: the message leads to %v", typ, back)
		}
	}
}

// Merge inputs HubSpot refuses: missing fields, ids that name no live
// record of the type, a record with itself, records merged too often, and
// types without merges.
func TestMergeValidation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a, b := newContact(t, s, "a@example.com"), newContact(t, s, "b@example.com")
	company := newCompany(t, s, "Co")
	archived := newContact(t, s, "gone@example.com")
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+archived, nil), 204)
	for _, c := range []struct {
		body, message, category string
		status                  int
	}{
		{`{}`, "Invalid input JSON on line 1, column 2. Some required fields were not set: [objectIdToMerge, primaryObjectId]", "", 400},
		{`{"primaryObjectId":"` + a + `"}`, "Invalid input JSON on line 1, column 2. Some required fields were not set: [objectIdToMerge]", "", 400},
		{mergeBody(a, a), "Cannot merge contact " + a + " into itself: primaryObjectId " + a + " and objectIdToMerge " + a + " are the same contact", "VALIDATION_ERROR", 400},
		{mergeBody(a, "nope"), "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
		{mergeBody("987654321012", b), "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
		{mergeBody(a, archived), "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
		{mergeBody(a, company), "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/merge", c.body), c.status)
		if got["message"] != c.message || fmt.Sprint(got["category"]) != fmt.Sprint(orNil(c.category)) {
			t.Errorf("%s: %v", c.body, got)
		}
	}
	// Nothing was changed by the refusals.
	for _, id := range []string{a, b} {
		if g := getID(t, s, "contacts", id); g != id {
			t.Errorf("%s answers %s after refused merges", id, g)
		}
	}
	// Engagements and users have no merge; only contacts a GDPR delete.
	for _, path := range []string{"/crm/v3/objects/notes/merge", "/crm/v3/objects/communications/merge", "/crm/v3/objects/users/merge", "/crm/v3/objects/companies/gdpr-delete"} {
		r := s.Do("POST", path, mergeBody(a, b))
		if r.Status != 405 || r.Header.Get("Allow") == "" {
			t.Errorf("POST %s: %d %s", path, r.Status, r.Body)
		}
	}
	// A merge needs the type's write scope.
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b)), 403)
	// Records part of 250 merges together cannot be merged again.
	var merged []string
	for i := range 500 {
		merged = append(merged, fmt.Sprint(990000000000+i))
	}
	seed := fmt.Sprintf(`{"objects":{"contacts":[{"id":"991000000001","properties":{"email":"often@example.com","hs_merged_object_ids":%q}}]}}`, strings.Join(merged, ";"))
	mustStatus(t, s.Do("POST", "/_spoke/seed", seed), 200)
	if g := getID(t, s, "contacts", merged[7]); g != "991000000001" {
		t.Errorf("a seeded merged id answers %s", g)
	}
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/merge", mergeBody(a, "991000000001")), 400)
	if !strings.Contains(got["message"].(string), "part of 250 merges") {
		t.Errorf("merge limit: %v", got)
	}
}

// failOnAdd is a real store whose transactions fail when they add
// associations, once armed: a merge then fails after everything else it
// writes.
type failOnAdd struct {
	crm.Store
	armed *atomic.Bool
}

func (f failOnAdd) Write(ctx context.Context, fn func(crm.Tx) error) error {
	return f.Store.Write(ctx, func(tx crm.Tx) error { return fn(failOnAddTx{tx, f.armed}) })
}

type failOnAddTx struct {
	crm.Tx
	armed *atomic.Bool
}

func (t failOnAddTx) AddAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	if t.armed.Load() {
		return errDisk
	}
	return t.Tx.AddAssociations(ctx, rows)
}

// A merge that fails at its last write leaves nothing written: both
// records, their ids, values and associations are as before.
func TestMergeFailureWritesNothing(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	armed := &atomic.Bool{}
	_, do := serveStore(t, failOnAdd{store, armed})
	a := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"a@example.com","firstname":"A"}}`, 201)["id"].(string)
	b := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"b@example.com","lastname":"B"}}`, 201)["id"].(string)
	msg := do("POST", "/crm/v3/objects/communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"hi"},"associations":[`+to(b, "HUBSPOT_DEFINED", 81)+`]}`, 201)["id"].(string)
	armed.Store(true)
	do("POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b), http.StatusInternalServerError)
	armed.Store(false)
	for id, email := range map[string]string{a: "a@example.com", b: "b@example.com"} {
		got := do("GET", "/crm/v3/objects/contacts/"+id+"?properties=email,hs_merged_object_ids", "", 200)
		if got["id"] != id || props(got)["email"] != email || props(got)["hs_merged_object_ids"] != nil {
			t.Errorf("%s after a failed merge: %v", id, got)
		}
	}
	list := do("GET", "/crm/v3/objects/contacts?limit=10", "", 200)["results"].([]any)
	if len(list) != 2 {
		t.Errorf("%d contacts after a failed merge", len(list))
	}
	back := do("GET", "/crm/v4/objects/communications/"+msg+"/associations/contacts", "", 200)["results"].([]any)
	if len(back) != 1 || fmt.Sprintf("%.0f", back[0].(map[string]any)["toObjectId"]) != b {
		t.Errorf("the message's contacts after a failed merge: %v", back)
	}
	do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"a@example.com"}}`, 409)
	// Then the same merge succeeds.
	n := do("POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b), 200)["id"].(string)
	if g := do("GET", "/crm/v3/objects/contacts/"+b, "", 200)["id"]; g != n {
		t.Errorf("after the retried merge %s answers %v, want %s", b, g, n)
	}
}
