package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func inputs(items ...string) string { return `{"inputs":[` + strings.Join(items, ",") + `]}` }

func sms(body string, extra string) string {
	return fmt.Sprintf(`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":%q}%s}`, body, extra)
}

func count(t *testing.T, s *spoketest.Server, typ string) int {
	t.Helper()
	n, after := 0, ""
	for {
		got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+typ+"?limit=100&after="+after, nil), 200)
		n += len(got["results"].([]any))
		p, ok := got["paging"]
		if !ok {
			return n
		}
		after = p.(map[string]any)["next"].(map[string]any)["after"].(string)
	}
}

func TestBatchCreate(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "batch@example.com")
	var items []string
	for i := range 100 {
		items = append(items, sms(fmt.Sprint("m", i), ",\"associations\":["+to(contact, "HUBSPOT_DEFINED", 81)+"]"))
	}
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/create", inputs(items...)), 201)
	results := got["results"].([]any)
	if got["status"] != "COMPLETE" || len(results) != 100 || got["startedAt"] == nil || got["completedAt"] == nil || got["numErrors"] != nil {
		t.Fatalf("envelope %v", got["status"])
	}
	if p := props(results[7].(map[string]any)); p["hs_communication_body"] != "m7" || p["hs_body_preview"] != "m7" {
		t.Errorf("result %v", p)
	}
	if n := len(v4Types(t, s, "contacts", contact, "communications")); n != 100 {
		t.Errorf("%d associations", n)
	}

	// Without trace ids, one bad input fails the batch and nothing is written.
	before := count(t, s, "communications")
	for _, bad := range []string{
		sms("x", "") + `,{"properties":{"hs_communication_channel_type":"FAX","hs_timestamp":1}}`,
		sms("x", "") + "," + sms("y", `,"associations":[`+to("424242", "HUBSPOT_DEFINED", 81)+`]`),
		sms("x", "") + "," + sms("y", `,"associations":[`+to(contact, "HUBSPOT_DEFINED", 82)+`]`),
	} {
		mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/create", `{"inputs":[`+bad+`]}`), 400)
	}
	if after := count(t, s, "communications"); after != before {
		t.Errorf("failed batches wrote %d records", after-before)
	}

	// Contacts: duplicate emails in the batch or against existing contacts conflict.
	dup := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", inputs(`{"properties":{"email":"new@example.com"}}`, `{"properties":{"email":"BATCH@example.com"}}`)), 409)
	if dup["message"] != "Contact already exists. Existing ID: "+contact {
		t.Errorf("conflict %v", dup)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", inputs(`{"properties":{"email":"twin@example.com"}}`, `{"properties":{"email":"Twin@example.com"}}`)), 409)
	if n := count(t, s, "contacts"); n != 1 {
		t.Errorf("conflicting batches wrote contacts: %d", n)
	}

	// With a unique trace id on every input: valid inputs are created, failures reported per input.
	r := s.Do("POST", "/crm/v3/objects/contacts/batch/create", inputs(
		`{"properties":{"email":"ok1@example.com"},"objectWriteTraceId":"t1"}`,
		`{"properties":{"email":"batch@example.com"},"objectWriteTraceId":"t2"}`,
		`{"properties":{"colour":"red"},"objectWriteTraceId":"t3"}`,
		`{"properties":{"email":"ok2@example.com"},"objectWriteTraceId":"t4"}`))
	multi := mustStatus(t, r, 207)
	if len(multi["results"].([]any)) != 2 || multi["numErrors"] != float64(2) {
		t.Fatalf("207 %s", r.Body)
	}
	errs := multi["errors"].([]any)
	first, second := errs[0].(map[string]any), errs[1].(map[string]any)
	if first["category"] != "CONFLICT" || fmt.Sprint(first["context"].(map[string]any)["objectWriteTraceId"]) != "[t2]" ||
		second["category"] != "VALIDATION_ERROR" || fmt.Sprint(second["context"].(map[string]any)["objectWriteTraceId"]) != "[t3]" ||
		!strings.Contains(second["message"].(string), "PROPERTY_DOESNT_EXIST") {
		t.Errorf("errors %v", errs)
	}
	if results := multi["results"].([]any); results[0].(map[string]any)["objectWriteTraceId"] != "t1" {
		t.Errorf("trace id not echoed: %v", results[0])
	}
	// Trace ids that are not all unique: all or nothing again.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/create", inputs(
		`{"properties":{"email":"ok3@example.com"},"objectWriteTraceId":"same"}`,
		`{"properties":{"colour":"red"},"objectWriteTraceId":"same"}`)), 400)
	if n := count(t, s, "contacts"); n != 3 {
		t.Errorf("contacts %d, want 3", n)
	}
}

func TestBatchLimitsAndShapes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprintf(`{"id":"%d"}`, i+1))
	}
	for _, path := range []string{"read", "archive"} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/"+path, inputs(many...)), 400)
		if got["message"] != "The maximum number of inputs supported in a batch is 100. Please reduce the number of items and try again" || got["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s limit: %v", path, got)
		}
	}
	hist := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/read", `{"propertiesWithHistory":["dealname"],"inputs":[`+strings.Join(many[:51], ",")+`]}`), 400)
	if hist["message"] != "The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again" {
		t.Errorf("history limit %v", hist)
	}
	for _, path := range []string{"create", "read", "update", "upsert", "archive"} {
		mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/"+path, `{"inputs":[]}`), 400)
		if got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/"+path, `{"id":"5"}`), 400); !strings.Contains(got["message"].(string), "[inputs]") {
			t.Errorf("%s not a batch: %v", path, got)
		}
		mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/"+path, `{"inputs":{}}`), 400)
	}
	for _, path := range []string{"read", "archive", "update"} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/"+path, `{"inputs":[{"id":"5","properties":{}},{"id":"5","properties":{}}]}`), 400)
		if !strings.Contains(got["message"].(string), "Duplicate IDs found in batch input") {
			t.Errorf("%s duplicates %v", path, got)
		}
	}
}

func TestBatchRead(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := create(t, s, "communications", sms("one", ""))["id"].(string)
	b := create(t, s, "communications", sms("two", ""))["id"].(string)
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/read",
		fmt.Sprintf(`{"properties":["hs_communication_body"],"propertiesWithHistory":["hs_communication_body"],"inputs":[{"id":%q},{"id":%s}]}`, b, a)), 200)
	rs := got["results"].([]any)
	if len(rs) != 2 || props(rs[0].(map[string]any))["hs_communication_body"] != "two" || rs[1].(map[string]any)["propertiesWithHistory"] == nil {
		t.Errorf("batch read %v", rs)
	}
	r := s.Do("POST", "/crm/v3/objects/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":"999"},{"id":"abc"}]}`, a))
	partial := mustStatus(t, r, 207)
	e := partial["errors"].([]any)[0].(map[string]any)
	if e["category"] != "OBJECT_NOT_FOUND" || e["message"] != "Could not get some COMMUNICATION objects, they may be deleted or not exist. Check that ids are valid." ||
		fmt.Sprint(e["context"]) != "map[ids:[999 abc]]" || partial["numErrors"] != float64(1) || len(partial["results"].([]any)) != 1 {
		t.Errorf("207 %s", r.Body)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+b, nil), 204)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, b)), 207)
	if arch := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/read?archived=true", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, b)), 200); arch["results"].([]any)[0].(map[string]any)["archived"] != true {
		t.Errorf("archived read %v", arch)
	}
	// idProperty: contact email and a custom unique property.
	c := newContact(t, s, "read@example.com")
	byEmail := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/read", `{"idProperty":"email","inputs":[{"id":"READ@example.com"}]}`), 200)
	if byEmail["results"].([]any)[0].(map[string]any)["id"] != c {
		t.Errorf("by email %v", byEmail)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/read", `{"idProperty":"firstname","inputs":[{"id":"x"}]}`), 400)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/read?archived=maybe", `{"inputs":[{"id":"1"}]}`), 400)
}

func TestBatchUpdate(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a := create(t, s, "communications", sms("one", ""))["id"].(string)
	b := create(t, s, "communications", sms("two", ""))["id"].(string)
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", fmt.Sprintf(
		`{"inputs":[{"id":%q,"properties":{"hs_communication_body":"ONE"}},{"id":%q,"properties":{"hs_communication_channel_type":"WHATS_APP"}}]}`, a, b)), 200)
	if rs := got["results"].([]any); len(rs) != 2 || props(rs[0].(map[string]any))["hs_communication_body"] != "ONE" {
		t.Errorf("update %v", got)
	}
	partial := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", fmt.Sprintf(
		`{"inputs":[{"id":%q,"properties":{"hs_communication_body":"uno"}},{"id":"999","properties":{"hs_communication_body":"x"}}]}`, a)), 207)
	if e := partial["errors"].([]any)[0].(map[string]any); fmt.Sprint(e["context"]) != "map[ids:[999]]" || len(partial["results"].([]any)) != 1 {
		t.Errorf("missing id %v", partial)
	}
	// A validation failure without trace ids fails the batch: nothing changes.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", fmt.Sprintf(
		`{"inputs":[{"id":%q,"properties":{"hs_communication_body":"changed"}},{"id":%q,"properties":{"hs_communication_channel_type":"FAX"}}]}`, a, b)), 400)
	if p := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/"+a+"?properties=hs_communication_body", nil), 200)); p["hs_communication_body"] != "uno" {
		t.Errorf("failed batch changed a record: %v", p)
	}
	// With trace ids the valid input goes through.
	traced := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", fmt.Sprintf(
		`{"inputs":[{"id":%q,"properties":{"hs_communication_body":"changed"},"objectWriteTraceId":"a"},{"id":%q,"properties":{"hs_communication_channel_type":"FAX"},"objectWriteTraceId":"b"}]}`, a, b)), 207)
	if len(traced["results"].([]any)) != 1 || traced["numErrors"] != float64(1) {
		t.Errorf("traced update %v", traced)
	}
	// idProperty rules: email and hs_object_id are refused, custom unique properties work.
	newContact(t, s, "u@example.com")
	for _, prop := range []string{"email", "hs_object_id", "firstname"} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/update", fmt.Sprintf(`{"inputs":[{"id":"u@example.com","idProperty":%q,"properties":{"firstname":"U"}}]}`, prop)), 400)
		if !strings.HasPrefix(got["message"].(string), "Unable to perform update/upsert by non-unique 0-1 property "+prop+" in portal ID") {
			t.Errorf("%s: %v", prop, got)
		}
	}
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", `{"name":"ext_id","label":"External id","type":"string","fieldType":"text","groupName":"communicationinformation","hasUniqueValue":true}`), 201)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+a, `{"properties":{"ext_id":"wa-77"}}`), 200)
	byExt := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", `{"inputs":[{"id":"wa-77","idProperty":"ext_id","properties":{"hs_communication_body":"by ext"}}]}`), 200)
	if byExt["results"].([]any)[0].(map[string]any)["id"] != a {
		t.Errorf("by custom unique %v", byExt)
	}
	// Unique values clash inside one batch.
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/update", fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"ext_id":"dup"}},{"id":%q,"properties":{"ext_id":"dup"}}]}`, a, b)), 409)
}

func TestBatchUpsertAndArchive(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	existing := newContact(t, s, "old@example.com")
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/upsert", inputs(
		`{"id":"OLD@example.com","idProperty":"email","properties":{"firstname":"Old"}}`,
		`{"id":"fresh@example.com","idProperty":"email","properties":{"firstname":"Fresh"}}`)), 200)
	rs := got["results"].([]any)
	if len(rs) != 2 {
		t.Fatalf("upsert %v", got)
	}
	old, fresh := rs[0].(map[string]any), rs[1].(map[string]any)
	if old["id"] != existing || old["new"] != false || props(old)["firstname"] != "Old" ||
		fresh["new"] != true || props(fresh)["email"] != "fresh@example.com" || props(fresh)["firstname"] != "Fresh" {
		t.Errorf("upsert results %v", rs)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/objects/companies/batch/upsert", inputs(`{"id":"acme.com","idProperty":"domain","properties":{"name":"Acme"}}`)), 400)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/upsert", inputs(`{"id":"x@example.com","properties":{}}`)), 400)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/upsert", inputs(`{"id":"1","idProperty":"hs_object_id","properties":{}}`)), 400)
	// Communications upsert through a custom unique property.
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", `{"name":"wa_message_id","label":"WhatsApp message id","type":"string","fieldType":"text","groupName":"communicationinformation","hasUniqueValue":true}`), 201)
	msg := `{"id":"wamid.1","idProperty":"wa_message_id","properties":{"hs_communication_channel_type":"WHATS_APP","hs_timestamp":1,"hs_communication_body":"%s"}}`
	first := mustStatus(t, s.Do("POST", "/crm/objects/2026-03/communications/batch/upsert", inputs(fmt.Sprintf(msg, "v1"))), 200)
	second := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/upsert", inputs(fmt.Sprintf(msg, "v2"))), 200)
	f, g := first["results"].([]any)[0].(map[string]any), second["results"].([]any)[0].(map[string]any)
	if f["new"] != true || g["new"] != false || f["id"] != g["id"] || props(g)["hs_communication_body"] != "v2" {
		t.Errorf("upsert twice: %v / %v", f, g)
	}
	// Archive: 204, idempotent, missing ids ignored.
	for range 2 {
		mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/archive", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":"999"},{"id":"abc"}]}`, existing)), 204)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+existing, nil), 404)
	if n := count(t, s, "contacts"); n != 1 {
		t.Errorf("contacts %d", n)
	}
}

// A unique number property is looked up in its stored (canonical) form, so
// "12.0", "12" and "1.2e1" name the same record for upsert and idProperty.
func TestUniqueNumberLookups(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", `{"name":"member_no","label":"Member number","type":"number","fieldType":"number","groupName":"contactinformation","hasUniqueValue":true}`), 201)
	created := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"member_no":"12","firstname":"A"}}`), 201)
	id := created["id"].(string)
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/upsert", inputs(
		`{"id":"12.0","idProperty":"member_no","properties":{"firstname":"B"}}`)), 200)
	r := got["results"].([]any)[0].(map[string]any)
	if r["id"] != id || r["new"] != false || props(r)["firstname"] != "B" {
		t.Errorf("upsert of 12.0 did not update record %s: %v", id, r)
	}
	for _, v := range []string{"12", "12.0", "12.00"} {
		got := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+v+"?idProperty=member_no", nil), 200)
		if got["id"] != id {
			t.Errorf("GET by member_no %s: %v", v, got["id"])
		}
	}
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/13?idProperty=member_no", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/x?idProperty=member_no", nil), 404)
}
