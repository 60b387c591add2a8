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
