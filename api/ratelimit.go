package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Rate-limit emulation. Accounting is always on: every non-search API
// response carries HubSpot's X-HubSpot-RateLimit-* headers. Enforcement is
// off unless asked for; when on, calls over a limit get HubSpot's 429 bodies:
//
//   - a rolling 10-second window per token (HubSpot counts per app; a token
//     stands for an app), TEN_SECONDLY_ROLLING;
//   - a daily allowance per account (every token), resetting at midnight in a
//     configurable time zone, DAILY;
//   - search at 5 calls per rolling second per account, exempt from the
//     10-second window, "You have reached your secondly limit.".
//
// A rejected call is not counted against any limit, and a call that passed
// the limiter counts whatever its outcome (a 404 is still an API call).

// RateTier is one of HubSpot's limit tiers for privately distributed apps.
type RateTier struct {
	Name        string
	TenSecondly int // calls per token in any 10 seconds
	Daily       int // calls per account per day
}

// RateTiers are HubSpot's published figures (usage guidelines): the API Limit
// Increase add-on raises the 10-second limit to 250 and adds 1,000,000 calls
// a day to the Enterprise allowance.
var RateTiers = []RateTier{
	{"free", 100, 250_000},
	{"starter", 100, 250_000},
	{"professional", 190, 625_000},
	{"enterprise", 190, 1_000_000},
	{"api-addon", 250, 2_000_000},
}

// DefaultRateTier's figures are shown in the headers when no tier is chosen.
const DefaultRateTier = "professional"

// SearchPerSecond is HubSpot's search limit per account.
const SearchPerSecond = 5

// rateInterval is the rolling window of the TEN_SECONDLY_ROLLING limit.
const rateInterval = 10 * time.Second

// maxRateWindow bounds the per-window limits one can set, and so the memory
// a window's call log takes (8 bytes a call).
const maxRateWindow = 100_000

// RateTierNames lists the tier names, for flag help and error messages.
func RateTierNames() string {
	names := make([]string, len(RateTiers))
	for i, t := range RateTiers {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// LookupRateTier finds a tier by name, ignoring case.
func LookupRateTier(name string) (RateTier, error) {
	for _, t := range RateTiers {
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	return RateTier{}, fmt.Errorf("unknown rate-limit tier %q (tiers: %s)", name, RateTierNames())
}

// The limiter's counting types live in crm, so that storage backends can
// keep the counts (PostgreSQL shares them between nodes).
type (
	RateLimits   = crm.RateLimits
	RatePolicy   = crm.RatePolicy
	RateTake     = crm.RateTake
	RateDecision = crm.RateDecision
	RateCounters = crm.RateCounters
)

const (
	RateAllowed     = crm.RateAllowed
	RateTenSecondly = crm.RateTenSecondly
	RateDaily       = crm.RateDaily
	RateSecondly    = crm.RateSecondly
)

// NewMemoryRateCounters returns in-process counters: one mutex, a ring of
// call times per token and one for search, and a daily count.
func NewMemoryRateCounters() RateCounters {
	return &memoryCounters{windows: map[int64]*callLog{}}
}

type memoryCounters struct {
	mu      sync.Mutex
	windows map[int64]*callLog // per token, last 10 seconds
	search  callLog            // per account, last second
	day     int64
	daily   int
}

func (m *memoryCounters) Take(_ context.Context, t RateTake, l RateLimits) (RateDecision, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.Day != m.day {
		m.day, m.daily = t.Day, 0
	}
	var (
		log    *callLog
		limit  int
		policy RatePolicy
	)
	if t.Search {
		log, limit, policy = &m.search, l.SearchPerSecond, RateSecondly
		log.expire(t.Now - int64(time.Second))
	} else {
		log = m.windows[t.Token]
		if log == nil {
			log = &callLog{}
			m.windows[t.Token] = log
		}
		limit, policy = l.TenSecondly, RateTenSecondly
		log.expire(t.Now - int64(rateInterval))
	}
	var d RateDecision
	switch {
	case l.Enforce && m.daily >= l.Daily:
		d.Policy = RateDaily
	case l.Enforce && log.n >= limit:
		d.Policy = policy
	default:
		m.daily++
		log.add(t.Now, limit)
	}
	d.Remaining = limit - log.n
	d.DailyRemaining = l.Daily - m.daily
	return d, nil
}

func (m *memoryCounters) DailyUsed(_ context.Context, day int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if day != m.day {
		return 0, nil
	}
	return m.daily, nil
}

func (m *memoryCounters) Reset(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.windows = map[int64]*callLog{}
	m.search = callLog{}
	m.daily = 0
	return nil
}

// callLog is a ring of the times of the latest calls in a window, oldest
// first, holding at most as many as the window allows: a rolling window is
// exact and costs O(1) a call. When limits are not enforced a full log drops
// its oldest time, since Remaining cannot go below zero anyway.
type callLog struct {
	times   []int64
	head, n int
}

// expire drops the calls at or before cutoff.
func (c *callLog) expire(cutoff int64) {
	for c.n > 0 && c.times[c.head] <= cutoff {
		c.head++
		if c.head == len(c.times) {
			c.head = 0
		}
		c.n--
	}
}

// add records a call at now in a window that allows size calls.
func (c *callLog) add(now int64, size int) {
	if len(c.times) != size {
		c.resize(size)
	}
	if size == 0 {
		return
	}
	if c.n == size { // not enforced: forget the oldest
		c.head++
		if c.head == size {
			c.head = 0
		}
		c.n--
	}
	i := c.head + c.n
	if i >= size {
		i -= size
	}
	c.times[i] = now
	c.n++
}

// resize keeps the newest calls in a ring of the new size.
func (c *callLog) resize(size int) {
	keep := min(c.n, size)
	times := make([]int64, size)
	for i := range keep {
		times[i] = c.times[(c.head+c.n-keep+i)%len(c.times)]
	}
	c.times, c.head, c.n = times, 0, keep
}

// RateLimitConfig configures a RateLimiter.
type RateLimitConfig struct {
	// Tier names the figures (RateTiers); "" is DefaultRateTier.
	Tier string
	// Enforce answers calls over a limit with 429; otherwise they are only counted.
	Enforce bool
	// TimeZone is the IANA zone whose midnight resets the daily count; "" is UTC.
	TimeZone string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Counters keep the counts; nil keeps them in memory.
	Counters RateCounters
	// Metrics counts rejections; nil takes the Options' metrics at Install.
	Metrics *Metrics
}

// RateLimiter emulates HubSpot's rate limits: Intercept is its Interceptor,
// Controls its GET and PUT /_spoke/rate-limit.
type RateLimiter struct {
	now      func() time.Time
	counters RateCounters
	metrics  *Metrics

	mu       sync.Mutex // serializes settings changes
	settings atomic.Pointer[rateSettings]
	initial  *rateSettings // the settings of NewRateLimiter, which a reset restores
	day      atomic.Pointer[rateDay]
}

// rateSettings is an immutable snapshot, replaced whole on a change.
type rateSettings struct {
	tier   string // a tier name, or "custom" when the figures were set one by one
	limits RateLimits
	loc    *time.Location
	// Header values that only change with the settings.
	daily, max, secondly string
}

// rateDay caches the bounds of the current day in loc.
type rateDay struct {
	loc        *time.Location
	start, end int64
}

// NewRateLimiter returns a limiter with cfg's settings.
func NewRateLimiter(cfg RateLimitConfig) (*RateLimiter, error) {
	if cfg.Tier == "" {
		cfg.Tier = DefaultRateTier
	}
	tier, err := LookupRateTier(cfg.Tier)
	if err != nil {
		return nil, err
	}
	loc, err := loadZone(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	l := &RateLimiter{now: cfg.Now, counters: cfg.Counters, metrics: cfg.Metrics}
	if l.now == nil {
		l.now = time.Now
	}
	if l.counters == nil {
		l.counters = NewMemoryRateCounters()
	}
	l.initial = newRateSettings(tier.Name, RateLimits{
		TenSecondly: tier.TenSecondly, Daily: tier.Daily, SearchPerSecond: SearchPerSecond, Enforce: cfg.Enforce,
	}, loc)
	l.settings.Store(l.initial)
	return l, nil
}

// Restore puts back the settings the limiter started with (those of spoke
// serve's flags) and forgets every count: those kept in the database for
// all nodes too.
func (l *RateLimiter) Restore(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.counters.Reset(ctx); err != nil {
		return err
	}
	l.settings.Store(l.initial)
	return nil
}

func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (use an IANA name such as America/New_York)", name)
	}
	return loc, nil
}

func newRateSettings(tier string, l RateLimits, loc *time.Location) *rateSettings {
	return &rateSettings{
		tier: tier, limits: l, loc: loc,
		daily:    strconv.Itoa(l.Daily),
		max:      strconv.Itoa(l.TenSecondly),
		secondly: strconv.Itoa(l.TenSecondly / 10),
	}
}

// Install adds the limiter's interceptor and test controls to o, and takes
// o's metrics if the limiter has none. Install it before interceptors that
// stand for the backend (faults): HubSpot rejects over-limit calls at its edge.
func (l *RateLimiter) Install(o *Options) {
	if l.metrics == nil {
		l.metrics = o.Metrics
	}
	o.Interceptors = append(o.Interceptors, l.Intercept)
	o.Controls = append(o.Controls, l.Controls()...)
	o.ResetHooks = append(o.ResetHooks, ResetHook{Part: ResetRateLimit, Reset: l.Restore})
}

// Canonical forms of HubSpot's header names (X-HubSpot-RateLimit-...).
const (
	hdrDaily             = "X-Hubspot-Ratelimit-Daily"
	hdrDailyRemaining    = "X-Hubspot-Ratelimit-Daily-Remaining"
	hdrInterval          = "X-Hubspot-Ratelimit-Interval-Milliseconds"
	hdrMax               = "X-Hubspot-Ratelimit-Max"
	hdrRemaining         = "X-Hubspot-Ratelimit-Remaining"
	hdrSecondly          = "X-Hubspot-Ratelimit-Secondly"
	hdrSecondlyRemaining = "X-Hubspot-Ratelimit-Secondly-Remaining"
)

// Intercept counts the call, sets the headers (not on search, as HubSpot),
// and answers 429 when an enforced limit is reached.
func (l *RateLimiter) Intercept(w http.ResponseWriter, r *http.Request, c *Call, next func(http.ResponseWriter, *http.Request) error) error {
	now := l.now()
	st := l.settings.Load()
	d, err := l.counters.Take(r.Context(), RateTake{
		Token: c.Principal.TokenID, Search: c.Search, Now: now.UnixNano(), Day: l.dayStart(now, st.loc),
	}, st.limits)
	if err != nil {
		return err
	}
	if !c.Search {
		remaining, dailyRemaining := max(d.Remaining, 0), max(d.DailyRemaining, 0)
		// The three counts share one string, and the seven values one slice.
		var buf [64]byte
		b := strconv.AppendInt(buf[:0], int64(dailyRemaining), 10)
		i := len(b)
		b = strconv.AppendInt(b, int64(remaining), 10)
		j := len(b)
		b = strconv.AppendInt(b, int64(remaining/10), 10)
		counts := string(b)
		v := make([]string, 7)
		v[0], v[1], v[2], v[3] = st.daily, counts[:i], "10000", st.max
		v[4], v[5], v[6] = counts[i:j], st.secondly, counts[j:]
		h := w.Header()
		h[hdrDaily], h[hdrDailyRemaining], h[hdrInterval] = v[0:1:1], v[1:2:2], v[2:3:3]
		h[hdrMax], h[hdrRemaining] = v[3:4:4], v[4:5:5]
		h[hdrSecondly], h[hdrSecondlyRemaining] = v[5:6:6], v[6:7:7]
	}
	if d.Policy != RateAllowed {
		l.metrics.RateLimited(d.Policy.String())
		return crm.RateLimited(d.Policy)
	}
	return next(w, r)
}

// dayStart returns the start of now's day in loc, recomputing the cached
// bounds only when now leaves them (once a day, or when the clock is moved).
func (l *RateLimiter) dayStart(now time.Time, loc *time.Location) int64 {
	n := now.UnixNano()
	if d := l.day.Load(); d != nil && d.loc == loc && n >= d.start && n < d.end {
		return d.start
	}
	y, m, day := now.In(loc).Date()
	d := &rateDay{loc: loc,
		start: time.Date(y, m, day, 0, 0, 0, 0, loc).UnixNano(),
		end:   time.Date(y, m, day+1, 0, 0, 0, 0, loc).UnixNano()}
	l.day.Store(d)
	return d.start
}

// Controls are the limiter's test controls: GET and PUT /_spoke/rate-limit.
func (l *RateLimiter) Controls() []Control {
	return []Control{
		{Pattern: "GET /_spoke/rate-limit", Handler: l.getSettings},
		{Pattern: "PUT /_spoke/rate-limit", Handler: l.putSettings},
	}
}

// rateLimitState is the JSON of /_spoke/rate-limit.
type rateLimitState struct {
	Tier                 string `json:"tier"`
	Enforce              bool   `json:"enforce"`
	TenSecondlyLimit     int    `json:"tenSecondlyLimit"`
	DailyLimit           int    `json:"dailyLimit"`
	SearchPerSecondLimit int    `json:"searchPerSecondLimit"`
	TimeZone             string `json:"timeZone"`
	DailyUsed            int    `json:"dailyUsed"`
	DailyResetsAt        string `json:"dailyResetsAt"`
}

// rateLimitUpdate is a PUT body: fields left out keep their values.
type rateLimitUpdate struct {
	Tier                 *string `json:"tier"`
	Enforce              *bool   `json:"enforce"`
	TenSecondlyLimit     *int    `json:"tenSecondlyLimit"`
	DailyLimit           *int    `json:"dailyLimit"`
	SearchPerSecondLimit *int    `json:"searchPerSecondLimit"`
	TimeZone             *string `json:"timeZone"`
	Reset                bool    `json:"reset"`
}

func (l *RateLimiter) getSettings(w http.ResponseWriter, r *http.Request) error {
	return l.writeState(w, r)
}

func (l *RateLimiter) putSettings(w http.ResponseWriter, r *http.Request) error {
	var raw map[string]json.RawMessage
	if err := decodeBody(r, &raw); err != nil {
		return err
	}
	var u rateLimitUpdate
	if err := decodeFields(raw, &u); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.settings.Load()
	tier, limits, loc := old.tier, old.limits, old.loc
	if u.Tier != nil {
		t, err := LookupRateTier(*u.Tier)
		if err != nil {
			return crm.Invalidf("%s", err.Error())
		}
		tier, limits.TenSecondly, limits.Daily, limits.SearchPerSecond = t.Name, t.TenSecondly, t.Daily, SearchPerSecond
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
		max  int
	}{
		{"tenSecondlyLimit", u.TenSecondlyLimit, &limits.TenSecondly, maxRateWindow},
		{"dailyLimit", u.DailyLimit, &limits.Daily, 1 << 40},
		{"searchPerSecondLimit", u.SearchPerSecondLimit, &limits.SearchPerSecond, maxRateWindow},
	} {
		if f.v == nil {
			continue
		}
		if *f.v < 1 || *f.v > f.max {
			return crm.Invalidf("%s must be between 1 and %d", f.name, f.max)
		}
		if *f.v != *f.dst {
			*f.dst, tier = *f.v, "custom"
		}
	}
	if u.Enforce != nil {
		limits.Enforce = *u.Enforce
	}
	if u.TimeZone != nil {
		var err error
		if loc, err = loadZone(*u.TimeZone); err != nil {
			return crm.Invalidf("%s", err.Error())
		}
	}
	if u.Reset {
		if err := l.counters.Reset(r.Context()); err != nil {
			return err
		}
	}
	l.settings.Store(newRateSettings(tier, limits, loc))
	return l.writeState(w, r)
}

// decodeFields decodes a JSON object's members into u, refusing unknown
// names so that a misspelt setting is not silently ignored.
func decodeFields(raw map[string]json.RawMessage, u *rateLimitUpdate) error {
	known := map[string]bool{"tier": true, "enforce": true, "tenSecondlyLimit": true, "dailyLimit": true,
		"searchPerSecondLimit": true, "timeZone": true, "reset": true}
	for name := range raw {
		if !known[name] {
			return crm.Invalidf("Unknown rate-limit setting %q (settings: tier, enforce, tenSecondlyLimit, dailyLimit, searchPerSecondLimit, timeZone, reset)", name)
		}
	}
	data, _ := json.Marshal(raw)
	if err := json.Unmarshal(data, u); err != nil {
		return jsonError(data, err)
	}
	return nil
}

func (l *RateLimiter) writeState(w http.ResponseWriter, r *http.Request) error {
	st := l.settings.Load()
	now := l.now()
	day := l.dayStart(now, st.loc)
	used, err := l.counters.DailyUsed(r.Context(), day)
	if err != nil {
		return err
	}
	y, m, d := now.In(st.loc).Date()
	writeJSON(w, http.StatusOK, rateLimitState{
		Tier:                 st.tier,
		Enforce:              st.limits.Enforce,
		TenSecondlyLimit:     st.limits.TenSecondly,
		DailyLimit:           st.limits.Daily,
		SearchPerSecondLimit: st.limits.SearchPerSecond,
		TimeZone:             st.loc.String(),
		DailyUsed:            used,
		DailyResetsAt:        time.Date(y, m, d+1, 0, 0, 0, 0, st.loc).Format(time.RFC3339),
	})
	return nil
}
