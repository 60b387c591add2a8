package api_test

import (
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// primaries lists the companies a contact holds as primary.
func primaries(t *testing.T, s *spoketest.Server, contact string) []string {
	t.Helper()
	var out []string
	for id, types := range v4Types(t, s, "contacts", contact, "companies") {
		for _, ty := range types {
			if ty == "HUBSPOT_DEFINED/1/Primary" {
				out = append(out, id)
			}
		}
	}
	return out
}

// A contact has one primary company however it is made primary: from the
// company's side (company_to_contact primary, type 2) as from the
// contact's, on a PUT, a batch or a created company's inline association,
// and a created contact given two primary companies keeps the last. The
// company that was primary keeps its unlabelled association.
func TestOnePrimaryCompanyFromEitherSide(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := newContact(t, s, "primary@example.com")
	a, b := newCompany(t, s, "A"), newCompany(t, s, "B")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c+"/associations/companies/"+a, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), 201)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/companies/"+b+"/associations/contacts/"+c, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":2}]`), 201)
	if got := primaries(t, s, c); fmt.Sprint(got) != "["+b+"]" {
		t.Errorf("after a PUT from the company's side the contact's primary companies are %v, want [%s]", got, b)
	}
	if got := v4Types(t, s, "contacts", c, "companies")[a]; fmt.Sprint(got) != "[HUBSPOT_DEFINED/279/<nil>]" {
		t.Errorf("the former primary company is %v", got)
	}
	mustStatus(t, s.Do("POST", "/crm/v4/associations/companies/contacts/batch/create",
		fmt.Sprintf(`{"inputs":[{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":2}]}]}`, a, c)), 201)
	if got := primaries(t, s, c); fmt.Sprint(got) != "["+a+"]" {
		t.Errorf("after a batch from the company's side: %v, want [%s]", got, a)
	}
	n := create(t, s, "companies", `{"properties":{"name":"New"},"associations":[`+to(c, "HUBSPOT_DEFINED", 2)+`]}`)["id"].(string)
	if got := primaries(t, s, c); fmt.Sprint(got) != "["+n+"]" {
		t.Errorf("after a company created as primary: %v, want [%s]", got, n)
	}
	two := create(t, s, "contacts", `{"properties":{"email":"two@example.com"},"associations":[`+to(a, "HUBSPOT_DEFINED", 1)+","+to(b, "HUBSPOT_DEFINED", 1)+`]}`)["id"].(string)
	if got := primaries(t, s, two); fmt.Sprint(got) != "["+b+"]" {
		t.Errorf("a contact created with two primary companies holds %v, want the last [%s]", got, b)
	}
}

// A primary company in the recycle bin is primary no more once another is
// made primary: restored, it comes back unlabelled.
func TestPrimaryCompanyRestoredAfterAnother(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := newContact(t, s, "binned-primary@example.com")
	a, b := newCompany(t, s, "A"), newCompany(t, s, "B")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c+"/associations/companies/"+a, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), 201)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/companies/"+a, nil), 204)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/companies/"+b+"/associations/contacts/"+c, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":2}]`), 201)
	mustStatus(t, s.Do("POST", "/_spoke/objects/companies/"+a+"/restore", nil), 200)
	if got := primaries(t, s, c); fmt.Sprint(got) != "["+b+"]" {
		t.Errorf("the contact's primary companies are %v, want [%s]", got, b)
	}
	if got := v4Types(t, s, "contacts", c, "companies")[a]; fmt.Sprint(got) != "[HUBSPOT_DEFINED/279/<nil>]" {
		t.Errorf("the restored company is %v", got)
	}
}
