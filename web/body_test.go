package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestMessageBodyFormatting: the timeline, the delete question and the
// recycle bin show hs_communication_body as HTML through the sanitiser,
// with its formatting and line breaks, never as stored.
func TestMessageBodyFormatting(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Rita", "Reis")
	formatted := f.message("contacts", c, "WHATS_APP",
		`<p>Hi <strong>Rita</strong>,</p><ul><li>one</li><li>two</li></ul><ol start="3"><li>three</li></ol>`+
			`<p>See <a href="https://example.com/list?a=1&b=2">the list</a> or <a href="mailto:shop@example.com">write</a>.</p>`,
		"2026-02-01T10:00:00Z")
	f.message("contacts", c, "SMS", "First line\nsecond line & <3", "2026-02-02T10:00:00Z")
	hostile := f.message("contacts", c, "LINKEDIN_MESSAGE",
		`<script>window.hacked=1</script><SCRIPT SRC="https://evil.example/x.js"></SCRIPT>`+
			`<img src="x" onerror="window.hacked=2"><svg onload="window.hacked=3"></svg>`+
			`<a href="javascript:window.hacked=4">js link</a> <a href=" JaVaScRiPt:alert(1)">js caps</a> `+
			`<a href="data:text/html,<script>alert(1)</script>">data link</a> <a href="/ui/contacts?from=body">own page</a>`+
			`<p onclick="window.hacked=5" style="color:red" class="flash" id="timeline">styled</p>`+
			`<iframe src="https://evil.example/"></iframe><style>body{display:none}</style><form action="/ui/sign-out"><button>go</button></form>`+
			`<a href="https://example.com/" rel="opener" target="_self">opener</a>`,
		"2026-02-03T10:00:00Z")
	f.message("contacts", c, "SMS", "<p> </p>&nbsp;<br>\u200b<script>only a script</script>", "2026-02-04T10:00:00Z")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)

	p := b.get(path).want(t, 200,
		`<div class="body"><p>Hi <strong>Rita</strong>,</p><ul><li>one</li><li>two</li></ul><ol start="3"><li>three</li></ol>`,
		`<a href="https://example.com/list?a=1&amp;b=2" rel="nofollow noopener" target="_blank">the list</a>`,
		`<a href="mailto:shop@example.com" rel="nofollow">write</a>`,
		// plain text (no tag) keeps its line breaks; its characters are text
		"<div class=\"body\">First line<br>\nsecond line &amp; &lt;3</div>",
		"js link", "js caps", "data link", "own page", "<p>styled</p>",
		`<a href="https://example.com/" rel="nofollow noopener" target="_blank">opener</a>`,
		// a body that shows nothing is said to be empty
		`<div class="body"><p class="empty">(no text)</p></div>`,
	).lacks(t, "window.hacked", "evil.example", "<script>", "<SCRIPT", "<img", "onerror", "onload", "onclick",
		"javascript:", "JaVaScRiPt", "data:text", "from=body", "color:red", "<iframe", "<style", "display:none",
		`<form action="/ui/sign-out"`, "only a script", `target="_self"`, `rel="opener`)
	if n := strings.Count(strings.ToLower(p.Body), "<script"); n != 1 {
		t.Errorf("%d script elements, want the page's own", n)
	}
	if n := strings.Count(p.Body, `id="timeline"`); n != 1 {
		t.Errorf("id=\"timeline\" %d times: a body's ids must not reach the page", n)
	}
	if n := strings.Count(p.Body, `class="flash"`); n != 0 {
		t.Errorf("a body's class reached the page")
	}

	// The same sanitised body on the delete question and in the recycle bin.
	b.get(path+"/messages/"+formatted+"/delete").want(t, 200, `<ul><li>one</li><li>two</li></ul>`)
	b.get(path+"/messages/"+hostile+"/delete").want(t, 200, "<p>styled</p>").lacks(t, "window.hacked", "<script>")
	if r := s.Do("DELETE", "/crm/v3/objects/communications/"+hostile, nil); r.Status != http.StatusNoContent {
		t.Fatal(r.Status)
	}
	b.get(path+"/recycle-bin").want(t, 200, "<p>styled</p>", "js link").lacks(t, "window.hacked", "<script>", "onerror", "javascript:")
	b.get("/ui/communications/recycle-bin").want(t, 200, "<p>styled</p>").lacks(t, "window.hacked", "<script>")
}

// TestLogMessageRefusesEmpty: the form refuses a message with no text on
// the server too (the textarea's required attribute lets white space
// through, and forms can be sent without the page), keeping the input.
func TestLogMessageRefusesEmpty(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Ema", "Empty")
	path := "/ui/contacts/" + c
	b := signIn(t, s, spoketest.Token)
	b.get(path)
	for _, body := range []string{"", "   ", "\r\n\t \n", "\u00a0\u2003", "\u200b\u200d\ufeff"} {
		b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {body}, "time": {"2026-05-01T10:00"}}).
			want(t, http.StatusBadRequest, `role="alert"`, "The message was not logged. Write the message&#39;s text: it is empty.",
				`<input type="radio" name="channel" value="SMS" checked>`, `value="2026-05-01T10:00"`)
	}
	if got := apiTimeline(t, s, "contacts", "contact", c); len(got) != 0 {
		t.Errorf("empty messages were logged: %v", got)
	}
	// Text that looks like markup is text, not empty.
	p := b.post(path+"/messages", url.Values{"channel": {"SMS"}, "body": {"<p></p>"}})
	b.follow(p).want(t, 200, `<div class="body">&lt;p&gt;&lt;/p&gt;</div>`)
}
