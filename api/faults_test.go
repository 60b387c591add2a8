package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/faults"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// faultServer starts a server with fault injection installed.
func faultServer(t *testing.T) *spoketest.Server {
	t.Helper()
	return spoketest.Open(t, spoketest.WithFaults(nil))
}

// addFaults posts rules (a JSON FaultConfig) and returns the rules now set.
func addFaults(t *testing.T, s *spoketest.Server, config string) []faults.Rule {
	t.Helper()
	r := s.Do("POST", "/_spoke/faults", config)
	mustStatus(t, r, http.StatusOK)
	return faultRules(t, r)
}

func listFaults(t *testing.T, s *spoketest.Server) []faults.Rule {
	t.Helper()
	r := s.Do("GET", "/_spoke/faults", nil)
	mustStatus(t, r, http.StatusOK)
	return faultRules(t, r)
}

func faultRules(t *testing.T, r *spoketest.Response) []faults.Rule {
	t.Helper()
	var list struct{ Rules []faults.Rule }
	if err := json.Unmarshal(r.Body, &list); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return list.Rules
}

func clearFaults(t *testing.T, s *spoketest.Server) {
	t.Helper()
	if r := s.Do("DELETE", "/_spoke/faults", nil); r.Status != http.StatusNoContent {
		t.Fatalf("clear faults: %d %s", r.Status, r.Body)
	}
}

// statuses sends n GETs of path and returns their status codes.
func statuses(s *spoketest.Server, path string, n int) string {
	var out []string
	for range n {
		out = append(out, strconv.Itoa(s.Do("GET", path, nil).Status))
	}
	return strings.Join(out, " ")
}

// namedToken stores an all-object-scopes token with that name; it returns
// the secret and the token's id.
func namedToken(t *testing.T, s *spoketest.Server, name string) (string, int64) {
	t.Helper()
	secret := crm.NewTokenSecret()
	tok := &crm.Token{Name: name, Hash: crm.HashToken(secret), CreatedAt: time.Now(),
		Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read"}}
	if err := s.Store.Tokens().CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return secret, tok.ID
}

func TestFaultStatusBodies(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	cases := []struct {
		rule                  string
		status                int
		message               string
		errorType, policyName string
		retryAfter            string
		category              string
	}{
		{`"status":429`, 429, "You have reached your ten_secondly_rolling limit.", "RATE_LIMIT", "TEN_SECONDLY_ROLLING", "", ""},
		{`"status":429,"policyName":"DAILY"`, 429, "You have reached your daily limit.", "RATE_LIMIT", "DAILY", "", ""},
		// Search's secondly limit: the rate-limit emulation's body, with a category.
		{`"status":429,"policyName":"SECONDLY"`, 429, "You have reached your secondly limit.", "", "", "", "RATE_LIMITS"},
		{`"status":477`, 477, "Migration in progress", "", "", "1", ""},
		{`"status":477,"retryAfter":30`, 477, "Migration in progress", "", "", "30", ""},
		{`"status":500`, 500, "internal error", "", "", "", ""},
		{`"status":502`, 502, "Bad Gateway", "", "", "", ""},
		{`"status":503,"retryAfter":2`, 503, "Service temporarily unavailable", "", "", "2", ""},
		{`"status":504`, 504, "Gateway Timeout", "", "", "", ""},
		{`"status":502,"message":"upstream hiccup"`, 502, "upstream hiccup", "", "", "", ""},
	}
	for _, c := range cases {
		clearFaults(t, s)
		rules := addFaults(t, s, `{"rules":[{"path":"/crm/v3/objects/contacts",`+c.rule+`,"times":1}]}`)
		r := s.Do("GET", "/crm/v3/objects/contacts", nil)
		body := mustStatus(t, r, c.status)
		if body["status"] != "error" || !strings.HasPrefix(body["message"].(string), c.message) {
			t.Errorf("%s: body %s", c.rule, r.Body)
		}
		if body["correlationId"] != r.Header.Get("X-HubSpot-Correlation-Id") || body["correlationId"] == "" {
			t.Errorf("%s: correlationId %v, header %q", c.rule, body["correlationId"], r.Header.Get("X-HubSpot-Correlation-Id"))
		}
		if got, _ := body["category"].(string); got != c.category {
			t.Errorf("%s: category %q, want %q: %s", c.rule, got, c.category, r.Body)
		}
		if got, _ := body["errorType"].(string); got != c.errorType {
			t.Errorf("%s: errorType %q, want %q", c.rule, got, c.errorType)
		}
		if got, _ := body["policyName"].(string); got != c.policyName {
			t.Errorf("%s: policyName %q, want %q", c.rule, got, c.policyName)
		}
		if got := r.Header.Get("Retry-After"); got != c.retryAfter {
			t.Errorf("%s: Retry-After %q, want %q", c.rule, got, c.retryAfter)
		}
		if got := r.Header.Get("X-Spoke-Fault"); got != strconv.Itoa(rules[0].ID) {
			t.Errorf("%s: X-Spoke-Fault %q, want rule %d", c.rule, got, rules[0].ID)
		}
		// Times 1: the next call goes through.
		mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts", nil), 200)
	}
	// The 429 body keeps HubSpot's key order.
	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"status":429}]}`)
	body := string(s.Do("GET", "/crm/v3/objects/contacts", nil).Body)
	if !strings.HasPrefix(body, `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"`) ||
		!strings.HasSuffix(body, `","policyName":"TEN_SECONDLY_ROLLING"}`) {
		t.Errorf("429 body %s", body)
	}
}

// rawPost sends a POST on a fresh connection: Go's client silently retries
// some requests whose reused connection is closed, which would hide a drop.
func rawPost(s *spoketest.Server, path, body string) (*http.Response, error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest("POST", s.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestFaultDropBeforeAndAfter(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	msg := sms("dropped?", "")

	addFaults(t, s, `{"rules":[{"method":"POST","drop":true,"times":1}]}`)
	if resp, err := rawPost(s, "/crm/v3/objects/communications", msg); err == nil {
		t.Fatalf("drop before: got a response %d", resp.StatusCode)
	}
	if n := count(t, s, "communications"); n != 0 {
		t.Fatalf("drop before the handler wrote %d records", n)
	}

	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"method":"POST","drop":true,"when":"after","times":1}]}`)
	if resp, err := rawPost(s, "/crm/v3/objects/communications", msg); err == nil {
		t.Fatalf("drop after: got a response %d", resp.StatusCode)
	}
	if n := count(t, s, "communications"); n != 1 {
		t.Fatalf("drop after: %d records, want the completed write", n)
	}
	if got := listFaults(t, s); got[0].Fired != 1 {
		t.Fatalf("fired %d", got[0].Fired)
	}
}

func TestFaultBeforeAndAfterWrites(t *testing.T) {
	t.Parallel()
	s := faultServer(t)

	addFaults(t, s, `{"rules":[{"method":"POST","status":502,"times":1}]}`)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications", sms("one", "")), 502)
	if n := count(t, s, "communications"); n != 0 {
		t.Fatalf("before: %d records written", n)
	}

	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"method":"POST","status":502,"when":"after","times":2}]}`)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications", sms("two", "")), 502)
	if n := count(t, s, "communications"); n != 1 {
		t.Fatalf("after: %d records, want 1", n)
	}
	// A whole batch completes before its response is replaced.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/create", inputs(sms("b1", ""), sms("b2", ""), sms("b3", ""))), 502)
	if n := count(t, s, "communications"); n != 4 {
		t.Fatalf("after batch: %d records, want 4", n)
	}
	// A failing write stays a failure that writes nothing, under the fault's answer.
	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"method":"POST","status":503,"when":"after"}]}`)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications", `{"properties":{"nope":"x"}}`), 503)
	if n := count(t, s, "communications"); n != 4 {
		t.Fatalf("after a failed write: %d records, want 4", n)
	}

	// An "after" latency rule delays the response, which is passed through intact.
	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"method":"POST","latency":"5ms","when":"after"}]}`)
	got := create(t, s, "communications", sms("slow", ""))
	if props(got)["hs_communication_body"] != "slow" {
		t.Fatalf("buffered response: %v", got)
	}
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	addFaults(t, s, `{"rules":[{"method":"GET","path":"/crm/v3/objects/contacts","latency":"20ms","times":1}]}`)
	start := time.Now()
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts", nil), 200)
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("fixed latency: answered in %v", d)
	}

	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"path":"/crm/v3/objects/contacts","latency":8,"latencyMax":"12ms","seed":3}]}`)
	for range 3 {
		start := time.Now()
		r := s.Do("GET", "/crm/v3/objects/contacts", nil)
		mustStatus(t, r, 200)
		if d := time.Since(start); d < 8*time.Millisecond {
			t.Fatalf("latency range: answered in %v", d)
		}
	}
	// Latency and a status combine: the delay, then the error.
	clearFaults(t, s)
	addFaults(t, s, `{"rules":[{"latency":"5ms"},{"status":504}]}`)
	start = time.Now()
	r := s.Do("GET", "/crm/v3/objects/contacts", nil)
	mustStatus(t, r, 504)
	if d := time.Since(start); d < 5*time.Millisecond {
		t.Fatalf("latency then 504: answered in %v", d)
	}
	if got := r.Header.Get("X-Spoke-Fault"); !regexp.MustCompile(`^\d+,\d+$`).MatchString(got) {
		t.Fatalf("X-Spoke-Fault %q", got)
	}
}

func TestFaultTimes(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	addFaults(t, s, `{"rules":[{"path":"/crm/v3/objects/contacts","status":503,"times":2}]}`)
	if got := statuses(s, "/crm/v3/objects/contacts", 4); got != "503 503 200 200" {
		t.Fatalf("statuses %s", got)
	}
	rules := listFaults(t, s)
	if len(rules) != 1 || rules[0].Matched != 4 || rules[0].Fired != 2 || rules[0].Times != 2 {
		t.Fatalf("rules %+v", rules)
	}
}

func TestFaultProbabilityIsReproducible(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	const path = "/crm/v3/objects/contacts"
	run := func(config string) (string, []faults.Rule) {
		clearFaults(t, s)
		addFaults(t, s, config)
		return statuses(s, path, 30), listFaults(t, s)
	}
	first, rules := run(`{"rules":[{"status":500,"probability":0.5,"seed":42}]}`)
	if !strings.Contains(first, "500") || !strings.Contains(first, "200") {
		t.Fatalf("probability 0.5 over 30 calls: %s", first)
	}
	if fired := strings.Count(first, "500"); rules[0].Fired != fired || rules[0].Matched != 30 || *rules[0].Seed != 42 {
		t.Fatalf("rules %+v, %d fired", rules[0], fired)
	}
	if again, _ := run(`{"rules":[{"status":500,"probability":0.5,"seed":42}]}`); again != first {
		t.Fatalf("same seed, another sequence:\n%s\n%s", first, again)
	}
	// A global seed gives rule i the seed seed+i.
	if global, _ := run(`{"seed":41,"rules":[{"latency":"1ns"},{"status":500,"probability":0.5}]}`); global != first {
		t.Fatalf("global seed 41, rule 1: another sequence:\n%s\n%s", first, global)
	}
	if other, _ := run(`{"rules":[{"status":500,"probability":0.5,"seed":7}]}`); other == first {
		t.Fatalf("seeds 42 and 7 gave the same 30 draws: %s", other)
	}
	// Without a seed one is chosen and shown, so the run can be replayed.
	random, rules := run(`{"rules":[{"status":500,"probability":0.5}]}`)
	if rules[0].Seed == nil {
		t.Fatal("no seed shown")
	}
	if replay, _ := run(fmt.Sprintf(`{"rules":[{"status":500,"probability":0.5,"seed":%d}]}`, *rules[0].Seed)); replay != random {
		t.Fatalf("replay with the shown seed:\n%s\n%s", random, replay)
	}
	// Times and probability together: draws until the budget is spent.
	want, fired := strings.Fields(first), 0
	for i, status := range want {
		if fired == 3 {
			want[i] = "200"
		} else if status == "500" {
			fired++
		}
	}
	if capped, _ := run(`{"rules":[{"status":500,"probability":0.5,"seed":42,"times":3}]}`); capped != strings.Join(want, " ") {
		t.Fatalf("times 3 with probability 0.5:\n%s\nwant\n%s", capped, strings.Join(want, " "))
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	contact := create(t, s, "contacts", map[string]any{"properties": map[string]any{"email": "ana@example.com"}})["id"].(string)
	message := create(t, s, "communications", sms("hi", ""))["id"].(string)
	company := create(t, s, "companies", map[string]any{"properties": map[string]any{"name": "Acme"}})["id"].(string)
	ciSecret, ciID := namedToken(t, s, "ci-sync")
	otherSecret, _ := namedToken(t, s, "dashboard")

	type call struct {
		token, method, path string
		faulted             bool
	}
	cases := []struct {
		rule  string
		calls []call
	}{
		{`"method":"post"`, []call{
			{"", "POST", "/crm/v3/objects/contacts/search", true},
			{"", "GET", "/crm/v3/objects/contacts", false},
		}},
		{`"path":"/crm/v3/objects/contacts/*"`, []call{
			{"", "GET", "/crm/v3/objects/contacts/" + contact, true},
			{"", "GET", "/crm/v3/objects/contacts", false},
			{"", "GET", "/crm/v3/objects/companies/" + company, false},
		}},
		{`"path":"/crm/v3/objects/{type}/{id}"`, []call{
			{"", "GET", "/crm/v3/objects/companies/" + company, true},
			{"", "GET", "/crm/v3/objects/companies", false},
		}},
		{`"path":"/crm/**/batch/*"`, []call{
			{"", "POST", "/crm/v3/objects/contacts/batch/read", true},
			{"", "POST", "/crm/v4/associations/contacts/companies/batch/read", true},
			{"", "POST", "/crm/v3/objects/contacts/search", false},
		}},
		{`"path":"/crm/v3/objects/c[ao]*"`, []call{
			{"", "GET", "/crm/v3/objects/contacts", true},
			{"", "GET", "/crm/v3/objects/companies", true},
			{"", "GET", "/crm/v3/objects/deals", false},
		}},
		{`"objectType":"0-18"`, []call{
			{"", "GET", "/crm/v3/objects/communications/" + message, true},
			{"", "GET", "/crm/objects/2026-03/communication/" + message, true},
			{"", "GET", "/crm/v3/properties/communications", true},
			{"", "GET", "/crm/v3/objects/contacts", false},
			{"", "GET", "/crm/v3/owners", false},
		}},
		{`"objectType":"contacts"`, []call{
			{"", "GET", "/crm/v3/objects/0-1", true},
			{"", "GET", "/crm/v3/objects/companies", false},
		}},
		{`"token":"ci-sync"`, []call{
			{ciSecret, "GET", "/crm/v3/objects/contacts", true},
			{otherSecret, "GET", "/crm/v3/objects/contacts", false},
			{spoketest.Token, "GET", "/crm/v3/objects/contacts", false},
		}},
		{`"token":"` + strconv.FormatInt(ciID, 10) + `"`, []call{
			{ciSecret, "GET", "/crm/v3/objects/companies", true},
			{otherSecret, "GET", "/crm/v3/objects/companies", false},
		}},
		{`"token":"SPOKE_ACCESS_TOKEN"`, []call{
			{spoketest.Token, "GET", "/crm/v3/objects/contacts", true},
			{ciSecret, "GET", "/crm/v3/objects/contacts", false},
		}},
		{`"method":"GET","objectType":"companies","token":"ci-sync","path":"/crm/v3/objects/*"`, []call{
			{ciSecret, "GET", "/crm/v3/objects/companies", true},
			{otherSecret, "GET", "/crm/v3/objects/companies", false},
			{ciSecret, "GET", "/crm/v3/objects/contacts", false},
			{ciSecret, "GET", "/crm/v3/objects/companies/" + company, false},
		}},
	}
	for _, c := range cases {
		clearFaults(t, s)
		addFaults(t, s, `{"rules":[{`+c.rule+`,"status":503}]}`)
		for _, call := range c.calls {
			token := call.token
			if token == "" {
				token = spoketest.Token
			}
			var body any
			if call.method == "POST" {
				body = `{"inputs":[]}`
			}
			r := s.DoToken(token, call.method, call.path, body)
			if (r.Status == 503) != call.faulted {
				t.Errorf("rule {%s}: %s %s answered %d, faulted want %v: %s", c.rule, call.method, call.path, r.Status, call.faulted, r.Body)
			}
		}
	}
}

func TestFaultControlAccess(t *testing.T) {
	t.Parallel()
	s := faultServer(t)
	ordinary := s.NewToken("crm.objects.contacts.read", "crm.objects.contacts.write")
	for _, method := range []string{"GET", "POST", "DELETE"} {
		r := s.DoToken(ordinary, method, "/_spoke/faults", `{"rules":[{"status":500}]}`)
		if body := mustStatus(t, r, 403); body["category"] != "MISSING_SCOPES" || !strings.Contains(string(r.Body), "spoke.admin") {
			t.Errorf("%s with an ordinary token: %s", method, r.Body)
		}
		mustStatus(t, s.DoToken("", method, "/_spoke/faults", nil), 401)
	}
	if rules := listFaults(t, s); len(rules) != 0 {
		t.Fatalf("an ordinary token added rules: %+v", rules)
	}

	// Controls are not intercepted: a rule on every path leaves them working.
	addFaults(t, s, `{"rules":[{"path":"/**","status":500}]}`)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts", nil), 500)
	if rules := listFaults(t, s); len(rules) != 1 {
		t.Fatalf("rules %+v", rules)
	}

	// Invalid rules are refused with the reason, and none of the body is added.
	for _, bad := range []string{
		`{"rules":[{"status":503},{"status":418}]}`,
		`{"rules":[{"status":503},{"type":"contacts","status":503}]}`,
		`{"rules":[{"method":"GET"}]}`,
		`{"rules":[{"status":502,"drop":true}]}`,
		`{"rules":[{"status":502,"when":"during"}]}`,
		`{"rules":[{"status":502,"probability":1.5}]}`,
		`{"rules":[{"latency":"soon"}]}`,
		`{"rules":[{"latency":"9ms","latencyMax":"2ms"}]}`,
		`{"rules":[{"path":"crm/*","status":500}]}`,
		`{"rules":[{"path":"/crm/[","status":500}]}`,
		`{"rules":[{"status":500,"policyName":"DAILY"}]}`,
		`{"rules":[{"status":429,"policyName":"HOURLY"}]}`,
	} {
		r := s.Do("POST", "/_spoke/faults", bad)
		if body := mustStatus(t, r, 400); body["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %s", bad, r.Body)
		}
	}
	if rules := listFaults(t, s); len(rules) != 1 {
		t.Fatalf("invalid bodies added rules: %+v", rules)
	}

	// A bare array is read as the rules; one rule can be removed by id.
	rules := addFaults(t, s, `[{"status":502,"times":1}]`)
	if len(rules) != 2 {
		t.Fatalf("rules %+v", rules)
	}
	if r := s.Do("DELETE", fmt.Sprintf("/_spoke/faults/%d", rules[0].ID), nil); r.Status != 204 {
		t.Fatalf("delete one: %d %s", r.Status, r.Body)
	}
	mustStatus(t, s.Do("DELETE", "/_spoke/faults/999", nil), 404)
	if got := listFaults(t, s); len(got) != 1 || got[0].ID != rules[1].ID || got[0].Status != 502 {
		t.Fatalf("after delete: %+v", got)
	}

	// With the test controls off there is no /_spoke/faults.
	off := spoketest.Open(t, spoketest.WithFaults(nil), func(st *spoketest.Settings) { st.API.NoAdmin = true })
	mustStatus(t, off.Do("GET", "/_spoke/faults", nil), 404)
}

func TestFaultMetrics(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, func(st *spoketest.Settings) { st.API.Metrics = api.NewMetrics() }, spoketest.WithFaults(nil))
	addFaults(t, s, `{"rules":[{"latency":"1ms","times":1},{"status":502,"times":2}]}`)
	statuses(s, "/crm/v3/objects/contacts", 3)
	r := s.DoToken("", "GET", "/metrics", nil)
	for _, want := range []string{`spoke_faults_fired_total{action="502"} 2`, `spoke_faults_fired_total{action="latency"} 1`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
