package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// spoke serve --search-lag hides recent writes from the search API, as
// HubSpot's index lags; the pages, like HubSpot's own timeline, are not
// behind: a message logged on the page is on the timeline it returns to (so
// nobody logs it twice), and can be deleted, restored and found at once.
// The clock stands still, so every write stays inside the lag.
func TestPagesDoNotLagBehindWrites(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	s.Clock.Set(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	s.Engine.SearchLag = 3 * time.Second
	f := fixture{t, s}
	c := f.contact("Lara", "Lag")
	path := "/ui/contacts/" + c
	// The API's search does lag.
	if got := apiTimeline(t, s, "contacts", "contact", c); len(got) != 0 {
		t.Fatalf("search without lag: %v", got)
	}
	b := signIn(t, s, spoketest.Token)
	b.get("/ui/contacts?q=lara").want(t, 200, "Lara Lag")
	b.get("/").want(t, 200)

	b.get(path)
	p := b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"logged just now"}})
	page := b.follow(p).want(t, 200, "Message logged.", "logged just now", `Activity <span class="count">(1)</span>`)
	ids := page.messageIDs()
	if len(ids) != 1 {
		t.Fatalf("the timeline after logging shows %v", ids)
	}
	b.follow(b.post(path+"/pin", url.Values{"engagement": {ids[0]}, "kind": {"messages"}})).want(t, 200, "is-pinned")
	b.get(path+"/messages/"+ids[0]+"/delete").want(t, 200, "logged just now")
	b.follow(b.post(path+"/messages/"+ids[0]+"/delete", nil)).want(t, 200, "Message deleted.").lacks(t, "logged just now")
	b.get(path+"/recycle-bin").want(t, 200, "logged just now")
	page = b.follow(b.post(path+"/recycle-bin/messages/"+ids[0]+"/restore", nil)).want(t, 200, "Message restored.")
	if got := page.messageIDs(); !slices.Equal(got, ids) {
		t.Errorf("after the restore the timeline shows %v, want %v", got, ids)
	}

	// Associated records too.
	co := f.create("companies", map[string]string{"name": "Lag Lda"})
	if r := s.Do("PUT", "/crm/v4/objects/contacts/"+c+"/associations/default/companies/"+co, nil); r.Status != http.StatusOK {
		t.Fatalf("associate: %d %s", r.Status, r.Body)
	}
	b.get(path).want(t, 200, "Lag Lda")
}
