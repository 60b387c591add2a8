package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// sweepBodies are request bodies a client can get wrong in every way the
// routes' decoders meet: not JSON, JSON of the wrong kind, nulls and wrong
// types where objects, arrays, strings and numbers belong, ids beyond 64
// bits, negative and fractional numbers, deep nesting, invalid UTF-8 and
// NUL, and shapes of the other routes' bodies.
var sweepBodies = []string{
	"", "{", "}", "null", "[]", "{}", `"x"`, "1", "true", "{}{}", `{"a":1,}`,
	`{"inputs":null}`, `{"inputs":"x"}`, `{"inputs":[null]}`, `{"inputs":[{}]}`, `{"inputs":[1]}`,
	`{"inputs":[{"id":null}]}`, `{"inputs":[{"id":"99999999999999999999999"}]}`,
	`{"inputs":[{"id":99999999999999999999999}]}`, `{"inputs":[{"id":-1}]}`, `{"inputs":[{"id":1e400}]}`,
	`{"inputs":[{"id":"1","idProperty":"nope","properties":{"email":"a@example.com"}}]}`,
	`{"inputs":[{"from":{"id":"abc"},"to":{"id":"1"},"types":[{}]}]}`,
	`{"inputs":[{"from":null,"to":null,"types":null}]}`,
	`{"inputs":[{"from":{"id":"1"},"to":{"id":"2"},"types":[{"associationCategory":"NOPE","associationTypeId":99999999999999999999}]}]}`,
	`{"inputs":[{"name":null,"label":null,"type":null,"fieldType":null}]}`,
	`{"properties":null}`, `{"properties":[]}`, `{"properties":{"email":null}}`, `{"properties":{"":"x"}}`,
	`{"properties":{"email":"a@example.com"},"associations":[{"to":{"id":"99999999999999999999999"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]}]}`,
	`{"name":null,"label":null}`, `{"name":"","label":"","type":"","fieldType":"","groupName":""}`,
	`{"name":"x","label":"x","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":null}`,
	`{"name":"x","label":"x","type":"enumeration","fieldType":"select","groupName":"contactinformation","options":[{}]}`,
	`{"label":"x","displayOrder":"x","stages":[{}]}`, `{"label":"x","stages":null}`, `{"displayOrder":1e400}`,
	`{"limit":-1}`, `{"limit":1e10}`, `{"limit":"x"}`, `{"after":"zzz"}`, `{"after":-5}`,
	`{"filterGroups":[{"filters":[{}]}]}`, `{"filterGroups":[null]}`, `{"filterGroups":null,"sorts":null,"properties":null}`,
	`{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"BETWEEN","value":"1"}]}]}`,
	`{"filterGroups":[{"filters":[{"propertyName":"hs_object_id","operator":"IN","values":null}]}]}`,
	`{"sorts":["x"]}`, `{"sorts":[{"propertyName":null}]}`, `{"query":1}`,
	`{"primaryObjectId":"abc","objectIdToMerge":"99999999999999999999999"}`, `{"objectId":null,"idProperty":null}`,
	`{"objects":null}`, `{"objects":{"contacts":[{}]}}`, `{"objects":{"nope":[{"id":"x"}]}}`, `{"owners":[{}]}`,
	`{"targetUrl":"not a url","throttling":{"maxConcurrentRequests":-1}}`, `{"eventType":"x","propertyName":1,"active":"yes"}`,
	`{"labels":null,"requiredProperties":[1],"primaryDisplayProperty":null,"associatedObjects":"x","properties":[{}]}`,
	`{"fromObjectTypeId":null,"toObjectTypeId":"nope","name":1}`,
	`{"category":"NOPE","maxToObjectIds":-1,"typeId":"x"}`,
	`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":"x"}]`, `[{}]`, `[null]`,
	`[{"associationCategory":"NOPE","associationTypeId":99999999999999999999}]`,
	strings.Repeat("[", 100000), strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	"{\"properties\":{\"email\":\"\xff\"}}", `{"properties":{"firstname":"a\u0000b"}}`,
	`{"properties":{"email":"` + strings.Repeat("x", 70000) + `"}}`,
}

// sweepQueries are query strings of reads and deletes a client can get
// wrong.
var sweepQueries = []string{
	"", "limit=-1", "limit=abc", "limit=99999999999999999999", "limit=1e3", "after=zzz", "after=-1",
	"archived=maybe", "properties=%00", "properties=" + strings.Repeat("p,", 2000), "associations=nope",
	"propertiesWithHistory=x,y", "idProperty=nope", "idProperty=email", "includeAssociations=x",
	"email=%ff", "id=99999999999999999999999",
}

// TestRouteSweep sends every route Spoke serves (HubSpot's and the test
// controls) the bodies and query strings above, and each of its path
// parameters wrong in turn: unknown names, ids beyond 64 bits, negative
// and non-numeric ids. No answer may be a server error, and every error
// must be HubSpot's JSON body: status "error", a message and a
// correlation id.
func TestRouteSweep(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact := create(t, s, "contacts", map[string]any{"properties": map[string]any{"email": "sweep@example.com"}})["id"].(string)
	company := create(t, s, "companies", map[string]any{"properties": map[string]any{"name": "Sweep"}})["id"].(string)
	app := newApp(t, s, "sweep")
	good := map[string]string{
		"type": "contacts", "toType": "companies", "id": contact, "toId": company, "version": "2026-03",
		"name": "email", "objectType": "contacts", "associationType": "contact_to_company", "typeId": "1",
		"associationIdentifier": "1", "pipelineId": "0", "stageId": "1", "appId": strconv.FormatInt(app.id, 10),
		"subscriptionId": "1",
	}
	bad := map[string][]string{
		"type": {"nope", "2-99999999999999999999"}, "toType": {"nope"}, "objectType": {"nope", "2-99999999999999999999"},
		"id": {"99999999999999999999999", "abc", "-1", "0"}, "toId": {"99999999999999999999999", "abc", "-1"},
		"version": {"1999-01"}, "name": {"nope", "%00"}, "associationType": {"nope", "99999999999999999999"},
		"typeId": {"abc", "99999999999999999999", "-1"}, "associationIdentifier": {"abc", "99999999999999999999"},
		"pipelineId": {"99999999999999999999", "%00"}, "stageId": {"99999999999999999999"},
		"appId": {"99999999999999999999", "abc"}, "subscriptionId": {"abc", "99999999999999999999"},
	}
	var api, controls []string
	for _, r := range s.API.Routes() {
		if strings.Contains(r, " /_spoke/") {
			controls = append(controls, r)
		} else {
			api = append(api, r)
		}
	}
	if len(api) < 100 || len(controls) < 5 {
		t.Fatalf("%d API routes and %d test controls", len(api), len(controls))
	}
	sweep := func(t *testing.T, route string) {
		method, pattern, _ := strings.Cut(route, " ")
		fill := func(values map[string]string) string {
			path, err := spoketest.FillPath(pattern, values)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(pattern, "/webhooks/") {
				path += "?hapikey=" + app.key
			}
			return path
		}
		with := func(path, query string) string {
			if query == "" {
				return path
			}
			if strings.Contains(path, "?") {
				return path + "&" + query
			}
			return path + "?" + query
		}
		path := fill(good)
		switch method {
		case "POST", "PUT", "PATCH":
			for _, body := range sweepBodies {
				checkSweep(t, s, method, path, body)
			}
		default:
			for _, q := range sweepQueries {
				checkSweep(t, s, method, with(path, q), nil)
			}
		}
		wrong, err := spoketest.WrongPaths(pattern, good, bad)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range wrong {
			if strings.HasPrefix(pattern, "/webhooks/") {
				path += "?hapikey=" + app.key
			}
			var body any
			if method != "GET" && method != "DELETE" {
				body = "{}"
			}
			checkSweep(t, s, method, path, body)
		}
	}
	t.Run("api", func(t *testing.T) {
		for _, r := range api {
			t.Run(r, func(t *testing.T) {
				t.Parallel()
				sweep(t, r)
			})
		}
	})
	// The test controls last, one at a time: a reset or a seed changes
	// what the others read.
	for _, r := range controls {
		t.Run(r, func(t *testing.T) { sweep(t, r) })
	}
}

// checkSweep sends one request and checks its answer: no server error,
// JSON, and HubSpot's error body for an error.
func checkSweep(t *testing.T, s *spoketest.Server, method, path string, body any) {
	t.Helper()
	r := s.Do(method, path, body)
	what := fmt.Sprintf("%s %s %.120v", method, path, body)
	if r.Status >= 500 {
		t.Errorf("%s: status %d: %.300s", what, r.Status, r.Body)
		return
	}
	if r.Status == http.StatusNoContent || len(r.Body) == 0 && r.Status < 400 {
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: status %d, Content-Type %q: %.300s", what, r.Status, ct, r.Body)
		return
	}
	if r.Status < 400 {
		if !json.Valid(r.Body) {
			t.Errorf("%s: status %d, not JSON: %.300s", what, r.Status, r.Body)
		}
		return
	}
	var e struct {
		Status        string `json:"status"`
		Message       string `json:"message"`
		CorrelationID string `json:"correlationId"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Status != "error" || e.Message == "" || e.CorrelationID == "" {
		t.Errorf("%s: status %d, not HubSpot's error body: %.300s", what, r.Status, r.Body)
	}
}
