package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func TestPagesNeedASession(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	b := newBrowser(t, s)
	for path, next := range map[string]string{
		"/":                                "",
		"/ui/contacts":                     "/ui/contacts",
		"/ui/contacts/10000000001?after=5": "/ui/contacts/10000000001?after=5",
		"/ui/communications/recycle-bin":   "/ui/communications/recycle-bin",
	} {
		p := b.get(path)
		want := "/ui/sign-in"
		if next != "" {
			want += "?" + url.Values{"next": {next}}.Encode()
		}
		if p.Status != http.StatusSeeOther || p.Location != want {
			t.Errorf("GET %s: %d %q, want 303 to %q", path, p.Status, p.Location, want)
		}
	}
	p := b.post("/ui/contacts/10000000001/pin", url.Values{"engagement": {"1"}, "csrf": {"x"}})
	if p.Status != http.StatusSeeOther || p.Location != "/ui/sign-in" {
		t.Errorf("POST without session: %d %q", p.Status, p.Location)
	}
	// A made-up session cookie is no session.
	u, _ := url.Parse(s.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "spoke_session", Value: "forged"}})
	if p := b.get("/ui/contacts"); p.Status != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", p.Status)
	}
	// The static files need none.
	p = b.get("/ui/static/style.css")
	if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %s", p.Status, p.Header.Get("Content-Type"))
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	b := newBrowser(t, s)
	p := b.get("/ui/sign-in?next=/ui/contacts").want(t, 200, `<label for="token">Access token</label>`, `name="next" value="/ui/contacts"`)
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}

	// A wrong token is refused in words, and the form comes back.
	b.post("/ui/sign-in", url.Values{"token": {"pat-na1-wrong"}, "next": {"/ui/contacts"}}).
		want(t, http.StatusUnauthorized, "That access token is not valid", `aria-invalid="true"`)
	// A form without the sign-in CSRF token is refused.
	b.post("/ui/sign-in", url.Values{"token": {spoketest.Token}, "csrf": {"forged"}}).
		want(t, http.StatusForbidden, "Form expired")

	p = b.post("/ui/sign-in", url.Values{"token": {spoketest.Token}, "next": {"/ui/contacts"}})
	if p.Status != http.StatusSeeOther || p.Location != "/ui/contacts" {
		t.Fatalf("sign in: %d %q", p.Status, p.Location)
	}
	var session string
	for _, c := range p.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "spoke_session=") {
			session = c
		}
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(session, attr) {
			t.Errorf("session cookie %q lacks %s", session, attr)
		}
	}
	b.follow(p).want(t, 200, "<h1>Contacts</h1>", "Signed in with SPOKE_ACCESS_TOKEN")

	// Only local places to return to.
	for _, next := range []string{"//evil.example/x", "/\\evil.example", "/\t/evil.example", "https://evil.example/", "javascript:alert(1)"} {
		b2 := newBrowser(t, s)
		b2.get("/ui/sign-in")
		if p := b2.post("/ui/sign-in", url.Values{"token": {spoketest.Token}, "next": {next}}); p.Location != "/" {
			t.Errorf("next=%q: %q", next, p.Location)
		}
	}

	// Signing out needs the CSRF token, and ends the session.
	b.post("/ui/sign-out", url.Values{"csrf": {"forged"}}).want(t, http.StatusForbidden)
	b.get("/")
	p = b.post("/ui/sign-out", nil)
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/ui/sign-in") {
		t.Fatalf("sign out: %d %q", p.Status, p.Location)
	}
	b.follow(p).want(t, 200, "You are signed out.")
	if p := b.get("/ui/contacts"); p.Status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", p.Status)
	}
}

func TestStoredTokenRevoked(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	secret := s.NewToken("crm.objects.contacts.read")
	b := signIn(t, s, secret)
	b.get("/ui/contacts").want(t, 200, "Signed in with test")

	tokens, err := s.Store.Tokens().ListTokens(context.Background())
	if err != nil || len(tokens) != 1 {
		t.Fatal(tokens, err)
	}
	if err := s.Store.Tokens().RevokeToken(context.Background(), tokens[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(time.Now().Add(time.Minute)) // past the token cache
	p := b.get("/ui/contacts")
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "reason=revoked") {
		t.Fatalf("revoked token: %d %q", p.Status, p.Location)
	}
	b.follow(p).want(t, 200, "no longer valid")
}

func TestHomeAndLists(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	for i := range 30 {
		f.contact("Person"+strconv.Itoa(i), "Lima")
	}
	f.contact("Ana", "Söderberg")
	f.create("companies", map[string]string{"name": "Acme Lda", "domain": "acme.example", "city": "Porto"})
	b := signIn(t, s, spoketest.Token)

	b.get("/").want(t, 200, `<span class="card-title">Contacts</span> <span class="count">31</span>`,
		`<span class="card-title">Companies</span> <span class="count">1</span>`)

	p := b.get("/ui/contacts").want(t, 200, `<label for="q">Search contacts</label>`, "Person0 Lima", `rel="next">Next page</a>`)
	if n := strings.Count(p.Body, `<th scope="row">`); n != 25 {
		t.Errorf("first page has %d rows", n)
	}
	next := regexpFind(t, p.Body, `<a href="([^"]+)" rel="next">Next page`)
	p = b.get(next).want(t, 200, "Ana Söderberg", "First page").lacks(t, "Next page")
	if n := strings.Count(p.Body, `<th scope="row">`); n != 6 {
		t.Errorf("second page has %d rows", n)
	}

	// The search box uses the engine's free-text query (diacritics folded).
	b.get("/ui/contacts?q=soderberg").want(t, 200, "1 match for", "Ana Söderberg").lacks(t, "Person0")
	p = b.get("/ui/contacts?q=lima").want(t, 200, "30 matches for", `rel="next">Next page`)
	next = regexpFind(t, p.Body, `<a href="([^"]+)" rel="next">Next page`)
	b.get(next).want(t, 200, "First page").lacks(t, "Next page")
	b.get("/ui/companies?q=acme").want(t, 200, "Acme Lda", "acme.example", "Porto")
	b.get("/ui/deals").want(t, 200, "There are no deals yet.")
	b.get("/ui/tickets").want(t, 200, "<h1>Tickets</h1>")
}

func TestNotFoundPages(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	b := signIn(t, s, spoketest.Token)
	b.get("/ui/contacts/10000000999").want(t, http.StatusNotFound, "There is no contact 10000000999", "Back to contacts")
	b.get("/ui/contacts/abc").want(t, http.StatusNotFound, "There is no contact abc")
	b.get("/ui/widgets").want(t, http.StatusNotFound, "There is no page for")
	b.get("/ui/communications").want(t, http.StatusNotFound) // messages live on records' timelines
	b.get("/ui/a/b/c/d/e/f/g").want(t, http.StatusNotFound, "There is no page at this address")
	p := b.get("/ui/contacts/1/pin").want(t, http.StatusMethodNotAllowed, "cannot be used that way")
	if !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
		t.Errorf("405 content type %q", p.Header.Get("Content-Type"))
	}
	// The API's own answers stay JSON.
	if r := s.Do("GET", "/crm/v3/nothing", nil); r.Status != 404 || !strings.Contains(r.Header.Get("Content-Type"), "json") {
		t.Errorf("API 404: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
}

func regexpFind(t *testing.T, body, expr string) string {
	t.Helper()
	m := mustRE(expr).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in:\n%s", expr, body)
	}
	u, _, _ := strings.Cut(strings.ReplaceAll(m[1], "&amp;", "&"), "#")
	return u
}

func TestRecordTimeline(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	ana := s.NewOwner("ana@example.com", "Ana", "Lima")
	owner := strconv.FormatInt(ana.ID, 10)
	c := f.create("contacts", map[string]string{"firstname": "Bea", "lastname": "Costa", "email": "bea@example.com",
		"lifecyclestage": "customer", "hubspot_owner_id": owner})
	wa := f.message("contacts", c, "WHATS_APP", "Your order <b>shipped</b> &amp; is on its way", "2026-03-01T10:00:00Z", "hubspot_owner_id", owner)
	li := f.message("contacts", c, "LINKEDIN_MESSAGE", "Thanks for connecting", "2026-03-03T09:30:00Z")
	sms := f.message("contacts", c, "SMS", "&lt;script&gt;alert(1)&lt;/script&gt; See you at 10", "2026-03-02T08:00:00Z")
	other := f.contact("Carl", "Other")
	f.message("contacts", other, "SMS", "Not for Bea", "2026-03-04T08:00:00Z")

	b := signIn(t, s, spoketest.Token)
	p := b.get("/ui/contacts/"+c).want(t, 200,
		"<h1>Bea Costa</h1>", "<dt>Email</dt><dd>bea@example.com</dd>", "<dt>Lifecycle Stage</dt><dd>Customer</dd>",
		"<dt>Owner</dt><dd>Ana Lima</dd>", `Activity <span class="count">(3)</span>`,
		// channel as words and icons, time as UTC in <time>, owner's name, body as sanitised HTML
		`<span class="kind-name">WhatsApp</span>`, `<span class="kind-name">LinkedIn</span>`, `<span class="kind-name">SMS</span>`,
		`<time datetime="2026-03-01T10:00:00Z">1 Mar 2026, 10:00 UTC</time> · <span class="owner">Ana Lima</span>`,
		`<div class="body">Your order <b>shipped</b> &amp; is on its way</div>`, "&lt;script&gt;alert(1)&lt;/script&gt; See you at 10",
	).lacks(t, "<script>alert", "Not for Bea")
	if got, want := p.messageIDs(), []string{li, sms, wa}; !slices.Equal(got, want) {
		t.Errorf("timeline %v, want newest first %v", got, want)
	}
	if got := apiTimeline(t, s, "contacts", "contact", c); !slices.Equal(got, p.messageIDs()) {
		t.Errorf("page %v, API %v", p.messageIDs(), got)
	}

	// Filter by channel.
	p = b.get("/ui/contacts/"+c+"?channel=SMS").want(t, 200, `aria-current="true">SMS</a>`)
	if got := p.messageIDs(); !slices.Equal(got, []string{sms}) {
		t.Errorf("SMS filter %v", got)
	}
	p = b.get("/ui/contacts/" + c + "?channel=FAX") // unknown channel: all
	if got := p.messageIDs(); len(got) != 3 {
		t.Errorf("unknown filter %v", got)
	}

	// The pinned message comes first and is marked, through the API's pin.
	if r := s.Do("PATCH", "/crm/v3/objects/contacts/"+c, map[string]any{"properties": map[string]string{"hs_pinned_engagement_id": wa}}); r.Status != 200 {
		t.Fatal(r.Status, string(r.Body))
	}
	p = b.get("/ui/contacts/"+c).want(t, 200, `<li id="message-`+wa+`" class="entry ch-whatsapp is-pinned">`, "Pinned</span>", "Unpin")
	if got, want := p.messageIDs(), []string{wa, li, sms}; !slices.Equal(got, want) {
		t.Errorf("pinned timeline %v, want %v", got, want)
	}
	// A filter that excludes the pinned message leaves it out.
	if got := b.get("/ui/contacts/" + c + "?channel=LINKEDIN_MESSAGE").messageIDs(); !slices.Equal(got, []string{li}) {
		t.Errorf("LinkedIn filter with pin %v", got)
	}

	// Companies, deals and tickets have timelines too.
	co := f.create("companies", map[string]string{"name": "Acme"})
	f.message("companies", co, "LINKEDIN_MESSAGE", "Hello Acme", "2026-03-01T10:00:00Z")
	b.get("/ui/companies/"+co).want(t, 200, "<h1>Acme</h1>", "Hello Acme")
	d := f.create("deals", map[string]string{"dealname": "Big deal", "dealstage": "closedwon", "pipeline": "default", "amount": "1500.5"})
	f.message("deals", d, "SMS", "Deal message", "2026-03-01T10:00:00Z")
	b.get("/ui/deals/"+d).want(t, 200, "<h1>Big deal</h1>", "<dd>Closed won</dd>", "<dd>1,500.5</dd>", "Deal message")
	tk := f.create("tickets", map[string]string{"subject": "Broken", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
	f.message("tickets", tk, "WHATS_APP", "Ticket message", "2026-03-01T10:00:00Z")
	b.get("/ui/tickets/"+tk).want(t, 200, "<h1>Broken</h1>", "<dd>New</dd>", "Ticket message")
}

func TestTimelinePaging(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Paging", "Person")
	// 70 messages; groups of seven share a timestamp, so pages end inside ties.
	var want []string
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type msg struct {
		id string
		ts time.Time
	}
	var all []msg
	for i := range 70 {
		ts := base.Add(time.Duration(i/7) * time.Hour)
		all = append(all, msg{f.message("contacts", c, []string{"WHATS_APP", "SMS"}[i%2], "m"+strconv.Itoa(i), ts.Format(time.RFC3339)), ts})
	}
	// Newest first; equal times in id order, as the API's search sorts them.
	slices.SortStableFunc(all, func(a, b msg) int { return b.ts.Compare(a.ts) })
	for _, m := range all {
		want = append(want, m.id)
	}
	b := signIn(t, s, spoketest.Token)
	var got []string
	next := "/ui/contacts/" + c
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		p := b.get(next).want(t, 200)
		if pages == 0 {
			p.want(t, 200, `Activity <span class="count">(70)</span>`).lacks(t, "Newest activity")
		} else {
			p.want(t, 200, "Showing older activity.", "Newest activity")
		}
		got = append(got, p.messageIDs()...)
		next = p.olderURL()
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged timeline:\n got %v\nwant %v", got, want)
	}
	// Older pages go on from the last entry shown (before = its time, id =
	// its id), so a page may start anywhere, inside a group of equal times
	// too: walk the timeline from just after the newest message.
	got = []string{want[0]}
	next = "/ui/contacts/" + c + "?" + url.Values{"before": {strconv.FormatInt(all[0].ts.UnixMilli(), 10)}, "id": {want[0]}}.Encode()
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		p := b.get(next).want(t, 200, "Showing older activity.")
		got = append(got, p.messageIDs()...)
		next = p.olderURL()
		if next != "" && !strings.Contains(next, "before=") {
			t.Fatalf("older link %q left the keyset", next)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("keyset pages:\n got %v\nwant %v", got, want)
	}
	// Paging keeps the channel filter.
	got = nil
	next = "/ui/contacts/" + c + "?channel=SMS"
	for next != "" {
		p := b.get(next)
		got = append(got, p.messageIDs()...)
		next = p.olderURL()
		if next != "" && !strings.Contains(next, "channel=SMS") {
			t.Fatalf("older link %q lost the filter", next)
		}
	}
	if len(got) != 35 {
		t.Errorf("SMS pages hold %d messages", len(got))
	}
}

func TestAPIWritesShowAtOnce(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Dora", "Dias")
	b := signIn(t, s, spoketest.Token)
	b.get("/ui/contacts/"+c).want(t, 200, "No activity.")
	r := s.Do("POST", "/crm/v3/objects/communications", map[string]any{
		"properties": map[string]string{"hs_communication_channel_type": "SMS", "hs_communication_logged_from": "CRM",
			"hs_communication_body": "Written through the API", "hs_timestamp": "2026-05-01T12:00:00Z"},
		"associations": []any{map[string]any{"to": map[string]string{"id": c},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}}}},
	})
	if r.Status != 201 {
		t.Fatal(r.Status, string(r.Body))
	}
	b.get("/ui/contacts/"+c).want(t, 200, "Written through the API")
}
