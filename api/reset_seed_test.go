package api_test

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/faults"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/ratelimit"
)

func exampleFixture(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../fixtures/example.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func exported(t *testing.T, s *spoketest.Server) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("GET", "/_spoke/export", nil), 200)
}

// mustFail checks an error answer: its status, that it is HubSpot's error
// body, and that its message holds each of words.
func mustFail(t *testing.T, r *spoketest.Response, status int, words ...string) {
	t.Helper()
	got := mustStatus(t, r, status)
	msg, _ := got["message"].(string)
	if got["status"] != "error" || got["correlationId"] == nil {
		t.Errorf("not an error body: %s", r.Body)
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not say %q", msg, w)
		}
	}
}

// Reset then seed, the first thing a CI job does before each test, works
// every time; so do seeding one fixture twice, seeding an export back, and
// seeding a record that exists.
func TestResetThenSeedAlwaysWorks(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	fixture := exampleFixture(t)
	mustStatus(t, s.Do("POST", "/_spoke/seed", fixture), 200)
	once := exported(t, s)
	for range 3 {
		mustStatus(t, s.Do("POST", "/_spoke/reset", `{}`), 204)
		mustStatus(t, s.Do("POST", "/_spoke/seed", fixture), 200)
	}
	// Seeding it again without a reset replaces what it holds by itself.
	mustStatus(t, s.Do("POST", "/_spoke/seed", fixture), 200)
	if again := exported(t, s); !reflect.DeepEqual(once, again) {
		t.Errorf("seeding the fixture twice differs from seeding it once")
	}
	// An export seeds back after a reset that kept owners and schema, and
	// onto the data it came from.
	export := string(s.Do("GET", "/_spoke/export", nil).Body)
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"owners":false,"schema":false}`), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	if again := exported(t, s); !reflect.DeepEqual(once, again) {
		t.Errorf("seeding the export back differs from the fixture")
	}
	// A seed naming a stored record replaces it in place; its associations stay.
	before := v4Types(t, s, "contacts", "10000000009", "communications")
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"objects":{"contacts":[{"id":"10000000009","properties":{"email":"ana.new@example.com","firstname":"Ana"}}]}}`), 200)
	p := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/10000000009?properties=email,firstname,lastname,hs_pinned_engagement_id", nil), 200))
	if p["email"] != "ana.new@example.com" || p["firstname"] != "Ana" || p["lastname"] != nil || p["hs_pinned_engagement_id"] != nil {
		t.Errorf("replaced contact %v", p)
	}
	if after := v4Types(t, s, "contacts", "10000000009", "communications"); len(before) == 0 || !reflect.DeepEqual(before, after) {
		t.Errorf("associations of the replaced contact: %v, before %v", after, before)
	}
	// The old email is free, the new one taken.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"ana.silva@example.com"}}`), 201)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"ana.new@example.com"}}`), 409)
}

// seedA is a small fixture with one of everything, all with ids.
const seedA = `{
 "owners":[{"id":"80000100","email":"olga@example.com","firstName":"Olga","lastName":"Owner","userId":9100000},
           {"email":"noid@example.com","firstName":"No","lastName":"Id"}],
 "propertyGroups":{"contacts":[{"name":"extra","label":"Extra"}]},
 "properties":{"contacts":[{"name":"tier","label":"Tier","type":"string","fieldType":"text","groupName":"extra","hasUniqueValue":true}]},
 "associationLabels":[{"from":"contacts","to":"companies","typeId":3001,"inverseTypeId":3002,"label":"Buyer","inverseLabel":"Bought by","name":"buyer"}],
 "objects":{"contacts":[{"id":"20000000001","properties":{"email":"a@example.com","firstname":"Zed","tier":"gold","hubspot_owner_id":"80000100"}},
                        {"id":"20000000002","properties":{"email":"b@example.com","tier":"silver"}}],
            "companies":[{"id":"20000000003","properties":{"name":"Acme"}}]},
 "associations":[{"from":{"type":"contacts","id":"20000000001"},"to":{"type":"companies","id":"20000000003"},
                  "types":[{"associationCategory":"USER_DEFINED","associationTypeId":3001}]}]
}`

func TestSeedReplacesWhatItNames(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	mustStatus(t, s.Do("POST", "/_spoke/seed", seedA), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/20000000001", `{"properties":{"lastname":"Later"}}`), 200)
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/contacts/20000000002/associations/default/companies/20000000003", nil), 200)

	// The same ids and names again, with other values; the two contacts
	// swap their unique values.
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{
	 "owners":[{"id":"80000100","email":"olga.new@example.com","firstName":"Olga","lastName":"Renamed"},
	           {"email":"NOID@example.com","firstName":"Still","lastName":"One"}],
	 "propertyGroups":{"contacts":[{"name":"extra","label":"Extra renamed"}]},
	 "properties":{"contacts":[{"name":"tier","label":"Customer tier","type":"string","fieldType":"text","groupName":"extra","hasUniqueValue":true}]},
	 "associationLabels":[{"from":"contacts","to":"companies","typeId":3001,"inverseTypeId":3002,"label":"Purchaser","inverseLabel":"Purchased by","name":"buyer"}],
	 "objects":{"contacts":[{"id":"20000000001","properties":{"email":"b@example.com","tier":"silver"}},
	                        {"id":"20000000002","properties":{"email":"a@example.com","tier":"gold"},"createdAt":"2025-01-02T03:04:05Z"}]}}`), 200)

	owners := mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)
	if len(owners) != 2 {
		t.Fatalf("owners %v", owners)
	}
	olga, noID := owners[0].(map[string]any), owners[1].(map[string]any)
	if olga["id"] != "80000100" || olga["email"] != "olga.new@example.com" || olga["lastName"] != "Renamed" || olga["userId"] != float64(9100000) {
		t.Errorf("owner replaced by id: %v", olga)
	}
	if noID["email"] != "NOID@example.com" || noID["firstName"] != "Still" {
		t.Errorf("owner replaced by email: %v", noID)
	}
	if g := mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/groups/extra", nil), 200); g["label"] != "Extra renamed" {
		t.Errorf("group %v", g)
	}
	if p := mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/tier", nil), 200); p["label"] != "Customer tier" || p["hasUniqueValue"] != true {
		t.Errorf("property %v", p)
	}
	var user []string
	for _, l := range mustStatus(t, s.Do("GET", "/crm/v4/associations/contacts/companies/labels", nil), 200)["results"].([]any) {
		if m := l.(map[string]any); m["category"] == "USER_DEFINED" {
			user = append(user, fmt.Sprintf("%.0f:%v", m["typeId"], m["label"]))
		}
	}
	if fmt.Sprint(user) != "[3001:Purchaser]" {
		t.Errorf("labels %v", user)
	}

	// Records: the fixture's values and nothing else, history restarted,
	// associations kept, unique values and search moved with the values.
	one := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/20000000001?properties=email,tier,firstname,lastname,hubspot_owner_id&propertiesWithHistory=lastname", nil), 200)
	p := props(one)
	if p["email"] != "b@example.com" || p["tier"] != "silver" || p["firstname"] != nil || p["lastname"] != nil || p["hubspot_owner_id"] != nil {
		t.Errorf("replaced contact %v", p)
	}
	if h, _ := one["propertiesWithHistory"].(map[string]any); h["lastname"] != nil {
		t.Errorf("history of the replaced contact kept: %v", h)
	}
	if got := v4Types(t, s, "contacts", "20000000001", "companies")["20000000003"]; !strings.Contains(fmt.Sprint(got), "USER_DEFINED/3001/Purchaser") {
		t.Errorf("labelled association of a replaced contact: %v", got)
	}
	if got := v4Types(t, s, "contacts", "20000000002", "companies")["20000000003"]; len(got) != 1 {
		t.Errorf("association of a replaced contact: %v", got)
	}
	two := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/a@example.com?idProperty=email", nil), 200)
	if two["id"] != "20000000002" || two["createdAt"] != "2025-01-02T03:04:05Z" {
		t.Errorf("by email: %v", two)
	}
	if ids, _ := searchIDs(t, s, "contacts", `{"filterGroups":[{"filters":[{"propertyName":"tier","operator":"EQ","value":"silver"}]}]}`); fmt.Sprint(ids) != "[20000000001]" {
		t.Errorf("search after replace: %v", ids)
	}
	if ids, _ := searchIDs(t, s, "contacts", `{"query":"zed"}`); len(ids) != 0 {
		t.Errorf("search finds the replaced first name: %v", ids)
	}
}

func TestSeedConflictsAre409(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	mustStatus(t, s.Do("POST", "/_spoke/seed", seedA), 200)
	for _, c := range []struct {
		fixture string
		status  int
		words   []string
	}{
		{`{"objects":{"companies":[{"id":"20000000001","properties":{"name":"X"}}]}}`, 409,
			[]string{"objects.companies[0]", "20000000001", "contact"}},
		{`{"objects":{"contacts":[{"id":"20000000009","properties":{"email":"A@example.com"}}]}}`, 409,
			[]string{"objects.contacts[0]", "Existing ID: 20000000001"}},
		{`{"owners":[{"id":"80000200","email":"x@example.com","userId":9100000}]}`, 409,
			[]string{"owners[0]", "userId 9100000", "80000100"}},
		{`{"associationLabels":[{"from":"contacts","to":"deals","typeId":3001,"inverseTypeId":3002,"label":"X","name":"x"}]}`, 409,
			[]string{"associationLabels[0]", "typeId 3001"}},
		{`{"associationLabels":[{"from":"contacts","to":"companies","typeId":3005,"inverseTypeId":3006,"label":"Y","name":"buyer"}]}`, 409,
			[]string{"associationLabels[0]", "buyer", "3001"}},
		{`{"properties":{"contacts":[{"name":"tier","label":"T","type":"string","fieldType":"text","groupName":"extra"}]}}`, 409,
			[]string{"properties.contacts[0]", "tier", "hasUniqueValue"}},
		{`{"objects":{"contacts":[{"id":"20000000009","properties":{}}],"companies":[{"id":"20000000009","properties":{}}]}}`, 400,
			[]string{"20000000009", "objects.companies[0]", "objects.contacts[0]"}},
		{`{"associationLabels":[{"from":"contacts","to":"companies","typeId":3007,"label":"Z","name":"z"}]}`, 400,
			[]string{"associationLabels[0]", "inverseTypeId"}},
		// A misspelt section is refused, with the sections a fixture has,
		// instead of loading nothing; the rest of the fixture is not loaded.
		{`{"owner":[{"email":"typo@example.com"}],"objects":{"contacts":[{"id":"20000000019","properties":{"email":"typo@example.com"}}]}}`, 400,
			[]string{`unknown fixture key "owner"`, "owners"}},
	} {
		mustFail(t, s.Do("POST", "/_spoke/seed", c.fixture), c.status, c.words...)
	}
	// Nothing of the failed seeds was written.
	if n := count(t, s, "contacts") + count(t, s, "companies"); n != 3 {
		t.Errorf("%d records after failed seeds", n)
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)); n != 2 {
		t.Errorf("%d owners after failed seeds", n)
	}
}

// A seed's records without ids get ids after every id the fixture gives,
// and owners without ids ids after those of owners with ids.
func TestSeedDrawsIDsAfterTheFixtures(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	got := mustStatus(t, s.Do("POST", "/_spoke/seed", `{
	 "owners":[{"email":"first@example.com"},{"id":"80000001","email":"given@example.com"}],
	 "objects":{"companies":[{"properties":{"name":"No id"}}],"contacts":[{"id":"10000000001","properties":{"email":"given@example.com"}}]}}`), 200)
	if got["loaded"].(map[string]any)["companies"] != float64(1) {
		t.Errorf("seed %v", got)
	}
	owners := mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)
	if len(owners) != 2 || owners[0].(map[string]any)["email"] != "given@example.com" || owners[1].(map[string]any)["id"] == "80000001" {
		t.Errorf("owners %v", owners)
	}
	companies := mustStatus(t, s.Do("GET", "/crm/v3/objects/companies", nil), 200)["results"].([]any)
	if len(companies) != 1 || companies[0].(map[string]any)["id"] == "10000000001" {
		t.Errorf("companies %v", companies)
	}
}

// Reset returns the server to the state of a fresh start: no records,
// owners or custom schema, the fault rules of --faults with zero counts, the
// rate-limit settings of the flags with no calls counted; tokens stay.
func TestResetIsAFreshStart(t *testing.T) {
	t.Parallel()
	startup := faults.New()
	if err := startup.Add(faults.Config{Rules: []faults.Rule{{Path: "/crm/v3/objects/tickets", Status: 503}}}); err != nil {
		t.Fatal(err)
	}
	s := spoketest.Open(t, spoketest.WithRateLimit(ratelimit.Config{Tier: "starter"}), spoketest.WithFaults(startup))
	s.Clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	token := s.NewToken("crm.objects.contacts.read", "spoke.admin")
	fresh := exported(t, s)
	freshFaults := string(s.Do("GET", "/_spoke/faults", nil).Body)
	freshLimits := string(s.Do("GET", "/_spoke/rate-limit", nil).Body)

	// What a test run changes.
	populate(t, s)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets", nil), 503)
	addFaults(t, s, `{"rules":[{"path":"/crm/v3/objects/deals","status":500}]}`)
	mustStatus(t, s.Do("PUT", "/_spoke/rate-limit", `{"enforce":true,"tenSecondlyLimit":50,"timeZone":"Europe/Lisbon"}`), 200)
	mustStatus(t, s.DoToken(token, "GET", "/crm/v3/objects/contacts", nil), 200)

	mustStatus(t, s.DoToken(token, "POST", "/_spoke/reset", `{}`), 204)
	if got := exported(t, s); !reflect.DeepEqual(got, fresh) {
		t.Errorf("data after reset: %v, want %v", got, fresh)
	}
	if got := string(s.Do("GET", "/_spoke/faults", nil).Body); got != freshFaults {
		t.Errorf("faults after reset:\n%s\nwant\n%s", got, freshFaults)
	}
	if got := string(s.Do("GET", "/_spoke/rate-limit", nil).Body); got != freshLimits {
		t.Errorf("rate limit after reset:\n%s\nwant\n%s", got, freshLimits)
	}
	mustStatus(t, s.DoToken(token, "GET", "/crm/v3/objects/contacts", nil), 200)
	// The start-up rule fires again from a count of zero, under id 1.
	mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets", nil), 503)
	if rules := listFaults(t, s); len(rules) != 1 || rules[0].ID != 1 || rules[0].Matched != 1 {
		t.Errorf("rules %+v", rules)
	}
	if r := addFaults(t, s, `{"rules":[{"status":502}]}`); r[1].ID != 2 {
		t.Errorf("rule added after reset: %+v", r)
	}
}

func TestResetOptions(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, spoketest.WithRateLimit(ratelimit.Config{}), spoketest.WithFaults(nil))
	populate(t, s)
	addFaults(t, s, `{"rules":[{"path":"/crm/v3/objects/deals","status":500}]}`)
	mustStatus(t, s.Do("PUT", "/_spoke/rate-limit", `{"tenSecondlyLimit":50}`), 200)
	token := s.NewToken("crm.objects.contacts.read")

	// Unknown keys and values other than true and false change nothing.
	for _, body := range []string{`{"owner":true}`, `{"owners":"yes"}`, `{"owners":null}`, `{"keep":["owners"]}`, `["owners"]`, `{"rateLimit":1}`} {
		r := s.Do("POST", "/_spoke/reset", body)
		mustFail(t, r, 400)
		if strings.Contains(body, "owner\"") || strings.Contains(body, "keep") {
			mustFail(t, r, 400, "owners, schema, faults, rateLimit, tokens, webhooks")
		}
	}
	if count(t, s, "contacts") != 1 {
		t.Fatal("a refused reset emptied the data")
	}

	// Each part can be kept.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"owners":false,"schema":false,"faults":false,"rateLimit":false}`), 204)
	if count(t, s, "contacts") != 0 {
		t.Error("records kept")
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)["results"].([]any)); n != 1 {
		t.Errorf("owners not kept: %d", n)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/properties/communications/wa_id", nil), 200)
	if len(listFaults(t, s)) != 1 {
		t.Error("fault rules not kept")
	}
	if got := mustStatus(t, s.Do("GET", "/_spoke/rate-limit", nil), 200); got["tenSecondlyLimit"] != float64(50) {
		t.Errorf("rate-limit settings not kept: %v", got)
	}
	mustStatus(t, s.DoToken(token, "GET", "/crm/v3/objects/contacts", nil), 200)

	// Tokens go only when asked; the environment's token always works.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"tokens":true}`), 204)
	mustStatus(t, s.DoToken(token, "GET", "/crm/v3/objects/contacts", nil), 401)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts", nil), 200)
	if len(listFaults(t, s)) != 0 {
		t.Error("fault rules kept")
	}
	if got := mustStatus(t, s.Do("GET", "/_spoke/rate-limit", nil), 200); got["tenSecondlyLimit"] != float64(190) {
		t.Errorf("rate-limit settings kept: %v", got)
	}
}

// No body, an empty object and null reset with the defaults; the booleans
// of earlier versions ({"owners": true, ...}) still work.
func TestResetBodies(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, body := range []string{"", "{}", "null", `{"owners":true,"tokens":false,"schema":true}`} {
		mustStatus(t, s.Do("POST", "/_spoke/reset", body), 204)
	}
}
