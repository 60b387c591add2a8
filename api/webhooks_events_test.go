package api_test

import (
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// receivedEvents flushes the outbox and returns every event the receiver got
// since skip requests, each checked for the fields every event has and
// signed as HubSpot signs them.
func receivedEvents(t *testing.T, s *spoketest.Server, a testApp, recv *receiver, skip int) []map[string]any {
	t.Helper()
	if res := flush(t, s); res["pending"] != 0.0 || res["failed"] != 0.0 {
		t.Fatalf("flush: %v", res)
	}
	var out []map[string]any
	for _, d := range recv.deliveries()[skip:] {
		verify(t, d, a.secret, recv.url())
		for _, e := range d.events {
			if e["portalId"] != float64(spoketest.PortalID) || e["appId"] != float64(a.id) || e["attemptNumber"] != 0.0 ||
				e["eventId"] == nil || e["subscriptionId"] == nil || e["occurredAt"].(float64) < 1e12 ||
				e["changeSource"] != "INTEGRATION" || e["sourceId"] == nil {
				t.Errorf("event fields: %v", e)
			}
			if _, ok := e["eventType"]; ok {
				t.Errorf("eventType sent (HubSpot sends subscriptionType): %v", e)
			}
			out = append(out, e)
		}
	}
	return out
}

// num writes a record id as eventKey writes an event's ids.
func num(id string) string {
	f, err := strconv.ParseFloat(id, 64)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%.0f", f)
}

// ids writes an event's ids (a number or an array of them) as num does.
func ids(v any) string {
	if list, ok := v.([]any); ok {
		out := "["
		for i, x := range list {
			if i > 0 {
				out += " "
			}
			out += ids(x)
		}
		return out + "]"
	}
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprint(v)
}

// Every event type of tickets is emitted as the legacy ticket.* type, with
// HubSpot's fields: creation and deletion with their changeFlag, property
// changes with the new value, both sides of an association, and a merge.
func TestWebhookTicketEvents(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "tickets")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	for _, ev := range []string{"ticket.creation", "ticket.deletion", "ticket.restore", "ticket.associationChange", "ticket.merge", "contact.associationChange"} {
		subscribe(t, s, a, map[string]any{"eventType": ev})
	}
	subscribe(t, s, a, map[string]any{"eventType": "ticket.propertyChange", "propertyName": "subject"})

	c := create(t, s, "contacts", `{"properties":{"email":"t@example.com"}}`)["id"].(string)
	t1 := create(t, s, "tickets", `{"properties":{"subject":"Printer","hs_pipeline_stage":"1"}}`)["id"].(string)
	t2 := create(t, s, "tickets", `{"properties":{"subject":"Paper","hs_pipeline_stage":"2"}}`)["id"].(string)
	t3 := create(t, s, "tickets", `{"properties":{"subject":"Toner","hs_pipeline_stage":"1"},
		"associations":[{"to":{"id":"`+c+`"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":16}]}]}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/tickets/"+t2, `{"properties":{"subject":"Paper jam"}}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/tickets/"+t2, `{"properties":{"hs_pipeline_stage":"4"}}`), 200) // not subscribed
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/tickets/"+t2, nil), 204)
	mustStatus(t, s.Do("POST", "/_spoke/objects/tickets/"+t2+"/restore", nil), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/tickets/"+t3+"/associations/contacts/"+c, nil), 204)
	merged := mustStatus(t, s.Do("POST", "/crm/v3/objects/tickets/merge", map[string]any{"primaryObjectId": t1, "objectIdToMerge": t2}), 200)["id"].(string)

	var got []string
	for _, e := range receivedEvents(t, s, a, recv, 0) {
		switch e["subscriptionType"] {
		case "ticket.creation":
			if e["changeFlag"] != "CREATED" {
				t.Errorf("creation: %v", e)
			}
		case "ticket.deletion":
			if e["changeFlag"] != "DELETED" {
				t.Errorf("deletion: %v", e)
			}
		case "ticket.merge":
			got = append(got, fmt.Sprintf("ticket.merge %s primary=%s merged=%s new=%s", ids(e["objectId"]), ids(e["primaryObjectId"]), ids(e["mergedObjectIds"]), ids(e["newObjectId"])))
			continue
		}
		if _, ok := e["objectTypeId"]; ok {
			t.Errorf("objectTypeId on a legacy event: %v", e)
		}
		got = append(got, eventKey(e))
	}
	want := []string{
		"ticket.creation " + num(t1), "ticket.propertyChange " + num(t1) + " subject=Printer",
		"ticket.creation " + num(t2), "ticket.propertyChange " + num(t2) + " subject=Paper",
		"ticket.creation " + num(t3), "ticket.propertyChange " + num(t3) + " subject=Toner",
		"ticket.associationChange " + num(t3) + " TICKET_TO_CONTACT " + num(t3) + "->" + num(c) + " removed=false",
		"contact.associationChange " + num(c) + " CONTACT_TO_TICKET " + num(c) + "->" + num(t3) + " removed=false",
		"ticket.propertyChange " + num(t2) + " subject=Paper jam",
		"ticket.deletion " + num(t2), "ticket.restore " + num(t2),
		"ticket.associationChange " + num(t3) + " TICKET_TO_CONTACT " + num(t3) + "->" + num(c) + " removed=true",
		"contact.associationChange " + num(c) + " CONTACT_TO_TICKET " + num(c) + "->" + num(t3) + " removed=true",
		fmt.Sprintf("ticket.merge %s primary=%s merged=[%s] new=%s", num(merged), num(t1), num(t2), num(merged)),
	}
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
}

// An association change fires once per side; a primary association and the
// unlabelled one it brings are two messages per side. Generic
// object.associationChange events carry the object types and the
// association type instead of the legacy associationType.
func TestWebhookAssociationChangeOnEachSide(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "associations")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	subscribe(t, s, a, map[string]any{"eventType": "contact.associationChange"})
	subscribe(t, s, a, map[string]any{"eventType": "company.associationChange"})
	subscribe(t, s, a, map[string]any{"eventType": "object.associationChange", "objectTypeId": "notes"})

	c := create(t, s, "contacts", `{"properties":{"email":"side@example.com"}}`)["id"].(string)
	co := create(t, s, "companies", `{"properties":{"name":"Side"}}`)["id"].(string)
	n := create(t, s, "notes", `{"properties":{"hs_timestamp":"2026-01-01T00:00:00Z","hs_note_body":"hello"}}`)["id"].(string)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c+"/associations/companies/"+co,
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), 201)
	mustStatus(t, s.Do("PUT", "/crm/v3/objects/notes/"+n+"/associations/contacts/"+c+"/202", nil), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v4/objects/contacts/"+c+"/associations/companies/"+co, nil), 204)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/notes/"+n+"/associations/contacts/"+c+"/202", nil), 204)

	var got []string
	for _, e := range receivedEvents(t, s, a, recv, 0) {
		if ids(e["objectId"]) != ids(e["fromObjectId"]) {
			t.Errorf("objectId is not the side's record: %v", e)
		}
		switch e["subscriptionType"] {
		case "object.associationChange":
			if _, ok := e["associationType"]; ok {
				t.Errorf("generic event with a legacy associationType: %v", e)
			}
			got = append(got, fmt.Sprintf("object %v %s %v->%v %s %v:%v removed=%v primary=%v", e["objectTypeId"], ids(e["objectId"]),
				e["fromObjectTypeId"], e["toObjectTypeId"], ids(e["toObjectId"]), e["associationCategory"], e["associationTypeId"],
				e["associationRemoved"], e["isPrimaryAssociation"]))
		default:
			if _, ok := e["objectTypeId"]; ok {
				t.Errorf("objectTypeId on a legacy event: %v", e)
			}
			if _, ok := e["isPrimaryAssociation"].(bool); !ok {
				t.Errorf("isPrimaryAssociation is not a boolean: %v", e)
			}
			// Whether HubSpot flags the company's side of a primary
			// association is not known; the contact's side is.
			if e["subscriptionType"] == "company.associationChange" {
				got = append(got, eventKey(e))
				continue
			}
			got = append(got, eventKey(e)+fmt.Sprintf(" primary=%v", e["isPrimaryAssociation"]))
		}
	}
	side := func(typ, name, from, to string, removed bool, primary bool) string {
		k := fmt.Sprintf("%s.associationChange %s %s %s->%s removed=%v", typ, num(from), name, num(from), num(to), removed)
		if typ == "company" {
			return k
		}
		return k + fmt.Sprintf(" primary=%v", primary)
	}
	want := []string{}
	for _, removed := range []bool{false, true} {
		want = append(want,
			side("contact", "CONTACT_TO_COMPANY", c, co, removed, true), side("contact", "CONTACT_TO_COMPANY", c, co, removed, false),
			side("company", "COMPANY_TO_CONTACT", co, c, removed, false), side("company", "COMPANY_TO_CONTACT", co, c, removed, false),
			side("contact", "CONTACT_TO_NOTE", c, n, removed, false),
			fmt.Sprintf("object 0-46 %s 0-46->0-1 %s HUBSPOT_DEFINED:202 removed=%v primary=false", num(n), num(c), removed))
	}
	sort.Strings(got)
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
}

// Merges of companies and deals emit their type's merge event for the new
// record, and no creation of it.
func TestWebhookMergeOfCompaniesAndDeals(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "merges")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	for _, ev := range []string{"company.merge", "company.creation", "deal.merge", "deal.creation"} {
		subscribe(t, s, a, map[string]any{"eventType": ev})
	}
	c1 := create(t, s, "companies", `{"properties":{"name":"One"}}`)["id"].(string)
	c2 := create(t, s, "companies", `{"properties":{"name":"Two","domain":"two.example.com"}}`)["id"].(string)
	d1 := create(t, s, "deals", `{"properties":{"dealname":"One","dealstage":"qualifiedtobuy"}}`)["id"].(string)
	d2 := create(t, s, "deals", `{"properties":{"dealname":"Two","dealstage":"qualifiedtobuy","amount":"50"}}`)["id"].(string)
	if res := flush(t, s); res["failed"] != 0.0 {
		t.Fatalf("flush: %v", res)
	}
	skip := len(recv.deliveries())
	company := mustStatus(t, s.Do("POST", "/crm/v3/objects/companies/merge", map[string]any{"primaryObjectId": c1, "objectIdToMerge": c2}), 200)["id"].(string)
	deal := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/merge", map[string]any{"primaryObjectId": d1, "objectIdToMerge": d2}), 200)["id"].(string)

	var got []string
	for _, e := range receivedEvents(t, s, a, recv, skip) {
		got = append(got, fmt.Sprintf("%v %s primary=%s merged=%s new=%s moved=%v", e["subscriptionType"], ids(e["objectId"]),
			ids(e["primaryObjectId"]), ids(e["mergedObjectIds"]), ids(e["newObjectId"]), e["numberOfPropertiesMoved"]))
	}
	want := []string{
		// Each took one value from the other record: the domain, the amount.
		fmt.Sprintf("company.merge %s primary=%s merged=[%s] new=%s moved=1", num(company), num(c1), num(c2), num(company)),
		fmt.Sprintf("deal.merge %s primary=%s merged=[%s] new=%s moved=1", num(deal), num(d1), num(d2), num(deal)),
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
}

// Without settings an app's subscriptions are paused: changes made meanwhile
// emit nothing, and events flow again once settings are put back.
func TestWebhookSubscriptionsPausedWithoutSettings(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "paused")
	recv := newReceiver(t)
	setTarget(t, s, a, recv.url())
	id := subscribe(t, s, a, map[string]any{"eventType": "company.creation"})
	mustStatus(t, s.Do("DELETE", a.path("/settings"), nil), 204)
	quiet := create(t, s, "companies", `{"properties":{"name":"Quiet"}}`)["id"].(string)
	if got := mustStatus(t, s.Do("GET", a.path("/subscriptions/"+id), nil), 200); got["active"] != true {
		t.Fatalf("the subscription after the settings were deleted: %v", got)
	}
	setTarget(t, s, a, recv.url())
	loud := create(t, s, "companies", `{"properties":{"name":"Loud"}}`)["id"].(string)
	var got []string
	for _, e := range receivedEvents(t, s, a, recv, 0) {
		got = append(got, fmt.Sprintf("%v %s", e["subscriptionType"], ids(e["objectId"])))
	}
	if want := "[company.creation " + num(loud) + "]"; fmt.Sprint(got) != want {
		t.Fatalf("events %v, want %s (none of %s, created while paused)", got, want, quiet)
	}
}

// An app holds at most 1,000 subscriptions; the next is refused with
// HubSpot's message, which has no category.
func TestWebhookSubscriptionLimit(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := newApp(t, s, "many")
	for i := range 1000 {
		mustStatus(t, s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "contact.propertyChange", "propertyName": fmt.Sprintf("p%d", i)}), 201)
	}
	r := s.Do("POST", a.path("/subscriptions"), map[string]any{"eventType": "contact.creation"})
	got := mustStatus(t, r, 400)
	if got["message"] != "Couldn't create another subscription. You've reached the maximum number allowed per application (1000)." ||
		got["status"] != "error" || got["correlationId"] == nil {
		t.Fatalf("1,001st subscription: %s", r.Body)
	}
	if _, ok := got["category"]; ok {
		t.Fatalf("1,001st subscription has a category: %s", r.Body)
	}
	// Another app is not limited by this one's.
	b := newApp(t, s, "other")
	mustStatus(t, s.Do("POST", b.path("/subscriptions"), map[string]any{"eventType": "contact.creation"}), 201)
}
