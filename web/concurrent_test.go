package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// Two people on one timeline: an Unpin sent from a page that showed an
// entry as pinned unpins that entry only. When someone else has pinned
// another one since, the newer pin stays and the page says so; through the
// API, too, a pin set after the page was loaded is kept.
func TestStaleUnpinKeepsNewerPin(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Lia", "Lopes")
	first := f.message("contacts", c, "SMS", "first", "2026-01-01T10:00:00Z")
	second := f.message("contacts", c, "WHATS_APP", "second", "2026-01-02T10:00:00Z")
	path := "/ui/contacts/" + c
	alice := signIn(t, s, spoketest.Token)
	bob := signIn(t, s, spoketest.Token)
	alice.get(path)
	alice.follow(alice.post(path+"/pin", url.Values{"engagement": {first}, "kind": {"messages"}})).want(t, 200, "is-pinned")

	// Bob's page shows the first message pinned; its Unpin names it.
	unpin := bob.get(path).want(t, 200).form(t, path+"/unpin")
	unpin.want(t, 200, `name="engagement" value="`+first+`"`)

	// Alice pins the second message; then Bob unpins from his page.
	alice.follow(alice.post(path+"/pin", url.Values{"engagement": {second}, "kind": {"messages"}})).want(t, 200)
	p := bob.post(path+"/unpin", url.Values{"engagement": {first}, "kind": {"messages"}})
	bob.follow(p).want(t, 200, "That message is not pinned any more", "Nothing was unpinned.",
		`<li id="message-`+second+`" class="entry ch-whatsapp is-pinned">`)
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != second {
		t.Errorf("pin after a stale unpin: %v, want %s", props["hs_pinned_engagement_id"], second)
	}

	// The same after an API client pins.
	if r := s.Do("PATCH", "/crm/v3/objects/contacts/"+c, map[string]any{"properties": map[string]string{"hs_pinned_engagement_id": first}}); r.Status != http.StatusOK {
		t.Fatalf("pin through the API: %d %s", r.Status, r.Body)
	}
	bob.follow(bob.post(path+"/unpin", url.Values{"engagement": {second}, "kind": {"messages"}})).want(t, 200, "Nothing was unpinned.")
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != first {
		t.Errorf("pin after a stale unpin: %v, want %s", props["hs_pinned_engagement_id"], first)
	}

	// An Unpin of the entry that is pinned works.
	bob.follow(bob.post(path+"/unpin", url.Values{"engagement": {first}, "kind": {"messages"}})).want(t, 200, "Message unpinned.").lacks(t, "is-pinned")
	if _, props := apiProps(t, s, "contacts", c, "hs_pinned_engagement_id"); props["hs_pinned_engagement_id"] != nil {
		t.Errorf("pin after unpin: %v", props["hs_pinned_engagement_id"])
	}
}
