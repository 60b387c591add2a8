package api_test

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Required fields of HubSpot's Pipeline and PipelineStage schemas (the v3
// and dated OpenAPI files; the dated ones also require writePermissions).
var (
	pipelineRequired = []string{"archived", "createdAt", "displayOrder", "id", "label", "stages", "updatedAt"}
	stageRequired    = []string{"archived", "createdAt", "displayOrder", "id", "label", "metadata", "updatedAt", "writePermissions"}
)

// checkShape fails unless v has every required field, archivedAt exactly
// when archived, ISO times, and metadata of strings.
func checkStageShape(t *testing.T, v map[string]any) {
	t.Helper()
	for _, f := range stageRequired {
		if _, ok := v[f]; !ok {
			t.Errorf("stage lacks %s: %v", f, v)
		}
	}
	for k, x := range v["metadata"].(map[string]any) {
		if _, ok := x.(string); !ok {
			t.Errorf("metadata %s is %T, not a string", k, x)
		}
	}
	if v["writePermissions"] != "CRM_PERMISSIONS_ENFORCEMENT" {
		t.Errorf("writePermissions %v", v["writePermissions"])
	}
	checkTimes(t, v)
}

func checkTimes(t *testing.T, v map[string]any) {
	t.Helper()
	for _, f := range []string{"createdAt", "updatedAt"} {
		if s, _ := v[f].(string); !strings.HasSuffix(s, "Z") || len(s) < 20 {
			t.Errorf("%s %v is not an ISO instant", f, v[f])
		}
	}
	if _, ok := v["archivedAt"]; ok != (v["archived"] == true) {
		t.Errorf("archivedAt present %t while archived %v", ok, v["archived"])
	}
}

func checkPipelineShape(t *testing.T, v map[string]any) {
	t.Helper()
	for _, f := range pipelineRequired {
		if _, ok := v[f]; !ok {
			t.Errorf("pipeline lacks %s: %v", f, v)
		}
	}
	checkTimes(t, v)
	for _, st := range v["stages"].([]any) {
		checkStageShape(t, st.(map[string]any))
	}
}

// stagesOf are a pipeline's stages: "id label displayOrder metadata" each.
func stagesOf(p map[string]any) []string {
	var out []string
	for _, x := range p["stages"].([]any) {
		st := x.(map[string]any)
		m := st["metadata"].(map[string]any)
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var meta []string
		for _, k := range keys {
			meta = append(meta, k+"="+m[k].(string))
		}
		out = append(out, fmt.Sprintf("%s %s %v %s", st["id"], st["label"], st["displayOrder"], strings.Join(meta, ",")))
	}
	return out
}

func results(t *testing.T, body map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, x := range body["results"].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

// errorBody checks an error answer's status and category (none when
// category is "") and returns it.
func errorBody(t *testing.T, r *spoketest.Response, status int, category string) map[string]any {
	t.Helper()
	body := mustStatus(t, r, status)
	if body["status"] != "error" || body["correlationId"] == nil {
		t.Errorf("not HubSpot's error body: %s", r.Body)
	}
	if c, _ := body["category"].(string); c != category {
		t.Errorf("category %q, want %q: %s", c, category, r.Body)
	}
	return body
}

const dealStages = `[{"label":"Lead","displayOrder":0,"metadata":{"probability":"0.1"}},
	{"label":"Won","displayOrder":1,"metadata":{"probability":1}},
	{"label":"Lost","displayOrder":2,"metadata":{"probability":"0.0"}}]`

// newDealPipeline creates a deal pipeline with stages Lead, Won, Lost and
// returns it.
func newDealPipeline(t *testing.T, s *spoketest.Server, label string, order int) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("POST", "/crm/v3/pipelines/deals", fmt.Sprintf(`{"label":%q,"displayOrder":%d,"stages":%s}`, label, order, dealStages)), 201)
}

func stageID(t *testing.T, p map[string]any, label string) string {
	t.Helper()
	for _, x := range p["stages"].([]any) {
		if st := x.(map[string]any); st["label"] == label {
			return st["id"].(string)
		}
	}
	t.Fatalf("no stage %s in %v", label, p)
	return ""
}

// A new database has HubSpot's default pipelines, under every name of
// the types and on the dated paths.
func TestDefaultPipelines(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	wantDeals := []string{
		"appointmentscheduled Appointment scheduled 0 isClosed=false,probability=0.2",
		"qualifiedtobuy Qualified to buy 1 isClosed=false,probability=0.4",
		"presentationscheduled Presentation scheduled 2 isClosed=false,probability=0.6",
		"decisionmakerboughtin Decision maker bought-in 3 isClosed=false,probability=0.8",
		"contractsent Contract sent 4 isClosed=false,probability=0.9",
		"closedwon Closed won 5 isClosed=true,probability=1.0",
		"closedlost Closed lost 6 isClosed=true,probability=0.0",
	}
	wantTickets := []string{"1 New 0 ticketState=OPEN", "2 Waiting on contact 1 ticketState=OPEN",
		"3 Waiting on us 2 ticketState=OPEN", "4 Closed 3 ticketState=CLOSED"}
	for _, tc := range []struct {
		path, id, label string
		stages          []string
	}{
		{"/crm/v3/pipelines/deals", "default", "Sales Pipeline", wantDeals},
		{"/crm/v3/pipelines/0-3", "default", "Sales Pipeline", wantDeals},
		{"/crm/v3/pipelines/DEAL", "default", "Sales Pipeline", wantDeals},
		{"/crm/pipelines/2026-03/deals", "default", "Sales Pipeline", wantDeals},
		{"/crm/v3/pipelines/tickets", "0", "Support Pipeline", wantTickets},
		{"/crm/pipelines/2025-09/0-5", "0", "Support Pipeline", wantTickets},
		{"/crm/pipelines/2026-09/ticket", "0", "Support Pipeline", wantTickets},
	} {
		list := results(t, mustStatus(t, s.Do("GET", tc.path, nil), 200))
		if len(list) != 1 {
			t.Fatalf("%s: %d pipelines", tc.path, len(list))
		}
		p := list[0]
		checkPipelineShape(t, p)
		if p["id"] != tc.id || p["label"] != tc.label || p["displayOrder"] != 0.0 || p["archived"] != false ||
			p["createdAt"] != "1970-01-01T00:00:00Z" || p["updatedAt"] != "1970-01-01T00:00:00Z" {
			t.Errorf("%s: %v", tc.path, p)
		}
		if got := stagesOf(p); !reflect.DeepEqual(got, tc.stages) {
			t.Errorf("%s stages:\n%s\nwant\n%s", tc.path, strings.Join(got, "\n"), strings.Join(tc.stages, "\n"))
		}
		one := mustStatus(t, s.Do("GET", tc.path+"/"+tc.id, nil), 200)
		if !reflect.DeepEqual(one, p) {
			t.Errorf("%s/%s: %v, listed %v", tc.path, tc.id, one, p)
		}
		stages := results(t, mustStatus(t, s.Do("GET", tc.path+"/"+tc.id+"/stages", nil), 200))
		if len(stages) != len(tc.stages) || !reflect.DeepEqual(stages[0], p["stages"].([]any)[0]) {
			t.Errorf("%s stages list: %v", tc.path, stages)
		}
		first := stages[0]["id"].(string)
		checkStageShape(t, mustStatus(t, s.Do("GET", tc.path+"/"+tc.id+"/stages/"+first, nil), 200))
	}
	errorBody(t, s.Do("GET", "/crm/pipelines/2024-01/deals", nil), 404, "")
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/widgets", nil), 400, "")
	body := errorBody(t, s.Do("GET", "/crm/v3/pipelines/contacts", nil), 400, "VALIDATION_ERROR")
	if !strings.Contains(body["message"].(string), "has no pipelines") {
		t.Errorf("contacts: %v", body["message"])
	}
	errorBody(t, s.Do("POST", "/crm/v3/pipelines/communications", `{"label":"x","displayOrder":0,"stages":[]}`), 400, "VALIDATION_ERROR")
	body = errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/nope", nil), 404, "OBJECT_NOT_FOUND")
	if body["message"] != "Pipeline nope does not exist for object type 0-3" {
		t.Errorf("404 message %v", body["message"])
	}
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/default/stages/nope", nil), 404, "OBJECT_NOT_FOUND")
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/nope/stages", nil), 404, "OBJECT_NOT_FOUND")
	// The stage of another pipeline is not found in this one.
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/tickets/0/stages/closedwon", nil), 404, "OBJECT_NOT_FOUND")
}

// Pipelines: create, read, list, replace, update, archive and restore.
func TestPipelineLifecycle(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	r := s.Do("POST", "/crm/v3/pipelines/deals", `{"label":"Partners","displayOrder":3,"stages":`+dealStages+`}`)
	p := mustStatus(t, r, 201)
	checkPipelineShape(t, p)
	id := p["id"].(string)
	if r.Header.Get("Location") != "/crm/v3/pipelines/deals/"+id {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	if id != "100000001" || p["label"] != "Partners" || p["displayOrder"] != 3.0 || p["archived"] != false || p["createdAt"] == "1970-01-01T00:00:00Z" {
		t.Errorf("created %v", p)
	}
	want := []string{"100000002 Lead 0 isClosed=false,probability=0.1", "100000003 Won 1 isClosed=true,probability=1", "100000004 Lost 2 isClosed=true,probability=0.0"}
	if got := stagesOf(p); !reflect.DeepEqual(got, want) {
		t.Errorf("stages %v", got)
	}
	// Listed in display order, then by label.
	mustStatus(t, s.Do("POST", "/crm/pipelines/2026-03/deals", `{"label":"Alpha","displayOrder":3,"stages":`+dealStages+`}`), 201)
	var labels []string
	for _, x := range results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals", nil), 200)) {
		checkPipelineShape(t, x)
		labels = append(labels, x["label"].(string))
	}
	if !reflect.DeepEqual(labels, []string{"Sales Pipeline", "Alpha", "Partners"}) {
		t.Errorf("order %v", labels)
	}

	// PUT replaces label, order and stages: a stage named by stageId or by
	// label keeps its id, a new one gets one, one left out is archived.
	put := mustStatus(t, s.Do("PUT", "/crm/v3/pipelines/deals/"+id+"?validateReferencesBeforeDelete=true", `{"label":"Resellers","displayOrder":1,"stages":[
		{"stageId":"100000003","label":"Signed","displayOrder":2,"metadata":{"probability":"1.0"}},
		{"label":"lead","displayOrder":0,"metadata":{"probability":"0.3"}},
		{"label":"Demo","displayOrder":1,"metadata":{"probability":"0.5","custom":"x"}}]}`), 200)
	checkPipelineShape(t, put)
	want = []string{"100000002 lead 0 isClosed=false,probability=0.3", "100000009 Demo 1 custom=x,isClosed=false,probability=0.5", "100000003 Signed 2 isClosed=true,probability=1.0"}
	if got := stagesOf(put); !reflect.DeepEqual(got, want) || put["label"] != "Resellers" || put["displayOrder"] != 1.0 || put["createdAt"] != p["createdAt"] {
		t.Errorf("replaced %v %v", put, got)
	}
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/"+id+"/stages/100000004", nil), 404, "OBJECT_NOT_FOUND")

	// PATCH changes what it names.
	patched := mustStatus(t, s.Do("PATCH", "/crm/v3/pipelines/deals/"+id, `{"label":"Channel"}`), 200)
	if patched["label"] != "Channel" || patched["displayOrder"] != 1.0 || len(patched["stages"].([]any)) != 3 {
		t.Errorf("patched %v", patched)
	}
	body := errorBody(t, s.Do("PATCH", "/crm/v3/pipelines/deals/"+id, `{"archived":true}`), 400, "VALIDATION_ERROR")
	if !strings.Contains(body["message"].(string), "restore") {
		t.Errorf("archived true: %v", body["message"])
	}

	// DELETE archives: gone from reads and the list; PATCH archived:false
	// restores it with its stages.
	if r := s.Do("DELETE", "/crm/v3/pipelines/deals/"+id, nil); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/"+id, nil), 404, "OBJECT_NOT_FOUND")
	errorBody(t, s.Do("DELETE", "/crm/v3/pipelines/deals/"+id, nil), 404, "OBJECT_NOT_FOUND")
	errorBody(t, s.Do("PATCH", "/crm/v3/pipelines/deals/"+id, `{"label":"x"}`), 404, "OBJECT_NOT_FOUND")
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/"+id+"/stages", nil), 404, "OBJECT_NOT_FOUND")
	for _, x := range results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals", nil), 200)) {
		if x["id"] == id {
			t.Errorf("archived pipeline listed")
		}
	}
	restored := mustStatus(t, s.Do("PATCH", "/crm/v3/pipelines/deals/"+id, `{"archived":false}`), 200)
	if restored["archived"] != false || restored["label"] != "Channel" || len(restored["stages"].([]any)) != 3 {
		t.Errorf("restored %v", restored)
	}
	checkPipelineShape(t, restored)
	mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals/"+id, nil), 200)
}

// Stages: list, create, read, replace, update, archive and restore.
func TestStageLifecycle(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	base := "/crm/v3/pipelines/tickets/0/stages"
	r := s.Do("POST", base, `{"label":"Escalated","displayOrder":2,"metadata":{"ticketState":"OPEN"}}`)
	st := mustStatus(t, r, 201)
	checkStageShape(t, st)
	id := st["id"].(string)
	if r.Header.Get("Location") != base+"/"+id || id != "100000001" || st["label"] != "Escalated" {
		t.Errorf("created %v at %q", st, r.Header.Get("Location"))
	}
	// A stage given no ticketState is OPEN; a given stageId is kept.
	st = mustStatus(t, s.Do("POST", "/crm/pipelines/2026-09/tickets/0/stages", `{"stageId":"on-hold","label":"On hold","displayOrder":9}`), 201)
	if st["id"] != "on-hold" || st["metadata"].(map[string]any)["ticketState"] != "OPEN" {
		t.Errorf("on hold %v", st)
	}
	var ids []string
	for _, x := range results(t, mustStatus(t, s.Do("GET", base, nil), 200)) {
		checkStageShape(t, x)
		ids = append(ids, x["id"].(string))
	}
	// Display order, then label: Escalated and Waiting on us share 2.
	if !reflect.DeepEqual(ids, []string{"1", "2", id, "3", "4", "on-hold"}) {
		t.Errorf("stages in order %v", ids)
	}
	got := mustStatus(t, s.Do("GET", base+"/"+id, nil), 200)
	if got["label"] != "Escalated" {
		t.Errorf("read %v", got)
	}
	put := mustStatus(t, s.Do("PUT", base+"/"+id, `{"label":"Escalated to tier 2","displayOrder":5,"metadata":{"ticketState":"CLOSED"}}`), 200)
	if put["label"] != "Escalated to tier 2" || put["displayOrder"] != 5.0 || put["metadata"].(map[string]any)["ticketState"] != "CLOSED" || put["createdAt"] != got["createdAt"] {
		t.Errorf("replaced %v", put)
	}
	patched := mustStatus(t, s.Do("PATCH", base+"/"+id, `{"label":"Tier 2"}`), 200)
	if patched["label"] != "Tier 2" || patched["displayOrder"] != 5.0 || patched["metadata"].(map[string]any)["ticketState"] != "CLOSED" {
		t.Errorf("patched %v", patched)
	}
	if r := s.Do("DELETE", base+"/"+id+"?validateReferencesBeforeDelete=false", nil); r.Status != 204 {
		t.Fatalf("delete %d %s", r.Status, r.Body)
	}
	errorBody(t, s.Do("GET", base+"/"+id, nil), 404, "OBJECT_NOT_FOUND")
	errorBody(t, s.Do("PUT", base+"/"+id, `{"label":"x","displayOrder":1,"metadata":{}}`), 404, "OBJECT_NOT_FOUND")
	pipeline := mustStatus(t, s.Do("GET", "/crm/v3/pipelines/tickets/0", nil), 200)
	if len(pipeline["stages"].([]any)) != 5 {
		t.Errorf("archived stage still in the pipeline: %v", stagesOf(pipeline))
	}
	restored := mustStatus(t, s.Do("PATCH", base+"/"+id, `{"archived":false}`), 200)
	if restored["archived"] != false || restored["label"] != "Tier 2" {
		t.Errorf("restored %v", restored)
	}
	// Archiving through PATCH archives.
	if a := mustStatus(t, s.Do("PATCH", base+"/"+id, `{"archived":true}`), 200); a["archived"] != true || a["archivedAt"] == nil {
		t.Errorf("patched archived %v", a)
	}
	errorBody(t, s.Do("GET", base+"/"+id, nil), 404, "OBJECT_NOT_FOUND")
	// A deal stage replaced without a probability is refused.
	body := errorBody(t, s.Do("PUT", "/crm/v3/pipelines/deals/default/stages/qualifiedtobuy", `{"label":"Qualified","displayOrder":1,"metadata":{}}`), 400, "VALIDATION_ERROR")
	if !strings.Contains(body["message"].(string), "probability") {
		t.Errorf("no probability: %v", body["message"])
	}
	// PATCH metadata replaces it; isClosed follows the probability.
	d := mustStatus(t, s.Do("PATCH", "/crm/v3/pipelines/deals/default/stages/contractsent", `{"metadata":{"probability":"0.0"}}`), 200)
	if m := d["metadata"].(map[string]any); m["probability"] != "0.0" || m["isClosed"] != "true" || d["label"] != "Contract sent" {
		t.Errorf("patched deal stage %v", d)
	}
}

// Pipeline and stage inputs are validated as HubSpot documents them.
func TestPipelineValidation(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"label":"S%d","displayOrder":%d,"metadata":{"probability":"0.5"}}`, i, i)
	}
	newDealPipeline(t, s, "Taken", 1)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		category, words          string
	}{
		{"no body", "POST", "/crm/v3/pipelines/deals", ``, 400, "VALIDATION_ERROR", "a request body was expected"},
		{"missing fields", "POST", "/crm/v3/pipelines/deals", `{"label":"x"}`, 400, "", "Some required fields were not set: [displayOrder, stages]"},
		{"stage fields", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":0,"stages":[{"metadata":{"probability":"0.1"}}]}`, 400, "", "Some required fields were not set: [displayOrder, label]"},
		{"wrong JSON type", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":"first","stages":[]}`, 400, "", "Cannot deserialize displayOrder"},
		{"empty label", "POST", "/crm/v3/pipelines/deals", `{"label":" ","displayOrder":0,"stages":` + dealStages + `}`, 400, "VALIDATION_ERROR", "needs a label"},
		{"no stages", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":0,"stages":[]}`, 400, "VALIDATION_ERROR", "at least one stage"},
		{"too many stages", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":0,"stages":[` + strings.Join(many, ",") + `]}`, 400, "VALIDATION_ERROR", "at most 100 stages"},
		{"label taken", "POST", "/crm/v3/pipelines/deals", `{"label":"taken","displayOrder":0,"stages":` + dealStages + `}`, 400, "VALIDATION_ERROR", "already exists"},
		{"label of default", "PATCH", "/crm/v3/pipelines/deals/100000001", `{"label":"Sales Pipeline"}`, 400, "VALIDATION_ERROR", "already exists"},
		{"stage labels", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":0,"stages":[{"label":"A","displayOrder":0,"metadata":{"probability":"0.1"}},{"label":"a","displayOrder":1,"metadata":{"probability":"0.2"}}]}`, 400, "VALIDATION_ERROR", "unique within a pipeline"},
		{"no probability", "POST", "/crm/v3/pipelines/deals", `{"label":"x","displayOrder":0,"stages":[{"label":"A","displayOrder":0,"metadata":{}}]}`, 400, "VALIDATION_ERROR", "probability"},
		{"probability range", "POST", "/crm/v3/pipelines/deals/default/stages", `{"label":"A","displayOrder":0,"metadata":{"probability":"1.5"}}`, 400, "VALIDATION_ERROR", "between 0.0 and 1.0"},
		{"probability NaN", "POST", "/crm/v3/pipelines/deals/default/stages", `{"label":"A","displayOrder":0,"metadata":{"probability":"NaN"}}`, 400, "VALIDATION_ERROR", "between 0.0 and 1.0"},
		{"probability in hexadecimal", "POST", "/crm/v3/pipelines/deals/default/stages", `{"label":"A","displayOrder":0,"metadata":{"probability":"0x1p-1"}}`, 400, "VALIDATION_ERROR", "between 0.0 and 1.0"},
		{"isClosed", "POST", "/crm/v3/pipelines/deals/default/stages", `{"label":"A","displayOrder":0,"metadata":{"probability":"0.5","isClosed":"maybe"}}`, 400, "VALIDATION_ERROR", "isClosed"},
		{"ticketState", "POST", "/crm/v3/pipelines/tickets/0/stages", `{"label":"A","displayOrder":0,"metadata":{"ticketState":"PENDING"}}`, 400, "VALIDATION_ERROR", "OPEN or CLOSED"},
		{"upper-case stage id", "POST", "/crm/v3/pipelines/deals/default/stages", `{"stageId":"Stage01A","label":"A","displayOrder":0,"metadata":{"probability":"0.5"}}`, 400, "VALIDATION_ERROR", "Property name must be lowercase, but given: hs_date_entered_Stage01A"},
		{"bad stage id", "POST", "/crm/v3/pipelines/deals/default/stages", `{"stageId":"a b","label":"A","displayOrder":0,"metadata":{"probability":"0.5"}}`, 400, "VALIDATION_ERROR", "not valid"},
		{"stage id taken", "POST", "/crm/v3/pipelines/deals/100000001/stages", `{"stageId":"closedwon","label":"A","displayOrder":0,"metadata":{"probability":"0.5"}}`, 409, "CONFLICT", "already exists"},
		{"pipeline id taken", "POST", "/crm/v3/pipelines/deals", `{"pipelineId":"default","label":"y","displayOrder":0,"stages":` + dealStages + `}`, 409, "CONFLICT", "already exists"},
		{"bad pipeline id", "POST", "/crm/v3/pipelines/deals", `{"pipelineId":"a/b","label":"y","displayOrder":0,"stages":` + dealStages + `}`, 400, "VALIDATION_ERROR", "not valid"},
		{"stage label taken", "PATCH", "/crm/v3/pipelines/deals/default/stages/closedwon", `{"label":"closed LOST"}`, 400, "VALIDATION_ERROR", "unique within a pipeline"},
		{"flag not a boolean", "DELETE", "/crm/v3/pipelines/deals/100000001?validateReferencesBeforeDelete=yes", ``, 400, "", "not a boolean"},
		{"last stage", "DELETE", "/crm/v3/pipelines/tickets/0/stages/1", ``, 204, "", ""},
		{"last pipeline", "DELETE", "/crm/v3/pipelines/tickets/0", ``, 400, "VALIDATION_ERROR", "last pipeline"},
	} {
		r := s.Do(tc.method, tc.path, tc.body)
		if tc.status == 204 {
			if r.Status != 204 {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
			}
			continue
		}
		body := errorBody(t, r, tc.status, tc.category)
		if !strings.Contains(body["message"].(string), tc.words) {
			t.Errorf("%s: message %q lacks %q", tc.name, body["message"], tc.words)
		}
	}
	for _, id := range []string{"2", "3"} {
		if r := s.Do("DELETE", "/crm/v3/pipelines/tickets/0/stages/"+id, nil); r.Status != 204 {
			t.Fatalf("archive stage %s: %d %s", id, r.Status, r.Body)
		}
	}
	body := errorBody(t, s.Do("DELETE", "/crm/v3/pipelines/tickets/0/stages/4", nil), 400, "VALIDATION_ERROR")
	if !strings.Contains(body["message"].(string), "at least one stage") {
		t.Errorf("last stage: %v", body["message"])
	}
	// Nothing refused was stored.
	list := results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals", nil), 200))
	if len(list) != 2 || len(list[0]["stages"].([]any)) != 7 {
		t.Errorf("after refusals: %v", list)
	}
}

// Records without a pipeline go into the default one; a stage must be a
// live stage of the record's live pipeline, on create, update, batch and
// upsert, for deals and tickets.
func TestRecordsInPipelines(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	p := newDealPipeline(t, s, "Partners", 1)
	pid, lead, won := p["id"].(string), stageID(t, p, "Lead"), stageID(t, p, "Won")

	d := create(t, s, "deals", `{"properties":{"dealname":"No pipeline","dealstage":"qualifiedtobuy"}}`)
	if props(d)["pipeline"] != "default" {
		t.Errorf("default pipeline: %v", props(d))
	}
	tk := create(t, s, "tickets", `{"properties":{"subject":"No pipeline","hs_pipeline_stage":"1"}}`)
	if props(tk)["hs_pipeline"] != "0" {
		t.Errorf("default ticket pipeline: %v", props(tk))
	}
	in := create(t, s, "deals", fmt.Sprintf(`{"properties":{"dealname":"In partners","pipeline":%q,"dealstage":%q}}`, pid, lead))
	if props(in)["pipeline"] != pid || props(in)["dealstage"] != lead {
		t.Errorf("created in a pipeline: %v", props(in))
	}

	// A stage of another pipeline, or of none.
	stageErr := func(r *spoketest.Response, name, value string) {
		t.Helper()
		body := errorBody(t, r, 400, "VALIDATION_ERROR")
		if code := errorCode(body); code != "INVALID_OPTION" {
			t.Errorf("code %q: %v", code, body)
		}
		msg := body["message"].(string)
		if !strings.HasPrefix(msg, "Property values were not valid: ") || !strings.Contains(msg, `"name":"`+name+`"`) ||
			!strings.Contains(msg, value+" was not one of the allowed options: [") {
			t.Errorf("message %s", msg)
		}
	}
	stageErr(s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","dealstage":"`+lead+`"}}`), "dealstage", lead)
	stageErr(s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"`+pid+`","dealstage":"closedwon"}}`), "dealstage", "closedwon")
	body := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"`+pid+`","dealstage":"closedwon"}}`), 400)
	if !strings.Contains(body["message"].(string), "closedwon was not one of the allowed options: ["+lead+", "+won+", ") {
		t.Errorf("options are the pipeline's stages: %v", body["message"])
	}
	stageErr(s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"nope","dealstage":"closedwon"}}`), "pipeline", "nope")
	stageErr(s.Do("POST", "/crm/v3/objects/tickets", `{"properties":{"subject":"x","hs_pipeline_stage":"closedwon"}}`), "hs_pipeline_stage", "closedwon")
	stageErr(s.Do("POST", "/crm/v3/objects/tickets", `{"properties":{"subject":"x","hs_pipeline":"default","hs_pipeline_stage":"1"}}`), "hs_pipeline", "default")

	// Updates: the stage against the record's pipeline; a move to another
	// pipeline needs a stage of it.
	dealID, inID := d["id"].(string), in["id"].(string)
	stageErr(s.Do("PATCH", "/crm/v3/objects/deals/"+dealID, `{"properties":{"dealstage":"`+won+`"}}`), "dealstage", won)
	stageErr(s.Do("PATCH", "/crm/v3/objects/deals/"+dealID, `{"properties":{"pipeline":"`+pid+`"}}`), "dealstage", "qualifiedtobuy")
	cleared := errorBody(t, s.Do("PATCH", "/crm/v3/objects/deals/"+dealID, `{"properties":{"dealstage":""}}`), 400, "VALIDATION_ERROR")
	if !strings.Contains(cleared["message"].(string), "dealstage cannot be cleared") {
		t.Errorf("cleared stage: %v", cleared["message"])
	}
	moved := mustStatus(t, s.Do("PATCH", "/crm/v3/objects/deals/"+dealID, `{"properties":{"pipeline":"`+pid+`","dealstage":"`+won+`"}}`), 200)
	if props(moved)["pipeline"] != pid || props(moved)["dealstage"] != won {
		t.Errorf("moved %v", props(moved))
	}
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/deals/"+inID, `{"properties":{"dealname":"renamed, stage untouched"}}`), 200)
	stageErr(s.Do("PATCH", "/crm/v3/objects/tickets/"+tk["id"].(string), `{"properties":{"hs_pipeline_stage":"9"}}`), "hs_pipeline_stage", "9")

	// Batch create: all or nothing, or per input with trace ids.
	stageErr(s.Do("POST", "/crm/v3/objects/deals/batch/create", `{"inputs":[{"properties":{"dealname":"a","dealstage":"closedwon"}},{"properties":{"dealname":"b","dealstage":"`+won+`"}}]}`), "dealstage", won)
	multi := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/create", `{"inputs":[
		{"objectWriteTraceId":"t1","properties":{"dealname":"a","dealstage":"closedwon"}},
		{"objectWriteTraceId":"t2","properties":{"dealname":"b","dealstage":"`+won+`"}}]}`), 207)
	if created := results(t, multi); len(created) != 1 || props(created[0])["pipeline"] != "default" {
		t.Errorf("batch create results %v", multi["results"])
	}
	if errs := multi["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["context"].(map[string]any)["objectWriteTraceId"].([]any)[0] != "t2" {
		t.Errorf("batch create errors %v", multi["errors"])
	}
	// Batch update.
	stageErr(s.Do("POST", "/crm/v3/objects/deals/batch/update", `{"inputs":[{"id":"`+inID+`","properties":{"dealstage":"`+won+`"}},{"id":"`+dealID+`","properties":{"dealstage":"closedlost"}}]}`), "dealstage", "closedlost")
	upd := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/update", `{"inputs":[{"id":"`+inID+`","properties":{"dealstage":"`+won+`"}},{"id":"`+dealID+`","properties":{"dealstage":"`+lead+`"}}]}`), 200)
	if len(results(t, upd)) != 2 {
		t.Errorf("batch update %v", upd)
	}
	// Upsert, by a unique custom property: updates and creates are checked.
	mustStatus(t, s.Do("POST", "/crm/v3/properties/deals", `{"name":"ext_id","label":"External id","type":"string","fieldType":"text","groupName":"dealinformation","hasUniqueValue":true}`), 201)
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/deals/"+inID, `{"properties":{"ext_id":"e1"}}`), 200)
	stageErr(s.Do("POST", "/crm/v3/objects/deals/batch/upsert", `{"inputs":[{"id":"e1","idProperty":"ext_id","properties":{"dealstage":"closedwon"}}]}`), "dealstage", "closedwon")
	stageErr(s.Do("POST", "/crm/v3/objects/deals/batch/upsert", `{"inputs":[{"id":"e2","idProperty":"ext_id","properties":{"dealname":"new","dealstage":"`+lead+`"}}]}`), "dealstage", lead)
	up := mustStatus(t, s.Do("POST", "/crm/v3/objects/deals/batch/upsert", `{"inputs":[
		{"id":"e1","idProperty":"ext_id","properties":{"dealstage":"`+lead+`"}},
		{"id":"e2","idProperty":"ext_id","properties":{"dealname":"new","dealstage":"closedlost"}}]}`), 200)
	for _, r := range results(t, up) {
		want := map[bool]string{true: "default", false: pid}[r["new"] == true]
		if props(r)["pipeline"] != want {
			t.Errorf("upserted %v", props(r))
		}
	}
	// A stage created later is usable at once; an archived one is not.
	st := mustStatus(t, s.Do("POST", "/crm/v3/pipelines/deals/"+pid+"/stages", `{"label":"Trial","displayOrder":5,"metadata":{"probability":"0.5"}}`), 201)
	trial := create(t, s, "deals", `{"properties":{"dealname":"trial","pipeline":"`+pid+`","dealstage":"`+st["id"].(string)+`"}}`)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/deals/"+trial["id"].(string), nil), 204)
	if r := s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+st["id"].(string), nil); r.Status != 204 {
		t.Fatalf("archive the emptied stage: %d %s", r.Status, r.Body)
	}
	stageErr(s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"`+pid+`","dealstage":"`+st["id"].(string)+`"}}`), "dealstage", st["id"].(string))
}

// With the default pipeline archived, records without a pipeline go into
// the first live pipeline in display order.
func TestDefaultPipelineArchived(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	newDealPipeline(t, s, "Second", 2)
	first := newDealPipeline(t, s, "First", 1)
	if r := s.Do("DELETE", "/crm/v3/pipelines/deals/default", nil); r.Status != 204 {
		t.Fatalf("archive default: %d %s", r.Status, r.Body)
	}
	d := create(t, s, "deals", `{"properties":{"dealname":"x","dealstage":"`+stageID(t, first, "Won")+`"}}`)
	if props(d)["pipeline"] != first["id"] {
		t.Errorf("pipeline %v, want %v", props(d)["pipeline"], first["id"])
	}
	body := errorBody(t, s.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"default","dealstage":"closedwon"}}`), 400, "VALIDATION_ERROR")
	if errorCode(body) != "INVALID_OPTION" {
		t.Errorf("archived pipeline: %v", body)
	}
}

// A pipeline or stage that live records are in cannot be archived, with
// HubSpot's STAGE_ID_IN_USE error; once the records leave, it can.
func TestArchiveRefusedWhileUsed(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	p := newDealPipeline(t, s, "Partners", 1)
	pid, lead, won := p["id"].(string), stageID(t, p, "Lead"), stageID(t, p, "Won")
	a := create(t, s, "deals", `{"properties":{"dealname":"a","pipeline":"`+pid+`","dealstage":"`+lead+`"}}`)["id"].(string)
	b := create(t, s, "deals", `{"properties":{"dealname":"b","pipeline":"`+pid+`","dealstage":"`+won+`"}}`)["id"].(string)
	inUse := func(r *spoketest.Response, stages, ids string) {
		t.Helper()
		body := errorBody(t, r, 400, "VALIDATION_ERROR")
		if body["subCategory"] != "PipelineError.STAGE_ID_IN_USE" ||
			body["message"] != "Stage IDs: "+stages+" are being referenced by object IDs: "+ids ||
			fmt.Sprint(body["context"]) != fmt.Sprintf("map[objectIds:[%s] stageIds:[%s]]", ids, stages) {
			t.Errorf("in use: %s", r.Body)
		}
	}
	inUse(s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead+"?validateReferencesBeforeDelete=true", nil), "["+lead+"]", "["+a+"]")
	inUse(s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead, nil), "["+lead+"]", "["+a+"]")
	inUse(s.Do("PATCH", "/crm/v3/pipelines/deals/"+pid+"/stages/"+won, `{"archived":true}`), "["+won+"]", "["+b+"]")
	inUse(s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"?validateDealStageUsagesBeforeDelete=true", nil), "["+lead+", "+won+"]", "["+a+", "+b+"]")
	inUse(s.Do("PUT", "/crm/v3/pipelines/deals/"+pid, `{"label":"Partners","displayOrder":1,"stages":[{"label":"Won","displayOrder":0,"metadata":{"probability":"1.0"}}]}`), "["+lead+"]", "["+a+"]")
	c := create(t, s, "deals", `{"properties":{"dealname":"c","dealstage":"appointmentscheduled"}}`)["id"].(string)
	inUse(s.Do("DELETE", "/crm/v3/pipelines/deals/default/stages/appointmentscheduled", nil), "[appointmentscheduled]", "["+c+"]")
	mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead, nil), 200)

	// A record moved out, or archived, no longer holds its stage.
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/deals/"+a, `{"properties":{"pipeline":"default","dealstage":"closedwon"}}`), 200)
	if r := s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead, nil); r.Status != 204 {
		t.Fatalf("archive emptied stage: %d %s", r.Status, r.Body)
	}
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/deals/"+b, nil), 204)
	if r := s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid, nil); r.Status != 204 {
		t.Fatalf("archive emptied pipeline: %d %s", r.Status, r.Body)
	}
	// Tickets too.
	tk := create(t, s, "tickets", `{"properties":{"subject":"t","hs_pipeline_stage":"3"}}`)["id"].(string)
	inUse(s.Do("DELETE", "/crm/v3/pipelines/tickets/0/stages/3", nil), "[3]", "["+tk+"]")
}

// The properties API lists the stored pipelines and stages as the options
// of the pipeline and stage properties.
func TestPipelinePropertyOptions(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	p := newDealPipeline(t, s, "Partners", 1)
	mustStatus(t, s.Do("DELETE", "/crm/v3/pipelines/deals/default/stages/contractsent", nil), 204)
	values := func(prop map[string]any) []string {
		var out []string
		for _, o := range prop["options"].([]any) {
			out = append(out, o.(map[string]any)["value"].(string)+"="+o.(map[string]any)["label"].(string))
		}
		return out
	}
	stage := mustStatus(t, s.Do("GET", "/crm/v3/properties/deals/dealstage", nil), 200)
	want := []string{"appointmentscheduled=Appointment scheduled", "qualifiedtobuy=Qualified to buy", "presentationscheduled=Presentation scheduled",
		"decisionmakerboughtin=Decision maker bought-in", "closedwon=Closed won", "closedlost=Closed lost",
		stageID(t, p, "Lead") + "=Lead", stageID(t, p, "Won") + "=Won", stageID(t, p, "Lost") + "=Lost"}
	if got := values(stage); !reflect.DeepEqual(got, want) {
		t.Errorf("dealstage options %v", got)
	}
	pipe := mustStatus(t, s.Do("GET", "/crm/v3/properties/deals/pipeline", nil), 200)
	if got := values(pipe); !reflect.DeepEqual(got, []string{"default=Sales Pipeline", p["id"].(string) + "=Partners"}) {
		t.Errorf("pipeline options %v", got)
	}
	list := results(t, mustStatus(t, s.Do("GET", "/crm/v3/properties/tickets", nil), 200))
	i := slices.IndexFunc(list, func(m map[string]any) bool { return m["name"] == "hs_pipeline_stage" })
	if got := values(list[i]); !reflect.DeepEqual(got, []string{"1=New", "2=Waiting on contact", "3=Waiting on us", "4=Closed"}) {
		t.Errorf("ticket stage options %v", got)
	}
}

// Pipelines need the scopes of HubSpot's spec: reads any record or schema
// scope, writes a schema write scope (or tickets), not a record write scope.
func TestPipelineScopes(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	dealsRead := s.NewToken("crm.objects.deals.read")
	dealsWrite := s.NewToken("crm.objects.deals.write")
	schemaWrite := s.NewToken("crm.schemas.deals.write")
	tickets := s.NewToken("tickets")
	automation := s.NewToken("automation")
	body := `{"label":"L%d","displayOrder":0,"stages":` + dealStages + `}`
	for i, tc := range []struct {
		token        string
		read, create int
	}{
		{dealsRead, 200, 403},
		{dealsWrite, 200, 403},
		{schemaWrite, 403, 201},
		{tickets, 200, 201},
		{automation, 200, 403},
	} {
		if r := s.DoToken(tc.token, "GET", "/crm/v3/pipelines/deals", nil); r.Status != tc.read {
			t.Errorf("token %d read: %d %s", i, r.Status, r.Body)
		}
		r := s.DoToken(tc.token, "POST", "/crm/v3/pipelines/deals", fmt.Sprintf(body, i))
		if r.Status != tc.create {
			t.Errorf("token %d create: %d %s", i, r.Status, r.Body)
		}
		if r.Status == 403 {
			b := errorBody(t, r, 403, "MISSING_SCOPES")
			scopes := fmt.Sprint(b["errors"].([]any)[0].(map[string]any)["context"].(map[string]any)["requiredGranularScopes"])
			if !strings.Contains(scopes, "crm.schemas.deals.write") || strings.Contains(scopes, "crm.objects.deals.write") {
				t.Errorf("required scopes %s", scopes)
			}
		}
	}
	errorBody(t, s.DoToken("", "GET", "/crm/v3/pipelines/deals", nil), 401, "INVALID_AUTHENTICATION")
}

// Export holds the pipelines; a reset puts back the default ones; seeding
// the export brings the others back, with records in them.
func TestPipelinesResetSeedExport(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	p := newDealPipeline(t, s, "Partners", 1)
	pid, lead := p["id"].(string), stageID(t, p, "Lead")
	mustStatus(t, s.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+stageID(t, p, "Lost"), nil), 204)
	create(t, s, "deals", `{"properties":{"dealname":"in partners","pipeline":"`+pid+`","dealstage":"`+lead+`"}}`)
	gone := newDealPipeline(t, s, "Gone", 4)
	mustStatus(t, s.Do("DELETE", "/crm/v3/pipelines/deals/"+gone["id"].(string), nil), 204)

	export := exported(t, s)
	pipelines := export["pipelines"].(map[string]any)
	var ids []string
	for _, x := range pipelines["deals"].([]any) {
		fp := x.(map[string]any)
		ids = append(ids, fmt.Sprint(fp["id"], " archived=", fp["archived"] == true, " stages=", len(fp["stages"].([]any))))
	}
	if want := []string{"default archived=false stages=7", pid + " archived=false stages=3", gone["id"].(string) + " archived=true stages=3"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("exported deal pipelines %v", ids)
	}
	if len(pipelines["tickets"].([]any)) != 1 {
		t.Errorf("exported ticket pipelines %v", pipelines["tickets"])
	}

	// Reset: records gone, the default pipelines back, the others gone.
	mustStatus(t, s.Do("POST", "/_spoke/reset", nil), 204)
	list := results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals", nil), 200))
	if len(list) != 1 || list[0]["id"] != "default" {
		t.Errorf("after reset: %v", list)
	}
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/"+pid, nil), 404, "OBJECT_NOT_FOUND")

	// Seeding the export brings everything back as it was.
	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	again := exported(t, s)
	if !reflect.DeepEqual(again["pipelines"], export["pipelines"]) || !reflect.DeepEqual(again["objects"], export["objects"]) {
		t.Errorf("seeded export differs:\n%v\n%v", again["pipelines"], export["pipelines"])
	}
	mustStatus(t, s.Do("GET", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead, nil), 200)
	// Ids made after a seed come after the seeded ones.
	next := newDealPipeline(t, s, "Next", 9)
	if next["id"].(string) <= gone["id"].(string) {
		t.Errorf("new id %v after seeded %v", next["id"], gone["id"])
	}

	// A seeded record must be in a stage of its pipeline; a pipeline the
	// fixture replaces must keep the stages records are in.
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"objects":{"deals":[{"properties":{"dealname":"x","pipeline":"`+pid+`","dealstage":"closedwon"}}]}}`),
		400, "objects.deals[0]", "closedwon was not one of the allowed options")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"pipelines":{"deals":[{"id":"`+pid+`","label":"Partners","displayOrder":1,"stages":[{"id":"fresh","label":"Fresh","displayOrder":0,"metadata":{"probability":"0.5"}}]}]}}`),
		409, "pipelines.deals", "Stage IDs: ["+lead+"]")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"pipelines":{"deals":[{"id":"x1","label":"A","displayOrder":1,"stages":[{"id":"closedwon","label":"Won","displayOrder":0,"metadata":{"probability":"1"}}]}]}}`),
		409, "closedwon")
	mustFail(t, s.Do("POST", "/_spoke/seed", `{"pipelines":{"contacts":[]}}`), 400, "has no pipelines")
	// A fixture pipeline without ids gets them; a record without a
	// pipeline goes into the default one.
	mustStatus(t, s.Do("POST", "/_spoke/seed", `{"pipelines":{"tickets":[{"label":"Billing","displayOrder":1,"stages":[{"label":"Open","displayOrder":0,"metadata":{}}]}]},
		"objects":{"tickets":[{"id":"10000009999","properties":{"subject":"s","hs_pipeline_stage":"2"}}],
		"deals":[{"id":"10000009998","properties":{"dealname":"bare"}}]}}`), 200)
	if got := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/deals/10000009998", nil), 200)); got["pipeline"] != "default" {
		t.Errorf("seeded deal without a pipeline %v", got)
	}
	tp := results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/tickets", nil), 200))
	if len(tp) != 2 || tp[1]["label"] != "Billing" || tp[1]["stages"].([]any)[0].(map[string]any)["metadata"].(map[string]any)["ticketState"] != "OPEN" {
		t.Errorf("seeded ticket pipelines %v", tp)
	}
	if got := props(mustStatus(t, s.Do("GET", "/crm/v3/objects/tickets/10000009999", nil), 200)); got["hs_pipeline"] != "0" {
		t.Errorf("seeded ticket %v", got)
	}
	// A reset that keeps the schema keeps the pipelines.
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"schema":false}`), 204)
	if n := len(results(t, mustStatus(t, s.Do("GET", "/crm/v3/pipelines/tickets", nil), 200))); n != 2 {
		t.Errorf("reset keeping the schema left %d ticket pipelines", n)
	}
}

// A pipeline made through one node is usable through another at once, and
// a stage archived through one is refused by the other at once.
func TestPipelinesTwoNodes(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	a, b := nodes[0], nodes[1]
	p := newDealPipeline(t, a, "Shared", 1)
	pid, lead, won := p["id"].(string), stageID(t, p, "Lead"), stageID(t, p, "Won")
	d := create(t, b, "deals", `{"properties":{"dealname":"on b","pipeline":"`+pid+`","dealstage":"`+lead+`"}}`)
	if opts := mustStatus(t, b.Do("GET", "/crm/v3/properties/deals/pipeline", nil), 200)["options"].([]any); len(opts) != 2 {
		t.Errorf("node b's pipeline options %v", opts)
	}
	mustStatus(t, b.Do("PATCH", "/crm/v3/objects/deals/"+d["id"].(string), `{"properties":{"dealstage":"`+won+`"}}`), 200)
	if r := a.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+lead, nil); r.Status != 204 {
		t.Fatalf("archive on a: %d %s", r.Status, r.Body)
	}
	errorBody(t, b.Do("POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"x","pipeline":"`+pid+`","dealstage":"`+lead+`"}}`), 400, "VALIDATION_ERROR")
	errorBody(t, b.Do("DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+won, nil), 400, "VALIDATION_ERROR")

	// Deals written into a stage on one node while the other archives it:
	// either the archive fails or the deal is refused; no live deal is left
	// in an archived stage.
	const rounds = 6
	for i := range rounds {
		st := mustStatus(t, a.Do("POST", "/crm/v3/pipelines/deals/"+pid+"/stages", fmt.Sprintf(`{"label":"Race %d","displayOrder":%d,"metadata":{"probability":"0.5"}}`, i, 10+i)), 201)["id"].(string)
		var (
			mu       sync.Mutex
			archived bool
			dealIDs  []string
		)
		failed := together(9, func(k int) (int, string, error) {
			if k == 0 {
				status, body, err := send(a, "DELETE", "/crm/v3/pipelines/deals/"+pid+"/stages/"+st, "")
				if status == 204 {
					mu.Lock()
					archived = true
					mu.Unlock()
				}
				return map[int]int{204: 200, 400: 200}[status], body, err
			}
			status, body, err := send(b, "POST", "/crm/v3/objects/deals", `{"properties":{"dealname":"race","pipeline":"`+pid+`","dealstage":"`+st+`"}}`)
			if status == 201 {
				mu.Lock()
				dealIDs = append(dealIDs, body)
				mu.Unlock()
			}
			return map[int]int{201: 200, 400: 200}[status], body, err
		}, func(status int) bool { return status == 200 })
		if len(failed) > 0 {
			t.Fatalf("round %d: %v", i, failed)
		}
		if archived && len(dealIDs) > 0 {
			// A deal committed before the archive looked for records would
			// have stopped it; one checked after it would have been refused.
			t.Fatalf("round %d: stage archived while %d deals were created in it", i, len(dealIDs))
		}
	}
}

// The dated paths serve the same operations.
func TestDatedPipelinePaths(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	base := "/crm/pipelines/2025-09/deals"
	r := s.Do("POST", base, `{"label":"Dated","displayOrder":1,"stages":`+dealStages+`}`)
	p := mustStatus(t, r, http.StatusCreated)
	id := p["id"].(string)
	if r.Header.Get("Location") != base+"/"+id {
		t.Errorf("Location %q", r.Header.Get("Location"))
	}
	mustStatus(t, s.Do("PATCH", base+"/"+id, `{"displayOrder":2}`), 200)
	mustStatus(t, s.Do("PUT", base+"/"+id, `{"label":"Dated","displayOrder":2,"stages":`+dealStages+`}`), 200)
	st := mustStatus(t, s.Do("POST", base+"/"+id+"/stages", `{"label":"Extra","displayOrder":7,"metadata":{"probability":"0.7"}}`), 201)
	mustStatus(t, s.Do("PUT", base+"/"+id+"/stages/"+st["id"].(string), `{"label":"Extra","displayOrder":8,"metadata":{"probability":"0.8"}}`), 200)
	mustStatus(t, s.Do("PATCH", base+"/"+id+"/stages/"+st["id"].(string), `{"displayOrder":9}`), 200)
	if r := s.Do("DELETE", base+"/"+id+"/stages/"+st["id"].(string), nil); r.Status != 204 {
		t.Errorf("stage delete %d", r.Status)
	}
	if r := s.Do("DELETE", base+"/"+id, nil); r.Status != 204 {
		t.Errorf("delete %d", r.Status)
	}
	errorBody(t, s.Do("GET", "/crm/v3/pipelines/deals/"+id, nil), 404, "OBJECT_NOT_FOUND")
}
