package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestBrowserCustomObject drives a custom object's pages in headless
// Chromium: its plural label in the navigation, its list searched by the
// primary display property, and a record page with its properties, where a
// WhatsApp message is logged and pinned (checked through the API).
func TestBrowserCustomObject(t *testing.T) {
	t.Parallel()
	exe := os.Getenv("SPOKE_CHROMIUM")
	if exe == "" {
		exe = chromiumPath
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("the browser test needs Chromium at %s, which is missing (%v)", exe, err)
	}
	s := spoketest.Open(t)
	if r := s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"bookings","labels":{"singular":"Booking","plural":"Bookings"},
		"primaryDisplayProperty":"reference","secondaryDisplayProperties":["guest"],"requiredProperties":["reference"],
		"properties":[{"name":"reference","label":"Reference"},{"name":"guest","label":"Guest"}]}`); r.Status != 201 {
		t.Fatalf("schema: %d %s", r.Status, r.Body)
	}
	name := fmt.Sprintf("p%d_bookings", spoketest.PortalID)
	var ids []string
	for _, ref := range []string{"Lisbon suite", "Porto loft"} {
		r := s.Do("POST", "/crm/v3/objects/"+name, map[string]any{"properties": map[string]string{"reference": ref, "guest": "Ana Lima"}})
		if r.Status != 201 {
			t.Fatalf("record: %d %s", r.Status, r.Body)
		}
		ids = append(ids, r.JSON()["id"].(string))
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900), chromedp.Env("TZ=UTC", "LANG=en_US.UTF-8"))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium (%s): %v", exe, err)
	}
	ctx, cancelSteps := context.WithTimeout(ctx, browserSteps)
	defer cancelSteps()
	b := &chrome{t: t, ctx: ctx}

	b.open(s.URL + "/")
	b.waitVisible(`#token`)
	b.do(chromedp.SendKeys(chromedp.CSS(`#token`), spoketest.Token))
	b.submit(`form[action="/ui/sign-in"] button[type="submit"]`)

	// The navigation names the type by its plural label.
	b.wantText(`nav.main-nav a[href="/ui/`+name+`"]`, "Bookings")
	b.submit(`nav.main-nav a[href="/ui/` + name + `"]`)
	b.wantText(`h1`, "Bookings")
	b.wantTouchTargets("custom object list")
	// Searched by the primary display property.
	b.do(chromedp.SendKeys(chromedp.CSS(`#q`), "porto"))
	b.submit(`form.search button[type="submit"]`)
	if got := b.eval(`document.querySelector('main').innerText`); !strings.Contains(got, "Porto loft") || strings.Contains(got, "Lisbon suite") {
		t.Errorf("search for porto shows %q", got)
	}
	b.submit(`a[href="/ui/` + name + `/` + ids[1] + `"]`)
	b.wantText(`h1`, "Porto loft")
	b.wantText(`main`, "Ana Lima")
	b.wantTouchTargets("custom object record page")

	// Log a WhatsApp message and pin it.
	b.do(chromedp.Click(chromedp.CSS(`input[name="channel"][value="WHATS_APP"]`)))
	b.do(chromedp.SendKeys(chromedp.CSS(`#body`), "Check-in from 3 pm."))
	b.submit(`.log-form button[type="submit"]`)
	b.wantText(`.flash`, "Message logged.")
	logged := b.eval(`document.querySelector('ol.entries > li').id.replace('message-', '')`)
	b.submit(`#message-` + logged + ` form[action$="/pin"] button`)
	b.wantText(`.flash`, "pinned")
	b.waitVisible(`#message-` + logged + `.is-pinned`)
	if got := apiRead(t, s, name, ids[1], "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != logged {
		t.Errorf("API pin %v, want %s", got, logged)
	}
}
