package api_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func findProperty(list map[string]any, name string) map[string]any {
	for _, p := range list["results"].([]any) {
		if m := p.(map[string]any); m["name"] == name {
			return m
		}
	}
	return nil
}

func TestBuiltInPropertyDefinitions(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	list := mustStatus(t, s.Do("GET", "/crm/v3/properties/communications", nil), 200)
	channel := findProperty(list, "hs_communication_channel_type")
	if channel == nil || channel["type"] != "enumeration" || channel["fieldType"] != "select" || channel["hubspotDefined"] != true ||
		channel["groupName"] != "communicationinformation" {
		t.Fatalf("channel %v", channel)
	}
	var values []string
	for _, o := range channel["options"].([]any) {
		values = append(values, o.(map[string]any)["value"].(string))
	}
	if strings.Join(values, ",") != "WHATS_APP,LINKEDIN_MESSAGE,SMS" {
		t.Errorf("channel options %v", values)
	}
	if mm := channel["modificationMetadata"].(map[string]any); mm["archivable"] != false || mm["readOnlyDefinition"] != true || mm["readOnlyValue"] != false {
		t.Errorf("modificationMetadata %v", mm)
	}
	if ts := findProperty(list, "hs_timestamp"); ts["type"] != "datetime" {
		t.Errorf("hs_timestamp %v", ts)
	}
	owner := findProperty(list, "hubspot_owner_id")
	if owner["referencedObjectType"] != "OWNER" || owner["externalOptions"] != true || owner["type"] != "enumeration" {
		t.Errorf("owner %v", owner)
	}
	preview := findProperty(list, "hs_body_preview")
	if preview["modificationMetadata"].(map[string]any)["readOnlyValue"] != true || preview["calculated"] != true {
		t.Errorf("preview %v", preview)
	}
	email := mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/email", nil), 200)
	if email["hasUniqueValue"] != true || email["type"] != "string" || len(email["options"].([]any)) != 0 {
		t.Errorf("email %v", email)
	}
	for _, typ := range []string{"companies", "deals", "tickets", "0-5", "deal"} {
		if n := len(mustStatus(t, s.Do("GET", "/crm/v3/properties/"+typ, nil), 200)["results"].([]any)); n < 10 {
			t.Errorf("%s: %d properties", typ, n)
		}
	}
	mustStatus(t, s.Do("GET", "/crm/v3/properties/contacts/nope", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/properties/widgets", nil), 400)
	for _, bad := range []string{"/crm/v3/properties/contacts/email", "/crm/v3/properties/contacts/hs_object_id"} {
		mustStatus(t, s.Do("DELETE", bad, nil), 400)
		mustStatus(t, s.Do("PATCH", bad, `{"label":"x"}`), 400)
	}
	if got := mustStatus(t, s.Do("GET", "/crm/objects/2026-09/communications", nil), 200); got == nil {
		t.Error("dated objects path")
	}
	mustStatus(t, s.Do("GET", "/crm/properties/2026-03/communications/hs_timestamp", nil), 200)
}

func TestCustomPropertyLifecycle(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	def := `{"name":"conversation_id","label":"Conversation ID","type":"string","fieldType":"text","groupName":"communicationinformation","hasUniqueValue":true}`
	r := s.Do("POST", "/crm/v3/properties/communications", def)
	created := mustStatus(t, r, 201)
	if created["name"] != "conversation_id" || created["hasUniqueValue"] != true || created["hubspotDefined"] != false || created["createdAt"] == nil ||
		r.Header.Get("Location") != "/crm/v3/properties/communications/conversation_id" {
		t.Errorf("created %v %v", created, r.Header)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", def), 409)

	// Usable at once: write, read back, unique, idProperty.
	msg := `{"properties":{"hs_communication_channel_type":"WHATS_APP","hs_timestamp":1,"conversation_id":"wa-1"}}`
	id := create(t, s, "communications", msg)["id"].(string)
	got := mustStatus(t, s.Do("GET", "/crm/v3/objects/communications/wa-1?idProperty=conversation_id&properties=conversation_id", nil), 200)
	if got["id"] != id || props(got)["conversation_id"] != "wa-1" {
		t.Errorf("by custom unique property %v", got)
	}
	dup := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications", msg), 409)
	if dup["message"] != "Communication already exists. Existing ID: "+id {
		t.Errorf("duplicate %v", dup)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/wa-1?idProperty=conversation_id", `{"properties":{"hs_communication_body":"hi"}}`), 200)

	// Enumerations with options; updates change labels and options, not uniqueness.
	enum := `{"name":"sentiment","label":"Sentiment","type":"enumeration","fieldType":"select","groupName":"communicationinformation",
		"options":[{"label":"Happy","value":"happy","displayOrder":0},{"label":"Sad","value":"sad","displayOrder":1}]}`
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", enum), 201)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+id, `{"properties":{"sentiment":"angry"}}`), 400)
	updated := mustStatus(t, s.Do("PATCH", "/crm/v3/properties/communications/sentiment",
		`{"label":"Mood","options":[{"label":"Happy","value":"happy"},{"label":"Angry","value":"angry"}]}`), 200)
	if updated["label"] != "Mood" || len(updated["options"].([]any)) != 2 {
		t.Errorf("updated %v", updated)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+id, `{"properties":{"sentiment":"angry"}}`), 200)
	mustStatus(t, s.Do("PATCH", "/crm/v3/properties/communications/conversation_id", `{"hasUniqueValue":false}`), 400)

	// Archive: gone from writes and the live list, present with archived=true.
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/communications/sentiment", nil), 204)
	res := mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+id, `{"properties":{"sentiment":"happy"}}`), 400)
	if !strings.Contains(res["message"].(string), "PROPERTY_DOESNT_EXIST") {
		t.Errorf("write to archived property: %v", res)
	}
	if findProperty(mustStatus(t, s.Do("GET", "/crm/v3/properties/communications", nil), 200), "sentiment") != nil {
		t.Error("archived property listed")
	}
	arch := findProperty(mustStatus(t, s.Do("GET", "/crm/v3/properties/communications?archived=true", nil), 200), "sentiment")
	if arch == nil || arch["archived"] != true || arch["archivedAt"] == nil {
		t.Errorf("archived list %v", arch)
	}
	if _, ok := props(mustStatus(t, s.Do("PATCH", "/crm/v3/objects/communications/"+id, `{"properties":{"hs_communication_body":"x"}}`), 200))["sentiment"]; ok {
		t.Error("value of an archived property returned")
	}
	mustStatus(t, s.Do("GET", "/crm/v3/properties/communications/sentiment", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/properties/communications/sentiment?archived=true", nil), 200)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/communications", enum), 409)
}

func TestPropertyDefinitionValidation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	base := func(over string) string {
		return `{"name":"p","label":"P","type":"string","fieldType":"text","groupName":"contactinformation"` + over + `}`
	}
	for _, tc := range []struct {
		body     string
		status   int
		contains string
	}{
		{`{"name":"p"}`, 400, "Some required fields were not set: [label, type, fieldType, groupName]"},
		{`{"name":"Bad Name","label":"P","type":"string","fieldType":"text","groupName":"contactinformation"}`, 400, "is invalid"},
		{`{"name":"hs_mine","label":"P","type":"string","fieldType":"text","groupName":"contactinformation"}`, 400, "reserved"},
		{base(`,"type":"colour"`), 400, "not a valid property type"},
		{base(`,"fieldType":"select"`), 400, "cannot be used with type string"},
		{base(`,"groupName":"nowhere"`), 400, "group nowhere does not exist"},
		{base(`,"type":"enumeration","fieldType":"select"`), 400, "needs at least one option"},
		{base(`,"type":"enumeration","fieldType":"select","options":[{"label":"A","value":"a"},{"label":"B","value":"a"}]`), 400, "appears twice"},
		{base(`,"type":"bool","fieldType":"booleancheckbox","hasUniqueValue":true`), 400, "hasUniqueValue"},
		{base(`,"options":[{"label":"A","value":"a"}]`), 400, "Options are only allowed"},
		{base(`,"name":"email"`), 409, "already exists"},
		{`{"name":1}`, 400, "Invalid input JSON"},
	} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", tc.body), tc.status)
		if !strings.Contains(got["message"].(string), tc.contains) {
			t.Errorf("%s: %v", tc.body, got["message"])
		}
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/properties/contacts/nothing", `{"label":"x"}`), 404)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/contacts/nothing", nil), 404)
	// A bool property gets true/false options and validates values.
	mustStatus(t, s.Do("POST", "/crm/v3/properties/contacts", base(`,"name":"vip","type":"bool","fieldType":"booleancheckbox"`)), 201)
	mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts", `{"properties":{"vip":"maybe"}}`), 400)
	if p := props(create(t, s, "contacts", `{"properties":{"vip":true}}`)); p["vip"] != "true" {
		t.Errorf("vip %v", p)
	}
}

func TestPropertyBatchAndGroups(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	group := mustStatus(t, s.Do("POST", "/crm/v3/properties/deals/groups", `{"name":"messaging","label":"Messaging","displayOrder":3}`), 201)
	if group["name"] != "messaging" || group["label"] != "Messaging" || group["displayOrder"] != float64(3) {
		t.Errorf("group %v", group)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/properties/deals/groups", `{"name":"messaging","label":"Again"}`), 409)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/deals/groups", `{"name":"x"}`), 400)
	if g := mustStatus(t, s.Do("PATCH", "/crm/v3/properties/deals/groups/messaging", `{"label":"Chat"}`), 200); g["label"] != "Chat" {
		t.Errorf("group update %v", g)
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/properties/deals/groups", nil), 200)["results"].([]any)); n != 2 {
		t.Errorf("groups: %d", n)
	}
	batch := s.Do("POST", "/crm/v3/properties/deals/batch/create", `{"inputs":[
		{"name":"wa_thread","label":"WA thread","type":"string","fieldType":"text","groupName":"messaging"},
		{"name":"bad name","label":"x","type":"string","fieldType":"text","groupName":"messaging"},
		{"name":"wa_count","label":"WA count","type":"number","fieldType":"number","groupName":"messaging"}]}`)
	if batch.Status != 207 {
		t.Fatalf("batch create %d %s", batch.Status, batch.Body)
	}
	b := batch.JSON()
	if b["status"] != "COMPLETE" || len(b["results"].([]any)) != 2 || b["numErrors"] != float64(1) {
		t.Errorf("batch create %v", b)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/deals/groups/messaging", nil), 400) // still used
	read := s.Do("POST", "/crm/v3/properties/deals/batch/read", `{"inputs":[{"name":"wa_thread"},{"name":"missing"}]}`)
	if read.Status != 207 || len(read.JSON()["results"].([]any)) != 1 {
		t.Errorf("batch read %d %s", read.Status, read.Body)
	}
	mustStatus(t, s.Do("POST", "/crm/v3/properties/deals/batch/archive", `{"inputs":[{"name":"wa_thread"},{"name":"wa_count"},{"name":"never"}]}`), 204)
	mustStatus(t, s.Do("POST", "/crm/v3/properties/deals/batch/archive", `{"inputs":[{"name":"dealname"}]}`), 400)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/deals/groups/messaging", nil), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/properties/deals/groups/messaging", nil), 404)
	mustStatus(t, s.Do("DELETE", "/crm/v3/properties/deals/groups/dealinformation", nil), 400)
}

func TestCustomPropertiesSurviveRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	first := spoketest.OpenPath(t, path)
	mustStatus(t, first.Do("POST", "/crm/v3/properties/tickets", `{"name":"wa_chat","label":"Chat","type":"string","fieldType":"text","groupName":"ticketinformation","hasUniqueValue":true}`), 201)
	second := spoketest.OpenPath(t, path) // a new engine loads the stored definitions
	got := mustStatus(t, second.Do("POST", "/crm/v3/objects/tickets", `{"properties":{"subject":"s","hs_pipeline":"0","hs_pipeline_stage":"1","wa_chat":"c-1"}}`), 201)
	if props(got)["wa_chat"] != "c-1" {
		t.Errorf("custom property after restart: %v", got)
	}
	mustStatus(t, second.Do("GET", "/crm/v3/objects/tickets/c-1?idProperty=wa_chat", nil), 200)
}
