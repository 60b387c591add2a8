package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/web"
)

// benchMessages is the timeline length of BenchmarkRecordPage.
const benchMessages = 10000

// BenchmarkRecordPage measures the server time to render a record page (its
// properties and the first page of its timeline) for a contact with 10,000
// messages: the handler is called directly, without a network between.
// first is the page as it opens, channel the SMS filter, older the second
// page and last the page of the oldest messages. Results are in
// docs/benchmarks.md.
//
//	go test -run '^$' -bench RecordPage ./web/
func BenchmarkRecordPage(b *testing.B) {
	s := spoketest.Open(b)
	contact, pinned := seedTimeline(b, s, benchMessages)
	auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: s.Store.Tokens(), Now: time.Now}
	h := web.New(s.Engine, auth, web.Options{})
	cookie := benchSignIn(b, h)
	path := "/ui/contacts/" + contact

	// The page must be what a person sees: the pinned message and 25 more.
	body := benchGet(b, h, cookie, path)
	if !strings.Contains(body, fmt.Sprintf(`Activity <span class="count">(%d,%03d)</span>`, benchMessages/1000, benchMessages%1000)) ||
		!strings.Contains(body, `<li id="message-`+pinned+`" class="entry ch-`) || strings.Count(body, `<li id="message-`) != 26 {
		b.Fatalf("unexpected page:\n%s", body)
	}
	older := regexpOlder(b, body)

	for _, bc := range []struct{ name, path string }{
		{"first", path},
		{"channel", path + "?channel=SMS"},
		{"older", older},
		{"last", path + "?after=" + strconv.Itoa(crm.MaxSearchResults-25)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				benchGet(b, h, cookie, bc.path)
			}
		})
	}
}

// seedTimeline creates a contact with n messages through the engine's
// CreateBatch, a minute apart, over the three channels, and pins the oldest.
func seedTimeline(tb testing.TB, s *spoketest.Server, n int) (contact, pinned string) {
	tb.Helper()
	ctx := context.Background()
	contacts, _ := s.Engine.Types.Resolve("contacts")
	comms, _ := s.Engine.Types.Resolve("communications")
	owner := s.NewOwner("bench@example.com", "Bea", "Bench")
	c, err := s.Engine.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{"firstname": "Many", "lastname": "Messages"}})
	if err != nil {
		tb.Fatal(err)
	}
	contact = strconv.FormatInt(c.ID, 10)
	channels := []string{crm.ChannelWhatsApp, crm.ChannelLinkedIn, crm.ChannelSMS}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 1000
	for i := 0; i < n; i += batch {
		var inputs []crm.CreateInput
		for j := i; j < min(i+batch, n); j++ {
			props := map[string]string{
				"hs_communication_channel_type": channels[j%3],
				"hs_communication_logged_from":  "CRM",
				"hs_communication_body":         fmt.Sprintf("Message %d: your order is on its way, see you <b>soon</b>.", j),
				"hs_timestamp":                  crm.FormatTime(start.Add(time.Duration(j) * time.Minute)),
			}
			if j%2 == 0 {
				props["hubspot_owner_id"] = strconv.FormatInt(owner.ID, 10)
			}
			inputs = append(inputs, crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{
				{ToID: contact, Types: []crm.AssociationSpec{{Category: "HUBSPOT_DEFINED", TypeID: 81}}}}})
		}
		res, err := s.Engine.CreateBatch(ctx, actor, comms, inputs, false)
		if err != nil {
			tb.Fatal(err)
		}
		if i == 0 {
			pinned = strconv.FormatInt(res[0].Object.ID, 10)
		}
	}
	if _, err := s.Engine.Update(ctx, actor, contacts, contact, "", map[string]string{crm.PinnedProperty: pinned}); err != nil {
		tb.Fatal(err)
	}
	return contact, pinned
}

// benchSignIn signs in on h directly and returns the session cookie.
func benchSignIn(tb testing.TB, h http.Handler) *http.Cookie {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/sign-in", nil))
	signin := rec.Result().Cookies()[0]
	csrf := csrfRE.FindStringSubmatch(rec.Body.String())[1]
	form := url.Values{"csrf": {csrf}, "token": {spoketest.Token}}
	req := httptest.NewRequest("POST", "/ui/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(signin)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "spoke_session" && c.Value != "" {
			return c
		}
	}
	tb.Fatalf("sign in: %d %s", rec.Code, rec.Body)
	return nil
}

func benchGet(tb testing.TB, h http.Handler, cookie *http.Cookie, path string) string {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func regexpOlder(tb testing.TB, body string) string {
	tb.Helper()
	m := olderRE.FindStringSubmatch(body)
	if m == nil {
		tb.Fatal("no older link")
	}
	u, _, _ := strings.Cut(strings.ReplaceAll(m[1], "&amp;", "&"), "#")
	return u
}

// TestLongTimeline checks, on a shorter timeline than the benchmark's, that
// a long timeline opens with its pinned message and one page.
func TestLongTimeline(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	contact, pinned := seedTimeline(t, s, 600)
	b := signIn(t, s, spoketest.Token)
	p := b.get("/ui/contacts/"+contact).want(t, 200, `Activity <span class="count">(600)</span>`, `is-pinned`, "Message 599: your order")
	if ids := p.messageIDs(); len(ids) != 26 || ids[0] != pinned {
		t.Errorf("first page: %d messages, first %v", len(ids), ids[:1])
	}
}
