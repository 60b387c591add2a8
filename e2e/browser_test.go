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
// sign in, open a contact, log a WhatsApp message, pin it, delete another
// message and restore it from the recycle bin, checking each step on the page
// and through the API. With SPOKE_SCREENSHOTS set to a folder it saves
// record-page.png and recycle-bin.png there (the README's pictures in docs/).
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
	ctx, cancelSteps := context.WithTimeout(ctx, 20*time.Second)
	defer cancelSteps()

	b := &chrome{t: t, ctx: ctx}
	contactURL := "/ui/contacts/" + demo.contact

	// Sign in: the home page sends a stranger to the sign-in form.
	b.open(s.URL + "/")
	b.waitVisible(`#token`)
	b.do(chromedp.SendKeys(chromedp.CSS(`#token`), spoketest.Token))
	b.submit(`form[action="/ui/sign-in"] button[type="submit"]`)
	b.wantText(`h1`, "Records")

	// Keyboard: the first Tab reaches the skip link.
	b.do(chromedp.KeyEvent("\t"))
	if got := b.eval(`document.activeElement.className`); got != "skip" {
		t.Errorf("first Tab focuses %q, want the skip link", got)
	}
	b.eval(`document.activeElement.blur(), ""`) // the focused skip link covers the header

	// Open the contact from the contacts list.
	b.submit(`nav.main-nav a[href="/ui/contacts"]`)
	b.submit(`a[href="` + contactURL + `"]`)
	b.wantText(`h1`, "Ana Lima")
	// Times are shown in the browser's zone: 10:00 UTC is 7:00 AM in São Paulo.
	b.wantText(`#message-`+demo.call+` time`, "7:00")
	if got := b.eval(`document.querySelector('#message-` + demo.call + ` time').title`); !strings.Contains(got, "UTC") {
		t.Errorf("time title %q", got)
	}
	b.wantText(`[data-tz-label]`, browserZone)

	// Log a WhatsApp message at 15:30 local time (18:30 UTC), owned by Maria.
	b.do(chromedp.Click(chromedp.CSS(`input[name="channel"][value="WHATS_APP"]`)))
	b.do(chromedp.SendKeys(chromedp.CSS(`#body`), "Your order has shipped and arrives on Friday."))
	b.do(chromedp.SetValue(chromedp.CSS(`#time`), "2026-11-25T15:30"))
	b.do(chromedp.SetValue(chromedp.CSS(`#owner`), demo.maria))
	b.submit(`.log-form button[type="submit"]`)
	b.wantText(`.flash`, "Message logged.")
	logged := apiNewest(t, s, demo.contact)
	props := apiRead(t, s, "communications", logged, "hs_communication_channel_type,hs_timestamp,hubspot_owner_id,hs_body_preview")
	want := map[string]string{"hs_communication_channel_type": "WHATS_APP", "hs_timestamp": "2026-11-25T18:30:00Z",
		"hubspot_owner_id": demo.maria, "hs_body_preview": "Your order has shipped and arrives on Friday."}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("logged message %s = %v, want %v", k, props[k], v)
		}
	}
	b.wantText(`#message-`+logged+` .body`, "Your order has shipped")
	b.wantText(`#message-`+logged+` .channel-name`, "WhatsApp")
	b.wantText(`#message-`+logged+` .owner`, "Maria Santos")
	b.wantText(`#message-`+logged+` time`, "3:30")

	// Pin it: it moves to the top, marked, and the API shows the pin.
	b.submit(`#message-` + logged + ` form[action$="/pin"] button`)
	b.wantText(`.flash`, "pinned")
	b.waitVisible(`#message-` + logged + `.is-pinned .pin-badge`)
	if got := b.eval(`document.querySelector('ol.messages > li').id`); got != "message-"+logged {
		t.Errorf("first message is %q, want the pinned message-%s", got, logged)
	}
	if got := apiRead(t, s, "contacts", demo.contact, "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != logged {
		t.Errorf("API pin %v, want %s", got, logged)
	}
	b.screenshot("record-page.png")

	// Delete another message, after confirming.
	b.submit(`#message-` + demo.call + ` a.danger`)
	b.wantText(`h1`, "Delete this message?")
	b.submit(`form.confirm button[type="submit"]`)
	b.wantText(`.flash`, "Message deleted.")
	if b.eval(`String(document.getElementById('message-`+demo.call+`') === null)`) != "true" {
		t.Error("the deleted message is still on the timeline")
	}
	if r := s.Do("GET", "/crm/v3/objects/communications/"+demo.call, nil); r.Status != http.StatusNotFound {
		t.Errorf("API read of the deleted message: %d", r.Status)
	}

	// Restore it from the contact's recycle bin.
	b.submit(`.flash a`)
	b.wantText(`h1`, "Deleted messages of Ana Lima")
	b.wantText(`#deleted-`+demo.call+` .body`, "Can we move the call to Friday?")
	b.wantText(`#deleted-`+demo.call+` .deleted-at`, "Deleted")
	b.screenshot("recycle-bin.png")
	b.submit(`#deleted-` + demo.call + ` button[type="submit"]`)
	b.wantText(`.flash`, "Message restored.")
	b.waitVisible(`#message-` + demo.call)
	if r := s.Do("GET", "/crm/v3/objects/communications/"+demo.call, nil); r.Status != http.StatusOK {
		t.Errorf("API read of the restored message: %d", r.Status)
	}
	if ids := apiTimelineIDs(t, s, demo.contact); !contains(ids, demo.call) {
		t.Errorf("restored message is not associated again: %v", ids)
	}

	// Phone width: nothing wider than the screen.
	b.do(chromedp.EmulateViewport(390, 844))
	b.open(s.URL + contactURL)
	b.waitVisible(`#timeline`)
	if got := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("record page scrolls sideways at 390px: %s > %s", b.eval(`String(document.documentElement.scrollWidth)`), b.eval(`String(window.innerWidth)`))
	}
}

// demoData names what seedDemo made.
type demoData struct {
	contact string
	call    string // the message the test deletes and restores
	maria   string
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
	for _, c := range []map[string]string{
		{"firstname": "Bruno", "lastname": "Costa", "email": "bruno@example.com"},
		{"firstname": "Chloe", "lastname": "Martin", "email": "chloe@example.com"},
	} {
		if _, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: c}); err != nil {
			t.Fatal(err)
		}
	}
	ana, err := e.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{
		"firstname": "Ana", "lastname": "Lima", "email": "ana.lima@example.com", "phone": "+351 912 345 678",
		"hs_whatsapp_phone_number": "+351 912 345 678", "company": "Lima Ceramics", "jobtitle": "Owner",
		"city": "Porto", "lifecyclestage": "customer", "hubspot_owner_id": strconv.FormatInt(maria.ID, 10)}})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(ana.ID, 10)
	var call string
	for _, m := range []struct{ channel, body, ts, owner string }{
		{"SMS", "Reminder: your delivery window is 9:00-12:00 tomorrow.", "2026-11-18T08:15:00Z", ""},
		{"LINKEDIN_MESSAGE", "Thanks for connecting, Ana. Happy to share our wholesale price list.", "2026-11-19T14:05:00Z", "james"},
		{"WHATS_APP", "Can we move the call to Friday?", "2026-11-20T10:00:00Z", ""},
		{"WHATS_APP", "Friday at 11:00 works. Talk then!", "2026-11-20T10:12:00Z", "maria"},
		{"SMS", "Your order #4821 is confirmed.", "2026-11-22T16:40:00Z", ""},
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
		if strings.HasPrefix(m.body, "Can we move") {
			call = strconv.FormatInt(obj.ID, 10)
		}
	}
	return demoData{contact: id, call: call, maria: strconv.FormatInt(maria.ID, 10)}
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
	if _, err := chromedp.RunResponse(c.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
	c.wantStatus("click " + sel)
}

// wantStatus checks the status of the page's document (the last response
// of a redirect chain), as the browser's navigation timing reports it.
func (c *chrome) wantStatus(what string) {
	c.t.Helper()
	if got := c.eval(`String(performance.getEntriesByType('navigation')[0].responseStatus)`); got != "200" {
		c.t.Fatalf("%s: %s answered %s: %s", what, c.eval(`location.href`), got, c.eval(`document.body.innerText`))
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
