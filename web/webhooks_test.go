package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A note added on a record page emits its webhook event like an API write,
// and the webhooks page lists each app's deliveries.
func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var fail atomic.Bool
	fail.Store(true)
	var notes atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "not now", http.StatusBadGateway)
			return
		}
		notes.Add(1)
	}))
	defer recv.Close()
	key := crm.NewAppSecret()
	app := &crm.App{Name: "Inbox <sync>", ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(key), CreatedAt: time.Now()}
	if err := s.Store.(crm.WebhookStorer).Webhooks().CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	hook := fmt.Sprintf("/webhooks/v3/%d", app.ID)
	if r := s.Do("PUT", hook+"/settings?hapikey="+key, map[string]any{"targetUrl": recv.URL, "throttling": map[string]any{"maxConcurrentRequests": 10}}); r.Status != 200 {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	if r := s.Do("POST", hook+"/subscriptions?hapikey="+key, map[string]any{"eventType": "object.creation", "objectTypeId": "notes", "active": true}); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	f := fixture{t, s}
	contact := f.contact("Ada", "Lovelace")
	b := signIn(t, s, spoketest.Token)
	b.get("/ui/contacts/"+contact).want(t, 200)
	if p := b.post("/ui/contacts/"+contact+"/notes", url.Values{"body": {"Called back"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("add a note: %d %s", p.Status, p.Body)
	}
	if r := s.Do("POST", "/_spoke/webhooks/flush", nil); r.Status != 200 {
		t.Fatalf("flush: %d", r.Status)
	}
	fail.Store(false)
	if r := s.Do("POST", "/_spoke/webhooks/flush", nil); r.Status != 200 || notes.Load() != 1 {
		t.Fatalf("flush: %d, %d deliveries of the note", r.Status, notes.Load())
	}
	b.get("/ui/webhooks").want(t, 200, "<h1>Webhooks</h1>", "Inbox &lt;sync&gt;", fmt.Sprintf("app %d", app.ID), recv.URL,
		"<code>object.creation</code> 0-46", "Every event has been delivered.", "<td data-label=\"Answer\">200</td>",
		"<td data-label=\"Answer\">502</td>", "retry at")

	// The page needs the admin scope.
	reader := signIn(t, s, s.NewToken("crm.objects.contacts.read"))
	reader.get("/ui/webhooks").want(t, 403)
}
