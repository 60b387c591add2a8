package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Merges of overlapping pairs of contacts on two nodes at once, with reads
// of the old ids in between, never deadlock, never fail and lose nothing:
// each merge either merges or finds both ids already one record (400);
// every read of an old id answers; at the end one contact is left, which
// every old id answers, holding every address and every message.
func TestConcurrentMergesOnTwoNodes(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	const n = 8
	ids, emails, msgs := make([]string, n), make([]string, n), make([]string, n)
	for i := range n {
		emails[i] = fmt.Sprintf("twin%d@example.com", i)
		ids[i] = newContact(t, nodes[0], emails[i])
		msgs[i] = newMessage(t, nodes[0], to(ids[i], "HUBSPOT_DEFINED", 81))
	}
	type call struct{ method, path, body string }
	var calls []call
	for round := range 2 {
		for i := range n - 1 {
			a, b := ids[i], ids[i+1]
			if round == 1 {
				a, b = b, a
			}
			calls = append(calls, call{"POST", "/crm/v3/objects/contacts/merge", mergeBody(a, b)})
			calls = append(calls, call{"GET", "/crm/v3/objects/contacts/" + ids[i], ""})
		}
	}
	failed := together(len(calls), func(i int) (int, string, error) {
		c := calls[i]
		status, body, err := send(nodes[i%2], c.method, c.path, c.body)
		if status == 400 && !strings.Contains(body, "into itself") {
			return status, body, fmt.Errorf("unexpected refusal")
		}
		return status, body, err
	}, func(status int) bool { return status == 200 || status == 400 })
	if len(failed) > 0 {
		t.Fatalf("%d of %d calls failed:\n%s", len(failed), len(calls), strings.Join(failed, "\n"))
	}
	if r := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); r > 0 {
		t.Errorf("%d transactions deadlocked and were retried", r)
	}
	if c := count(t, nodes[1], "contacts"); c != 1 {
		t.Fatalf("%d contacts after merging every pair, want 1", c)
	}
	last := getID(t, nodes[1], "contacts", ids[0])
	for _, id := range ids {
		if g := getID(t, nodes[0], "contacts", id); g != last {
			t.Errorf("%s answers %s, want %s", id, g, last)
		}
	}
	got := mustStatus(t, nodes[0].Do("GET", "/crm/v3/objects/contacts/"+last+"?properties=email,hs_additional_emails,hs_merged_object_ids", nil), 200)
	p := props(got)
	addresses := append([]string{p["email"].(string)}, strings.Split(p["hs_additional_emails"].(string), ";")...)
	slices.Sort(addresses)
	if !slices.Equal(addresses, emails) {
		t.Errorf("addresses of the last contact %v, want %v", addresses, emails)
	}
	merged := strings.Split(p["hs_merged_object_ids"].(string), ";")
	for _, id := range ids {
		if !slices.Contains(merged, id) {
			t.Errorf("hs_merged_object_ids %v lacks %s", merged, id)
		}
	}
	assoc := v4Types(t, nodes[1], "contacts", last, "communications")
	for _, m := range msgs {
		if assoc[m] == nil {
			t.Errorf("message %s lost its contact: %v", m, assoc)
		}
	}
	var export map[string]any
	json.Unmarshal(nodes[0].Do("GET", "/_spoke/export", nil).Body, &export)
	if contacts := export["objects"].(map[string]any)["contacts"].([]any); len(contacts) != 1 {
		t.Errorf("the export holds %d contacts", len(contacts))
	}
}
