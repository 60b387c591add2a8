package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// twoNodes starts two servers on one store (one SQLite file, or one
// PostgreSQL schema with SPOKE_TEST_STORE=postgres), as behind a load balancer.
func twoNodes(t *testing.T) [2]*spoketest.Server {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spoke.db")
	return [2]*spoketest.Server{spoketest.OpenPath(t, path), spoketest.OpenPath(t, path)}
}

// sharedNodes is twoNodes with each engine told that another node shares
// its database (crm.Engine.Shared), as a server on PostgreSQL is.
func sharedNodes(t *testing.T) [2]*spoketest.Server {
	t.Helper()
	nodes := twoNodes(t)
	for _, n := range nodes {
		n.Engine.Shared = true
	}
	return nodes
}

// send is Do for other goroutines than the test's: it reports instead of
// failing the test.
func send(s *spoketest.Server, method, path, body string) (int, string, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+spoketest.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data), err
}

// together runs n calls at once, call i on goroutine i, and returns the
// calls whose status was not wanted, as "status body" lines.
func together(n int, call func(i int) (int, string, error), wanted func(status int) bool) []string {
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, body, err := call(i)
			if err != nil || !wanted(status) {
				mu.Lock()
				failed = append(failed, fmt.Sprintf("call %d: %d %s %v", i, status, body, err))
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return failed
}

// Concurrent upserts of one unique value all succeed: one creates the
// record, the others update it; none answers 409.
func TestConcurrentUpsertsOfOneValue(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	const calls = 40
	var (
		mu  sync.Mutex
		ids = map[string]int{}
		new int
	)
	failed := together(calls, func(i int) (int, string, error) {
		body := fmt.Sprintf(`{"inputs":[{"id":"same@example.com","idProperty":"email","properties":{"firstname":"w%d"}}]}`, i)
		status, out, err := send(nodes[i%2], "POST", "/crm/v3/objects/contacts/batch/upsert", body)
		if status == 200 {
			var got struct {
				Results []struct {
					ID  string `json:"id"`
					New bool   `json:"new"`
				} `json:"results"`
			}
			if jerr := json.Unmarshal([]byte(out), &got); jerr != nil || len(got.Results) != 1 {
				return status, out, fmt.Errorf("results: %v", jerr)
			}
			mu.Lock()
			ids[got.Results[0].ID]++
			if got.Results[0].New {
				new++
			}
			mu.Unlock()
		}
		return status, out, err
	}, func(status int) bool { return status == 200 })
	if len(failed) > 0 {
		t.Fatalf("%d of %d concurrent upserts failed:\n%v", len(failed), calls, failed)
	}
	if len(ids) != 1 || new != 1 {
		t.Errorf("upserts gave ids %v with %d creations, want one id created once", ids, new)
	}
	if n := count(t, nodes[0], "contacts"); n != 1 {
		t.Errorf("%d contacts after upserts of one email", n)
	}
}

// Concurrent writes of one association pair, from both records' sides and
// both nodes, never deadlock: every call succeeds.
func TestConcurrentWritesOfOneAssociationPair(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	contact := newContact(t, nodes[0], "pair@example.com")
	company := newCompany(t, nodes[0], "Pair")
	message := newMessage(t, nodes[0], to(contact, "HUBSPOT_DEFINED", 81))
	// Pinning makes a removal of the pair write the record too.
	mustStatus(t, nodes[0].Do("PATCH", "/crm/v3/objects/contacts/"+contact, `{"properties":{"hs_pinned_engagement_id":"`+message+`"}}`), 200)
	calls := []struct{ method, path, body string }{
		{"PUT", "/crm/v4/objects/contacts/" + contact + "/associations/default/companies/" + company, ""},
		{"DELETE", "/crm/v4/objects/contacts/" + contact + "/associations/companies/" + company, ""},
		{"PUT", "/crm/v4/objects/companies/" + company + "/associations/contacts/" + contact, `[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":2}]`},
		{"DELETE", "/crm/v4/objects/companies/" + company + "/associations/contacts/" + contact, ""},
		{"PUT", "/crm/v3/objects/contacts/" + contact + "/associations/companies/" + company + "/contact_to_company", ""},
		{"PUT", "/crm/v4/objects/communications/" + message + "/associations/default/contacts/" + contact, ""},
		{"DELETE", "/crm/v4/objects/contacts/" + contact + "/associations/communications/" + message, ""},
		{"PUT", "/crm/v4/objects/contacts/" + contact + "/associations/default/communications/" + message, ""},
		{"DELETE", "/crm/v4/objects/communications/" + message + "/associations/contacts/" + contact, ""},
	}
	const rounds = 6
	failed := together(rounds*len(calls)*2, func(i int) (int, string, error) {
		c := calls[i%len(calls)]
		return send(nodes[(i/len(calls))%2], c.method, c.path, c.body)
	}, func(status int) bool { return status >= 200 && status < 300 })
	if len(failed) > 0 {
		t.Fatalf("%d concurrent association writes failed:\n%v", len(failed), failed)
	}
	if n := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); n > 0 {
		t.Errorf("%d transactions deadlocked and were retried", n)
	}
}

// deadlocksRetried is how many transactions the server's store retried
// after PostgreSQL broke a deadlock (or a serialization failure); SQLite
// has one writer and never retries.
func deadlocksRetried(s *spoketest.Server) int64 {
	if r, ok := s.Store.(interface{ Retries() int64 }); ok {
		return r.Retries()
	}
	return 0
}

// Archiving a pinned message while its pair with the pinning record is
// removed, on two nodes at once, never deadlocks: the archive locks the
// message and the records it is associated with in id order, as writes of
// the pair do, although the pinning record is the older (lower) id.
func TestConcurrentArchiveOfPinnedMessages(t *testing.T) {
	t.Parallel()
	nodes := twoNodes(t)
	const pairs = 25
	contacts, messages := make([]string, pairs), make([]string, pairs)
	for i := range pairs {
		contacts[i] = newContact(t, nodes[0], fmt.Sprintf("pinned%d@example.com", i))
	}
	for i := range pairs {
		messages[i] = newMessage(t, nodes[0], to(contacts[i], "HUBSPOT_DEFINED", 81))
		mustStatus(t, nodes[0].Do("PATCH", "/crm/v3/objects/contacts/"+contacts[i], `{"properties":{"hs_pinned_engagement_id":"`+messages[i]+`"}}`), 200)
	}
	failed := together(2*pairs, func(i int) (int, string, error) {
		if i%2 == 0 {
			return send(nodes[0], "DELETE", "/crm/v3/objects/communications/"+messages[i/2], "")
		}
		return send(nodes[1], "DELETE", "/crm/v4/objects/contacts/"+contacts[i/2]+"/associations/communications/"+messages[i/2], "")
	}, func(status int) bool { return status == 204 })
	if len(failed) > 0 {
		t.Fatalf("%d concurrent writes failed:\n%v", len(failed), failed)
	}
	if n := deadlocksRetried(nodes[0]) + deadlocksRetried(nodes[1]); n > 0 {
		t.Errorf("%d transactions deadlocked and were retried", n)
	}
	for i := range pairs {
		got := mustStatus(t, nodes[1].Do("GET", "/crm/v3/objects/contacts/"+contacts[i]+"?properties=hs_pinned_engagement_id", nil), 200)
		if v := props(got)["hs_pinned_engagement_id"]; v != nil {
			t.Errorf("contact %s still pins %v after its message was archived", contacts[i], v)
		}
	}
}
