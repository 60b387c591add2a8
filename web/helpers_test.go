package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestMain stops the PostgreSQL cluster started for SPOKE_TEST_STORE=postgres runs.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests see each answer; it remembers the last CSRF token it was shown.
type browser struct {
	t    *testing.T
	s    *spoketest.Server
	c    *http.Client
	csrf string
}

type page struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func newBrowser(t *testing.T, s *spoketest.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, s: s, c: c}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := &page{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location"), Header: resp.Header}
	if m := csrfRE.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) *page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.s.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form with the last CSRF token seen unless form sets one.
func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest("POST", b.s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow GETs a redirect's target.
func (b *browser) follow(p *page) *page {
	b.t.Helper()
	if p.Status != http.StatusSeeOther || p.Location == "" {
		b.t.Fatalf("want a 303 redirect, got %d: %s", p.Status, p.Body)
	}
	loc, _, _ := strings.Cut(p.Location, "#")
	return b.get(loc)
}

// signIn opens the sign-in page and signs in with token.
func signIn(t *testing.T, s *spoketest.Server, token string) *browser {
	t.Helper()
	b := newBrowser(t, s)
	b.get("/ui/sign-in")
	p := b.post("/ui/sign-in", url.Values{"token": {token}, "next": {"/"}})
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("sign in: %d %q: %s", p.Status, p.Location, p.Body)
	}
	return b
}

func (p *page) want(t *testing.T, status int, texts ...string) *page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d:\n%s", p.Status, status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("page lacks %q:\n%s", s, p.Body)
		}
	}
	return p
}

func (p *page) lacks(t *testing.T, texts ...string) *page {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(p.Body, s) {
			t.Fatalf("page has %q:\n%s", s, p.Body)
		}
	}
	return p
}

// form is the page's form that posts to action, as a page of its own.
func (p *page) form(t *testing.T, action string) *page {
	t.Helper()
	at := strings.Index(p.Body, `action="`+action+`"`)
	if at < 0 {
		t.Fatalf("no form posts to %s:\n%s", action, p.Body)
	}
	start := strings.LastIndex(p.Body[:at], "<form")
	end := start + strings.Index(p.Body[start:], "</form>") + len("</form>")
	return &page{Status: p.Status, Body: p.Body[start:end], Header: p.Header}
}

var messageIDRE = regexp.MustCompile(`<li id="message-(\d+)"`)

// messageIDs lists the ids of the messages on a timeline page, in order.
func (p *page) messageIDs() []string {
	var ids []string
	for _, m := range messageIDRE.FindAllStringSubmatch(p.Body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

var olderRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">Older activity</a>`)

func (p *page) olderURL() string {
	m := olderRE.FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	u, _, _ := strings.Cut(html.UnescapeString(m[1]), "#")
	return u
}

// fixture creates records through the engine, as the API would.
type fixture struct {
	t *testing.T
	s *spoketest.Server
}

var actor = crm.Actor{SourceType: crm.SourceIntegration, SourceID: "0"}

func (f fixture) typ(name string) *crm.ObjectType {
	t, err := f.s.Engine.Types.Resolve(name)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f fixture) create(typ string, props map[string]string) string {
	f.t.Helper()
	obj, err := f.s.Engine.Create(context.Background(), actor, f.typ(typ), crm.CreateInput{Properties: props})
	if err != nil {
		f.t.Fatal(err)
	}
	return strconv.FormatInt(obj.ID, 10)
}

func (f fixture) contact(first, last string) string {
	return f.create("contacts", map[string]string{"firstname": first, "lastname": last,
		"email": strings.ToLower(first+"."+last) + "@example.com"})
}

// assocTypes are the communication-to-record association types.
var assocTypes = map[string]int64{"contacts": 81, "companies": 87, "deals": 85, "tickets": 83}

// message logs a message on the record toType/toID.
func (f fixture) message(toType, toID, channel, body, ts string, extra ...string) string {
	f.t.Helper()
	props := map[string]string{"hs_communication_channel_type": channel, "hs_communication_logged_from": "CRM",
		"hs_communication_body": body, "hs_timestamp": ts}
	for i := 0; i+1 < len(extra); i += 2 {
		props[extra[i]] = extra[i+1]
	}
	obj, err := f.s.Engine.Create(context.Background(), actor, f.typ("communications"), crm.CreateInput{Properties: props,
		Associations: []crm.AssociationInput{{ToID: toID, Types: []crm.AssociationSpec{{Category: "HUBSPOT_DEFINED", TypeID: assocTypes[toType]}}}}})
	if err != nil {
		f.t.Fatal(err)
	}
	return strconv.FormatInt(obj.ID, 10)
}

// apiProps reads a record through the HTTP API.
func apiProps(t *testing.T, s *spoketest.Server, typ, id, properties string) (int, map[string]any) {
	t.Helper()
	r := s.Do("GET", fmt.Sprintf("/crm/v3/objects/%s/%s?properties=%s", typ, id, properties), nil)
	if r.Status != http.StatusOK {
		return r.Status, nil
	}
	return r.Status, r.JSON()["properties"].(map[string]any)
}

// apiTimeline lists, through the API's search, the ids of the messages
// associated with a record, newest first.
func apiTimeline(t *testing.T, s *spoketest.Server, typ, singular, id string) []string {
	t.Helper()
	r := s.Do("POST", "/crm/v3/objects/communications/search", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "associations." + singular, "operator": "EQ", "value": id}}}},
		"sorts":        []any{map[string]any{"propertyName": "hs_timestamp", "direction": "DESCENDING"}},
		"limit":        200,
	})
	if r.Status != http.StatusOK {
		t.Fatalf("search: %d %s", r.Status, r.Body)
	}
	var ids []string
	for _, res := range r.JSON()["results"].([]any) {
		ids = append(ids, res.(map[string]any)["id"].(string))
	}
	return ids
}
