package web_test

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestSessionsSharedByNodes runs two servers on one database, as two nodes
// behind a load balancer without sticky sessions: a browser signed in on
// one is signed in on the other, a notice set by one shows on the other,
// and signing out on one ends the session on both.
func TestSessionsSharedByNodes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	a := spoketest.OpenPath(t, path)
	b := spoketest.OpenPath(t, path)
	id := fixture{t, a}.contact("Eva", "Esteves")

	br := signIn(t, a, spoketest.Token) // cookies are per host, not per port
	br.s = b
	contact := "/ui/contacts/" + id
	br.get(contact).want(t, 200, `<h2 id="log-h">Log a message</h2>`)

	// The form comes from node b, is posted to node a, and the notice of
	// its redirect is shown by node b.
	br.s = a
	p := br.post(contact+"/messages", url.Values{"channel": {"SMS"}, "body": {"Sent from node a"},
		"time": {"2026-05-20T09:30"}, "tzoffset": {"0"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("log on a: %d %s", p.Status, p.Body)
	}
	br.s = b
	br.follow(p).want(t, 200, `role="status"><p>Message logged.</p>`, "Sent from node a")
	if page := br.get(contact); strings.Contains(page.Body, "Message logged.") {
		t.Error("the notice was shown twice")
	}

	p = br.post("/ui/sign-out", nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign out on b: %d", p.Status)
	}
	br.s = a
	if p := br.get(contact); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/ui/sign-in") {
		t.Errorf("node a after sign-out on b: %d %q", p.Status, p.Location)
	}
}

// TestSessionOutlivesRestartNotIdleTime reopens the server on the same
// database: the session is still there. Twelve hours without use end it.
func TestSessionOutlivesRestartNotIdleTime(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "spoke.db")
	a := spoketest.OpenPath(t, path)
	br := signIn(t, a, spoketest.Token)
	br.get("/ui/contacts").want(t, 200, "<h1>Contacts</h1>")

	b := spoketest.OpenPath(t, path) // a new process on the same file
	br.s = b
	br.get("/ui/contacts").want(t, 200, "<h1>Contacts</h1>")

	// Used again just before the idle time ends: still signed in.
	now := time.Now()
	b.Clock.Set(now.Add(11 * time.Hour))
	br.get("/ui/contacts").want(t, 200, "<h1>Contacts</h1>")
	b.Clock.Set(now.Add(22 * time.Hour))
	br.get("/ui/contacts").want(t, 200, "<h1>Contacts</h1>")
	// Then idle for more than twelve hours.
	b.Clock.Set(now.Add(34*time.Hour + time.Minute))
	if p := br.get("/ui/contacts"); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/ui/sign-in") {
		t.Errorf("after 12 idle hours: %d %q", p.Status, p.Location)
	}
}
