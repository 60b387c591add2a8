package api_test

import (
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A record associated with the searched record by several types (a
// contact's primary company is also its unlabelled one, a label adds a
// third), or with several of the searched ids, is found once: the results
// and the total count records, not association rows.
func TestSearchByAssociationOfSeveralTypes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c1, c2 := newContact(t, s, "types1@example.com"), newContact(t, s, "types2@example.com")
	co := newCompany(t, s, "Types")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c1+"/associations/companies/"+co, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]`), 201)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/"+c2+"/associations/default/companies/"+co, nil), 200)
	if got := v4Types(t, s, "contacts", c1, "companies")[co]; len(got) != 2 {
		t.Fatalf("contact %s holds %v with the company, want two types", c1, got)
	}
	for _, c := range []struct{ typ, body, want string }{
		{"companies", groups([]string{filter("associations.contact", "EQ", c1)}), co},
		{"companies", `{"limit":100,"filterGroups":[{"filters":[{"propertyName":"associations.contact","operator":"IN","values":["` + c1 + `","` + c2 + `"]}]}]}`, co},
		{"contacts", groups([]string{filter("associations.company", "EQ", co), filter("email", "EQ", "types1@example.com")}), c1},
	} {
		ids, total := searchIDs(t, s, c.typ, c.body)
		if total != 1 || len(ids) != 1 || ids[0] != c.want {
			t.Errorf("search %s %s: %v of %d, want [%s] of 1", c.typ, c.body, ids, total, c.want)
		}
	}
}
