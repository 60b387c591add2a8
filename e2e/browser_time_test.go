package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// TestBrowserTimesAcrossSummerTime logs messages from a browser in New
// York at times typed in its zone: in winter, in summer, in the hour the
// clocks skip in spring (which the browser reads as the hour after) and in
// the hour they repeat in autumn (the first of the two). Each is stored at
// the instant the browser meant, and shown again as typed.
func TestBrowserTimesAcrossSummerTime(t *testing.T) {
	// Not parallel: it runs before the parallel browser tests, whose steps
	// have a deadline, instead of slowing them with another Chromium.
	s := spoketest.Open(t)
	f := seedDemo(t, s)
	b := browsersIn(t, "America/New_York")()
	b.signIn(s.URL, spoketest.Token)
	for _, tc := range []struct{ typed, want, shown string }{
		{"2026-01-15T09:00", "2026-01-15T14:00:00Z", "Jan 15, 2026, 9:00 AM"},
		{"2026-07-01T09:00", "2026-07-01T13:00:00Z", "Jul 1, 2026, 9:00 AM"},
		{"2026-03-08T02:30", "2026-03-08T07:30:00Z", "Mar 8, 2026, 3:30 AM"},
		{"2026-11-01T01:30", "2026-11-01T05:30:00Z", "Nov 1, 2026, 1:30 AM"},
	} {
		b.open(s.URL + "/ui/contacts/" + f.contact)
		b.do(chromedp.SendKeys(chromedp.CSS(`#body`), "at "+tc.typed))
		b.do(chromedp.SetValue(chromedp.CSS(`#time`), tc.typed))
		b.submit(`.log-form button[type="submit"]`)
		b.wantText(`.flash`, "Message logged.")
		id := apiNewest(t, s, f.contact)
		if got := apiRead(t, s, "communications", id, "hs_timestamp")["hs_timestamp"]; got != tc.want {
			t.Errorf("typed %s in New York: stored %v, want %s", tc.typed, got, tc.want)
		}
		if got := b.eval(`document.querySelector('#message-` + id + ` .meta time').textContent`); got != tc.shown {
			t.Errorf("typed %s in New York: shown %q, want %q", tc.typed, got, tc.shown)
		}
	}
}
