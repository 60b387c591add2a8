package api_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// historyLines reads a record's history of names through the API as
// "value@time:sourceType/sourceId" per name, newest first.
func historyLines(t *testing.T, s *spoketest.Server, path string, names string) map[string][]string {
	t.Helper()
	got := mustStatus(t, s.Do("GET", path+"?propertiesWithHistory="+names, nil), 200)
	out := map[string][]string{}
	for name, list := range got["propertiesWithHistory"].(map[string]any) {
		for _, e := range list.([]any) {
			h := e.(map[string]any)
			id, _ := h["sourceId"].(string)
			out[name] = append(out[name], h["value"].(string)+"@"+h["timestamp"].(string)+":"+h["sourceType"].(string)+"/"+id)
		}
	}
	return out
}

// A create's history (every value it set, with its source) reads the same
// before and after later writes change, clear, archive and restore the
// record, for single and batch creates, and survives an export seeded back.
func TestCreateHistoryKeptThroughLaterWrites(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	single := create(t, s, "communications", whatsApp("first"))["id"].(string)
	batch := mustStatus(t, s.Do("POST", "/crm/v3/objects/communications/batch/create",
		map[string]any{"inputs": []any{whatsApp("one"), whatsApp("two")}}), 201)["results"].([]any)
	names := "hs_communication_body,hs_body_preview,hs_communication_channel_type,hs_object_id,hs_object_source"
	at0 := "@2025-01-01T00:00:00Z:"
	for i, id := range []string{single, batch[0].(map[string]any)["id"].(string), batch[1].(map[string]any)["id"].(string)} {
		path := "/crm/v3/objects/communications/" + id
		text := []string{"first", "one", "two"}[i]
		h := historyLines(t, s, path, names)
		want := map[string]string{
			"hs_communication_body":         text + at0 + "INTEGRATION/",
			"hs_communication_channel_type": "WHATS_APP" + at0 + "INTEGRATION/",
			"hs_body_preview":               text + at0 + "CALCULATED/",
			"hs_object_id":                  id + at0 + "CALCULATED/",
			"hs_object_source":              "INTEGRATION" + at0 + "CALCULATED/",
		}
		for name, prefix := range want {
			// The token's id follows INTEGRATION/.
			if len(h[name]) != 1 || !strings.HasPrefix(h[name][0], prefix) || strings.HasSuffix(prefix, "CALCULATED/") && h[name][0] != prefix {
				t.Errorf("%s %s after create: %q, want %s...", id, name, h[name], prefix)
			}
		}
		before := historyLines(t, s, path, names)
		s.Clock.Set(time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC))
		mustStatus(t, s.Do("PATCH", path, `{"properties":{"hs_communication_body":"changed","hs_communication_channel_type":"SMS"}}`), 200)
		s.Clock.Set(time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC))
		mustStatus(t, s.Do("PATCH", path, `{"properties":{"hs_communication_body":""}}`), 200)
		if r := s.Do("DELETE", path, nil); r.Status != 204 {
			t.Fatalf("archive: %d %s", r.Status, r.Body)
		}
		mustStatus(t, s.Do("POST", "/_spoke/objects/communications/"+id+"/restore", nil), 200)
		after := historyLines(t, s, path, names)
		for name, list := range before {
			old := after[name][len(after[name])-len(list):]
			if !reflect.DeepEqual(old, list) {
				t.Errorf("%s %s: history of the create became %q, was %q", id, name, old, list)
			}
		}
		if b := after["hs_communication_body"]; len(b) != 3 || !strings.HasPrefix(b[0], "@2025-01-03T00:00:00Z:INTEGRATION/") ||
			!strings.HasPrefix(b[1], "changed@2025-01-02T00:00:00Z:INTEGRATION/") {
			t.Errorf("%s body history after writes: %q", id, b)
		}
	}
	export := exported(t, s)
	mustStatus(t, s.Do("POST", "/_spoke/reset", `{"owners":false,"schema":false}`), 204)
	mustStatus(t, s.Do("POST", "/_spoke/seed", export), 200)
	if again := exported(t, s); !reflect.DeepEqual(export, again) {
		t.Errorf("an export with create histories seeded back differs")
	}
}
