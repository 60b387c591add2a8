package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// browsers starts headless Chromium in the test's zone (browserZone) and
// returns a function that opens a window with its own cookies: one person
// each.
func browsers(t *testing.T) func() *chrome {
	t.Helper()
	return browsersIn(t, browserZone)
}

// browsersIn is browsers with the browser in the time zone zone.
func browsersIn(t *testing.T, zone string) func() *chrome {
	t.Helper()
	exe := os.Getenv("SPOKE_CHROMIUM")
	if exe == "" {
		exe = chromiumPath
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the browser test needs Chromium at %s, which is missing (%v)", exe, err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900), chromedp.Env("TZ="+zone, "LANG=en_US.UTF-8"))
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelRoot)
	// Start the browser on a context without a deadline, then bound each
	// window's steps.
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	return func() *chrome {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatal(err)
		}
		ctx, cancelSteps := context.WithTimeout(ctx, browserSteps)
		t.Cleanup(cancelSteps)
		return &chrome{t: t, ctx: ctx}
	}
}

// signIn signs the window in with token and lands on the home page.
func (c *chrome) signIn(base, token string) {
	c.t.Helper()
	c.open(base + "/ui/sign-in")
	c.do(chromedp.SendKeys(chromedp.CSS(`#token`), token))
	c.submit(`form[action="/ui/sign-in"] button[type="submit"]`)
	c.wantText(`h1`, "Records")
}

// inOrder reports whether the letters of word, inside the first element
// matching sel, are drawn left to right (as a left-to-right word is): the
// rectangle of its first letter starts left of its last one's.
func (c *chrome) inOrder(sel, word string) string {
	c.t.Helper()
	return c.eval(`(() => {
		const root = document.querySelector(` + jsString(sel) + `), word = ` + jsString(word) + `;
		if (!root) return 'no element ' + ` + jsString(sel) + `;
		const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			const at = n.data.indexOf(word);
			if (at < 0) continue;
			const box = i => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); return r.getBoundingClientRect(); };
			return box(at).left < box(at + word.length - 1).left ? 'ok' : word + ' is drawn right to left';
		}
		return 'no text ' + word + ' in ' + root.innerText;
	})()`)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// TestBrowserHostileValues shows property values written to break a page
// (markup and script, a right-to-left override, right-to-left text, emoji,
// strings without a space) everywhere the pages show them: the list, the
// record page and its timeline, the delete question, a search. No script
// runs, markup shows as text, nothing is wider than the window, and a
// value's right-to-left override does not turn the page's own words around
// after it.
func TestBrowserHostileValues(t *testing.T) {
	// Not parallel: it runs before the parallel browser tests, whose steps
	// have a deadline, instead of slowing them with another Chromium.
	s := spoketest.Open(t)
	long := strings.Repeat("W", 400)
	const rlo = "\u202E"
	r := s.Do("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{
		"firstname": rlo + "Eve <img src=x onerror=\"window.hacked='first'\">", "lastname": "שלום 😀",
		"email": "x" + strings.Repeat("y", 300) + "@example.com", "company": "<script>window.hacked='company'</script>" + long,
		"jobtitle": rlo + "manager", "city": "<b>Porto</b>"}})
	if r.Status != 201 {
		t.Fatalf("contact: %d %s", r.Status, r.Body)
	}
	id := r.JSON()["id"].(string)
	assoc := func(typeID int) []any {
		return []any{map[string]any{"to": map[string]any{"id": id}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}}}
	}
	r = s.Do("POST", "/crm/v3/objects/calls", map[string]any{"properties": map[string]string{
		"hs_call_title": rlo + "<i>call</i> " + long, "hs_call_direction": "OUTBOUND", "hs_call_duration": "65000", "hs_timestamp": "2026-11-21T10:00:00Z"},
		"associations": assoc(194)})
	if r.Status != 201 {
		t.Fatalf("call: %d %s", r.Status, r.Body)
	}
	call := r.JSON()["id"].(string)
	r = s.Do("POST", "/crm/v3/objects/tasks", map[string]any{"properties": map[string]string{
		"hs_task_subject": rlo + "task 😀", "hs_task_status": "NOT_STARTED", "hs_timestamp": "2026-11-22T10:00:00Z"},
		"associations": assoc(204)})
	if r.Status != 201 {
		t.Fatalf("task: %d %s", r.Status, r.Body)
	}
	task := r.JSON()["id"].(string)
	r = s.Do("POST", "/crm/v3/objects/communications", map[string]any{"properties": map[string]string{
		"hs_communication_channel_type": "SMS", "hs_communication_body": long + " مرحبا 😀", "hs_timestamp": "2026-11-20T10:00:00Z"},
		"associations": assoc(81)})
	if r.Status != 201 {
		t.Fatalf("message: %d %s", r.Status, r.Body)
	}
	msg := r.JSON()["id"].(string)
	r = s.Do("POST", "/crm/v3/objects/communications", map[string]any{"properties": map[string]string{
		"hs_communication_channel_type": "WHATS_APP", "hs_communication_body": "שלום, מה שלומך?", "hs_timestamp": "2026-11-19T10:00:00Z"},
		"associations": assoc(81)})
	if r.Status != 201 {
		t.Fatalf("message: %d %s", r.Status, r.Body)
	}
	rtl := r.JSON()["id"].(string)

	open := browsers(t)
	b := open()
	b.signIn(s.URL, spoketest.Token)
	check := func(page string) {
		t.Helper()
		if got := b.eval(`String(window.hacked)`); got != "undefined" {
			t.Errorf("%s: script ran: %s", page, got)
		}
		if got := b.eval(`String(document.querySelectorAll('main img, main script, main b, main i').length)`); got != "0" {
			t.Errorf("%s: %s elements made of values", page, got)
		}
		if got := b.eval(`String(document.documentElement.scrollWidth - innerWidth)`); got != "0" {
			t.Errorf("%s: wider than the window by %s px", page, got)
		}
	}

	b.open(s.URL + "/ui/contacts")
	check("contacts list")
	b.wantText(`table.records`, "<script>window.hacked='company'</script>")
	b.open(s.URL + "/ui/contacts?q=porto")
	check("search")

	b.open(s.URL + "/ui/contacts/" + id)
	check("record page")
	b.wantText(`h1`, "שלום 😀")
	b.wantText(`.props`, "<b>Porto</b>")
	b.wantText(`#message-`+msg+` .body`, "مرحبا 😀")
	// A right-to-left message reads right to left: its question mark at
	// its left end, whatever the page's direction.
	if got := b.eval(`(() => {
		const n = document.querySelector('#message-` + rtl + ` .body').firstChild;
		const box = i => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); return r.getBoundingClientRect().left; };
		return box(n.data.length - 1) < box(0) ? 'ok' : 'the question mark is right of the first letter';
	})()`); got != "ok" {
		t.Errorf("right-to-left message: %s", got)
	}
	// The page's words after a value that overrides the text's direction.
	if got := b.inOrder(`#call-`+call+` .summary`, "Outbound"); got != "ok" {
		t.Errorf("call summary: %s", got)
	}
	if got := b.inOrder(`#task-`+task+` .summary`, "Not started"); got != "ok" {
		t.Errorf("task summary: %s", got)
	}

	b.submit(`#call-` + call + ` a.danger`)
	check("delete question")
	if got := b.inOrder(`main > p`, "where it can be restored"); got != "ok" {
		t.Errorf("delete question: %s", got)
	}

	// On a phone's width, long values wrap on every page too: the delete
	// question, a long search, the notice after restoring a record.
	if r := s.Do("DELETE", "/crm/v3/objects/contacts/"+id, nil); r.Status != 204 {
		t.Fatalf("delete the contact: %d", r.Status)
	}
	r = s.Do("POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]string{"firstname": long, "email": "z" + long + "@example.com"}})
	if r.Status != 201 {
		t.Fatalf("contact: %d %s", r.Status, r.Body)
	}
	other := r.JSON()["id"].(string)
	if r := s.Do("DELETE", "/crm/v3/objects/contacts/"+other, nil); r.Status != 204 {
		t.Fatalf("delete the contact: %d", r.Status)
	}
	b.do(chromedp.EmulateViewport(375, 800))
	b.open(s.URL + "/ui/contacts/recycle-bin")
	check("contacts' recycle bin, narrow")
	b.submit(`#deleted-` + other + ` button[type="submit"]`)
	b.wantText(`.flash`, "Contact restored.")
	check("notice after a restore, narrow")
	b.open(s.URL + "/ui/contacts?q=" + long)
	check("search, narrow")
	b.open(s.URL + "/ui/contacts/" + other)
	check("record page, narrow")
	r = s.Do("POST", "/crm/v3/objects/notes", map[string]any{"properties": map[string]string{"hs_note_body": long, "hs_timestamp": "2026-11-20T10:00:00Z"},
		"associations": []any{map[string]any{"to": map[string]any{"id": other}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}}}}})
	if r.Status != 201 {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	note := r.JSON()["id"].(string)
	b.open(s.URL + "/ui/contacts/" + other + "/notes/" + note + "/delete")
	check("delete question, narrow")
	b.submit(`form.confirm button[type="submit"]`)
	b.open(s.URL + "/ui/contacts/" + other + "/recycle-bin")
	check("record's recycle bin, narrow")
	b.wantText(`#deleted-`+note, "WWW")

	// A token's name and a custom object type's labels are values too: the
	// header, the home page and the type's list.
	if r := s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"boats","labels":{"singular":"Boat`+long+`","plural":"Boats`+long+`"},
		"primaryDisplayProperty":"boat_name","properties":[{"name":"boat_name","label":"Boat name`+long+`"}]}`); r.Status != 201 {
		t.Fatalf("schema: %d %s", r.Status, r.Body)
	}
	secret := crm.NewTokenSecret()
	if err := s.Store.Tokens().CreateToken(context.Background(), &crm.Token{Name: "sync-" + long, Hash: crm.HashToken(secret),
		Scopes: []string{"crm.objects.contacts.read", "crm.objects.custom.read"}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	b = open()
	b.do(chromedp.EmulateViewport(375, 800))
	b.signIn(s.URL, secret)
	check("home page, narrow, a long token name and type label")
	b.submit(fmt.Sprintf(`nav.main-nav a[href="/ui/p%d_boats"]`, spoketest.PortalID))
	b.wantText(`h1`, "Boats")
	check("custom object list, narrow")

	// An app's name on the webhooks page.
	app := &crm.App{Name: rlo + "Inbox " + long, ClientSecret: crm.NewAppSecret(), KeyHash: crm.HashToken(crm.NewAppSecret()), CreatedAt: time.Now()}
	if err := s.Store.(crm.WebhookStorer).Webhooks().CreateApp(context.Background(), app); err != nil {
		t.Fatal(err)
	}
	b = open()
	b.do(chromedp.EmulateViewport(375, 800))
	b.signIn(s.URL, spoketest.Token)
	b.open(s.URL + "/ui/webhooks")
	check("webhooks page, narrow")
	if got := b.inOrder(fmt.Sprintf("#app-%d-name", app.ID), "app"); got != "ok" {
		t.Errorf("webhooks page: %s", got)
	}
}
