package api_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// engagementType is one engagement type as the HTTP tests exercise it.
type engagementType struct {
	plural, singular, typeID string
	// label is HubSpot's upper-case name in "Error creating {label}".
	label string
	// required are reported missing on a create without properties.
	required []string
	// minimal is a valid create; its text holds the word "zebra" in a
	// property the free-text query searches.
	minimal map[string]any
	// body is the property the body preview is computed from.
	body string
	// enumProp takes enumGood and refuses enumBad ("" for types without an
	// enumeration of their own).
	enumProp, enumGood, enumBad string
	// ownProps are properties of the type's own the properties API lists.
	ownProps []string
	// toRecord and fromRecord are the association type ids with contacts,
	// companies, deals and tickets, in that order.
	toRecord, fromRecord [4]int
	restorable           bool
}

var engagementTypes = []engagementType{
	{plural: "notes", singular: "note", typeID: "0-46", label: "NOTE", required: []string{"hs_timestamp"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_note_body": "<div><p>Asked about the <b>zebra</b> plan</p></div>"},
		body:    "hs_note_body", ownProps: []string{"hs_note_body"},
		toRecord: [4]int{202, 190, 214, 228}, fromRecord: [4]int{201, 189, 213, 227}, restorable: true},
	{plural: "calls", singular: "call", typeID: "0-48", label: "CALL", required: []string{"hs_timestamp"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_call_title": "zebra follow-up", "hs_call_body": "Asked about the plan",
			"hs_call_direction": "OUTBOUND", "hs_call_status": "COMPLETED", "hs_call_duration": 61000},
		body: "hs_call_body", enumProp: "hs_call_status", enumGood: "NO_ANSWER", enumBad: "HUNG_UP",
		ownProps: []string{"hs_call_title", "hs_call_body", "hs_call_direction", "hs_call_status", "hs_call_duration", "hs_call_disposition"},
		toRecord: [4]int{194, 182, 206, 220}, fromRecord: [4]int{193, 181, 205, 219}, restorable: true},
	{plural: "emails", singular: "email", typeID: "0-49", label: "EMAIL", required: []string{"hs_timestamp", "hs_email_direction"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_email_direction": "EMAIL", "hs_email_subject": "The zebra plan",
			"hs_email_text": "Asked about the plan"},
		body: "hs_email_text", enumProp: "hs_email_direction", enumGood: "INCOMING_EMAIL", enumBad: "OUTGOING",
		ownProps: []string{"hs_email_direction", "hs_email_status", "hs_email_subject", "hs_email_text", "hs_email_html", "hs_email_headers"},
		toRecord: [4]int{198, 186, 210, 224}, fromRecord: [4]int{197, 185, 209, 223}},
	{plural: "meetings", singular: "meeting", typeID: "0-47", label: "MEETING_EVENT", required: []string{"hs_timestamp"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_meeting_title": "zebra review", "hs_meeting_body": "<p>Asked about the plan</p>",
			"hs_meeting_start_time": "2025-01-02T03:04:05Z", "hs_meeting_end_time": "2025-01-02T04:04:05Z", "hs_meeting_outcome": "SCHEDULED"},
		body: "hs_meeting_body", enumProp: "hs_meeting_outcome", enumGood: "NO_SHOW", enumBad: "NOSHOW",
		ownProps: []string{"hs_meeting_title", "hs_meeting_body", "hs_meeting_outcome", "hs_meeting_start_time", "hs_meeting_end_time", "hs_internal_meeting_notes"},
		toRecord: [4]int{200, 188, 212, 226}, fromRecord: [4]int{199, 187, 211, 225}, restorable: true},
	{plural: "tasks", singular: "task", typeID: "0-27", label: "TASK", required: []string{"hs_timestamp"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_task_subject": "Send the zebra quote", "hs_task_body": "Asked about the plan",
			"hs_task_status": "NOT_STARTED", "hs_task_priority": "HIGH", "hs_task_type": "CALL"},
		body: "hs_task_body", enumProp: "hs_task_priority", enumGood: "LOW", enumBad: "URGENT",
		ownProps: []string{"hs_task_subject", "hs_task_body", "hs_task_status", "hs_task_priority", "hs_task_type"},
		toRecord: [4]int{204, 192, 216, 230}, fromRecord: [4]int{203, 191, 215, 229}, restorable: true},
	{plural: "postal_mail", singular: "postal_mail", typeID: "0-116", label: "POSTAL_MAIL", required: []string{"hs_timestamp"},
		minimal: map[string]any{"hs_timestamp": "2025-01-02T03:04:05Z", "hs_postal_mail_body": "Letter about the zebra plan"},
		body:    "hs_postal_mail_body", ownProps: []string{"hs_postal_mail_body"},
		toRecord: [4]int{453, 459, 457, 455}, fromRecord: [4]int{454, 460, 458, 456}, restorable: true},
}

var (
	recordTypes    = [4]string{"contacts", "companies", "deals", "tickets"}
	recordSingular = [4]string{"contact", "company", "deal", "ticket"}
)

// newRecords creates one contact, company, deal and ticket, in recordTypes' order.
func newRecords(t *testing.T, s *spoketest.Server, tag string) [4]string {
	t.Helper()
	return [4]string{
		newContact(t, s, tag+"@example.com"),
		newCompany(t, s, tag),
		create(t, s, "deals", `{"properties":{"dealname":"d","dealstage":"appointmentscheduled","pipeline":"default"}}`)["id"].(string),
		create(t, s, "tickets", `{"properties":{"subject":"t","hs_pipeline_stage":"1","hs_pipeline":"0"}}`)["id"].(string),
	}
}

// withProps returns the create body {"properties": base + extra}.
func withProps(base map[string]any, extra map[string]any) map[string]any {
	p := map[string]any{}
	for k, v := range base {
		p[k] = v
	}
	for k, v := range extra {
		p[k] = v
	}
	return map[string]any{"properties": p}
}

func resultIDs(body map[string]any) []string {
	var ids []string
	for _, r := range body["results"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	slices.Sort(ids)
	return ids
}

func spokeTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// errorCode is the code of the first item of a validation error's errors.
func errorCode(body map[string]any) string {
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	code, _ := errs[0].(map[string]any)["code"].(string)
	return code
}

// Every engagement type is served by the one object API: CRUD under its
// plural, singular and type id and the dated path, required properties,
// enumerations, batches, search, associations with the four record types
// both ways (v3 and v4, HubSpot's type ids), the recycle bin and the
// properties API.
func TestEngagementTypes(t *testing.T) {
	t.Parallel()
	for _, et := range engagementTypes {
		t.Run(et.plural, func(t *testing.T) {
			t.Parallel()
			s := spoketest.Open(t)
			recs := newRecords(t, s, et.singular)

			// Create with an inline association to the contact.
			body := withProps(et.minimal, nil)
			body["associations"] = []any{json.RawMessage(to(recs[0], "HUBSPOT_DEFINED", et.toRecord[0]))}
			created := create(t, s, et.plural, body)
			id := created["id"].(string)
			p := props(created)
			if p["hs_timestamp"] != "2025-01-02T03:04:05Z" || p["hs_object_id"] != id || p["hs_createdate"] == nil || p["hs_lastmodifieddate"] == nil {
				t.Errorf("created %v", p)
			}
			if p["hs_body_preview"] != "Asked about the plan" && p["hs_body_preview"] != "Asked about the zebra plan" && p["hs_body_preview"] != "Letter about the zebra plan" {
				t.Errorf("hs_body_preview %q from %s", p["hs_body_preview"], et.body)
			}
			if got := v3Assoc(t, s, et.plural, id, "contacts"); fmt.Sprint(got) != fmt.Sprintf("[%s:%s_to_contact]", recs[0], et.singular) {
				t.Errorf("inline association %v", got)
			}

			// Every name form and the dated path read the same record, with
			// the three default properties.
			for _, path := range []string{"/crm/v3/objects/" + et.plural, "/crm/v3/objects/" + et.singular, "/crm/v3/objects/" + et.typeID,
				"/crm/v3/objects/" + strings.ToUpper(et.plural), "/crm/objects/2026-03/" + et.plural, "/crm/objects/2025-09/" + et.typeID} {
				got := mustStatus(t, s.Do("GET", path+"/"+id, nil), 200)
				keys := slices.Sorted(func(yield func(string) bool) {
					for k := range props(got) {
						if !yield(k) {
							return
						}
					}
				})
				if got["id"] != id || fmt.Sprint(keys) != "[hs_createdate hs_lastmodifieddate hs_object_id]" {
					t.Errorf("GET %s: %v", path, got)
				}
			}
			got := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+et.singular+"/"+id+"?properties="+et.body+",nothing_here", nil), 200)
			if _, ok := props(got)[et.body]; !ok || len(props(got)) != 4 {
				t.Errorf("GET with properties: %v", props(got))
			}
			// PATCH through the type id and the dated path recomputes the preview.
			upd := mustStatus(t, s.Do("PATCH", "/crm/v3/objects/"+et.typeID+"/"+id, withProps(map[string]any{et.body: "Changed <b>text</b>"}, nil)), 200)
			if props(upd)["hs_body_preview"] != "Changed text" {
				t.Errorf("preview after PATCH %v", props(upd)["hs_body_preview"])
			}
			mustStatus(t, s.Do("PATCH", "/crm/objects/2026-03/"+et.plural+"/"+id, withProps(map[string]any{et.body: et.minimal[et.body]}, nil)), 200)

			// Required properties.
			missing := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural, `{"properties":{}}`), 400)
			ctx, _ := missing["context"].(map[string]any)
			if missing["category"] != "VALIDATION_ERROR" || missing["message"] != "Error creating "+et.label+". Some required properties were not set." ||
				fmt.Sprint(ctx["properties"]) != fmt.Sprint(et.required) {
				t.Errorf("required: %v", missing)
			}
			// Unknown and read-only properties, bad datetimes.
			for prop, code := range map[string]string{"colour": "PROPERTY_DOESNT_EXIST", "hs_body_preview": "READ_ONLY_VALUE", "hs_timestamp": "INVALID_DATETIME"} {
				v := any("x")
				if prop == "hs_timestamp" {
					v = "yesterday"
				}
				if c := errorCode(mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural, withProps(et.minimal, map[string]any{prop: v})), 400)); c != code {
					t.Errorf("%s: code %s, want %s", prop, c, code)
				}
			}
			// Enumerations.
			if et.enumProp != "" {
				bad := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural, withProps(et.minimal, map[string]any{et.enumProp: et.enumBad})), 400)
				if errorCode(bad) != "INVALID_OPTION" || !strings.Contains(bad["message"].(string), et.enumBad+" was not one of the allowed options: [") {
					t.Errorf("%s=%s: %v", et.enumProp, et.enumBad, bad)
				}
				good := create(t, s, et.plural, withProps(et.minimal, map[string]any{et.enumProp: et.enumGood}))
				if props(good)[et.enumProp] != et.enumGood {
					t.Errorf("%s=%s: %v", et.enumProp, et.enumGood, props(good))
				}
				mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+et.plural+"/"+good["id"].(string), nil), 204)
			}

			// Batches.
			item := func(extra map[string]any) string {
				b, _ := json.Marshal(withProps(et.minimal, extra))
				return string(b)
			}
			batch := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.singular+"/batch/create",
				inputs(item(map[string]any{et.body: "first"}), item(map[string]any{et.body: "second"}))), 201)
			ids := resultIDs(batch)
			if batch["status"] != "COMPLETE" || len(ids) != 2 {
				t.Fatalf("batch create %v", batch)
			}
			read := mustStatus(t, s.Do("POST", "/crm/objects/2026-03/"+et.plural+"/batch/read",
				fmt.Sprintf(`{"properties":[%q],"inputs":[{"id":%q},{"id":%q}]}`, et.body, ids[0], ids[1])), 200)
			if fmt.Sprint(resultIDs(read)) != fmt.Sprint(ids) {
				t.Errorf("batch read %v", read)
			}
			updated := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.typeID+"/batch/update",
				fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{%q:"third"}},{"id":%q,"properties":{%q:"fourth"}}]}`, ids[0], et.body, ids[1], et.body)), 200)
			for _, r := range updated["results"].([]any) {
				if v := props(r.(map[string]any))["hs_body_preview"]; v != "third" && v != "fourth" {
					t.Errorf("batch update %v", r)
				}
			}
			mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural+"/batch/archive", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, ids[0], ids[1])), 204)
			mustStatus(t, s.Do("GET", "/crm/v3/objects/"+et.plural+"/"+ids[0], nil), 404)

			// Search: the free-text query and a filter on the record's association.
			found := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural+"/search", `{"query":"zebra"}`), 200)
			if found["total"] != float64(1) || fmt.Sprint(resultIDs(found)) != "["+id+"]" {
				t.Errorf("query zebra: %v", found)
			}
			byContact := mustStatus(t, s.Do("POST", "/crm/v3/objects/"+et.plural+"/search",
				fmt.Sprintf(`{"filterGroups":[{"filters":[{"propertyName":"associations.contact","operator":"EQ","value":%q}]}]}`, recs[0])), 200)
			if fmt.Sprint(resultIDs(byContact)) != "["+id+"]" {
				t.Errorf("associated with the contact: %v", byContact)
			}

			// Associations with every record type, both ways, v3 and v4.
			for i, rt := range recordTypes {
				rid := recs[i]
				// v3 PUT from the engagement, by numeric type id.
				mustStatus(t, s.Do("PUT", fmt.Sprintf("/crm/v3/objects/%s/%s/associations/%s/%s/%d", et.plural, id, rt, rid, et.toRecord[i]), nil), 200)
				if got := v4Types(t, s, rt, rid, et.plural); fmt.Sprint(got[id]) != fmt.Sprintf("[HUBSPOT_DEFINED/%d/<nil>]", et.fromRecord[i]) {
					t.Errorf("%s → %s v4: %v", rt, et.plural, got)
				}
				if got := v4Types(t, s, et.typeID, id, rt); fmt.Sprint(got[rid]) != fmt.Sprintf("[HUBSPOT_DEFINED/%d/<nil>]", et.toRecord[i]) {
					t.Errorf("%s → %s v4: %v", et.plural, rt, got)
				}
				if got := v3Assoc(t, s, rt, rid, et.plural); fmt.Sprint(got) != fmt.Sprintf("[%s:%s_to_%s]", id, recordSingular[i], et.singular) {
					t.Errorf("%s ?associations=%s: %v", rt, et.plural, got)
				}
				// v4 DELETE from the record, then v3 PUT from the record by name.
				mustStatus(t, s.Do("DELETE", "/crm/v4/objects/"+rt+"/"+rid+"/associations/"+et.plural+"/"+id, nil), 204)
				if got := v4Types(t, s, et.plural, id, rt); len(got) != 0 {
					t.Errorf("after DELETE: %v", got)
				}
				mustStatus(t, s.Do("PUT", fmt.Sprintf("/crm/v3/objects/%s/%s/associations/%s/%s/%s_to_%s", rt, rid, et.singular, id, recordSingular[i], et.singular), nil), 200)
				if got := v4Types(t, s, et.plural, id, rt); fmt.Sprint(got[rid]) != fmt.Sprintf("[HUBSPOT_DEFINED/%d/<nil>]", et.toRecord[i]) {
					t.Errorf("v3 PUT from %s: %v", rt, got)
				}
				// A type id of another pair is refused.
				mustStatus(t, s.Do("PUT", fmt.Sprintf("/crm/v3/objects/%s/%s/associations/%s/%s/%d", et.plural, id, rt, rid, et.fromRecord[i]), nil), 400)
				// v4 default PUT and the v4 batch read from the record side.
				mustStatus(t, s.Do("PUT", "/crm/v4/objects/"+rt+"/"+rid+"/associations/default/"+et.plural+"/"+id, nil), 200)
				br := mustStatus(t, s.Do("POST", "/crm/v4/associations/"+rt+"/"+et.plural+"/batch/read", fmt.Sprintf(`{"inputs":[{"id":%q}]}`, rid)), 200)
				if !strings.Contains(fmt.Sprint(br["results"]), fmt.Sprintf("typeId:%d", et.fromRecord[i])) {
					t.Errorf("v4 batch read %s → %s: %v", rt, et.plural, br["results"])
				}
				// The labels API lists the pair's type.
				labels := mustStatus(t, s.Do("GET", "/crm/v4/associations/"+et.plural+"/"+rt+"/labels", nil), 200)
				if !strings.Contains(fmt.Sprint(labels["results"]), fmt.Sprintf("typeId:%d", et.toRecord[i])) {
					t.Errorf("labels %s → %s: %v", et.plural, rt, labels)
				}
			}

			// Recycle bin and restore.
			mustStatus(t, s.Do("DELETE", "/crm/v3/objects/"+et.singular+"/"+id, nil), 204)
			mustStatus(t, s.Do("GET", "/crm/v3/objects/"+et.plural+"/"+id, nil), 404)
			archived := mustStatus(t, s.Do("GET", "/crm/v3/objects/"+et.plural+"/"+id+"?archived=true", nil), 200)
			if archived["archived"] != true || archived["archivedAt"] == nil {
				t.Errorf("archived %v", archived)
			}
			if got := v4Types(t, s, "contacts", recs[0], et.plural); len(got) != 0 {
				t.Errorf("archived engagement still associated: %v", got)
			}
			restore := s.Do("POST", "/_spoke/objects/"+et.plural+"/"+id+"/restore", nil)
			if !et.restorable {
				if body := mustStatus(t, restore, 400); body["message"] != "Deleted "+et.plural+" cannot be restored" {
					t.Errorf("restore: %v", body)
				}
				mustStatus(t, s.Do("GET", "/crm/v3/objects/"+et.plural+"/"+id+"?archived=true", nil), 200)
			} else {
				if body := mustStatus(t, restore, 200); body["archived"] != false {
					t.Errorf("restore: %v", body)
				}
				if got := v4Types(t, s, "contacts", recs[0], et.plural); len(got[id]) != 1 {
					t.Errorf("associations after restore: %v", got)
				}
			}

			// The properties API lists the type's own definitions.
			list := mustStatus(t, s.Do("GET", "/crm/v3/properties/"+et.plural, nil), 200)
			defs := map[string]map[string]any{}
			for _, r := range list["results"].([]any) {
				d := r.(map[string]any)
				defs[d["name"].(string)] = d
			}
			for _, name := range append([]string{"hs_timestamp", "hubspot_owner_id", "hs_body_preview", "hs_attachment_ids", "hs_object_id"}, et.ownProps...) {
				if defs[name] == nil || defs[name]["groupName"] != et.singular+"information" || defs[name]["hubspotDefined"] != true {
					t.Errorf("property %s: %v", name, defs[name])
				}
			}
			if defs["hs_pinned_engagement_id"] != nil {
				t.Error("engagements carry hs_pinned_engagement_id")
			}
			if defs["hs_timestamp"]["type"] != "datetime" || defs[et.body]["type"] != "string" {
				t.Errorf("types: %v %v", defs["hs_timestamp"], defs[et.body])
			}
			if et.enumProp != "" {
				one := mustStatus(t, s.Do("GET", "/crm/properties/2026-03/"+et.singular+"/"+et.enumProp, nil), 200)
				if one["type"] != "enumeration" || !strings.Contains(fmt.Sprint(one["options"]), "value:"+et.enumGood) {
					t.Errorf("%s: %v", et.enumProp, one)
				}
			}
		})
	}
}

// What HubSpot computes or defaults for each type: email addresses from the
// headers, a task's completion date, a meeting's time from its start, a
// postal mail's date-only timestamp, call outcomes as GUIDs, and words (not
// tags) of an HTML note for the query.
func TestEngagementRules(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)

	headers := `{"from":{"email":"ana@example.com","firstName":"Ana","lastName":"Lima"},` +
		`"to":[{"email":"ToFirst ToLast<to@test.com>","firstName":"ToFirst","lastName":"ToLast"},{"email":"bo@example.com","firstName":"Bo","lastName":""}],"cc":[],"bcc":[]}`
	email := props(create(t, s, "emails", withProps(map[string]any{"hs_timestamp": 1, "hs_email_direction": "EMAIL", "hs_email_headers": headers}, nil)))
	for k, want := range map[string]any{"hs_email_from_email": "ana@example.com", "hs_email_from_firstname": "Ana", "hs_email_from_lastname": "Lima",
		"hs_email_to_email": "to@test.com;bo@example.com", "hs_email_to_firstname": "ToFirst;Bo", "hs_email_to_lastname": "ToLast"} {
		if email[k] != want {
			t.Errorf("%s = %v, want %v", k, email[k], want)
		}
	}
	emailID := email["hs_object_id"].(string)
	cleared := props(mustStatus(t, s.Do("PATCH", "/crm/v3/objects/emails/"+emailID, `{"properties":{"hs_email_headers":"not json"}}`), 200))
	if _, ok := cleared["hs_email_from_email"]; ok {
		t.Errorf("derived addresses kept for headers that are not JSON: %v", cleared)
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/emails/"+emailID, `{"properties":{"hs_email_from_email":"x@example.com"}}`), 400)
	// The preview of an email comes from its text, else from its HTML.
	html := props(create(t, s, "emails", `{"properties":{"hs_timestamp":1,"hs_email_direction":"INCOMING_EMAIL","hs_email_html":"<p>Hello <i>there</i></p>"}}`))
	if html["hs_body_preview"] != "Hello there" {
		t.Errorf("email preview from HTML: %v", html["hs_body_preview"])
	}

	s.Clock.Set(spokeTime("2026-02-03T04:05:06Z"))
	task := create(t, s, "tasks", `{"properties":{"hs_timestamp":"2026-02-10","hs_task_subject":"Call back","hs_task_status":"NOT_STARTED"}}`)
	taskPath := "/crm/v3/objects/tasks/" + task["id"].(string)
	if _, ok := props(task)["hs_task_completion_date"]; ok {
		t.Errorf("open task has a completion date: %v", props(task))
	}
	s.Clock.Set(spokeTime("2026-02-04T00:00:00Z"))
	done := props(mustStatus(t, s.Do("PATCH", taskPath, `{"properties":{"hs_task_status":"COMPLETED"}}`), 200))
	if done["hs_task_completion_date"] != "2026-02-04T00:00:00Z" {
		t.Errorf("completion date %v", done["hs_task_completion_date"])
	}
	s.Clock.Set(spokeTime("2026-02-05T00:00:00Z"))
	mustStatus(t, s.Do("PATCH", taskPath, `{"properties":{"hs_task_priority":"LOW"}}`), 200)
	if got := props(mustStatus(t, s.Do("GET", taskPath+"?properties=hs_task_completion_date", nil), 200)); got["hs_task_completion_date"] != "2026-02-04T00:00:00Z" {
		t.Errorf("completion date moved: %v", got)
	}
	reopened := props(mustStatus(t, s.Do("PATCH", taskPath, `{"properties":{"hs_task_status":"IN_PROGRESS"}}`), 200))
	if _, ok := reopened["hs_task_completion_date"]; ok {
		t.Errorf("reopened task keeps its completion date: %v", reopened)
	}
	mustStatus(t, s.Do("PATCH", taskPath, `{"properties":{"hs_task_completion_date":"2026-01-01"}}`), 400)

	meeting := props(create(t, s, "meetings", `{"properties":{"hs_meeting_title":"Kick-off","hs_meeting_start_time":"2026-03-01T09:00:00Z","hs_meeting_end_time":"2026-03-01T10:00:00Z"}}`))
	if meeting["hs_timestamp"] != "2026-03-01T09:00:00Z" {
		t.Errorf("meeting hs_timestamp %v, want its start time", meeting["hs_timestamp"])
	}
	explicit := props(create(t, s, "meetings", `{"properties":{"hs_timestamp":"2026-03-02T09:00:00Z","hs_meeting_start_time":"2026-03-01T09:00:00Z"}}`))
	if explicit["hs_timestamp"] != "2026-03-02T09:00:00Z" {
		t.Errorf("meeting hs_timestamp given %v", explicit["hs_timestamp"])
	}
	noTime := mustStatus(t, s.Do("POST", "/crm/v3/objects/meetings", `{"properties":{"hs_meeting_title":"When?"}}`), 400)
	if noTime["message"] != "Error creating MEETING_EVENT. Some required properties were not set." {
		t.Errorf("meeting without a time: %v", noTime)
	}

	mail := props(create(t, s, "postal_mail", `{"properties":{"hs_timestamp":"2021-11-12","hs_postal_mail_body":"Letter"}}`))
	if mail["hs_timestamp"] != "2021-11-12T00:00:00Z" {
		t.Errorf("postal mail date %v", mail["hs_timestamp"])
	}

	call := props(create(t, s, "calls", `{"properties":{"hs_timestamp":1,"hs_call_disposition":"f240bbac-87c9-4f6e-bf70-924b57d47db7","hs_call_duration":"3800","hs_call_has_voicemail":"false","hs_call_from_number":"(857) 829 5489"}}`))
	if call["hs_call_disposition"] != "f240bbac-87c9-4f6e-bf70-924b57d47db7" || call["hs_call_duration"] != "3800" || call["hs_call_has_voicemail"] != "false" {
		t.Errorf("call %v", call)
	}
	for prop, v := range map[string]string{"hs_call_disposition": "Connected", "hs_call_direction": "inbound", "hs_call_source": "PHONE"} {
		if c := errorCode(mustStatus(t, s.Do("POST", "/crm/v3/objects/calls", withProps(map[string]any{"hs_timestamp": 1, prop: v}, nil)), 400)); c != "INVALID_OPTION" {
			t.Errorf("%s=%s: %s", prop, v, c)
		}
	}
	for prop, code := range map[string]string{"hs_call_duration": "INVALID_INTEGER", "hs_call_has_voicemail": "INVALID_BOOLEAN"} {
		if c := errorCode(mustStatus(t, s.Do("POST", "/crm/v3/objects/calls", withProps(map[string]any{"hs_timestamp": 1, prop: "long"}, nil)), 400)); c != code {
			t.Errorf("%s=long: %s, want %s", prop, c, code)
		}
	}

	note := create(t, s, "notes", `{"properties":{"hs_timestamp":1,"hs_note_body":"<div class=\"giraffe\"><p>Met <strong>Ana</strong> at the fair</p></div>"}}`)["id"].(string)
	for q, want := range map[string]string{"ana": "[" + note + "]", "fair": "[" + note + "]", "giraffe": "[]", "strong": "[]"} {
		got := mustStatus(t, s.Do("POST", "/crm/v3/objects/notes/search", fmt.Sprintf(`{"query":%q}`, q)), 200)
		if fmt.Sprint(resultIDs(got)) != want {
			t.Errorf("query %q: %v, want %s", q, resultIDs(got), want)
		}
	}
}

// Tasks by status and due date read the scoped index; the result is the
// same as filtering every task.
func TestTaskSearchByStatusAndDueDate(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var open []string
	for i, status := range []string{"NOT_STARTED", "COMPLETED", "NOT_STARTED", "WAITING", "NOT_STARTED"} {
		id := create(t, s, "tasks", fmt.Sprintf(`{"properties":{"hs_timestamp":"2026-01-%02dT10:00:00Z","hs_task_status":%q}}`, 10-i, status))["id"].(string)
		if status == "NOT_STARTED" && i > 0 {
			open = append(open, id)
		}
	}
	got := mustStatus(t, s.Do("POST", "/crm/v3/objects/tasks/search", `{"filterGroups":[{"filters":[
		{"propertyName":"hs_task_status","operator":"EQ","value":"NOT_STARTED"},
		{"propertyName":"hs_timestamp","operator":"LT","value":"2026-01-10T00:00:00Z"}]}],
		"sorts":[{"propertyName":"hs_timestamp","direction":"DESCENDING"}]}`), 200)
	var ids []string
	for _, r := range got["results"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	if !reflect.DeepEqual(ids, open) || got["total"] != float64(2) {
		t.Errorf("open tasks due before the 10th: %v (total %v), want %v", ids, got["total"], open)
	}
}

// hs_pinned_engagement_id takes any engagement type, on every record type,
// with the rules of messages: associated, live, one per record.
func TestPinAnyEngagement(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	recs := newRecords(t, s, "pin")
	user := create(t, s, "users", `{"properties":{"hs_internal_user_id":"7001","hs_email":"user@example.com"}}`)["id"].(string)
	for _, et := range engagementTypes {
		for i, rt := range recordTypes {
			path := "/crm/v3/objects/" + rt + "/" + recs[i]
			pin := func(v string) *spoketest.Response {
				return s.Do("PATCH", path, fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, v))
			}
			linked := withProps(et.minimal, nil)
			linked["associations"] = []any{json.RawMessage(to(recs[i], "HUBSPOT_DEFINED", et.toRecord[i]))}
			id := create(t, s, et.plural, linked)["id"].(string)
			loose := create(t, s, et.plural, withProps(et.minimal, nil))["id"].(string)

			if got := props(mustStatus(t, pin(id), 200)); got["hs_pinned_engagement_id"] != id {
				t.Errorf("pin %s on %s: %v", et.singular, rt, got)
			}
			if code := errorCode(mustStatus(t, pin(loose), 400)); code != "INVALID_PINNED_ENGAGEMENT" {
				t.Errorf("pin of an unassociated %s on %s: %s", et.singular, rt, code)
			}
			// Pinned on create, with the association from the record's side.
			var body string
			switch rt {
			case "contacts":
				body = fmt.Sprintf(`"email":"pin-%s-%s@example.com"`, et.singular, loose)
			case "companies":
				body = `"name":"Pinned"`
			case "deals":
				body = `"dealname":"Pinned","dealstage":"closedwon","pipeline":"default"`
			case "tickets":
				body = `"subject":"Pinned","hs_pipeline_stage":"1","hs_pipeline":"0"`
			}
			withPin := create(t, s, rt, fmt.Sprintf(`{"properties":{%s,"hs_pinned_engagement_id":%q},"associations":[%s]}`,
				body, loose, to(loose, "HUBSPOT_DEFINED", et.fromRecord[i])))
			if props(withPin)["hs_pinned_engagement_id"] != loose {
				t.Errorf("create %s pinning a %s: %v", rt, et.singular, props(withPin))
			}
		}
	}
	// Records and users are no engagements.
	for i, rt := range recordTypes {
		for _, bad := range []string{user, recs[(i+1)%4]} {
			body := s.Do("PATCH", "/crm/v3/objects/"+rt+"/"+recs[i], fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, bad))
			if code := errorCode(mustStatus(t, body, 400)); code != "INVALID_PINNED_ENGAGEMENT" {
				t.Errorf("pin %s on %s: %s", bad, rt, code)
			}
		}
	}
	// Archiving a pinned note lifts the pin.
	contactPath := "/crm/v3/objects/contacts/" + recs[0]
	note := create(t, s, "notes", fmt.Sprintf(`{"properties":{"hs_timestamp":1},"associations":[%s]}`, to(recs[0], "HUBSPOT_DEFINED", 202)))["id"].(string)
	mustStatus(t, s.Do("PATCH", contactPath, fmt.Sprintf(`{"properties":{"hs_pinned_engagement_id":%q}}`, note)), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/notes/"+note, nil), 204)
	if got := props(mustStatus(t, s.Do("GET", contactPath+"?properties=hs_pinned_engagement_id", nil), 200)); got["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin kept after the note was archived: %v", got)
	}
}

// Scopes: engagements take the contacts scopes (emails also sales-email-read,
// for writes too, as HubSpot's spec says); users their own.
func TestEngagementAndUserScopes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	ids := map[string]string{}
	for _, et := range engagementTypes {
		ids[et.plural] = create(t, s, et.plural, withProps(et.minimal, nil))["id"].(string)
	}
	ids["users"] = create(t, s, "users", `{"properties":{"hs_internal_user_id":"7001","hs_email":"user@example.com"}}`)["id"].(string)
	scopes := map[string][2][]string{ // read, write
		"users":  {{"crm.objects.users.read"}, {"crm.objects.users.write"}},
		"emails": {{"crm.objects.contacts.read", "sales-email-read"}, {"crm.objects.contacts.write", "sales-email-read"}},
	}
	for _, et := range engagementTypes {
		if _, ok := scopes[et.plural]; !ok {
			scopes[et.plural] = [2][]string{{"crm.objects.contacts.read"}, {"crm.objects.contacts.write"}}
		}
	}
	for typ, sc := range scopes {
		for i, rq := range []struct{ method, path, body string }{
			{"GET", "/crm/v3/objects/" + typ + "/" + ids[typ], ""},
			{"PATCH", "/crm/v3/objects/" + typ + "/" + ids[typ], `{"properties":{}}`},
		} {
			want := sc[i]
			for _, scope := range want {
				if r := s.DoToken(s.NewToken(scope), rq.method, rq.path, bodyOrNil(rq.body)); r.Status != 200 {
					t.Errorf("%s %s with %s: %d %s", rq.method, rq.path, scope, r.Status, r.Body)
				}
			}
			var others []string
			for _, other := range []string{"crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
				"crm.objects.users.read", "crm.objects.users.write", "sales-email-read", "crm.schemas.contacts.read"} {
				if !contains(want, other) {
					others = append(others, other)
				}
			}
			body := mustStatus(t, s.DoToken(s.NewToken(others...), rq.method, rq.path, bodyOrNil(rq.body)), 403)
			required := body["errors"].([]any)[0].(map[string]any)["context"].(map[string]any)["requiredGranularScopes"]
			if body["category"] != "MISSING_SCOPES" || fmt.Sprint(required) != fmt.Sprint(want) {
				t.Errorf("%s %s without its scope: %v", rq.method, rq.path, body)
			}
		}
	}
	// The properties API of users takes the users scope, of engagements the contacts scopes.
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.users.read"), "GET", "/crm/v3/properties/users", nil), 200)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "GET", "/crm/v3/properties/users", nil), 403)
	mustStatus(t, s.DoToken(s.NewToken("crm.schemas.contacts.read"), "GET", "/crm/v3/properties/tasks", nil), 200)
	mustStatus(t, s.DoToken(s.NewToken("crm.objects.users.read"), "GET", "/crm/v3/properties/tasks", nil), 403)
}

// Users (0-115) under the object API.
func TestUsersObject(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	missing := mustStatus(t, s.Do("POST", "/crm/v3/objects/users", `{"properties":{"hs_job_title":"CEO"}}`), 400)
	if missing["message"] != "Error creating USER. Some required properties were not set." ||
		fmt.Sprint(missing["context"].(map[string]any)["properties"]) != "[hs_internal_user_id hs_email]" {
		t.Errorf("required: %v", missing)
	}
	u := create(t, s, "users", `{"properties":{"hs_internal_user_id":"7001","hs_email":"ana@example.com","hs_given_name":"Ana","hs_family_name":"Lima"}}`)
	id := u["id"].(string)
	if props(u)["hs_object_id"] != id || props(u)["hs_internal_user_id"] != "7001" {
		t.Errorf("created %v", u)
	}
	other := create(t, s, "users", `{"properties":{"hs_internal_user_id":"7002","hs_email":"bo@example.com"}}`)["id"].(string)
	if conflict := mustStatus(t, s.Do("POST", "/crm/v3/objects/users", `{"properties":{"hs_internal_user_id":"7001","hs_email":"x@example.com"}}`), 409); conflict["message"] != "User already exists. Existing ID: "+id {
		t.Errorf("duplicate user id: %v", conflict)
	}

	// Reads: the list (with and without the trailing slash HubSpot's guide
	// writes), by id under every name form, with the default properties.
	for _, path := range []string{"/crm/v3/objects/users", "/crm/v3/objects/users/", "/crm/objects/2026-03/users/", "/crm/objects/2026-03/0-115"} {
		list := mustStatus(t, s.Do("GET", path, nil), 200)
		if fmt.Sprint(resultIDs(list)) != fmt.Sprint([]string{id, other}) {
			t.Errorf("GET %s: %v", path, list)
		}
	}
	for _, path := range []string{"/crm/v3/objects/users/" + id, "/crm/v3/objects/user/" + id, "/crm/v3/objects/0-115/" + id} {
		if got := props(mustStatus(t, s.Do("GET", path, nil), 200)); len(got) != 3 || got["hs_object_id"] != id {
			t.Errorf("GET %s: %v", path, got)
		}
	}
	byInternal := mustStatus(t, s.Do("GET", "/crm/v3/objects/users/7001?idProperty=hs_internal_user_id&properties=hs_email", nil), 200)
	if byInternal["id"] != id || props(byInternal)["hs_email"] != "ana@example.com" {
		t.Errorf("by hs_internal_user_id: %v", byInternal)
	}

	// Updates of the settable properties, with their rules.
	hours := `[{\"days\":\"MONDAY_TO_FRIDAY\",\"startMinute\":540,\"endMinute\":1020}]`
	upd := props(mustStatus(t, s.Do("PATCH", "/crm/v3/objects/users/"+id, `{"properties":{"hs_job_title":"CEO","hs_availability_status":"away",
		"hs_standard_time_zone":"America/Detroit","hs_working_hours":"`+hours+`","hs_main_user_language_skill":"ptbr","hs_additional_phone":"+1123456780"}}`), 200))
	if upd["hs_availability_status"] != "away" || upd["hs_working_hours"] != strings.ReplaceAll(hours, `\"`, `"`) || upd["hs_main_user_language_skill"] != "ptbr" {
		t.Errorf("update %v", upd)
	}
	for prop, v := range map[string]string{"hs_availability_status": "busy", "hs_main_user_language_skill": "pt", "hs_secondary_user_language_skill": "English"} {
		if c := errorCode(mustStatus(t, s.Do("PATCH", "/crm/v3/objects/users/"+id, fmt.Sprintf(`{"properties":{%q:%q}}`, prop, v)), 400)); c != "INVALID_OPTION" {
			t.Errorf("%s=%s: %s", prop, v, c)
		}
	}
	batch := mustStatus(t, s.Do("POST", "/crm/v3/objects/users/batch/update", fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"hs_job_title":"CTO"}}]}`, other)), 200)
	if props(batch["results"].([]any)[0].(map[string]any))["hs_job_title"] != "CTO" {
		t.Errorf("batch update %v", batch)
	}
	read := mustStatus(t, s.Do("POST", "/crm/v3/objects/users/batch/read", `{"idProperty":"hs_internal_user_id","properties":["hs_job_title"],"inputs":[{"id":"7001"},{"id":"7002"}]}`), 200)
	if fmt.Sprint(resultIDs(read)) != fmt.Sprint([]string{id, other}) {
		t.Errorf("batch read by hs_internal_user_id %v", read)
	}

	// Search by email words and by a filter.
	found := mustStatus(t, s.Do("POST", "/crm/v3/objects/users/search", `{"query":"ana"}`), 200)
	if fmt.Sprint(resultIDs(found)) != "["+id+"]" {
		t.Errorf("query ana: %v", found)
	}
	away := mustStatus(t, s.Do("POST", "/crm/v3/objects/users/search", `{"filterGroups":[{"filters":[{"propertyName":"hs_availability_status","operator":"EQ","value":"away"}]}]}`), 200)
	if fmt.Sprint(resultIDs(away)) != "["+id+"]" {
		t.Errorf("away users: %v", away)
	}

	// The properties API.
	list := mustStatus(t, s.Do("GET", "/crm/v3/properties/users", nil), 200)
	var names []string
	for _, r := range list["results"].([]any) {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	for _, want := range []string{"hs_internal_user_id", "hs_email", "hs_job_title", "hs_additional_phone", "hs_availability_status", "hs_working_hours",
		"hs_out_of_office_hours", "hs_standard_time_zone", "hs_main_user_language_skill", "hs_secondary_user_language_skill", "hs_uncategorized_skills"} {
		if !slices.Contains(names, want) {
			t.Errorf("properties of users lack %s", want)
		}
	}
	if slices.Contains(names, "hs_pinned_engagement_id") || slices.Contains(names, "hubspot_owner_id") {
		t.Errorf("users properties %v", names)
	}

	// Users are associated with nothing.
	contact := newContact(t, s, "c@example.com")
	mustStatus(t, s.Do("PUT", "/crm/v4/objects/users/"+id+"/associations/default/contacts/"+contact, nil), 400)

	// Archive, and restore.
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/users/"+other, nil), 204)
	mustStatus(t, s.Do("GET", "/crm/v3/objects/users/"+other, nil), 404)
	mustStatus(t, s.Do("POST", "/_spoke/objects/users/"+other+"/restore", nil), 200)
}

// USER_DEFINED labels between an engagement type and a record type work as
// between records: the labelled association also carries HubSpot's
// unlabelled type of the pair.
func TestEngagementAssociationLabels(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := newContact(t, s, "labels@example.com")
	for _, et := range []engagementType{engagementTypes[0], engagementTypes[4]} { // notes, tasks
		labels := mustStatus(t, s.Do("POST", "/crm/v4/associations/"+et.plural+"/contacts/labels", `{"label":"Follow-up for","name":"follow_up_for","inverseLabel":"Followed up by"}`), 200)
		var labelID float64
		for _, l := range labels["results"].([]any) {
			if m := l.(map[string]any); m["label"] == "Follow-up for" && m["category"] == "USER_DEFINED" {
				labelID = m["typeId"].(float64)
			}
		}
		if labelID == 0 {
			t.Fatalf("%s label not listed: %v", et.plural, labels)
		}
		id := create(t, s, et.plural, withProps(et.minimal, nil))["id"].(string)
		spec := fmt.Sprintf(`[{"associationCategory":"USER_DEFINED","associationTypeId":%.0f}]`, labelID)
		got := mustStatus(t, s.Do("PUT", "/crm/v4/objects/"+et.plural+"/"+id+"/associations/contacts/"+contact, spec), 201)
		if fmt.Sprint(got["labels"]) != "[Follow-up for]" {
			t.Errorf("%s labels %v", et.plural, got)
		}
		if types := v4Types(t, s, "contacts", contact, et.plural)[id]; len(types) != 2 ||
			types[0] != fmt.Sprintf("HUBSPOT_DEFINED/%d/<nil>", et.fromRecord[0]) || !strings.HasSuffix(types[1], "/Followed up by") {
			t.Errorf("%s types from the contact: %v", et.plural, types)
		}
	}
}
