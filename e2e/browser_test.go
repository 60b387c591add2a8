package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// chromiumPath is Debian's Chromium, which .ci/run installs; SPOKE_CHROMIUM
// names another binary.
const chromiumPath = "/usr/bin/chromium"

// browserZone is the browser's time zone: a zone away from UTC and without
// summer time, so the page's local times can be checked exactly.
const browserZone = "America/Sao_Paulo"

// TestBrowserTimeline drives the record timeline pages in headless Chromium:
// sign in, open a contact whose timeline holds every engagement type (each
// with its icon and summary), log a WhatsApp message, pin it, delete another
// message and restore it from the recycle bin, filter the timeline by type,
// add a note and pin it, delete a task and restore it, checking each step on
// the page and through the API; message and note bodies keep their
// formatting and lose their scripts, summaries are text; notices stay in
// view; the form follows the channel filter and the record's owner; a deal
// shows its associated records; every button and standalone link is at
// least 24 px square. With SPOKE_SCREENSHOTS set to a
// folder it saves record-page.png and recycle-bin.png there (the README's
// pictures in docs/).
// browserSteps bounds the steps of one browser test: a guard against a
// hung browser, not a measure of speed, so it leaves room for a slow,
// shared machine.
const browserSteps = 2 * time.Minute

func TestBrowserTimeline(t *testing.T) {
	t.Parallel()
	exe := os.Getenv("SPOKE_CHROMIUM")
	if exe == "" {
		exe = chromiumPath
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the browser test needs Chromium at %s, which is missing (%v): install Debian's package with "+
			"`apt-get install -y chromium` (.ci/run does), or set SPOKE_CHROMIUM to a Chromium binary", exe, err)
	}

	s := spoketest.Open(t)
	demo := seedDemo(t, s)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Env("TZ="+browserZone, "LANG=en_US.UTF-8"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// Start the browser on a context without a deadline (a deadline on the
	// first call would bound the browser's life), then bound the steps.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	ctx, cancelSteps := context.WithTimeout(ctx, browserSteps)
	defer cancelSteps()

	b := &chrome{t: t, ctx: ctx}
	contactURL := "/ui/contacts/" + demo.contact

	// Sign in: the home page sends a stranger to the sign-in form.
	b.open(s.URL + "/")
	b.waitVisible(`#token`)
	b.wantTouchTargets("sign-in page")
	b.do(chromedp.SendKeys(chromedp.CSS(`#token`), spoketest.Token))
	b.submit(`form[action="/ui/sign-in"] button[type="submit"]`)
	b.wantText(`h1`, "Records")
	b.wantTouchTargets("home page")
	if got := b.evalAsync(`new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i.naturalWidth + "x" + i.naturalHeight); ` +
		`i.onerror = () => fail(new Error("/favicon.ico did not load as an image")); i.src = "/favicon.ico"; })`); got == "0x0" {
		t.Errorf("favicon %s", got)
	}

	// Keyboard: the first Tab reaches the skip link.
	b.do(chromedp.KeyEvent("\t"))
	if got := b.eval(`document.activeElement.className`); got != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", got)
	}
	b.eval(`document.activeElement.blur(), ""`) // the focused skip link covers the header

	// Open the contact from the contacts list.
	b.submit(`nav.main-nav a[href="/ui/contacts"]`)
	b.wantTouchTargets("contacts list")
	b.submit(`a[href="` + contactURL + `"]`)
	b.wantText(`h1`, "Ana Lima")
	b.wantTouchTargets("record page")

	// The body's HTML, sanitised: bold, a list, a link that opens apart.
	summary := `#message-` + demo.summary + ` .body`
	b.wantText(summary+` strong`, "espresso cups")
	if got := b.eval(`String(document.querySelectorAll('` + summary + ` li').length)`); got != "2" {
		t.Errorf("summary shows %s list items, want 2", got)
	}
	if got := b.eval(`(a => a.rel + "|" + a.target + "|" + a.href)(document.querySelector('` + summary + ` a'))`); got != "nofollow noopener|_blank|https://example.com/track/4821" {
		t.Errorf("link in the body: %s", got)
	}
	// The owner of a new message is the contact's owner unless changed.
	if got := b.eval(`document.getElementById('owner').value`); got != demo.maria {
		t.Errorf("owner field %q, want the contact's owner %s", got, demo.maria)
	}
	// Associated records, as links.
	b.wantText(`.assoc a[href="/ui/companies/`+demo.company+`"]`, "Lima Ceramics")
	b.wantText(`.assoc a[href="/ui/deals/`+demo.deal+`"]`, "Wholesale order")
	// Every engagement type, with its word, its icon and its summary.
	for anchor, want := range map[string][]string{
		"note-" + demo.note:          {"Note", "deliveries before noon"},
		"call-" + demo.phoneCall:     {"Call", "Delivery window · Outbound · 4:05 · Connected"},
		"email-" + demo.email:        {"Email", "Wholesale price list · Email sent from CRM"},
		"meeting-" + demo.meeting:    {"Meeting", "Showroom visit", "Scheduled"},
		"task-" + demo.task:          {"Task", "Send the spring catalogue · Not started · Due"},
		"postal-mail-" + demo.postal: {"Postal mail", "Printed catalogue sent by post."},
	} {
		b.wantText(`#`+anchor+` .kind-name`, want[0])
		for _, text := range want[1:] {
			b.wantText(`#`+anchor+` article > :nth-child(2)`, text)
		}
	}
	if got := b.eval(`(() => {
		const icons = new Map();
		for (const li of document.querySelectorAll('ol.entries > li')) {
			const svg = li.querySelector('.kind svg');
			if (!svg || svg.getAttribute('aria-hidden') !== 'true') return 'no hidden icon in ' + li.id;
			if (!li.querySelector('.kind-name').textContent.trim()) return 'no word beside the icon of ' + li.id;
			icons.set(li.id.replace(/-\d+$/, '') + (li.className.match(/ch-[a-z-]+/) || [''])[0], svg.outerHTML);
		}
		return String(new Set(icons.values()).size) + ' icons for ' + icons.size + ' kinds';
	})()`); got != "9 icons for 9 kinds" { // WhatsApp, LinkedIn and SMS messages and six types
		t.Errorf("timeline icons: %s", got)
	}
	// Times are shown in the browser's zone: 10:00 UTC is 7:00 AM in São Paulo.
	b.wantText(`#message-`+demo.call+` time`, "7:00")
	// A task's due date too: 17:00 UTC is 2:00 PM there.
	b.wantText(`#task-`+demo.task+` .summary time`, "2:00")
	// A meeting's end on its start's day: the time alone.
	if got := b.eval(`document.querySelector('#meeting-` + demo.meeting + ` time[data-after]').textContent`); !strings.Contains(got, "11:30") || strings.Contains(got, "2026") {
		t.Errorf("meeting end shows %q, want 11:30 without the date", got)
	}
	if got := b.eval(`document.querySelector('#message-` + demo.call + ` time').title`); !strings.Contains(got, "UTC") {
		t.Errorf("time title %q", got)
	}
	b.wantText(`[data-tz-label]`, browserZone)

	// Log a WhatsApp message at 15:30 local time (18:30 UTC), owned by Maria.
	b.do(chromedp.Click(chromedp.CSS(`input[name="channel"][value="WHATS_APP"]`)))
	b.do(chromedp.SendKeys(chromedp.CSS(`#body`), "Your order has shipped and arrives on Friday."))
	b.do(chromedp.SetValue(chromedp.CSS(`#time`), "2026-11-25T15:30"))
	b.submit(`.log-form button[type="submit"]`)
	b.wantText(`.flash`, "Message logged.")
	logged := apiNewest(t, s, demo.contact)
	b.wantNotice("#message-" + logged)
	props := apiRead(t, s, "communications", logged, "hs_communication_channel_type,hs_timestamp,hubspot_owner_id,hs_body_preview")
	want := map[string]string{"hs_communication_channel_type": "WHATS_APP", "hs_timestamp": "2026-11-25T18:30:00Z",
		"hubspot_owner_id": demo.maria, "hs_body_preview": "Your order has shipped and arrives on Friday."}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("logged message %s = %v, want %v", k, props[k], v)
		}
	}
	b.wantText(`#message-`+logged+` .body`, "Your order has shipped")
	b.wantText(`#message-`+logged+` .kind-name`, "WhatsApp")
	b.wantText(`#message-`+logged+` .owner`, "Maria Santos")
	b.wantText(`#message-`+logged+` time`, "3:30")

	// Pin it: it moves to the top, marked, and the API shows the pin.
	b.submit(`#message-` + logged + ` form[action$="/pin"] button`)
	b.wantText(`.flash`, "pinned")
	b.waitVisible(`#message-` + logged + `.is-pinned .pin-badge`)
	if got := b.eval(`document.querySelector('ol.entries > li').id`); got != "message-"+logged {
		t.Errorf("first message is %q, want the pinned message-%s", got, logged)
	}
	if got := apiRead(t, s, "contacts", demo.contact, "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != logged {
		t.Errorf("API pin %v, want %s", got, logged)
	}
	b.screenshot("record-page.png")

	// Delete another message, after confirming.
	b.submit(`#message-` + demo.call + ` a.danger`)
	b.wantText(`h1`, "Delete this message?")
	b.wantTouchTargets("delete question")
	b.submit(`form.confirm button[type="submit"]`)
	b.wantText(`.flash`, "Message deleted.")
	b.wantNotice("#timeline")
	if b.eval(`String(document.getElementById('message-`+demo.call+`') === null)`) != "true" {
		t.Error("the deleted message is still on the timeline")
	}
	if r := s.Do("GET", "/crm/v3/objects/communications/"+demo.call, nil); r.Status != http.StatusNotFound {
		t.Errorf("API read of the deleted message: %d", r.Status)
	}

	// Restore it from the contact's recycle bin.
	b.submit(`.flash a`)
	b.wantText(`h1`, "Deleted activity of Ana Lima")
	b.wantText(`#deleted-`+demo.call+` .body`, "Can we move the call to Friday?")
	b.wantText(`#deleted-`+demo.call+` .deleted-at`, "Deleted")
	b.wantTouchTargets("recycle bin")
	b.screenshot("recycle-bin.png")
	b.submit(`#deleted-` + demo.call + ` button[type="submit"]`)
	b.wantText(`.flash`, "Message restored.")
	b.waitVisible(`#message-` + demo.call)
	b.wantNotice("#message-" + demo.call)
	// The notice can be put away.
	b.do(chromedp.Click(chromedp.CSS(`.flash [data-dismiss]`), chromedp.NodeVisible))
	if got := b.eval(`String(document.querySelector('.flash') === null)`); got != "true" {
		t.Error("the notice is still there after Dismiss")
	}
	if r := s.Do("GET", "/crm/v3/objects/communications/"+demo.call, nil); r.Status != http.StatusOK {
		t.Errorf("API read of the restored message: %d", r.Status)
	}
	if ids := apiTimelineIDs(t, s, demo.contact); !contains(ids, demo.call) {
		t.Errorf("restored message is not associated again: %v", ids)
	}

	// Filter by type: calls only, then everything again.
	b.submit(`.filters a[href*="type=calls"]`)
	if got := b.eval(`Array.from(document.querySelectorAll('ol.entries > li')).map(li => li.id).join(' ')`); got != "call-"+demo.phoneCall {
		t.Errorf("calls filter shows %q", got)
	}
	b.submit(`.filters a[href="` + contactURL + `#timeline"]`)

	// Add a note at 10:00 local time (13:00 UTC), owned by the contact's owner.
	b.do(chromedp.SendKeys(chromedp.CSS(`#note-body`), "Ana asked for the invoice by email."))
	b.do(chromedp.SetValue(chromedp.CSS(`#note-time`), "2026-11-27T10:00"))
	b.submit(`.note-form button[type="submit"]`)
	b.wantText(`.flash`, "Note added.")
	note := apiNewestOf(t, s, "notes", demo.contact)
	b.wantNotice("#note-" + note)
	b.wantText(`#note-`+note+` .body`, "Ana asked for the invoice by email.")
	props = apiRead(t, s, "notes", note, "hs_timestamp,hubspot_owner_id,hs_body_preview")
	want = map[string]string{"hs_timestamp": "2026-11-27T13:00:00Z", "hubspot_owner_id": demo.maria, "hs_body_preview": "Ana asked for the invoice by email."}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("added note %s = %v, want %v", k, props[k], v)
		}
	}
	// Pin it instead of the message.
	b.submit(`#note-` + note + ` form[action$="/pin"] button`)
	b.wantText(`.flash`, "Note pinned")
	if got := b.eval(`document.querySelector('ol.entries > li.is-pinned').id`); got != "note-"+note {
		t.Errorf("pinned entry is %q, want note-%s", got, note)
	}
	if got := apiRead(t, s, "contacts", demo.contact, "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != note {
		t.Errorf("API pin %v, want %s", got, note)
	}

	// Delete the task and restore it from the contact's recycle bin.
	b.submit(`#task-` + demo.task + ` a.danger`)
	b.wantText(`h1`, "Delete this task?")
	b.submit(`form.confirm button[type="submit"]`)
	b.wantText(`.flash`, "Task deleted.")
	if r := s.Do("GET", "/crm/v3/objects/tasks/"+demo.task, nil); r.Status != http.StatusNotFound {
		t.Errorf("API read of the deleted task: %d", r.Status)
	}
	b.submit(`.flash a`)
	b.wantText(`#deleted-`+demo.task+` .summary`, "Send the spring catalogue")
	b.submit(`#deleted-` + demo.task + ` button[type="submit"]`)
	b.wantText(`.flash`, "Task restored.")
	b.wantNotice("#task-" + demo.task)
	if r := s.Do("GET", "/crm/v3/objects/tasks/"+demo.task, nil); r.Status != http.StatusOK {
		t.Errorf("API read of the restored task: %d", r.Status)
	}

	// A deal shows its amount with grouped digits and its associated records.
	b.submit(`.assoc a[href="/ui/deals/` + demo.deal + `"]`)
	b.wantText(`h1`, "Wholesale order")
	b.wantText(`.props dl`, "12,500")
	b.wantText(`.assoc a[href="`+contactURL+`"]`, "Ana Lima")
	b.wantText(`.assoc a[href="/ui/companies/`+demo.company+`"]`, "Lima Ceramics")
	b.wantTouchTargets("deal page")

	// Message bodies never run script: script elements, event handlers and
	// javascript: links are gone before the page is built, whatever the CSP.
	b.open(s.URL + "/ui/contacts/" + demo.hostile)
	b.wantText(`.timeline`, "styled text")
	b.wantText(`.timeline`, "a javascript link")
	b.wantText(`.timeline`, "a hostile note")
	// Summaries are text: markup in a call's title shows as written.
	b.wantText(`.timeline .summary`, `<img src=x onerror="window.hacked='title'"> follow-up`)
	if got := b.eval(`String(window.hacked)`); got != "undefined" {
		t.Errorf("a message body ran script: window.hacked = %s", got)
	}
	if got := b.eval(`String(document.querySelectorAll('.body script, .body img, .body iframe, .body [onerror], .body [onload], .body [onclick], .body [style], .body [id], .summary *:not(time):not(bdi), .summary bdi *').length)`); got != "0" {
		t.Errorf("%s dangerous elements or attributes in message and note bodies or summaries", got)
	}
	for _, a := range strings.Split(b.eval(`Array.from(document.querySelectorAll('.body a')).map(a => a.getAttribute('href') + ' ' + a.rel).join('\n')`), "\n") {
		href, rel, _ := strings.Cut(a, " ")
		if !strings.HasPrefix(href, "https://") || rel != "nofollow noopener" {
			t.Errorf("link in a body: href %q rel %q", href, rel)
		}
	}

	// A page in words for a record that is not there.
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(s.URL+"/ui/deals/10000999999")); err != nil {
		t.Fatal(err)
	}
	b.wantStatusOf("a missing deal", "404")
	b.wantText(`.error`, "There is no deal 10000999999")
	b.wantTouchTargets("not-found page")

	// Phone width: nothing wider than the screen.
	b.do(chromedp.EmulateViewport(390, 844))
	b.open(s.URL + contactURL)
	b.waitVisible(`#timeline`)
	if got := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("record page scrolls sideways at 390px: %s > %s", b.eval(`String(document.documentElement.scrollWidth)`), b.eval(`String(window.innerWidth)`))
	}
	b.wantTouchTargets("record page at 390px")

	// The form's channel follows the timeline's filter: messages, then SMS.
	b.submit(`.filters a[href*="type=messages"]`)
	b.submit(`.filters.channels a[href*="channel=SMS"]`)
	if got := b.eval(`document.querySelector('input[name="channel"]:checked').value`); got != "SMS" {
		t.Errorf("channel chosen on the SMS timeline: %q", got)
	}
	// Only white space: the server refuses a note (the required textarea
	// lets it through), and the focus goes to why.
	b.do(chromedp.SendKeys(chromedp.CSS(`#note-body`), "   "))
	b.submitStatus(`.note-form button[type="submit"]`, "400")
	b.wantText(`#note-error`, "The note was not added.")
	if got := b.eval(`document.activeElement.id`); got != "note-error" {
		t.Errorf("after a refused note the focus is on %q, want the error", got)
	}
	// And a message.
	b.do(chromedp.SendKeys(chromedp.CSS(`#body`), "   "))
	b.submitStatus(`.log-form button[type="submit"]`, "400")
	b.wantText(`#log-error`, "The message was not logged.")
	if got := b.eval(`document.activeElement.id`); got != "log-error" {
		t.Errorf("after a refusal the focus is on %q, want the error", got)
	}
	// Lines typed stay lines; the page returns to the SMS timeline with the
	// notice in view, though it scrolled down to the new message.
	b.do(chromedp.SetValue(chromedp.CSS(`#body`), "First line\nSecond line"))
	b.submit(`.log-form button[type="submit"]`)
	b.wantText(`.flash`, "Message logged.")
	phone := apiNewest(t, s, demo.contact)
	if got := b.eval(`location.search`); got != "?channel=SMS" {
		t.Errorf("after logging on the SMS timeline: %q", got)
	}
	if got := b.eval(`document.querySelector('#message-` + phone + ` .body').innerText`); got != "First line\nSecond line" {
		t.Errorf("logged lines show as %q", got)
	}
	if got := b.eval(`String(window.scrollY > 0)`); got != "true" {
		t.Error("the page did not scroll to the new message; the notice check proves nothing")
	}
	b.wantNotice("#message-" + phone)
}

// demoData names what seedDemo made.
type demoData struct {
	contact string
	call    string // the message the test deletes and restores
	summary string // a message with HTML formatting
	maria   string
	company string // associated with the contact
	deal    string // associated with the contact and the company
	hostile string // a contact whose messages and note try to run script
	// Engagements of the other types on the contact's timeline.
	note, phoneCall, email, meeting, task, postal string
}

// seedDemo makes a contact with a short history across the three channels.
func seedDemo(t *testing.T, s *spoketest.Server) demoData {
	t.Helper()
	ctx := context.Background()
	e := s.Engine
	maria := s.NewOwner("maria@example.com", "Maria", "Santos")
	james := s.NewOwner("james@example.com", "James", "Okafor")
	contacts, _ := e.Types.Resolve("contacts")
	comms, _ := e.Types.Resolve("communications")
	actor := crm.Actor{SourceType: crm.SourceIntegration, SourceID: "0"}
	var others []string
	for _, c := range []map[string]string{
		{"firstname": "Bruno", "lastname": "Costa", "email": "bruno@example.com"},
		{"firstname": "Chloe", "lastname": "Martin", "email": "chloe@example.com"},
	} {
		obj, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: c})
		if err != nil {
			t.Fatal(err)
		}
		others = append(others, strconv.FormatInt(obj.ID, 10))
	}
	ana, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{
		"firstname": "Ana", "lastname": "Lima", "email": "ana.lima@example.com", "phone": "+351 912 345 678",
		"hs_whatsapp_phone_number": "+351 912 345 678", "company": "Lima Ceramics", "jobtitle": "Owner",
		"city": "Porto", "lifecyclestage": "customer", "hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(ana.ID, 10)
	var call, summary string
	for _, m := range []struct{ channel, body, ts, owner string }{
		{"SMS", "Reminder: your delivery window is 9:00-12:00 tomorrow.", "2026-11-18T08:15:00Z", ""},
		{"LINKEDIN_MESSAGE", "Thanks for connecting, Ana. Happy to share our wholesale price list.", "2026-11-19T14:05:00Z", "james"},
		{"WHATS_APP", "Can we move the call to Friday?", "2026-11-20T10:00:00Z", ""},
		{"WHATS_APP", "Friday at 11:00 works. Talk then!", "2026-11-20T10:12:00Z", "maria"},
		{"SMS", "Your order #4821 is confirmed.", "2026-11-22T16:40:00Z", ""},
		{"WHATS_APP", `<p>Your order is on its way:</p><ul><li>12 <strong>espresso cups</strong></li><li>4 serving plates</li></ul>` +
			`<p>Track it at <a href="https://example.com/track/4821">example.com/track/4821</a>.</p>`, "2026-11-23T09:05:00Z", "maria"},
	} {
		props := map[string]string{"hs_communication_channel_type": m.channel, "hs_communication_logged_from": "CRM",
			"hs_communication_body": m.body, "hs_timestamp": m.ts}
		switch m.owner {
		case "maria":
			props["hubspot_owner_id"] = strconv.FormatInt(maria.ID, 10)
		case "james":
			props["hubspot_owner_id"] = strconv.FormatInt(james.ID, 10)
		}
		obj, err := e.Create(ctx, actor, comms, crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{
			{ToID: id, Types: []crm.AssociationSpec{{Category: "HUBSPOT_DEFINED", TypeID: 81}}}}})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(m.body, "Can we move"):
			call = strconv.FormatInt(obj.ID, 10)
		case strings.HasPrefix(m.body, "<p>Your order"):
			summary = strconv.FormatInt(obj.ID, 10)
		}
	}

	// Bruno's messages try to run script every way a body can.
	for i, body := range []string{
		`<script>window.hacked = "script"</script><p style="color:red" id="timeline" onclick="window.hacked='click'">styled text</p>`,
		`<img src="x" onerror="window.hacked='onerror'"><svg onload="window.hacked='svg'"></svg><iframe src="javascript:window.hacked='iframe'"></iframe>`,
		`<a href="javascript:window.hacked='link'">a javascript link</a> <a href=" JAVASCRIPT:window.hacked='caps'">caps</a> ` +
			`<a href="https://example.com/" onclick="window.hacked='a'" target="_self">a safe link</a>`,
	} {
		if _, err := e.Create(ctx, actor, comms, crm.CreateInput{Properties: map[string]string{"hs_communication_channel_type": "SMS",
			"hs_communication_logged_from": "CRM", "hs_communication_body": body, "hs_timestamp": fmt.Sprintf("2026-11-2%dT10:00:00Z", i)},
			Associations: []crm.AssociationInput{{ToID: others[0], Types: []crm.AssociationSpec{{Category: "HUBSPOT_DEFINED", TypeID: 81}}}}}); err != nil {
			t.Fatal(err)
		}
	}

	// Bruno's note and call too.
	notes, _ := e.Types.Resolve("notes")
	calls, _ := e.Types.Resolve("calls")
	for _, in := range []struct {
		t     *crm.ObjectType
		props map[string]string
	}{
		{notes, map[string]string{"hs_timestamp": "2026-11-24T10:00:00Z", "hs_note_body": `<p onmouseover="window.hacked='note'">a hostile note</p>` +
			`<script>window.hacked='note script'</script><img src=x onerror="window.hacked='note img'"><a href="javascript:window.hacked='note link'">x</a>`}},
		{calls, map[string]string{"hs_timestamp": "2026-11-25T10:00:00Z", "hs_call_title": `<img src=x onerror="window.hacked='title'"> follow-up`}},
	} {
		assoc := e.Assoc.Default(in.t.ID, contacts.ID).Spec()
		if _, err := e.Create(ctx, actor, in.t, crm.CreateInput{Properties: in.props,
			Associations: []crm.AssociationInput{{ToID: others[0], Types: []crm.AssociationSpec{assoc}}}}); err != nil {
			t.Fatal(err)
		}
	}

	// Ana's other engagements: one of each type.
	ids := map[string]string{}
	for _, in := range []struct {
		typ   string
		props map[string]string
	}{
		{"postal_mail", map[string]string{"hs_timestamp": "2026-11-17T12:00:00Z", "hs_postal_mail_body": "Printed catalogue sent by post."}},
		{"emails", map[string]string{"hs_timestamp": "2026-11-19T09:30:00Z", "hs_email_direction": "EMAIL", "hs_email_subject": "Wholesale price list",
			"hs_email_text": "Please find our price list attached.", "hubspot_owner_id": strconv.FormatInt(james.ID, 10)}},
		{"calls", map[string]string{"hs_timestamp": "2026-11-21T11:00:00Z", "hs_call_title": "Delivery window", "hs_call_direction": "OUTBOUND",
			"hs_call_duration": "245000", "hs_call_disposition": crm.CallOutcomeConnected, "hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}},
		{"notes", map[string]string{"hs_timestamp": "2026-11-21T15:00:00Z", "hs_note_body": "<p>Ana prefers <strong>deliveries before noon</strong>.</p>",
			"hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}},
		{"meetings", map[string]string{"hs_meeting_start_time": "2026-11-24T14:00:00Z", "hs_meeting_end_time": "2026-11-24T14:30:00Z",
			"hs_meeting_title": "Showroom visit", "hs_meeting_outcome": "SCHEDULED"}},
		{"tasks", map[string]string{"hs_timestamp": "2026-11-26T17:00:00Z", "hs_task_subject": "Send the spring catalogue", "hs_task_status": "NOT_STARTED",
			"hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}},
	} {
		et, _ := e.Types.Resolve(in.typ)
		obj, err := e.Create(ctx, actor, et, crm.CreateInput{Properties: in.props,
			Associations: []crm.AssociationInput{{ToID: id, Types: []crm.AssociationSpec{e.Assoc.Default(et.ID, contacts.ID).Spec()}}}})
		if err != nil {
			t.Fatal(err)
		}
		ids[in.typ] = strconv.FormatInt(obj.ID, 10)
	}

	// Ana's company and the deal they share.
	companies, _ := e.Types.Resolve("companies")
	deals, _ := e.Types.Resolve("deals")
	company, err := e.Create(ctx, actor, companies, crm.CreateInput{Properties: map[string]string{
		"name": "Lima Ceramics", "domain": "limaceramics.example", "city": "Porto", "numberofemployees": "14"}})
	if err != nil {
		t.Fatal(err)
	}
	deal, err := e.Create(ctx, actor, deals, crm.CreateInput{Properties: map[string]string{
		"dealname": "Wholesale order", "amount": "12500", "pipeline": "default", "dealstage": "contractsent",
		"hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	companyID, dealID := strconv.FormatInt(company.ID, 10), strconv.FormatInt(deal.ID, 10)
	for _, pair := range []struct {
		from   *crm.ObjectType
		fromID string
		to     *crm.ObjectType
		toID   string
	}{{contacts, id, companies, companyID}, {deals, dealID, contacts, id}, {deals, dealID, companies, companyID}} {
		if _, err := e.AssociateDefault(ctx, actor, pair.from, pair.fromID, pair.to, pair.toID); err != nil {
			t.Fatal(err)
		}
	}
	return demoData{contact: id, call: call, summary: summary, maria: strconv.FormatInt(maria.ID, 10),
		company: companyID, deal: dealID, hostile: others[0],
		note: ids["notes"], phoneCall: ids["calls"], email: ids["emails"], meeting: ids["meetings"], task: ids["tasks"], postal: ids["postal_mail"]}
}

// chrome runs browser steps, failing the test on the first error.
type chrome struct {
	t   *testing.T
	ctx context.Context
}

func (c *chrome) do(steps ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, steps...); err != nil {
		c.t.Fatal(err)
	}
}

// open loads a URL and checks that it answered 200.
func (c *chrome) open(url string) {
	c.t.Helper()
	if _, err := chromedp.RunResponse(c.ctx, chromedp.Navigate(url)); err != nil {
		c.t.Fatalf("open %s: %v", url, err)
	}
	c.wantStatus(url)
}

// submit clicks a link or button that loads a page, waits for the page,
// and checks that it (after any redirect) answered 200.
func (c *chrome) submit(sel string) {
	c.t.Helper()
	c.submitStatus(sel, "200")
}

// submitStatus is submit for a page that answers status.
func (c *chrome) submitStatus(sel, status string) {
	c.t.Helper()
	if _, err := chromedp.RunResponse(c.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
	c.wantStatusOf("click "+sel, status)
}

// wantStatus checks that the page's document answered 200.
func (c *chrome) wantStatus(what string) {
	c.t.Helper()
	c.wantStatusOf(what, "200")
}

// wantStatusOf checks the status of the page's document (the last response
// of a redirect chain), as the browser's navigation timing reports it.
func (c *chrome) wantStatusOf(what, want string) {
	c.t.Helper()
	if got := c.eval(`String(performance.getEntriesByType('navigation')[0].responseStatus)`); got != want {
		c.t.Fatalf("%s: %s answered %s, want %s: %s", what, c.eval(`location.href`), got, want, c.eval(`document.body.innerText`))
	}
}

func (c *chrome) waitVisible(sel string) {
	c.t.Helper()
	c.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// wantText checks that the first element matching sel shows want.
func (c *chrome) wantText(sel, want string) {
	c.t.Helper()
	got, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		c.t.Fatalf("text of %s: %v", sel, err)
	}
	if !strings.Contains(got, want) {
		c.t.Fatalf("%s shows %q, want %q", sel, got, want)
	}
}

// wantNotice checks that the notice after an action is in the window, and
// that target, where the page scrolled to, is in the window below it, not
// under it.
func (c *chrome) wantNotice(target string) {
	c.t.Helper()
	got := c.eval(`(() => {
		const f = document.querySelector('.flash').getBoundingClientRect();
		const t = document.querySelector(` + strconv.Quote(target) + `).getBoundingClientRect();
		const out = [];
		if (f.top < 0 || f.bottom > innerHeight) out.push('notice at ' + f.top + '-' + f.bottom + ' of ' + innerHeight);
		if (t.top < f.bottom - 1) out.push('target top ' + t.top + ' under the notice ending at ' + f.bottom);
		if (t.top > innerHeight) out.push('target top ' + t.top + ' below the window of ' + innerHeight);
		return out.join('; ');
	})()`)
	if got != "" {
		c.t.Errorf("after the action (%s): %s", c.eval(`location.pathname + location.search + location.hash`), got)
	}
}

// wantTouchTargets checks that every button, form field and link on the
// page, other than links inside a message's text, is at least 24×24 CSS
// pixels (WCAG 2.2's minimum target size). A radio button's target is its
// label.
func (c *chrome) wantTouchTargets(page string) {
	c.t.Helper()
	got := c.eval(`(() => {
		const small = [];
		const sel = 'a[href], button, input:not([type=hidden]):not([type=radio]), select, textarea, label.channel-choice';
		for (const el of document.querySelectorAll(sel)) {
			if (el.closest('.body')) continue;
			const r = el.getBoundingClientRect();
			if (r.width === 0 && r.height === 0) continue; // not shown
			if (r.width < 24 || r.height < 24) {
				small.push(el.tagName.toLowerCase() + ' "' + (el.textContent || el.name || '').trim().slice(0, 30) + '" ' +
					r.width.toFixed(1) + 'x' + r.height.toFixed(1));
			}
		}
		return small.join('; ');
	})()`)
	if got != "" {
		c.t.Errorf("%s: targets under 24x24 px: %s", page, got)
	}
}

// evalAsync evaluates js, which yields a promise of a string.
func (c *chrome) evalAsync(js string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		c.t.Fatalf("%s: %v", js, err)
	}
	return v
}

func (c *chrome) eval(js string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		c.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// screenshot captures the whole page; it is written to SPOKE_SCREENSHOTS
// when that names a folder.
func (c *chrome) screenshot(name string) {
	c.t.Helper()
	c.eval(`window.scrollTo(0, 0), ""`) // the notice in its place, above the heading
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot: %v", err)
	}
	dir := os.Getenv("SPOKE_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// apiRead reads a record's properties through the HTTP API.
func apiRead(t *testing.T, s *spoketest.Server, typ, id, properties string) map[string]any {
	t.Helper()
	r := s.Do("GET", fmt.Sprintf("/crm/v3/objects/%s/%s?properties=%s", typ, id, properties), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s/%s: %d %s", typ, id, r.Status, r.Body)
	}
	return r.JSON()["properties"].(map[string]any)
}

// apiTimelineIDs lists the contact's messages through the API's search,
// newest first.
func apiTimelineIDs(t *testing.T, s *spoketest.Server, contact string) []string {
	t.Helper()
	r := s.Do("POST", "/crm/v3/objects/communications/search", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "associations.contact", "operator": "EQ", "value": contact}}}},
		"sorts":        []any{map[string]any{"propertyName": "hs_object_id", "direction": "DESCENDING"}},
		"limit":        100,
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

// apiNewestOf is the id of the most recently created engagement of type typ
// associated with the contact.
func apiNewestOf(t *testing.T, s *spoketest.Server, typ, contact string) string {
	t.Helper()
	r := s.Do("POST", "/crm/v3/objects/"+typ+"/search", map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{map[string]any{"propertyName": "associations.contact", "operator": "EQ", "value": contact}}}},
		"sorts":        []any{map[string]any{"propertyName": "hs_object_id", "direction": "DESCENDING"}},
		"limit":        1,
	})
	if r.Status != http.StatusOK {
		t.Fatalf("search: %d %s", r.Status, r.Body)
	}
	results := r.JSON()["results"].([]any)
	if len(results) == 0 {
		t.Fatalf("the contact has no %s", typ)
	}
	return results[0].(map[string]any)["id"].(string)
}

// apiNewest is the id of the contact's most recently created message.
func apiNewest(t *testing.T, s *spoketest.Server, contact string) string {
	t.Helper()
	ids := apiTimelineIDs(t, s, contact)
	if len(ids) == 0 {
		t.Fatal("the contact has no messages")
	}
	return ids[0]
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
