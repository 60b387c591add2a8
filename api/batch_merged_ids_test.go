package api_test

import (
	"fmt"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A batch update naming a merged-away id and the record it now reads as
// names one record twice: a 400, as for the same id twice, which names
// the ids as sent.
func TestBatchUpdateOfMergedIDs(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	a, b := newContact(t, s, "m1@example.com"), newContact(t, s, "m2@example.com")
	n := merge(t, s, "contacts", a, b)["id"].(string)
	for _, ids := range [][2]string{{a, n}, {a, b}} {
		body := fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"firstname":"x"}},{"id":%q,"properties":{"firstname":"y"}}]}`, ids[0], ids[1])
		mustFail(t, s.Do("POST", "/crm/v3/objects/contacts/batch/update", body), 400, "Duplicate IDs found in batch input", ids[1])
	}
	// The same id twice is named as sent.
	body := fmt.Sprintf(`{"inputs":[{"id":%q,"properties":{"firstname":"x"}},{"id":%q,"properties":{"firstname":"y"}}]}`, n, n)
	mustFail(t, s.Do("POST", "/crm/v3/objects/contacts/batch/update", body), 400, "Duplicate IDs found in batch input: ["+n+"]")
}

// A batch archive naming a merged-away id and the record it reads as, or
// two ids merged into one record, archives that record once.
func TestBatchArchiveOfMergedIDs(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	for i, pair := range []bool{false, true} {
		a, b := newContact(t, s, fmt.Sprintf("am%da@example.com", i)), newContact(t, s, fmt.Sprintf("am%db@example.com", i))
		n := merge(t, s, "contacts", a, b)["id"].(string)
		second := n
		if pair {
			second = b
		}
		mustStatus(t, s.Do("POST", "/crm/v3/objects/contacts/batch/archive", fmt.Sprintf(`{"inputs":[{"id":%q},{"id":%q}]}`, a, second)), 204)
		mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+n, nil), 404)
		if got := mustStatus(t, s.Do("GET", "/crm/v3/objects/contacts/"+a+"?archived=true", nil), 200); got["id"] != n {
			t.Errorf("archived %s reads as %v, want %s", a, got["id"], n)
		}
	}
}
