package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Pinning a message on a contact made after it (a higher id) while the
// message is archived, on two nodes at once, never deadlocks: the pin
// reads the message after locking the contact, and the archive locks the
// message and its contact in id order. The contact never pins an archived
// message.
func TestConcurrentPinAndArchiveOfTheMessage(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	for round := range 4 {
		pinAndArchive(t, nodes, round)
	}
}

func pinAndArchive(t *testing.T, nodes [2]*spoketest.Server, round int) {
	const pairs = 25
	contacts, messages := make([]string, pairs), make([]string, pairs)
	for i := range pairs {
		messages[i] = newMessage(t, nodes[0], "")
	}
	for i := range pairs {
		contacts[i] = newContact(t, nodes[0], fmt.Sprintf("late%d.%d@example.com", round, i))
		mustStatus(t, nodes[0].Do("PUT", "/crm/v4/objects/contacts/"+contacts[i]+"/associations/default/communications/"+messages[i], nil), 200)
	}
	failed := together(2*pairs, func(i int) (int, string, error) {
		if i%2 == 0 {
			status, body, err := send(nodes[0], "PATCH", "/crm/v3/objects/contacts/"+contacts[i/2], `{"properties":{"hs_pinned_engagement_id":"`+messages[i/2]+`"}}`)
			if status == 400 && !strings.Contains(body, "archived") {
				return status, body, fmt.Errorf("unexpected refusal")
			}
			return status, body, err
		}
		return send(nodes[1], "DELETE", "/crm/v3/objects/communications/"+messages[i/2], "")
	}, func(status int) bool { return status == 200 || status == 204 || status == 400 })
	if len(failed) > 0 {
		t.Fatalf("%d concurrent writes failed:\n%v", len(failed), failed)
	}
	if n := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); n > 0 {
		t.Errorf("%d transactions deadlocked and were retried", n)
	}
	for i := range pairs {
		got := mustStatus(t, nodes[1].Do("GET", "/crm/v3/objects/contacts/"+contacts[i]+"?properties=hs_pinned_engagement_id", nil), 200)
		if v := props(got)["hs_pinned_engagement_id"]; v != nil {
			t.Errorf("contact %s pins %v, which was archived", contacts[i], v)
		}
	}
}

// Writes that name merged-away ids lock the records those ids resolve to
// with the others, in one id order: two creates of messages associated
// with a merged-away contact and a live one, each naming the other's
// merge target as the live one, and batch updates of the same pairs, on
// two nodes at once, never deadlock.
func TestConcurrentWritesNamingMergedIDs(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	const n = 10
	type pair struct{ old1, new1, old2, new2 string }
	pairs := make([]pair, n)
	for i := range n {
		var p pair
		for k, dst := range []*[2]string{{}, {}} {
			a := newContact(t, nodes[0], fmt.Sprintf("named%d.%da@example.com", i, k))
			b := newContact(t, nodes[0], fmt.Sprintf("named%d.%db@example.com", i, k))
			dst[0], dst[1] = a, merge(t, nodes[0], "contacts", a, b)["id"].(string)
			if k == 0 {
				p.old1, p.new1 = dst[0], dst[1]
			} else {
				p.old2, p.new2 = dst[0], dst[1]
			}
		}
		pairs[i] = p
	}
	message := func(a, b string) string {
		return `{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hs_communication_body":"x"},"associations":[` +
			to(a, "HUBSPOT_DEFINED", 81) + "," + to(b, "HUBSPOT_DEFINED", 81) + `]}`
	}
	update := func(a, b string) string {
		return fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"firstname":"x"}},{"id":%q,"properties":{"lastname":"y"}}]}`, a, b)
	}
	failed := together(4*n, func(i int) (int, string, error) {
		p := pairs[i/4]
		switch i % 4 {
		case 0:
			return send(nodes[0], "POST", "/crm/v3/objects/communications", message(p.old1, p.new2))
		case 1:
			return send(nodes[1], "POST", "/crm/v3/objects/communications", message(p.old2, p.new1))
		case 2:
			return send(nodes[0], "POST", "/crm/v3/objects/contacts/batch/update", update(p.old1, p.new2))
		}
		return send(nodes[1], "POST", "/crm/v3/objects/contacts/batch/update", update(p.old2, p.new1))
	}, func(status int) bool { return status == 200 || status == 201 })
	if len(failed) > 0 {
		t.Fatalf("%d concurrent writes failed:\n%v", len(failed), failed)
	}
	if r := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); r > 0 {
		t.Errorf("%d transactions deadlocked and were retried", r)
	}
}

// Merges of contacts and merges of the companies they are associated with,
// on two nodes at once, never deadlock: each removes the association rows
// of both ends, and locks the records at the other ends first, in id order
// with its own.
func TestConcurrentMergesOfAssociatedRecords(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	const n = 12
	var calls [][2]string
	for i := range n {
		p := newContact(t, nodes[0], fmt.Sprintf("mp%d@example.com", i))
		s := newContact(t, nodes[0], fmt.Sprintf("ms%d@example.com", i))
		a, b := newCompany(t, nodes[0], fmt.Sprint("MA ", i)), newCompany(t, nodes[0], fmt.Sprint("MB ", i))
		for _, pair := range [][2]string{{p, a}, {p, b}, {s, a}, {s, b}} {
			mustStatus(t, nodes[0].Do("PUT", "/crm/v4/objects/contacts/"+pair[0]+"/associations/default/companies/"+pair[1], nil), 200)
		}
		calls = append(calls, [2]string{"contacts", mergeBody(p, s)}, [2]string{"companies", mergeBody(b, a)})
	}
	failed := together(len(calls), func(i int) (int, string, error) {
		return send(nodes[i%2], "POST", "/crm/v3/objects/"+calls[i][0]+"/merge", calls[i][1])
	}, func(status int) bool { return status == 200 })
	if len(failed) > 0 {
		t.Fatalf("%d concurrent merges failed:\n%v", len(failed), failed)
	}
	if r := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); r > 0 {
		t.Errorf("%d transactions deadlocked and were retried", r)
	}
}
