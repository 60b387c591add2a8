package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// sweepForms are forms a browser, or something posing as one, can send
// wrong: fields empty, missing, repeated, far too long, with NUL, invalid
// UTF-8 and markup, times and offsets that are not, owners that do not
// exist, and unknown channels and kinds.
var sweepForms = []url.Values{
	{},
	{"body": {""}, "time": {""}, "owner": {""}, "channel": {""}, "tzoffset": {""}},
	{"body": {"hello"}, "time": {"not a time"}, "tzoffset": {"abc"}, "channel": {"PIGEON"}},
	{"body": {"hello"}, "time": {"2026-13-45T99:99"}, "tzoffset": {"99999999999999999999"}, "channel": {"WHATS_APP"}},
	{"body": {"hello"}, "time": {"2026-03-14T09:26"}, "tzoffset": {"-100000"}, "owner": {"99999999999999999999999"}, "channel": {"SMS"}},
	{"body": {"hello"}, "time": {"2026-03-14T09:26"}, "owner": {"abc"}, "channel": {"LINKEDIN_MESSAGE"}},
	{"body": {"a\x00b"}, "channel": {"SMS"}, "time": {"2026-03-14T09:26"}},
	{"body": {"\xff\xfe"}, "channel": {"SMS"}, "time": {"2026-03-14T09:26"}},
	{"body": {strings.Repeat("<b>x</b>", 20000)}, "channel": {"SMS"}, "time": {"2026-03-14T09:26"}},
	{"body": {"one", "two"}, "channel": {"SMS", "WHATS_APP"}, "time": {"2026-03-14T09:26", "x"}},
	{"engagement": {"99999999999999999999999"}, "kind": {"nope"}, "filter": {"nope"}, "filter_type": {"nope"}},
	{"engagement": {"abc"}, "kind": {"messages"}, "filter": {""}, "filter_type": {"calls"}},
	{"token": {""}, "next": {"//evil.example.com"}},
	{"token": {"pat-na1-nope"}, "next": {"/ui/contacts"}},
	{"token": {"\x00"}, "next": {"javascript:alert(1)"}},
}

// sweepPageQueries are query strings of pages a link can get wrong.
var sweepPageQueries = []string{
	"", "after=abc", "after=-1", "after=99999999999999999999", "offset=-5", "offset=abc",
	"before=abc&id=zzz", "before=99999999999999999999&id=99999999999999999999999", "id=-1",
	"type=nope&channel=nope", "type=messages&channel=PIGEON", "q=%00", "q=" + strings.Repeat("x", 5000),
	"next=//evil.example.com", "reason=nope",
}

// TestPageSweep signs in and sends every page and form the wrong path
// parameters, query strings and forms above, with and without the form's
// CSRF token. No answer may be a server error, and every answer is HTML
// (a page or a redirect), as a browser expects.
func TestPageSweep(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	contact := f.contact("Sweep", "Page")
	msg := f.message("contacts", contact, "WHATS_APP", "hello", "2026-03-14T09:26:00.000Z")
	good := map[string]string{"type": "contacts", "id": contact, "kind": "messages", "mid": msg, "other": "communications"}
	bad := map[string][]string{
		"type": {"nope", "2-99999999999999999999"}, "id": {"99999999999999999999999", "abc", "-1", "0"},
		"kind": {"nope", "contacts"}, "mid": {"99999999999999999999999", "abc", contact}, "other": {"nope"},
	}
	routes := s.Web.Routes()
	if len(routes) < 15 {
		t.Fatalf("%d page routes", len(routes))
	}
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		if strings.Contains(pattern, "/static/") || pattern == "/favicon.ico" {
			continue
		}
		t.Run(route, func(t *testing.T) {
			t.Parallel()
			b := signIn(t, s, spoketest.Token)
			b.get("/ui/contacts/" + contact) // for a CSRF token
			path, err := spoketest.FillPath(pattern, good)
			if err != nil {
				t.Fatal(err)
			}
			send := func(path string, form url.Values) {
				t.Helper()
				var p *page
				what := route + " " + path
				if method == "POST" {
					p = b.post(path, form)
					what += " " + form.Encode()
				} else {
					p = b.get(path)
				}
				if len(what) > 200 {
					what = what[:200]
				}
				if p.Status >= 500 {
					t.Errorf("%s: status %d: %.300s", what, p.Status, p.Body)
				} else if p.Status != http.StatusSeeOther && !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
					t.Errorf("%s: status %d, Content-Type %q", what, p.Status, p.Header.Get("Content-Type"))
				}
			}
			if method == "POST" {
				for _, form := range sweepForms {
					send(path, cloneForm(form))
				}
				send(path, url.Values{"csrf": {"wrong"}, "body": {"x"}})
				send(path, url.Values{"csrf": {""}})
			} else {
				for _, q := range sweepPageQueries {
					if q == "" {
						send(path, nil)
					} else {
						send(path+"?"+q, nil)
					}
				}
			}
			wrong, err := spoketest.WrongPaths(pattern, good, bad)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range wrong {
				send(path, url.Values{"body": {"x"}, "channel": {"SMS"}, "time": {"2026-03-14T09:26"}})
			}
		})
	}
}

// cloneForm copies a form, so that post's CSRF token does not stay in the
// shared one.
func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}
