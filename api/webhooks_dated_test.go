package api_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// HubSpot's OpenAPI files for 2025-09, 2026-03 and 2026-09 serve the webhooks
// API under /webhooks/{version}/{appId}, with the v3 shapes and the same key.
func TestWebhooksDatedPaths(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a, other := newApp(t, s, "dated"), newApp(t, s, "other")
	for _, version := range []string{"2025-09", "2026-03", "2026-09"} {
		p := func(rest string) string {
			return fmt.Sprintf("/webhooks/%s/%d%s?hapikey=%s", version, a.id, rest, a.key)
		}
		if r := s.Do("GET", p("/settings"), nil); r.Status != 404 || r.JSON()["category"] != "OBJECT_NOT_FOUND" {
			t.Fatalf("%s settings before any: %d %s", version, r.Status, r.Body)
		}
		got := mustStatus(t, s.Do("PUT", p("/settings"), map[string]any{"targetUrl": "https://example.com/" + version,
			"throttling": map[string]any{"maxConcurrentRequests": 10}}), 200)
		if got["targetUrl"] != "https://example.com/"+version || got["createdAt"] == nil {
			t.Fatalf("%s PUT settings: %v", version, got)
		}
		// The dated and the v3 paths read and write the same settings.
		if got := mustStatus(t, s.Do("GET", a.path("/settings"), nil), 200); got["targetUrl"] != "https://example.com/"+version {
			t.Fatalf("%s v3 settings: %v", version, got)
		}
		created := mustStatus(t, s.Do("POST", p("/subscriptions"), map[string]any{"eventType": "contact.creation", "active": true}), 201)
		id, _ := created["id"].(string)
		if id == "" || created["eventType"] != "contact.creation" || created["active"] != true {
			t.Fatalf("%s created: %v", version, created)
		}
		if got := mustStatus(t, s.Do("GET", p("/subscriptions"), nil), 200)["results"].([]any); len(got) != 1 {
			t.Fatalf("%s list: %v", version, got)
		}
		if got := mustStatus(t, s.Do("PATCH", p("/subscriptions/"+id), map[string]any{"active": false}), 200); got["active"] != false {
			t.Fatalf("%s PATCH: %v", version, got)
		}
		if got := mustStatus(t, s.Do("GET", p("/subscriptions/"+id), nil), 200); got["id"] != id {
			t.Fatalf("%s GET: %v", version, got)
		}
		n, _ := strconv.Atoi(id)
		multi := mustStatus(t, s.Do("POST", p("/subscriptions/batch/update"), map[string]any{"inputs": []any{
			map[string]any{"id": n, "active": true}, map[string]any{"id": 987654, "active": true}}}), 207)
		if multi["numErrors"] != 1.0 || len(multi["results"].([]any)) != 1 {
			t.Fatalf("%s batch: %v", version, multi)
		}
		mustStatus(t, s.Do("DELETE", p("/subscriptions/"+id), nil), 204)
		mustStatus(t, s.Do("DELETE", p("/settings"), nil), 204)
		// Authentication as on v3: the key of the app in the path.
		if r := s.DoToken("", "GET", fmt.Sprintf("/webhooks/%s/%d/settings", version, a.id), nil); r.Status != 401 || r.JSON()["category"] != "INVALID_AUTHENTICATION" {
			t.Fatalf("%s no key: %d %s", version, r.Status, r.Body)
		}
		if r := s.DoToken("", "GET", fmt.Sprintf("/webhooks/%s/%d/settings?hapikey=%s", version, other.id, a.key), nil); r.Status != 403 {
			t.Fatalf("%s another app's key: %d %s", version, r.Status, r.Body)
		}
	}
	// A version HubSpot does not have names no route.
	if r := s.Do("GET", fmt.Sprintf("/webhooks/2024-01/%d/settings?hapikey=%s", a.id, a.key), nil); r.Status != 404 || r.JSON()["message"] == nil {
		t.Fatalf("unknown version: %d %s", r.Status, r.Body)
	}
	// The older guide's PUT on a subscription stays a v3 path.
	if r := s.Do("PUT", fmt.Sprintf("/webhooks/2026-03/%d/subscriptions/1?hapikey=%s", a.id, a.key), map[string]any{"active": true}); r.Status != 405 {
		t.Fatalf("dated PUT subscription: %d %s", r.Status, r.Body)
	}
}
