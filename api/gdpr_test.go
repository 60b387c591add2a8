package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// blockedEmails reads the addresses GDPR deletes blocked, from the export.
func blockedEmails(t *testing.T, s *spoketest.Server) []string {
	t.Helper()
	var out []string
	list, _ := mustStatus(t, s.Do("GET", "/_spoke/export", nil), 200)["gdprBlockedEmails"].([]any)
	for _, e := range list {
		out = append(out, e.(string))
	}
	return out
}

// A GDPR delete removes a contact for good, not to the recycle bin: it
// cannot be read, listed as archived or restored. The engagements
// associated with it alone go with it; one also associated with a company
// stays on the company. Its addresses are blocked; the API can still
// create a contact with one, as HubSpot lets API requests add a deleted
// contact back.
func TestGDPRDeleteByID(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := create(t, s, "contacts", `{"properties":{"email":"Gone@Example.com","hs_additional_emails":"gone2@example.com;gone@example.com"}}`)["id"].(string)
	company := newCompany(t, s, "Stays")
	only := newMessage(t, s, to(c, "HUBSPOT_DEFINED", 81))
	shared := newMessage(t, s, to(c, "HUBSPOT_DEFINED", 81)+","+to(company, "HUBSPOT_DEFINED", 87))
	note := create(t, s, "notes", `{"properties":{"hs_note_body":"private","hs_timestamp":"2025-01-01T00:00:00Z"},"associations":[`+to(c, "HUBSPOT_DEFINED", 202)+`]}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"hs_pinned_engagement_id":"`+only+`"}}`), 200)
	other := newContact(t, s, "other@example.com")

	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"`+c+`"}`), 204)
	for _, path := range []string{
		"/crm/v3/objects/contacts/" + c, "/crm/v3/objects/contacts/" + c + "?archived=true",
		"/crm/v3/objects/communications/" + only, "/crm/v3/objects/communications/" + only + "?archived=true",
		"/crm/v3/objects/notes/" + note + "?archived=true",
	} {
		mustStatus(t, s.Do("GET", path, nil), 404)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/"+c+"/restore", nil), 404)
	archived := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts?archived=true", nil), 200)["results"].([]any)
	if len(archived) != 0 {
		t.Errorf("the deleted contact is in the recycle bin: %v", archived)
	}
	if got := v4Types(t, s, "communications", shared, "contacts"); len(got) != 0 {
		t.Errorf("the shared message still leads to contacts %v", got)
	}
	if got := v4Types(t, s, "companies", company, "communications"); got[shared] == nil {
		t.Errorf("the shared message left the company: %v", got)
	}
	getID(t, s, "contacts", other)
	if got := blockedEmails(t, s); fmt.Sprint(got) != "[gone2@example.com gone@example.com]" {
		t.Errorf("blocked addresses %v", got)
	}
	// The address is free: the contact's claim went with it.
	again := create(t, s, "contacts", `{"properties":{"email":"gone@example.com"}}`)["id"].(string)
	if again == c {
		t.Errorf("a new contact took the deleted contact's id")
	}
	// Deleting again answers 404: the contact is gone.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"`+c+`"}`), 404)
}

// By email: a live contact with the address is deleted; an address no
// contact holds is blocked all the same (HubSpot's blocklist).
func TestGDPRDeleteByEmail(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := newContact(t, s, "ByMail@example.com")
	mustStatus(t, s.Do("POST", "/crm/objects/2026-03/contacts/gdpr-delete", `{"objectId":"bymail@EXAMPLE.com","idProperty":"email"}`), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+c+"?archived=true", nil), 404)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"Never@Example.com","idProperty":"email"}`), 204)
	if got := blockedEmails(t, s); !slices.Equal(got, []string{"bymail@example.com", "never@example.com"}) {
		t.Errorf("blocked addresses %v", got)
	}
	if n := count(t, s, "contacts"); n != 0 {
		t.Errorf("%d contacts left", n)
	}
}

// A GDPR delete of an archived contact, or by an id merged into a contact,
// deletes that contact for good, and the merged ids with it.
func TestGDPRDeleteArchivedAndMerged(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	archived := newContact(t, s, "binned@example.com")
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+archived, nil), 204)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"`+archived+`"}`), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+archived+"?archived=true", nil), 404)

	a, b := newContact(t, s, "a@example.com"), newContact(t, s, "b@example.com")
	n := merge(t, s, "contacts", a, b)["id"].(string)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":`+b+`}`), 204)
	for _, id := range []string{a, b, n} {
		mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+id, nil), 404)
	}
	if got := blockedEmails(t, s); !slices.Equal(got, []string{"a@example.com", "b@example.com", "binned@example.com"}) {
		t.Errorf("blocked addresses %v", got)
	}
}

// GDPR delete inputs HubSpot refuses.
func TestGDPRDeleteValidation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := newContact(t, s, "kept@example.com")
	for _, x := range []struct {
		body, message, category string
		status                  int
	}{
		{`{}`, "Invalid input JSON on line 1, column 2. Some required fields were not set: [objectId]", "", 400},
		{`{"objectId":"987654321012"}`, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
		{`{"objectId":"kept@example.com"}`, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND", 404},
		{`{"objectId":"Kept","idProperty":"firstname"}`, "Unable to perform operation by non-unique 0-1 property firstname in portal ID 24800001", "VALIDATION_ERROR", 400},
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/gdpr-delete", x.body), x.status)
		if got["message"] != x.message || fmt.Sprint(got["category"]) != fmt.Sprint(orNil(x.category)) {
			t.Errorf("%s: %v", x.body, got)
		}
	}
	getID(t, s, "contacts", c)
	if got := blockedEmails(t, s); len(got) != 0 {
		t.Errorf("refused deletes blocked %v", got)
	}
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "POST", "/crm/v3/objects/contacts/gdpr-delete", `{"objectId":"`+c+`"}`), 403)
}
