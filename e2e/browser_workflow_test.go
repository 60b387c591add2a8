package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestBrowserTwoPeople drives one contact's timeline from two browser
// windows with their own sessions, as two colleagues would: one finds the
// contact with the search box, logs a LinkedIn message and pins it, then
// reloads and goes back and forward over the form's answer (one message
// stays one); the other, whose page still shows that pin, unpins after the
// first has pinned another message: the newer pin stays and the page says
// so. Then both sign out, and going back shows no record.
func TestBrowserTwoPeople(t *testing.T) {
	// Not parallel: it runs before the parallel browser tests, whose steps
	// have a deadline, instead of slowing them with another Chromium.
	s := spoketest.Open(t)
	demo := seedDemo(t, s)
	open := browsers(t)
	ana, ben := open(), open()
	ana.signIn(s.URL, spoketest.Token)
	ben.signIn(s.URL, spoketest.Token)
	contactURL := "/ui/contacts/" + demo.contact

	// Ana finds the contact and logs a LinkedIn message.
	ana.submit(`nav.main-nav a[href="/ui/contacts"]`)
	ana.do(chromedp.SendKeys(chromedp.CSS(`#q`), "lima"))
	ana.submit(`form.search button[type="submit"]`)
	ana.submit(`a[href="` + contactURL + `"]`)
	ana.wantText(`h1`, "Ana Lima")
	before := len(apiTimelineIDs(t, s, demo.contact))
	ana.do(chromedp.Click(chromedp.CSS(`input[name="channel"][value="LINKEDIN_MESSAGE"]`)))
	ana.do(chromedp.SendKeys(chromedp.CSS(`#body`), "Sent you the catalogue here."))
	ana.submit(`.log-form button[type="submit"]`)
	ana.wantText(`.flash`, "Message logged.")
	logged := apiNewest(t, s, demo.contact)
	ana.wantText(`#message-`+logged+` .kind-name`, "LinkedIn")

	// Reload, back and forward after the form: no second message.
	ana.do(chromedp.Reload())
	ana.wantStatus("reload")
	ana.do(chromedp.NavigateBack())
	ana.wantStatus("back")
	ana.do(chromedp.NavigateForward())
	ana.wantStatus("forward")
	ana.waitVisible(`#message-` + logged)
	if got := len(apiTimelineIDs(t, s, demo.contact)); got != before+1 {
		t.Errorf("%d messages after logging one, reloading and going back and forward; want %d", got, before+1)
	}

	// Ana pins it; Ben's page shows it pinned.
	ana.submit(`#message-` + logged + ` form[action$="/pin"] button`)
	ana.waitVisible(`#message-` + logged + `.is-pinned`)
	ben.open(s.URL + contactURL)
	ben.waitVisible(`#message-` + logged + `.is-pinned`)

	// Ana pins another message; Ben, on his older page, unpins.
	ana.submit(`#message-` + demo.call + ` form[action$="/pin"] button`)
	ana.waitVisible(`#message-` + demo.call + `.is-pinned`)
	ben.submit(`#message-` + logged + ` form[action$="/unpin"] button`)
	ben.wantText(`.flash`, "Nothing was unpinned.")
	ben.waitVisible(`#message-` + demo.call + `.is-pinned`)
	if got := apiRead(t, s, "contacts", demo.contact, "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != demo.call {
		t.Errorf("pin after Ben's unpin from an older page: %v, want Ana's newer pin %s", got, demo.call)
	}
	// From the page he has now, Ben unpins it.
	ben.submit(`#message-` + demo.call + ` form[action$="/unpin"] button`)
	ben.wantText(`.flash`, "Message unpinned.")
	if got := apiRead(t, s, "contacts", demo.contact, "hs_pinned_engagement_id")["hs_pinned_engagement_id"]; got != nil {
		t.Errorf("pin after unpinning: %v", got)
	}

	// Signed out, going back shows the sign-in page, not the record.
	for _, who := range []*chrome{ana, ben} {
		who.open(s.URL + contactURL)
		who.submit(`form.sign-out button`)
		who.wantText(`main`, "You are signed out.")
		_ = chromedp.Do(who.ctx, chromedp.NavigateBack()) // may land on an error page: the record page is not cached
		if body := who.eval(`document.body ? document.body.innerText : ""`); strings.Contains(body, "Ana Lima") {
			t.Errorf("after signing out, Back shows the record: %s", body)
		}
		who.open(s.URL + contactURL + "?back")
		if !strings.Contains(who.eval(`location.pathname`), "/ui/sign-in") {
			t.Errorf("a signed-out window opens %s", who.eval(`location.href`))
		}
	}
}
