package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// HubSpot matches contacts' phone numbers through its calculated
// hs_searchable_calculated_* properties, which hold the area code and local
// number only: a search for 6175551234 finds +1 (617) 555-1234.
func TestContactPhoneNumbersSearchableWithoutCountryCode(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	got := create(t, s, "contacts", `{"properties":{"email":"ana@example.com","phone":"+1 (617) 555-1234","mobilephone":"+44 20 7946 0958"}}`)
	id := got["id"].(string)
	p := props(got)
	if p["hs_searchable_calculated_phone_number"] != "6175551234" || p["hs_searchable_calculated_mobile_number"] != "2079460958" {
		t.Fatalf("calculated numbers on create: %v", p)
	}
	other := newContact(t, s, "bob@example.com")

	for _, body := range []string{
		`{"filterGroups":[{"filters":[` + filter("hs_searchable_calculated_phone_number", "EQ", "6175551234") + `]}]}`,
		`{"filterGroups":[{"filters":[` + filter("hs_searchable_calculated_mobile_number", "CONTAINS_TOKEN", "*79460958") + `]}]}`,
		`{"query":"6175551234"}`,
		`{"query":"2079460958"}`,
	} {
		if ids, _ := searchIDs(t, s, "contacts", body); fmt.Sprint(ids) != "["+id+"]" {
			t.Errorf("%s found %v, want [%s]", body, ids, id)
		}
	}

	// A national number keeps its digits (leading zeros dropped); an
	// extension is not part of it; clearing the phone clears it.
	got = mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+other, `{"properties":{"phone":"(0617) 555-9876 ext. 12"}}`), 200)
	if v := props(got)["hs_searchable_calculated_phone_number"]; v != "6175559876" {
		t.Errorf("national number with extension: %v", v)
	}
	got = mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"phone":""}}`), 200)
	if v, ok := props(got)["hs_searchable_calculated_phone_number"]; ok {
		t.Errorf("cleared phone left %v", v)
	}
	if ids, _ := searchIDs(t, s, "contacts", `{"query":"6175551234"}`); len(ids) != 0 {
		t.Errorf("cleared phone still found: %v", ids)
	}

	// The calculated properties are read-only, like HubSpot's.
	r := s.Do("PATCH", "/crm/v3/objects/contacts/"+id, `{"properties":{"hs_searchable_calculated_phone_number":"1"}}`)
	if r.Status != 400 || !strings.Contains(string(r.Body), "READ_ONLY_VALUE") {
		t.Errorf("write of a calculated number: %d %s", r.Status, r.Body)
	}
}
