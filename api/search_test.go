package api_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// searchIDs runs a search and returns the result ids and total.
func searchIDs(t *testing.T, s *spoketest.Server, typ, body string) ([]string, int) {
	t.Helper()
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+typ+"/search", body), 200)
	var ids []string
	for _, r := range got["results"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids, int(got["total"].(float64))
}

func filter(prop, op, value string) string {
	return fmt.Sprintf(`{"propertyName":%q,"operator":%q,"value":%q}`, prop, op, value)
}

func groups(gs ...[]string) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, `{"filters":[`+strings.Join(g, ",")+`]}`)
	}
	return `{"limit":100,"filterGroups":[` + strings.Join(parts, ",") + `]}`
}

// deals seeds deals with varied property types.
func seedDeals(t *testing.T, s *spoketest.Server) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, d := range []struct{ name, amount, close, stage, desc string }{
		{"Alpha", "100", "2025-01-10T00:00:00Z", "closedwon", "Renewal for Acme"},
		{"Beta", "250.5", "2025-03-01T12:00:00Z", "closedlost", "New logo"},
		{"Gamma", "", "2025-06-15T00:00:00Z", "closedwon", ""},
		{"delta", "-5", "", "appointmentscheduled", "acme expansion"},
	} {
		props := fmt.Sprintf(`"dealname":%q,"dealstage":%q,"pipeline":"default"`, d.name, d.stage)
		if d.amount != "" {
			props += fmt.Sprintf(`,"amount":%q`, d.amount)
		}
		if d.close != "" {
			props += fmt.Sprintf(`,"closedate":%q`, d.close)
		}
		if d.desc != "" {
			props += fmt.Sprintf(`,"description":%q`, d.desc)
		}
		ids[d.name] = create(t, s, "deals", `{"properties":{`+props+`}}`)["id"].(string)
	}
	return ids
}

func names(t *testing.T, ids map[string]string, got []string) string {
	t.Helper()
	byID := map[string]string{}
	for n, id := range ids {
		byID[id] = n
	}
	var out []string
	for _, id := range got {
		out = append(out, byID[id])
	}
	return strings.Join(out, ",")
}

func TestSearchOperators(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	ids := seedDeals(t, s)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"number EQ", groups([]string{filter("amount", "EQ", "250.5")}), "Beta"},
		{"number NEQ includes missing", groups([]string{filter("amount", "NEQ", "100")}), "Beta,Gamma,delta"},
		{"number LT", groups([]string{filter("amount", "LT", "100")}), "delta"},
		{"number LTE", groups([]string{filter("amount", "LTE", "100")}), "Alpha,delta"},
		{"number GT", groups([]string{filter("amount", "GT", "100")}), "Beta"},
		{"number GTE", groups([]string{filter("amount", "GTE", "-5")}), "Alpha,Beta,delta"},
		{"number BETWEEN", groups([]string{`{"propertyName":"amount","operator":"BETWEEN","value":"0","highValue":"200"}`}), "Alpha"},
		{"number as JSON number", groups([]string{`{"propertyName":"amount","operator":"EQ","value":100}`}), "Alpha"},
		{"datetime ISO", groups([]string{filter("closedate", "GTE", "2025-03-01T12:00:00Z")}), "Beta,Gamma"},
		{"datetime epoch ms", groups([]string{filter("closedate", "LT", "1740830400000")}), "Alpha"},
		{"datetime BETWEEN", groups([]string{`{"propertyName":"closedate","operator":"BETWEEN","value":"2025-01-01","highValue":"2025-04-01T00:00:00Z"}`}), "Alpha,Beta"},
		{"string EQ case-insensitive", groups([]string{filter("dealname", "EQ", "ALPHA")}), "Alpha"},
		{"string NEQ", groups([]string{filter("dealname", "NEQ", "alpha")}), "Beta,Gamma,delta"},
		{"string IN lower-case", groups([]string{`{"propertyName":"dealname","operator":"IN","values":["alpha","delta"]}`}), "Alpha,delta"},
		{"string IN is case-sensitive", groups([]string{`{"propertyName":"dealname","operator":"IN","values":["Alpha"]}`}), ""},
		{"string NOT_IN", groups([]string{`{"propertyName":"dealname","operator":"NOT_IN","values":["alpha","delta"]}`}), "Beta,Gamma"},
		{"enum EQ case-sensitive", groups([]string{filter("dealstage", "EQ", "closedwon")}), "Alpha,Gamma"},
		{"enum EQ wrong case", groups([]string{filter("dealstage", "EQ", "CLOSEDWON")}), ""},
		{"enum IN", groups([]string{`{"propertyName":"dealstage","operator":"IN","values":["closedlost","appointmentscheduled"]}`}), "Beta,delta"},
		{"enum NOT_IN", groups([]string{`{"propertyName":"dealstage","operator":"NOT_IN","values":["closedwon"]}`}), "Beta,delta"},
		{"HAS_PROPERTY", groups([]string{`{"propertyName":"amount","operator":"HAS_PROPERTY"}`}), "Alpha,Beta,delta"},
		{"NOT_HAS_PROPERTY", groups([]string{`{"propertyName":"closedate","operator":"NOT_HAS_PROPERTY"}`}), "delta"},
		{"CONTAINS_TOKEN on long text", groups([]string{filter("description", "CONTAINS_TOKEN", "acme")}), "Alpha,delta"},
		{"CONTAINS_TOKEN wildcard", groups([]string{filter("description", "CONTAINS_TOKEN", "expan*")}), "delta"},
		{"NOT_CONTAINS_TOKEN", groups([]string{filter("description", "NOT_CONTAINS_TOKEN", "acme")}), "Beta,Gamma"},
		{"CONTAINS_TOKEN indexed", groups([]string{filter("dealname", "CONTAINS_TOKEN", "*ta")}), "Beta,delta"},
		{"EQ on long text", groups([]string{filter("description", "EQ", "NEW LOGO")}), "Beta"},
		{"HAS on long text", groups([]string{`{"propertyName":"description","operator":"HAS_PROPERTY"}`}), "Alpha,Beta,delta"},
		{"object id", groups([]string{filter("hs_object_id", "EQ", ids["Gamma"])}), "Gamma"},
		{"AND within a group", groups([]string{filter("dealstage", "EQ", "closedwon"), filter("amount", "GT", "50")}), "Alpha"},
		{"OR of groups", groups([]string{filter("dealname", "EQ", "beta")}, []string{filter("amount", "LT", "0")}), "Beta,delta"},
		{"OR with overlap counts once", groups([]string{filter("dealstage", "EQ", "closedwon")}, []string{filter("dealname", "EQ", "alpha")}), "Alpha,Gamma"},
		{"top-level filters", `{"filters":[` + filter("dealstage", "EQ", "closedwon") + `]}`, "Alpha,Gamma"},
		{"no filters: all", `{}`, "Alpha,Beta,Gamma,delta"},
	} {
		got, total := searchIDs(t, s, "deals", tc.body)
		if names(t, ids, got) != tc.want || total != len(got) {
			t.Errorf("%s: got %q (total %d), want %q", tc.name, names(t, ids, got), total, tc.want)
		}
	}
}

func TestSearchQuerySortAndPaging(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "q@example.com")
	other := newContact(t, s, "other@example.com")
	var all []string
	for i := range 37 {
		body := fmt.Sprintf("Order %d shipped to Lisbon", i)
		if i%3 == 0 {
			body = fmt.Sprintf("Invoice %d is ready", i)
		}
		assoc := contact
		if i%2 == 1 {
			assoc = other
		}
		id := create(t, s, "communications", fmt.Sprintf(`{"properties":{"hs_communication_channel_type":%q,"hs_timestamp":%d,"hs_communication_body":%q},"associations":[%s]}`,
			[]string{"WHATS_APP", "SMS", "LINKEDIN_MESSAGE"}[i%3], 1700000000000-int64(i)*1000, body, to(assoc, "HUBSPOT_DEFINED", 81)))["id"].(string)
		all = append(all, id)
	}
	// Free text: prefix and words, all terms must match.
	if _, total := searchIDs(t, s, "communications", `{"query":"ship"}`); total != 24 {
		t.Errorf("query ship: %d", total)
	}
	if _, total := searchIDs(t, s, "communications", `{"query":"invoice READY"}`); total != 13 {
		t.Errorf("query invoice ready: %d", total)
	}
	if _, total := searchIDs(t, s, "communications", `{"query":"invoice lisbon"}`); total != 0 {
		t.Errorf("query with no common record: %d", total)
	}
	if got, total := searchIDs(t, s, "communications", `{"query":"order","filterGroups":[{"filters":[`+filter("hs_communication_channel_type", "EQ", "SMS")+`]}]}`); total != 12 || len(got) != 10 {
		t.Errorf("query plus filter: %d", total)
	}
	if got, _ := searchIDs(t, s, "contacts", `{"query":"other@exam"}`); fmt.Sprint(got) != "["+other+"]" {
		t.Errorf("contact email query %v", got)
	}
	// Associations pseudo-property.
	if _, total := searchIDs(t, s, "communications", `{"filterGroups":[{"filters":[`+filter("associations.contact", "EQ", contact)+`]}]}`); total != 19 {
		t.Errorf("associations.contact: %d", total)
	}
	if _, total := searchIDs(t, s, "communications", `{"filterGroups":[{"filters":[`+filter("associations.contact", "EQ", contact)+","+filter("hs_communication_channel_type", "EQ", "WHATS_APP")+`]}]}`); total != 7 {
		t.Errorf("associations.contact and channel: %d", total)
	}
	// Sorting: objects, strings, descending; ignored stringified objects.
	asc, _ := searchIDs(t, s, "communications", `{"limit":100,"sorts":[{"propertyName":"hs_timestamp","direction":"ASCENDING"}]}`)
	desc, _ := searchIDs(t, s, "communications", `{"limit":100,"sorts":["-hs_timestamp"]}`)
	plain, _ := searchIDs(t, s, "communications", `{"limit":100,"sorts":["hs_timestamp"]}`)
	created, _ := searchIDs(t, s, "communications", `{"limit":100,"sorts":["{\"propertyName\":\"hs_timestamp\",\"direction\":\"ASCENDING\"}"]}`)
	reversed := append([]string(nil), all...)
	sort.Sort(sort.Reverse(sort.StringSlice(reversed)))
	if fmt.Sprint(asc) != fmt.Sprint(reversed) || fmt.Sprint(desc) != fmt.Sprint(all) || fmt.Sprint(plain) != fmt.Sprint(asc) || fmt.Sprint(created) != fmt.Sprint(all) {
		t.Errorf("sorts: asc %v desc %v plain %v created %v", asc[:3], desc[:3], plain[:3], created[:3])
	}
	byChannel, _ := searchIDs(t, s, "communications", `{"limit":100,"sorts":[{"propertyName":"hs_communication_channel_type","direction":"DESCENDING"}]}`)
	if len(byChannel) != 37 {
		t.Errorf("sort by enum %d", len(byChannel))
	}
	// Paging over the whole set by offset: every record exactly once.
	var seen []string
	after := ""
	for range 10 {
		body := `{"limit":8,"sorts":["-hs_timestamp"]` + after + `}`
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/search", body), 200)
		for _, r := range got["results"].([]any) {
			seen = append(seen, r.(map[string]any)["id"].(string))
		}
		if got["total"] != float64(37) {
			t.Errorf("total %v", got["total"])
		}
		p, ok := got["paging"]
		if !ok {
			break
		}
		next := p.(map[string]any)["next"].(map[string]any)["after"].(string)
		after = `,"after":` + next // numbers are accepted as well as strings
	}
	if fmt.Sprint(seen) != fmt.Sprint(all) {
		t.Errorf("paged %d records, want %d in order", len(seen), len(all))
	}
	// Properties: defaults, or the requested ones.
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/search", `{"limit":1,"properties":["hs_communication_body","nope"]}`), 200)
	p := props(got["results"].([]any)[0].(map[string]any))
	if len(p) != 4 || p["hs_communication_body"] == nil {
		t.Errorf("properties %v", p)
	}
	// Archived records are never found; a write is visible at once.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+all[0], nil), 204)
	if _, total := searchIDs(t, s, "communications", `{}`); total != 36 {
		t.Errorf("after archive: %d", total)
	}
	if _, total := searchIDs(t, s, "communications", `{"query":"invoice 0"}`); total != 0 {
		t.Errorf("archived record found by query: %d", total)
	}
	mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+all[0]+"/restore", nil), 200)
	if _, total := searchIDs(t, s, "communications", `{"query":"invoice"}`); total != 13 {
		t.Errorf("after restore: %d", total)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+all[0], `{"properties":{"hs_communication_body":"zebra"}}`), 200)
	if ids, _ := searchIDs(t, s, "communications", `{"query":"zebra"}`); fmt.Sprint(ids) != "["+all[0]+"]" {
		t.Errorf("updated text %v", ids)
	}
}

func TestSearchLimitsAndErrors(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	six := strings.Repeat(filter("dealname", "EQ", "x")+",", 6)
	seven := strings.Repeat(filter("dealname", "EQ", "x")+",", 7)
	group := func(n int) string {
		return `{"filters":[` + strings.TrimSuffix(six, ",") + `]}` + strings.Repeat("", n)
	}
	for _, tc := range []struct {
		body, contains string
		category       string
	}{
		{`{"filterGroups":[` + strings.TrimSuffix(strings.Repeat(`{"filters":[`+filter("dealname", "EQ", "x")+`]},`, 6), ",") + `]}`, "Too many filter groups", "VALIDATION_ERROR"},
		{`{"filterGroups":[{"filters":[` + strings.TrimSuffix(seven, ",") + `]}]}`, "Too many filters in a group", "VALIDATION_ERROR"},
		{`{"filterGroups":[` + group(0) + "," + group(0) + "," + group(0) + "," + `{"filters":[` + filter("dealname", "EQ", "x") + `]}]}`, "Too many filters: 19", "VALIDATION_ERROR"},
		{`{"sorts":["dealname","amount"]}`, "Only one sort", "VALIDATION_ERROR"},
		{`{"sorts":[{"propertyName":"nope"}]}`, "Cannot sort by nope", "VALIDATION_ERROR"},
		{`{"sorts":[{"propertyName":"amount","direction":"UP"}]}`, "Sort direction", "VALIDATION_ERROR"},
		{`{"limit":201}`, "limit must be between 0 and 200", "VALIDATION_ERROR"},
		{`{"limit":100,"after":"9950"}`, "limited to 10000", "VALIDATION_ERROR"},
		{`{"after":"ten"}`, "after must be", "VALIDATION_ERROR"},
		{`{"query":"` + strings.Repeat("a", 3001) + `"}`, "maximum is 3000", "VALIDATION_ERROR"},
		{`{"filters":[{"operator":"EQ","value":"x"}]}`, "Cannot build Filter, some of required attributes are not set [propertyName]", ""},
		{`{"filters":[{"propertyName":"amount"}]}`, "not set [operator]", ""},
		{`{"filters":[{"propertyName":"amount","operator":"BETWEEN","value":"1"}]}`, "operator BETWEEN requires a highValue", ""},
		{`{"filters":[{"propertyName":"amount","operator":"LIKE","value":"1"}]}`, "FilterOperator", ""},
		{`{"filters":[{"propertyName":"amount","operator":"EQ"}]}`, "requires a value", "VALIDATION_ERROR"},
		{`{"filters":[{"propertyName":"amount","operator":"IN"}]}`, "requires values", "VALIDATION_ERROR"},
		{`{"filters":[{"propertyName":"amount","operator":"EQ","value":"lots"}]}`, "not a valid value for number", "VALIDATION_ERROR"},
		{`{"filters":[{"propertyName":"nope","operator":"EQ","value":"1"}]}`, "Cannot filter by nope", "VALIDATION_ERROR"},
		{`{"filters":[{"propertyName":"associations.widget","operator":"EQ","value":"1"}]}`, "Unable to infer object type from: widget", ""},
		{`{"filters":[{"propertyName":"associations.contact","operator":"EQ","value":"abc"}]}`, "not a record id", "VALIDATION_ERROR"},
		{`{"filters":[{"propertyName":"amount","operator":"EQ","value":{"a":1}}]}`, "Invalid input JSON", ""},
		{`{"filterGroups":{}}`, "Invalid input JSON", ""},
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/search", tc.body), 400)
		if !strings.Contains(got["message"].(string), tc.contains) || (got["category"] != nil) != (tc.category != "") {
			t.Errorf("%.80s: %v", tc.body, got)
		}
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/search", ``), 400)
	mustStatus(t, s.Do("POST", "/crm/objects/2026-03/deals/search", `{}`), 200)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/widgets/search", `{}`), 400)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "POST", "/crm/v3/objects/deals/search", `{}`), 403)
	if got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/search", `{"limit":0}`), 200); got["total"] != float64(0) {
		t.Errorf("limit 0 %v", got)
	}
}

func TestSearchLag(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Engine.SearchLag = 3 * time.Second
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s.Clock.Set(start)
	id := create(t, s, "communications", whatsApp("lagging"))["id"].(string)
	search := func() int {
		_, total := searchIDs(t, s, "communications", `{"query":"lagging"}`)
		return total
	}
	if n := search(); n != 0 {
		t.Errorf("found at once with a lag: %d", n)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+id, nil), 200) // reads see it at once
	s.Clock.Set(start.Add(3 * time.Second))
	if n := search(); n != 1 {
		t.Errorf("not found after the lag: %d", n)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+id, `{"properties":{"hs_communication_body":"lagging again"}}`), 200)
	if n := search(); n != 0 {
		t.Errorf("found right after an update: %d", n)
	}
	s.Clock.Set(start.Add(6 * time.Second))
	if n := search(); n != 1 {
		t.Errorf("not found after the update's lag: %d", n)
	}
}
