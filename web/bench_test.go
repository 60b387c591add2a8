package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/web"
)

// benchEntries is the timeline length of BenchmarkRecordPage.
const benchEntries = 10000

// BenchmarkRecordPage measures the server time to render a record page (its
// properties and the first page of its timeline) for a contact with 10,000
// engagements: the handler is called directly, without a network between.
// In messages all are messages; in mixed they are of every engagement type
// in turn (messages, notes, calls, emails, meetings, tasks, postal mail).
// first is the page as it opens, channel the SMS filter, type the calls
// filter, older the second page and deep the page of the oldest 25.
// Results are in docs/benchmarks.md.
//
//	go test -run '^$' -bench RecordPage ./web/
func BenchmarkRecordPage(b *testing.B) {
	for _, set := range []struct {
		name  string
		kinds []string
	}{{"messages", []string{"communications"}}, {"mixed", timelineKinds}} {
		b.Run(set.name, func(b *testing.B) {
			s := spoketest.Open(b)
			tl := seedTimeline(b, s, benchEntries, set.kinds)
			auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: s.Store.Tokens(), Now: time.Now}
			h := web.New(s.Engine, auth, web.Options{})
			cookie := benchSignIn(b, h)
			path := "/ui/contacts/" + tl.contact

			// The page must be what a person sees: the pinned entry and 25 more.
			body := benchGet(b, h, cookie, path)
			if !strings.Contains(body, fmt.Sprintf(`Activity <span class="count">(%d,%03d)</span>`, benchEntries/1000, benchEntries%1000)) ||
				!strings.Contains(body, `<li id="`+tl.pinned+`" class="entry ch-`) || strings.Count(body, `" class="entry ch-`) != 26 {
				b.Fatalf("unexpected page:\n%s", body)
			}
			cases := []struct{ name, path string }{
				{"first", path},
				{"channel", path + "?channel=SMS"},
				{"older", regexpOlder(b, body)},
				{"deep", path + "?" + tl.cursorAt(benchEntries-25).Encode()},
			}
			if len(set.kinds) > 1 {
				cases = append(cases, struct{ name, path string }{"type", path + "?type=calls"})
			}
			if deep := benchGet(b, h, cookie, cases[3].path); strings.Count(deep, `" class="entry ch-`) != 25 || strings.Contains(deep, `rel="next"`) {
				b.Fatalf("unexpected oldest page:\n%s", deep)
			}
			for _, bc := range cases {
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						benchGet(b, h, cookie, bc.path)
					}
				})
			}
		})
	}
}

// timelineKinds are the engagement types a mixed timeline holds, in turn.
var timelineKinds = []string{"communications", "notes", "calls", "emails", "meetings", "tasks", "postal_mail"}

// seededTimeline is what seedTimeline made.
type seededTimeline struct {
	contact string
	// pinned is the anchor of the pinned entry, the oldest.
	pinned string
	// ids and times of the entries, oldest first.
	ids   []int64
	times []time.Time
}

// cursorAt is the query of the timeline page after its nth newest entry.
func (tl seededTimeline) cursorAt(n int) url.Values {
	i := len(tl.ids) - n
	return url.Values{"before": {strconv.FormatInt(tl.times[i].UnixMilli(), 10)}, "id": {strconv.FormatInt(tl.ids[i], 10)}}
}

// anchors of the engagement types, by type name.
var anchors = map[string]string{"communications": "message", "notes": "note", "calls": "call", "emails": "email",
	"meetings": "meeting", "tasks": "task", "postal_mail": "postal-mail"}

// seedTimeline creates a contact with n engagements through the engine's
// CreateBatch, a minute apart, of the kinds in turn (messages over the
// three channels), half of them with an owner, and pins the oldest.
func seedTimeline(tb testing.TB, s *spoketest.Server, n int, kinds []string) seededTimeline {
	tb.Helper()
	ctx := context.Background()
	contacts, _ := s.Engine.Types.Resolve("contacts")
	owner := strconv.FormatInt(s.NewOwner("bench@example.com", "Bea", "Bench").ID, 10)
	c, err := s.Engine.Create(ctx, actor, contacts, crm.CreateInput{Properties: map[string]string{"firstname": "Many", "lastname": "Engagements"}})
	if err != nil {
		tb.Fatal(err)
	}
	tl := seededTimeline{contact: strconv.FormatInt(c.ID, 10), ids: make([]int64, n), times: make([]time.Time, n)}
	channels := []string{crm.ChannelWhatsApp, crm.ChannelLinkedIn, crm.ChannelSMS}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for k, kind := range kinds {
		et, _ := s.Engine.Types.Resolve(kind)
		assoc := s.Engine.Assoc.Default(et.ID, contacts.ID).Spec()
		var inputs []crm.CreateInput
		var at []int
		flush := func() {
			res, err := s.Engine.CreateBatch(ctx, actor, et, inputs, false)
			if err != nil {
				tb.Fatal(err)
			}
			for i, r := range res {
				tl.ids[at[i]] = r.Object.ID
			}
			inputs, at = nil, nil
		}
		for j := k; j < n; j += len(kinds) {
			ts := start.Add(time.Duration(j) * time.Minute)
			props := benchProps(kind, j, ts, channels[j/len(kinds)%3])
			props["hs_timestamp"] = crm.FormatTime(ts)
			if j%2 == 0 {
				props["hubspot_owner_id"] = owner
			}
			inputs = append(inputs, crm.CreateInput{Properties: props, Associations: []crm.AssociationInput{
				{ToID: tl.contact, Types: []crm.AssociationSpec{assoc}}}})
			at = append(at, j)
			tl.times[j] = ts
			if len(inputs) == 1000 {
				flush()
			}
		}
		if len(inputs) > 0 {
			flush()
		}
	}
	tl.pinned = anchors[kinds[0]] + "-" + strconv.FormatInt(tl.ids[0], 10)
	if _, err := s.Engine.Update(ctx, actor, contacts, tl.contact, "", map[string]string{crm.PinnedProperty: strconv.FormatInt(tl.ids[0], 10)}); err != nil {
		tb.Fatal(err)
	}
	return tl
}

// benchProps are the properties of the jth engagement of a bench timeline.
func benchProps(kind string, j int, ts time.Time, channel string) map[string]string {
	text := fmt.Sprintf("Entry %d: your order is on its way, see you <b>soon</b>.", j)
	switch kind {
	case "communications":
		return map[string]string{"hs_communication_channel_type": channel, "hs_communication_logged_from": "CRM", "hs_communication_body": text}
	case "notes":
		return map[string]string{"hs_note_body": text}
	case "calls":
		return map[string]string{"hs_call_title": fmt.Sprintf("Call %d", j), "hs_call_direction": "OUTBOUND", "hs_call_duration": strconv.Itoa(j * 1000),
			"hs_call_disposition": crm.CallOutcomeConnected, "hs_call_body": text}
	case "emails":
		return map[string]string{"hs_email_direction": "INCOMING_EMAIL", "hs_email_subject": fmt.Sprintf("Order %d", j), "hs_email_text": text}
	case "meetings":
		return map[string]string{"hs_meeting_title": fmt.Sprintf("Meeting %d", j), "hs_meeting_start_time": crm.FormatTime(ts),
			"hs_meeting_end_time": crm.FormatTime(ts.Add(30 * time.Minute)), "hs_meeting_outcome": "COMPLETED"}
	case "tasks":
		return map[string]string{"hs_task_subject": fmt.Sprintf("Task %d", j), "hs_task_status": "NOT_STARTED", "hs_task_body": text}
	case "postal_mail":
		return map[string]string{"hs_postal_mail_body": text}
	}
	panic("no bench properties for " + kind)
}

// benchSignIn signs in on h directly and returns the session cookie.
func benchSignIn(tb testing.TB, h http.Handler) *http.Cookie {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ui/sign-in", nil))
	signin := rec.Result().Cookies()[0]
	csrf := csrfRE.FindStringSubmatch(rec.Body.String())[1]
	form := url.Values{"csrf": {csrf}, "token": {spoketest.Token}}
	req := httptest.NewRequest("POST", "/ui/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(signin)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "spoke_session" && c.Value != "" {
			return c
		}
	}
	tb.Fatalf("sign in: %d %s", rec.Code, rec.Body)
	return nil
}

func benchGet(tb testing.TB, h http.Handler, cookie *http.Cookie, path string) string {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func regexpOlder(tb testing.TB, body string) string {
	tb.Helper()
	m := olderRE.FindStringSubmatch(body)
	if m == nil {
		tb.Fatal("no older link")
	}
	u, _, _ := strings.Cut(strings.ReplaceAll(m[1], "&amp;", "&"), "#")
	return u
}

// TestLongTimeline checks, on shorter timelines than the benchmark's, that
// a long timeline opens with its pinned entry and one page, and that the
// benchmark's deep page is the oldest 25 entries.
func TestLongTimeline(t *testing.T) {
	t.Parallel()
	for _, kinds := range [][]string{{"communications"}, timelineKinds} {
		t.Run(map[bool]string{true: "messages", false: "mixed"}[len(kinds) == 1], func(t *testing.T) {
			t.Parallel()
			s := spoketest.Open(t)
			tl := seedTimeline(t, s, 700, kinds)
			b := signIn(t, s, spoketest.Token)
			p := b.get("/ui/contacts/"+tl.contact).want(t, 200, `Activity <span class="count">(700)</span>`, `is-pinned`, "Entry 699: your order")
			if got := p.entries(); len(got) != 26 || got[0] != tl.pinned {
				t.Errorf("first page: %d entries, first %v, want %s", len(got), got[:1], tl.pinned)
			}
			deep := b.get("/ui/contacts/"+tl.contact+"?"+tl.cursorAt(700-25).Encode()).lacks(t, `rel="next"`)
			if got := deep.entries(); len(got) != 25 || got[24] != tl.pinned {
				t.Errorf("deep page: %d entries, last %v, want %s", len(got), got[len(got)-1:], tl.pinned)
			}
		})
	}
}
