package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func whatsApp(body string) map[string]any {
	return map[string]any{"properties": map[string]any{
		"hs_communication_channel_type": "WHATS_APP",
		"hs_communication_logged_from":  "CRM",
		"hs_communication_body":         body,
		"hs_timestamp":                  "2024-03-01T10:00:00.250Z",
	}}
}

func mustStatus(t *testing.T, r *spoketest.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if status != http.StatusNoContent {
		if ct := r.Header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
			t.Fatalf("Content-Type %q: %s", ct, r.Body)
		}
	}
	return r.JSON()
}

func props(m map[string]any) map[string]any { return m["properties"].(map[string]any) }

func create(t *testing.T, s *spoketest.Server, typ string, body any) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", "/crm/v3/objects/"+typ, body), http.StatusCreated)
}

func TestCreateCommunication(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2025, 2, 18, 5, 51, 18, 584e6, time.UTC))
	got := create(t, s, "communications", whatsApp("Hi <b>Ana</b>, your order shipped<br>Thanks"))
	p := props(got)
	id := got["id"].(string)
	want := map[string]any{
		"hs_communication_channel_type": "WHATS_APP",
		"hs_communication_logged_from":  "CRM",
		"hs_communication_body":         "Hi <b>Ana</b>, your order shipped<br>Thanks",
		"hs_body_preview":               "Hi Ana, your order shipped Thanks",
		"hs_body_preview_is_truncated":  "false",
		"hs_timestamp":                  "2024-03-01T10:00:00.250Z",
		"hs_createdate":                 "2025-02-18T05:51:18.584Z",
		"hs_lastmodifieddate":           "2025-02-18T05:51:18.584Z",
		"hs_object_id":                  id,
		"hs_object_source":              "INTEGRATION",
		"hs_object_source_label":        "INTEGRATION",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	if !strings.Contains(p["hs_body_preview_html"].(string), "<body>\n Hi Ana, your order shipped Thanks\n </body>") {
		t.Errorf("hs_body_preview_html = %q", p["hs_body_preview_html"])
	}
	if got["createdAt"] != "2025-02-18T05:51:18.584Z" || got["updatedAt"] != got["createdAt"] || got["archived"] != false {
		t.Errorf("envelope: %v", got)
	}
	if _, ok := got["archivedAt"]; ok {
		t.Error("archivedAt on a live record")
	}
	if !regexp.MustCompile(`^\d{11,}$`).MatchString(id) {
		t.Errorf("id %q is not a large numeric string", id)
	}
}

func TestTimestampsAcceptEpochMillisAndDropZeroFraction(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, tc := range []struct {
		in   any
		want string
	}{
		{1668268102000, "2022-11-12T15:48:22Z"},
		{"1668268102123", "2022-11-12T15:48:22.123Z"},
		{"2022-11-12T15:48:22Z", "2022-11-12T15:48:22Z"},
		{"2022-11-12T17:48:22.5+02:00", "2022-11-12T15:48:22.500Z"},
	} {
		got := create(t, s, "communications", map[string]any{"properties": map[string]any{
			"hs_communication_channel_type": "SMS", "hs_timestamp": tc.in}})
		if v := props(got)["hs_timestamp"]; v != tc.want {
			t.Errorf("hs_timestamp %v stored as %v, want %s", tc.in, v, tc.want)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	cases := []struct {
		name, typ, body string
		status          int
		category        string
		message         string // substring
	}{
		{"unknown property", "communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"colour":"red"}}`,
			400, "VALIDATION_ERROR", `Property values were not valid: [{"isValid":false,"message":"Property \"colour\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"colour"`},
		{"bad channel", "communications", `{"properties":{"hs_communication_channel_type":"EMAIL","hs_timestamp":1}}`,
			400, "VALIDATION_ERROR", `EMAIL was not one of the allowed options: [WHATS_APP, LINKEDIN_MESSAGE, SMS]`},
		{"logged from must be CRM", "communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_logged_from":"Eazybe"}}`,
			400, "VALIDATION_ERROR", `"error":"INVALID_OPTION","name":"hs_communication_logged_from"`},
		{"bad timestamp", "communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":"yesterday"}}`,
			400, "VALIDATION_ERROR", `"error":"INVALID_DATETIME"`},
		{"read-only property", "communications", `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_createdate":"1"}}`,
			400, "VALIDATION_ERROR", `"error":"READ_ONLY_VALUE","name":"hs_createdate"`},
		{"missing required", "communications", `{"properties":{"hs_communication_body":"x"}}`,
			400, "VALIDATION_ERROR", `Error creating COMMUNICATION. Some required properties were not set.`},
		{"bad number", "deals", `{"properties":{"dealname":"d","dealstage":"closedwon","pipeline":"default","amount":"lots"}}`,
			400, "VALIDATION_ERROR", `lots was not a valid number`},
		{"bad owner", "contacts", `{"properties":{"hubspot_owner_id":"abc"}}`,
			400, "VALIDATION_ERROR", `"error":"INVALID_OWNER_ID"`},
		{"company needs name or domain", "companies", `{"properties":{"city":"Lisbon"}}`,
			400, "VALIDATION_ERROR", `Error creating COMPANY. Some required properties were not set.`},
		{"ticket required", "tickets", `{"properties":{"subject":"s"}}`,
			400, "VALIDATION_ERROR", `Error creating TICKET.`},
		{"malformed JSON", "contacts", `{"properties":`, 400, "", `Invalid input JSON on line 1, column 15`},
		{"wrong JSON type", "contacts", `{"properties":[]}`, 400, "", `Invalid input JSON on line 1`},
		{"object as value", "contacts", `{"properties":{"email":{"a":1}}}`, 400, "", `Invalid input JSON`},
		{"array body", "contacts", `[]`, 400, "", `Invalid input JSON`},
		{"trailing data", "contacts", `{"properties":{}} x`, 400, "", `Invalid input JSON`},
		{"empty body", "contacts", ``, 400, "VALIDATION_ERROR", `Invalid JSON input: a request body was expected, but none found`},
		{"missing properties", "contacts", `{}`, 400, "", `Invalid input JSON on line 1, column 2. Some required fields were not set: [properties]`},
		{"unknown type", "widgets", `{"properties":{}}`, 400, "", `Unable to infer object type from: widgets`},
	}
	for _, tc := range cases {
		r := s.Do("POST", "/crm/v3/objects/"+tc.typ, tc.body)
		body := mustStatus(t, r, tc.status)
		if body["status"] != "error" || body["correlationId"] != r.Header.Get("X-HubSpot-Correlation-Id") {
			t.Errorf("%s: envelope %s", tc.name, r.Body)
		}
		if got, _ := body["category"].(string); got != tc.category {
			t.Errorf("%s: category %q, want %q", tc.name, got, tc.category)
		}
		if !strings.Contains(body["message"].(string), tc.message) {
			t.Errorf("%s: message %q lacks %q", tc.name, body["message"], tc.message)
		}
	}
	// Nothing was written by any rejected request.
	for _, typ := range []string{"communications", "contacts", "companies", "deals", "tickets"} {
		if got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ, nil), 200); len(got["results"].([]any)) != 0 {
			t.Errorf("%s: rejected writes left records: %v", typ, got["results"])
		}
	}
}

func TestValidationErrorDetails(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	body := mustStatus(t, s.Do("POST", "/crm/v3/objects/tickets", `{"properties":{"subject":"s","hs_pipeline":"0","hs_pipeline_stage":"1","hs_ticket_category":"reports","nope":"x"}}`), 400)
	errs := body["errors"].([]any)
	if len(errs) != 2 {
		t.Fatalf("errors: %v", errs)
	}
	first := errs[1].(map[string]any)
	if first["code"] != "PROPERTY_DOESNT_EXIST" || first["message"] != `Property "nope" does not exist` {
		t.Errorf("detail %v", first)
	}
	if ctx := first["context"].(map[string]any)["propertyName"].([]any); ctx[0] != "nope" {
		t.Errorf("context %v", ctx)
	}
	if !strings.Contains(body["message"].(string), `reports was not one of the allowed options: [PRODUCT_ISSUE, BILLING_ISSUE, FEATURE_REQUEST, GENERAL_INQUIRY]`) {
		t.Errorf("message %s", body["message"])
	}
	// pipeline is not required: a deal without one goes into the default pipeline.
	missing := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"amount":5}}`), 400)
	if fmt.Sprint(missing["context"]) != "map[properties:[dealname dealstage]]" {
		t.Errorf("context %v", missing["context"])
	}
}

func TestGetByID(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	id := create(t, s, "communications", whatsApp("hello"))["id"].(string)
	path := "/crm/v3/objects/communications/" + id

	def := props(mustStatus(t, s.Do("GET", path, nil), 200))
	if len(def) != 3 || def["hs_object_id"] != id || def["hs_createdate"] == nil || def["hs_lastmodifieddate"] == nil {
		t.Errorf("default properties %v", def)
	}
	for _, q := range []string{"?properties=hs_communication_body,hubspot_owner_id,nonexistent", "?properties=hs_communication_body&properties=hubspot_owner_id&properties=nonexistent"} {
		got := mustStatus(t, s.Do("GET", path+q, nil), 200)
		p := props(got)
		if p["hs_communication_body"] != "hello" || len(p) != 5 {
			t.Errorf("%s: %v", q, p)
		}
		if v, ok := p["hubspot_owner_id"]; !ok || v != nil {
			t.Errorf("%s: requested empty property should be null, got %v (present %v)", q, v, ok)
		}
		if _, ok := p["nonexistent"]; ok {
			t.Errorf("%s: unknown property returned", q)
		}
	}
	// Dated path, singular and type-id forms reach the same record.
	for _, p := range []string{"/crm/objects/2026-03/communications/", "/crm/v3/objects/communication/", "/crm/v3/objects/0-18/", "/crm/objects/2025-09/0-18/"} {
		if got := mustStatus(t, s.Do("GET", p+id, nil), 200); got["id"] != id {
			t.Errorf("%s: %v", p, got)
		}
	}
	if r := s.Do("GET", "/crm/objects/2019-01/communications/"+id, nil); r.Status != 404 {
		t.Errorf("unknown version: %d %s", r.Status, r.Body)
	}
	// Wrong type for that id, missing ids, non-numeric ids.
	for _, p := range []string{"/crm/v3/objects/contacts/" + id, "/crm/v3/objects/communications/999", "/crm/v3/objects/communications/abc"} {
		got := mustStatus(t, s.Do("GET", p, nil), 404)
		if got["category"] != "OBJECT_NOT_FOUND" || got["message"] != "Object not found.  objectId are usually numeric." {
			t.Errorf("%s: %v", p, got)
		}
	}
	if r := s.Do("GET", path+"?archived=maybe", nil); r.Status != 400 {
		t.Errorf("archived=maybe: %d", r.Status)
	}
}

func TestPropertiesWithHistory(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	id := create(t, s, "communications", whatsApp("first"))["id"].(string)
	path := "/crm/v3/objects/communications/" + id
	s.Clock.Set(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
	mustStatus(t, s.Do("PATCH", path, `{"properties":{"hs_communication_body":"second"}}`), 200)
	got := mustStatus(t, s.Do("GET", path+"?propertiesWithHistory=hs_communication_body", nil), 200)
	h := got["propertiesWithHistory"].(map[string]any)["hs_communication_body"].([]any)
	if len(h) != 2 {
		t.Fatalf("history %v", h)
	}
	newest, oldest := h[0].(map[string]any), h[1].(map[string]any)
	if newest["value"] != "second" || newest["timestamp"] != "2025-01-02T00:00:00Z" || newest["sourceType"] != "INTEGRATION" ||
		oldest["value"] != "first" || oldest["timestamp"] != "2025-01-01T00:00:00Z" {
		t.Errorf("history %v", h)
	}
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	created := create(t, s, "communications", whatsApp("draft"))
	id := created["id"].(string)
	path := "/crm/v3/objects/communications/" + id
	s.Clock.Set(time.Date(2025, 1, 1, 0, 0, 1, 0, time.UTC))
	got := mustStatus(t, s.Do("PATCH", path, `{"properties":{"hs_communication_channel_type":"LINKEDIN_MESSAGE","hs_communication_body":""}}`), 200)
	p := props(got)
	if p["hs_communication_channel_type"] != "LINKEDIN_MESSAGE" || p["hs_timestamp"] != "2024-03-01T10:00:00.250Z" {
		t.Errorf("after patch %v", p)
	}
	for _, gone := range []string{"hs_communication_body", "hs_body_preview", "hs_body_preview_html"} {
		if _, ok := p[gone]; ok {
			t.Errorf("%s not cleared", gone)
		}
	}
	if got["updatedAt"] != "2025-01-01T00:00:01Z" || p["hs_lastmodifieddate"] != "2025-01-01T00:00:01Z" || got["createdAt"] != "2025-01-01T00:00:00Z" {
		t.Errorf("timestamps %v", got)
	}
	// Rejected patches change nothing.
	for _, body := range []string{`{"properties":{"hs_communication_channel_type":"FAX"}}`, `{"properties":{"hs_object_id":"5"}}`, `{"properties":{"x":"1","hs_communication_body":"y"}}`} {
		mustStatus(t, s.Do("PATCH", path, body), 400)
	}
	after := props(mustStatus(t, s.Do("GET", path+"?properties=hs_communication_channel_type,hs_communication_body", nil), 200))
	if after["hs_communication_channel_type"] != "LINKEDIN_MESSAGE" || after["hs_communication_body"] != nil {
		t.Errorf("rejected patch leaked: %v", after)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/12345", `{"properties":{}}`), 404)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/abc", `{"properties":{}}`), 404)
}

func TestArchive(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	id := create(t, s, "communications", whatsApp("bye"))["id"].(string)
	path := "/crm/v3/objects/communications/" + id
	s.Clock.Set(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC))
	for range 2 { // idempotent
		mustStatus(t, s.Do("DELETE", path, nil), 204)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/424242", nil), 204)
	mustStatus(t, s.Do("GET", path, nil), 404)
	mustStatus(t, s.Do("PATCH", path, `{"properties":{"hs_communication_body":"x"}}`), 404)
	got := mustStatus(t, s.Do("GET", path+"?archived=true", nil), 200)
	if got["archived"] != true || got["archivedAt"] != "2026-05-01T12:00:00Z" {
		t.Errorf("archived record %v", got)
	}
	if list := mustStatus(t, s.Do("GET", "/crm/v3/objects/communications", nil), 200); len(list["results"].([]any)) != 0 {
		t.Errorf("archived record listed: %v", list)
	}
	list := mustStatus(t, s.Do("GET", "/crm/v3/objects/communications?archived=true", nil), 200)
	if rs := list["results"].([]any); len(rs) != 1 || rs[0].(map[string]any)["id"] != id {
		t.Errorf("archived list %v", list)
	}
}

func TestListPaging(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var ids []string
	for i := range 25 {
		ids = append(ids, create(t, s, "tickets", map[string]any{"properties": map[string]any{
			"subject": fmt.Sprintf("t%d", i), "hs_pipeline": "0", "hs_pipeline_stage": "1"}})["id"].(string))
	}
	first := mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets", nil), 200)
	if n := len(first["results"].([]any)); n != 10 {
		t.Fatalf("default page size %d", n)
	}
	next := first["paging"].(map[string]any)["next"].(map[string]any)
	if next["after"] != ids[10] || !strings.HasPrefix(next["link"].(string), s.URL+"/crm/v3/objects/tickets?") {
		t.Errorf("paging %v", next)
	}
	var seen []string
	after := ""
	for pages := 0; pages < 10; pages++ {
		got := mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets?limit=7&after="+after, nil), 200)
		for _, r := range got["results"].([]any) {
			seen = append(seen, r.(map[string]any)["id"].(string))
		}
		p, ok := got["paging"]
		if !ok {
			break
		}
		after = p.(map[string]any)["next"].(map[string]any)["after"].(string)
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("paged ids %v, want %v", seen, ids)
	}
	if got := mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets?limit=500", nil), 200); len(got["results"].([]any)) != 25 {
		t.Errorf("limit above max")
	}
	if got := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets?limit=1", nil), 200)["results"].([]any)[0].(map[string]any)); got["subject"] != "t0" || len(got) != 9 {
		t.Errorf("ticket defaults %v", got)
	}
	for _, q := range []string{"limit=0", "limit=x", "after=abc"} {
		mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets?"+q, nil), 400)
	}
}

func TestContactsEmailUnique(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	id := create(t, s, "contacts", `{"properties":{"email":"Ana@Example.com","firstname":"Ana"}}`)["id"].(string)
	dup := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"ana@example.com"}}`), 409)
	if dup["category"] != "CONFLICT" || dup["message"] != "Contact already exists. Existing ID: "+id {
		t.Errorf("conflict %v", dup)
	}
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/ana%40example.com?idProperty=email", nil), 200)
	if got["id"] != id || props(got)["firstname"] != "Ana" || props(got)["email"] != "Ana@Example.com" {
		t.Errorf("by email %v", got)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/ana@example.com?idProperty=email", `{"properties":{"email":"ana@new.example"}}`), 200)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/ana@example.com?idProperty=email", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/ana@new.example?idProperty=email", nil), 200)
	// The old address is free again; archiving frees the new one.
	create(t, s, "contacts", `{"properties":{"email":"ana@example.com"}}`)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+id, nil), 204)
	create(t, s, "contacts", `{"properties":{"email":"ana@new.example"}}`)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/x?idProperty=firstname", nil), 400)
	// A conflicting update changes nothing.
	other := create(t, s, "contacts", `{"properties":{"email":"bo@example.com","firstname":"Bo"}}`)["id"].(string)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+other, `{"properties":{"email":"ana@example.com","firstname":"Robert"}}`), 409)
	if p := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+other, nil), 200)); p["firstname"] != "Bo" || p["email"] != "bo@example.com" {
		t.Errorf("conflicting update leaked %v", p)
	}
}

func TestRecordTypes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for typ, body := range map[string]string{
		"contacts":  `{"properties":{"email":"x@y.z","lifecyclestage":"lead","hs_lead_status":"NEW"}}`,
		"companies": `{"properties":{"domain":"example.com","numberofemployees":"12.0"}}`,
		"deals":     `{"properties":{"dealname":"Big","dealstage":"qualifiedtobuy","pipeline":"default","amount":1500.5,"closedate":"2025-06-30T00:00:00Z"}}`,
		"tickets":   `{"properties":{"subject":"Help","hs_pipeline":"0","hs_pipeline_stage":"2","hs_ticket_priority":"HIGH"}}`,
	} {
		got := create(t, s, typ, body)
		read := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ+"/"+got["id"].(string), nil), 200)
		p := props(read)
		switch typ {
		case "companies":
			if p["domain"] != "example.com" || props(got)["numberofemployees"] != "12" || len(p) != 5 {
				t.Errorf("company %v %v", p, props(got))
			}
		case "deals":
			if p["amount"] != "1500.5" || p["closedate"] != "2025-06-30T00:00:00Z" || len(p) != 8 {
				t.Errorf("deal %v", p)
			}
		case "contacts":
			if p["email"] != "x@y.z" || p["createdate"] == nil || p["lastmodifieddate"] == nil || len(p) != 6 {
				t.Errorf("contact %v", p)
			}
		case "tickets":
			if p["hs_ticket_priority"] != "HIGH" || p["createdate"] == nil {
				t.Errorf("ticket %v", p)
			}
		}
	}
}

func TestRoutingErrorsAreJSON(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/crm/v3/nothing", 404},
		{"PUT", "/crm/v3/objects/contacts", 405},
		{"POST", "/crm/v3/objects/contacts/123", 405},
	} {
		r := s.Do(tc.method, tc.path, nil)
		body := mustStatus(t, r, tc.status)
		if body["status"] != "error" || body["message"] == "" {
			t.Errorf("%s %s: %s", tc.method, tc.path, r.Body)
		}
	}
	home := s.Do("GET", "/", nil)
	if home.Status != 200 || !strings.Contains(string(home.Body), "Spoke") {
		t.Errorf("home %d", home.Status)
	}
	big := `{"properties":{"email":"` + strings.Repeat("a", 17<<20) + `"}}`
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", big), 413)
	long := `{"properties":{"firstname":"` + strings.Repeat("a", 70000) + `"}}`
	if body := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", long), 400); !strings.Contains(body["message"].(string), "MAX_LENGTH_EXCEEDED") {
		t.Errorf("long value %v", body["message"])
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for _, tok := range []string{"", "pat-na1-wrong"} {
		r := s.DoToken(tok, "GET", "/crm/v3/objects/contacts", nil)
		body := mustStatus(t, r, 401)
		if body["category"] != "INVALID_AUTHENTICATION" || r.Header.Get("X-HubSpot-Auth-Failure") == "" ||
			!strings.HasPrefix(body["message"].(string), "Authentication credentials not found.") {
			t.Errorf("token %q: %s", tok, r.Body)
		}
	}
}
