package spoketest

import (
	"slices"
	"testing"
)

func TestRoutePatterns(t *testing.T) {
	t.Parallel()
	const pattern = "/crm/v4/objects/{type}/{id}/associations/{toType}/{$}"
	if got := PathParams(pattern); !slices.Equal(got, []string{"type", "id", "toType"}) {
		t.Errorf("PathParams = %q", got)
	}
	good := map[string]string{"type": "contacts", "id": "1", "toType": "companies"}
	if got, err := FillPath(pattern, good); err != nil || got != "/crm/v4/objects/contacts/1/associations/companies/" {
		t.Errorf("FillPath = %q, %v", got, err)
	}
	if _, err := FillPath(pattern, map[string]string{"type": "contacts"}); err == nil {
		t.Error("FillPath without a value for {id}: no error")
	}
	got, err := WrongPaths(pattern, good, map[string][]string{"id": {"x", "-1"}, "toType": {"nope"}})
	want := []string{
		"/crm/v4/objects/contacts/x/associations/companies/",
		"/crm/v4/objects/contacts/-1/associations/companies/",
		"/crm/v4/objects/contacts/1/associations/nope/",
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("WrongPaths = %q, %v; want %q", got, err, want)
	}
	if good["id"] != "1" {
		t.Error("WrongPaths changed the good values")
	}
}
