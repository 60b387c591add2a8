package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/ratelimit"
)

var rateHeaders = []string{
	"X-HubSpot-RateLimit-Daily", "X-HubSpot-RateLimit-Daily-Remaining", "X-HubSpot-RateLimit-Interval-Milliseconds",
	"X-HubSpot-RateLimit-Max", "X-HubSpot-RateLimit-Remaining",
	"X-HubSpot-RateLimit-Secondly", "X-HubSpot-RateLimit-Secondly-Remaining",
}

// rateLimited opens a server with the rate limiter on a fixed clock.
func rateLimited(t *testing.T, cfg ratelimit.Config, opts ...spoketest.Option) *spoketest.Server {
	t.Helper()
	s := spoketest.Open(t, append([]spoketest.Option{spoketest.WithRateLimit(cfg)}, opts...)...)
	s.Clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
	return s
}

// limitHeaders returns the rate-limit headers of r as numbers, by the last
// part of their names ("Daily-Remaining", "Max", ...).
func limitHeaders(t *testing.T, r *spoketest.Response) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, h := range rateHeaders {
		v := r.Header.Get(h)
		if v == "" {
			t.Fatalf("no %s (status %d): %v", h, r.Status, r.Header)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s: %q", h, v)
		}
		m[strings.TrimPrefix(h, "X-HubSpot-RateLimit-")] = n
	}
	return m
}

func noLimitHeaders(t *testing.T, r *spoketest.Response) {
	t.Helper()
	for _, h := range rateHeaders {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("%s: %s on a response that must have no rate-limit headers", h, v)
		}
	}
}

// wantRateLimitBody checks HubSpot's exact 429 body, field for field and in order.
func wantRateLimitBody(t *testing.T, r *spoketest.Response, want string) {
	t.Helper()
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", r.Status, r.Body)
	}
	want = strings.ReplaceAll(want, "{id}", r.Header.Get("X-HubSpot-Correlation-Id"))
	if string(r.Body) != want {
		t.Fatalf("body\n%s\nwant\n%s", r.Body, want)
	}
}

const (
	tenSecondlyBody = `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"{id}","policyName":"TEN_SECONDLY_ROLLING"}`
	dailyBody       = `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"{id}","policyName":"DAILY"}`
	secondlyBody    = `{"status":"error","message":"You have reached your secondly limit.","correlationId":"{id}","category":"RATE_LIMITS"}`
)

func setRateLimit(t *testing.T, s *spoketest.Server, body string) map[string]any {
	t.Helper()
	return mustStatus(t, s.Do("PUT", "/_spoke/rate-limit", body), 200)
}

func owners(s *spoketest.Server, token string) *spoketest.Response {
	return s.DoToken(token, "GET", "/crm/v3/owners", nil)
}

func TestRateLimitHeadersWithoutEnforcement(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{})
	// HubSpot's professional figures by default.
	want := map[string]int{"Daily": 625000, "Daily-Remaining": 624999, "Interval-Milliseconds": 10000,
		"Max": 190, "Remaining": 189, "Secondly": 19, "Secondly-Remaining": 18}
	r := owners(s, spoketest.Token)
	if got := limitHeaders(t, r); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("headers %v, want %v", got, want)
	}
	// Every API call counts, whatever its outcome.
	r = s.Do("GET", "/crm/v3/objects/contacts/999", nil)
	if r.Status != 404 {
		t.Fatalf("status %d", r.Status)
	}
	if h := limitHeaders(t, r); h["Remaining"] != 188 || h["Daily-Remaining"] != 624998 {
		t.Fatalf("after a 404: %v", h)
	}
	// Without enforcement nothing is refused; Remaining stops at zero.
	for range 200 {
		r = owners(s, spoketest.Token)
		if r.Status != 200 {
			t.Fatalf("status %d without enforcement: %s", r.Status, r.Body)
		}
	}
	if h := limitHeaders(t, r); h["Remaining"] != 0 || h["Secondly-Remaining"] != 0 || h["Daily-Remaining"] != 624998-200 {
		t.Fatalf("after 202 calls: %v", h)
	}
	// Search answers carry none; neither do refused credentials nor the test controls.
	noLimitHeaders(t, s.Do("POST", "/crm/v3/objects/contacts/search", `{}`))
	noLimitHeaders(t, s.DoToken("", "GET", "/crm/v3/owners", nil))
	noLimitHeaders(t, s.Do("GET", "/_spoke/rate-limit", nil))
}

func TestRateLimitTiers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tier         string
		tenSecondly  int
		daily        int
		headerDaily  int
		headerSecond int
	}{
		{"free", 100, 250000, 250000, 10},
		{"starter", 100, 250000, 250000, 10},
		{"professional", 190, 625000, 625000, 19},
		{"enterprise", 190, 1000000, 1000000, 19},
		{"api-addon", 250, 2000000, 2000000, 25},
	} {
		t.Run(tc.tier, func(t *testing.T) {
			t.Parallel()
			s := rateLimited(t, ratelimit.Config{Tier: tc.tier, Enforce: true})
			for i := 1; i <= tc.tenSecondly; i++ {
				r := owners(s, spoketest.Token)
				if r.Status != 200 {
					t.Fatalf("call %d: %d %s", i, r.Status, r.Body)
				}
				h := limitHeaders(t, r)
				if h["Max"] != tc.tenSecondly || h["Remaining"] != tc.tenSecondly-i || h["Daily"] != tc.headerDaily ||
					h["Daily-Remaining"] != tc.daily-i || h["Secondly"] != tc.headerSecond || h["Secondly-Remaining"] != (tc.tenSecondly-i)/10 {
					t.Fatalf("call %d: %v", i, h)
				}
			}
			r := owners(s, spoketest.Token)
			wantRateLimitBody(t, r, tenSecondlyBody)
			if h := limitHeaders(t, r); h["Remaining"] != 0 || h["Daily-Remaining"] != tc.daily-tc.tenSecondly {
				t.Fatalf("429 headers: %v (the refused call must not count)", h)
			}
			state := mustStatus(t, s.Do("GET", "/_spoke/rate-limit", nil), 200)
			if state["tier"] != tc.tier || state["tenSecondlyLimit"] != float64(tc.tenSecondly) ||
				state["dailyLimit"] != float64(tc.daily) || state["enforce"] != true || state["dailyUsed"] != float64(tc.tenSecondly) {
				t.Fatalf("state %v", state)
			}
		})
	}
}

func TestRateLimitUnenforcedTierShowsItsFigures(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{Tier: "starter"})
	for range 150 {
		if r := owners(s, spoketest.Token); r.Status != 200 {
			t.Fatalf("%d", r.Status)
		}
	}
	if h := limitHeaders(t, owners(s, spoketest.Token)); h["Max"] != 100 || h["Daily"] != 250000 || h["Remaining"] != 0 {
		t.Fatalf("%v", h)
	}
}

func TestRateLimitWindowRolls(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{})
	setRateLimit(t, s, `{"enforce":true,"tenSecondlyLimit":3}`)
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration, status, remaining int) {
		t.Helper()
		s.Clock.Set(t0.Add(d))
		r := owners(s, spoketest.Token)
		if r.Status != status {
			t.Fatalf("at +%v: %d, want %d: %s", d, r.Status, status, r.Body)
		}
		if h := limitHeaders(t, r); h["Remaining"] != remaining || h["Max"] != 3 {
			t.Fatalf("at +%v: %v, want Remaining %d", d, h, remaining)
		}
	}
	at(0, 200, 2)
	at(4*time.Second, 200, 1)
	at(8*time.Second, 200, 0)
	at(9999*time.Millisecond, 429, 0)
	at(10*time.Second, 200, 0) // the call at 0 has left the window
	at(10*time.Second, 429, 0)
	at(13999*time.Millisecond, 429, 0)
	at(14*time.Second, 200, 0)
	at(28*time.Second, 200, 2) // all gone
}

func TestRateLimitPerTokenWindowSharedDaily(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{})
	a, b := s.NewToken("crm.objects.owners.read"), s.NewToken("crm.objects.owners.read")
	setRateLimit(t, s, `{"enforce":true,"tenSecondlyLimit":2,"dailyLimit":5}`)
	for _, tok := range []string{a, a} {
		if r := owners(s, tok); r.Status != 200 {
			t.Fatalf("%d", r.Status)
		}
	}
	wantRateLimitBody(t, owners(s, a), tenSecondlyBody)
	// Another token is another app: its own window, the account's day.
	r := owners(s, b)
	if h := limitHeaders(t, r); r.Status != 200 || h["Remaining"] != 1 || h["Daily-Remaining"] != 2 {
		t.Fatalf("token b: %d %v", r.Status, h)
	}
	if r := owners(s, spoketest.Token); r.Status != 200 {
		t.Fatalf("env token: %d", r.Status)
	}
	if r := owners(s, b); r.Status != 200 || limitHeaders(t, r)["Daily-Remaining"] != 0 {
		t.Fatalf("fifth call of the day: %d %v", r.Status, r.Header)
	}
	// The day's allowance is spent for every token, whatever their windows.
	s.Clock.Set(s.Clock.Now().Add(time.Minute))
	for _, tok := range []string{a, b, spoketest.Token} {
		r := owners(s, tok)
		wantRateLimitBody(t, r, dailyBody)
		if h := limitHeaders(t, r); h["Daily-Remaining"] != 0 || h["Remaining"] != 2 {
			t.Fatalf("daily 429 headers: %v", h)
		}
	}
}

func TestRateLimitDailyResetsAtMidnightInTimeZone(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{TimeZone: "America/New_York"})
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	setRateLimit(t, s, `{"enforce":true,"dailyLimit":2}`)
	s.Clock.Set(time.Date(2026, 3, 10, 19, 30, 0, 0, ny)) // 23:30 UTC
	for range 2 {
		if r := owners(s, spoketest.Token); r.Status != 200 {
			t.Fatalf("%d", r.Status)
		}
	}
	wantRateLimitBody(t, owners(s, spoketest.Token), dailyBody)
	state := mustStatus(t, s.Do("GET", "/_spoke/rate-limit", nil), 200)
	if state["timeZone"] != "America/New_York" || state["dailyUsed"] != float64(2) || state["dailyResetsAt"] != "2026-03-11T00:00:00-04:00" {
		t.Fatalf("state %v", state)
	}
	// Midnight UTC is not the account's midnight.
	s.Clock.Set(time.Date(2026, 3, 10, 20, 30, 0, 0, ny))
	wantRateLimitBody(t, owners(s, spoketest.Token), dailyBody)
	s.Clock.Set(time.Date(2026, 3, 10, 23, 59, 59, 999e6, ny))
	wantRateLimitBody(t, owners(s, spoketest.Token), dailyBody)
	s.Clock.Set(time.Date(2026, 3, 11, 0, 0, 0, 0, ny))
	r := owners(s, spoketest.Token)
	if h := limitHeaders(t, r); r.Status != 200 || h["Daily-Remaining"] != 1 {
		t.Fatalf("after midnight in New York: %d %v", r.Status, h)
	}
	// Changing the zone at run time moves the reset.
	state = setRateLimit(t, s, `{"timeZone":"Asia/Tokyo"}`)
	if state["dailyResetsAt"] != "2026-03-12T00:00:00+09:00" {
		t.Fatalf("state %v", state)
	}
}

func TestRateLimitSearch(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{Enforce: true})
	other := s.NewToken("crm.objects.contacts.read", "crm.objects.owners.read")
	setRateLimit(t, s, `{"tenSecondlyLimit":1}`)
	t0 := s.Clock.Now()
	search := func(token string) *spoketest.Response {
		return s.DoToken(token, "POST", "/crm/v3/objects/contacts/search", `{}`)
	}
	// Five a second per account, whichever token asks; exempt from the
	// 10-second window (set to 1 here); never any rate-limit headers.
	for i := range 5 {
		tok := spoketest.Token
		if i%2 == 1 {
			tok = other
		}
		r := search(tok)
		if r.Status != 200 {
			t.Fatalf("search %d: %d %s", i, r.Status, r.Body)
		}
		noLimitHeaders(t, r)
	}
	r := search(other)
	wantRateLimitBody(t, r, secondlyBody)
	noLimitHeaders(t, r)
	s.Clock.Set(t0.Add(999 * time.Millisecond))
	wantRateLimitBody(t, search(spoketest.Token), secondlyBody)
	s.Clock.Set(t0.Add(time.Second))
	for i := range 5 {
		if r := search(spoketest.Token); r.Status != 200 {
			t.Fatalf("search %d in the next second: %d %s", i, r.Status, r.Body)
		}
	}
	// Searches left the 10-second window alone but count toward the day.
	r = owners(s, spoketest.Token)
	if h := limitHeaders(t, r); r.Status != 200 || h["Remaining"] != 0 || h["Daily-Remaining"] != 625000-11 {
		t.Fatalf("after 10 searches: %d %v", r.Status, h)
	}
}

func TestRateLimitControl(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{})
	state := mustStatus(t, s.Do("GET", "/_spoke/rate-limit", nil), 200)
	want := `map[dailyLimit:625000 dailyResetsAt:2026-03-11T00:00:00Z dailyUsed:0 enforce:false searchPerSecondLimit:5 tenSecondlyLimit:190 tier:professional timeZone:UTC]`
	if fmt.Sprint(state) != want {
		t.Fatalf("state %v\nwant  %s", state, want)
	}
	owners(s, spoketest.Token)
	state = setRateLimit(t, s, `{"tier":"enterprise","enforce":true}`)
	if state["tier"] != "enterprise" || state["tenSecondlyLimit"] != float64(190) || state["dailyLimit"] != float64(1000000) ||
		state["enforce"] != true || state["dailyUsed"] != float64(1) {
		t.Fatalf("state %v", state)
	}
	state = setRateLimit(t, s, `{"tier":"starter","dailyLimit":10,"reset":true}`)
	if state["tier"] != "custom" || state["tenSecondlyLimit"] != float64(100) || state["dailyLimit"] != float64(10) || state["dailyUsed"] != float64(0) {
		t.Fatalf("state %v", state)
	}
	if h := limitHeaders(t, owners(s, spoketest.Token)); h["Remaining"] != 99 || h["Daily-Remaining"] != 9 {
		t.Fatalf("after reset: %v", h)
	}
	for _, body := range []string{
		`{"tier":"platinum"}`, `{"enforced":true}`, `{"tenSecondlyLimit":0}`, `{"dailyLimit":-1}`,
		`{"timeZone":"Mars/Olympus_Mons"}`, `{"enforce":"yes"}`, `[]`, ``,
	} {
		if r := s.Do("PUT", "/_spoke/rate-limit", body); r.Status != 400 {
			t.Errorf("PUT %s: %d %s", body, r.Status, r.Body)
		}
	}
	// Ordinary HubSpot scopes are not enough: spoke.admin is needed.
	var scopes []string
	for _, sc := range crm.AllScopes {
		if sc != crm.ScopeAdmin {
			scopes = append(scopes, sc)
		}
	}
	tok := s.NewToken(scopes...)
	for _, m := range []string{"GET", "PUT"} {
		if r := s.DoToken(tok, m, "/_spoke/rate-limit", `{"enforce":false}`); r.Status != 403 {
			t.Errorf("%s with HubSpot scopes: %d %s", m, r.Status, r.Body)
		}
	}
	if r := s.DoToken(s.NewToken(crm.ScopeAdmin), "GET", "/_spoke/rate-limit", nil); r.Status != 200 {
		t.Errorf("spoke.admin: %d", r.Status)
	}
	// --no-admin: no control, headers still there.
	off := spoketest.Open(t, spoketest.WithRateLimit(ratelimit.Config{}), func(st *spoketest.Settings) { st.API.NoAdmin = true })
	if r := off.Do("GET", "/_spoke/rate-limit", nil); r.Status != 404 {
		t.Errorf("with NoAdmin: %d", r.Status)
	}
	limitHeaders(t, owners(off, spoketest.Token))
}

func TestRateLimitChangingLimitsKeepsTheWindow(t *testing.T) {
	t.Parallel()
	s := rateLimited(t, ratelimit.Config{})
	setRateLimit(t, s, `{"enforce":true,"tenSecondlyLimit":4}`)
	call := func(status, remaining int) {
		t.Helper()
		r := owners(s, spoketest.Token)
		if h := limitHeaders(t, r); r.Status != status || h["Remaining"] != remaining {
			t.Fatalf("status %d, Remaining %d; want %d, %d", r.Status, h["Remaining"], status, remaining)
		}
	}
	for i := 3; i >= 0; i-- {
		call(200, i)
	}
	call(429, 0)
	setRateLimit(t, s, `{"tenSecondlyLimit":2}`)
	call(429, 0) // four calls in the window, two allowed
	setRateLimit(t, s, `{"tenSecondlyLimit":6}`)
	call(200, 1) // the four earlier calls still count
	call(200, 0)
	call(429, 0)
	setRateLimit(t, s, `{"enforce":false,"tenSecondlyLimit":3}`)
	call(200, 0)
	s.Clock.Set(s.Clock.Now().Add(10 * time.Second))
	call(200, 2)
}

func TestRateLimitRejectionsInMetrics(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t, func(st *spoketest.Settings) { st.API.Metrics = api.NewMetrics() },
		spoketest.WithRateLimit(ratelimit.Config{Enforce: true}))
	setRateLimit(t, s, `{"tenSecondlyLimit":1,"dailyLimit":2}`)
	owners(s, spoketest.Token)
	owners(s, spoketest.Token)
	s.Clock.Set(s.Clock.Now().Add(time.Minute))
	owners(s, spoketest.Token)
	owners(s, spoketest.Token)
	r := s.DoToken("", "GET", "/metrics", nil)
	for _, want := range []string{
		`spoke_rate_limit_rejections_total{policy="TEN_SECONDLY_ROLLING"} 1`,
		`spoke_rate_limit_rejections_total{policy="DAILY"} 1`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
