package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// The call outcomes a call's hs_call_disposition takes are listed by
// HubSpot's calling API as a bare JSON array of {id, label, deleted}.
func TestCallDispositions(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	r := s.DoToken(s.NewToken("crm.objects.contacts.read"), "GET", "/calling/v1/dispositions", nil)
	if r.Status != 200 {
		t.Fatalf("GET /calling/v1/dispositions: %d %s", r.Status, r.Body)
	}
	var got []map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatalf("not a JSON array: %s", r.Body)
	}
	want := map[string]string{
		"9d9162e7-6cf3-4944-bf63-4dff82258764": "Busy",
		"f240bbac-87c9-4f6e-bf70-924b57d47db7": "Connected",
		"a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "Left live message",
		"b2cf5968-551e-4856-9783-52b3da59a7d0": "Left voicemail",
		"73a0d17f-1163-4015-bdd5-ec830791da20": "No answer",
		"17b47fee-58de-441e-a44c-c6300d46f273": "Wrong number",
	}
	if len(got) != len(want) {
		t.Fatalf("%d outcomes, want %d: %s", len(got), len(want), r.Body)
	}
	for _, d := range got {
		id, _ := d["id"].(string)
		if len(d) != 3 || want[id] == "" || d["label"] != want[id] || d["deleted"] != false {
			t.Errorf("outcome %v", d)
		}
		delete(want, id)
		// Every outcome listed is a value calls accept.
		mustStatus(t, s.Do("POST", "/crm/v3/objects/calls", fmt.Sprintf(`{"properties":{"hs_timestamp":1,"hs_call_disposition":%q}}`, id)), 201)
	}
	if len(want) != 0 {
		t.Errorf("outcomes not listed: %v", want)
	}

	// Reading them needs the calls' read scope.
	if r := s.DoToken(s.NewToken("crm.objects.deals.read"), "GET", "/calling/v1/dispositions", nil); r.Status != 403 {
		t.Errorf("without the scope: %d %s", r.Status, r.Body)
	}
	if r := s.DoToken("", "GET", "/calling/v1/dispositions", nil); r.Status != 401 {
		t.Errorf("without a token: %d %s", r.Status, r.Body)
	}
}
