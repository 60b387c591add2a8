// Package ratelimit emulates HubSpot's rate limits. It is a test control,
// not part of HubSpot's API: the api package runs a Limiter's Intercept
// around every API call and serves its settings at /_spoke/rate-limit.
//
// Accounting is always on: every non-search API response carries HubSpot's
// X-HubSpot-RateLimit-* headers. Enforcement is off unless asked for; when
// on, calls over a limit get HubSpot's 429 bodies (crm.RateLimited):
//
//   - a rolling 10-second window per token (HubSpot counts per app; a token
//     stands for an app), TEN_SECONDLY_ROLLING;
//   - a daily allowance per account (every token), resetting at midnight in a
//     configurable time zone, DAILY;
//   - search at 5 calls per rolling second per account, exempt from the
//     10-second window, "You have reached your secondly limit.".
//
// A rejected call is not counted against any limit, and a call that passed
// the limiter counts whatever its outcome (a 404 is still an API call). The
// counts are kept by a crm.RateCounters: in this process (NewMemoryCounters),
// or in a database every node shares (SharedCounters).
package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Tier is one of HubSpot's limit tiers for privately distributed apps.
type Tier struct {
	Name        string
	TenSecondly int // calls per token in any 10 seconds
	Daily       int // calls per account per day
}

// Tiers are HubSpot's published figures (usage guidelines): the API Limit
// Increase add-on raises the 10-second limit to 250 and adds 1,000,000 calls
// a day to the Enterprise allowance.
var Tiers = []Tier{
	{"free", 100, 250_000},
	{"starter", 100, 250_000},
	{"professional", 190, 625_000},
	{"enterprise", 190, 1_000_000},
	{"api-addon", 250, 2_000_000},
}

// DefaultTier's figures are shown in the headers when no tier is chosen.
const DefaultTier = "professional"

// SearchPerSecond is HubSpot's search limit per account.
const SearchPerSecond = 5

// TierNames lists the tier names, for flag help and error messages.
func TierNames() string {
	names := make([]string, len(Tiers))
	for i, t := range Tiers {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// LookupTier finds a tier by name, ignoring case.
func LookupTier(name string) (Tier, error) {
	for _, t := range Tiers {
		if strings.EqualFold(t.Name, name) {
			return t, nil
		}
	}
	return Tier{}, fmt.Errorf("unknown rate-limit tier %q (tiers: %s)", name, TierNames())
}

// interval is the rolling window of the TEN_SECONDLY_ROLLING limit.
const interval = 10 * time.Second

// maxWindow bounds the per-window limits one can set, and so the memory a
// window's call log takes (8 bytes a call).
const maxWindow = 100_000

// Config configures a Limiter.
type Config struct {
	// Tier names the figures (Tiers); "" is DefaultTier.
	Tier string
	// Enforce answers calls over a limit with 429; otherwise they are only counted.
	Enforce bool
	// TimeZone is the IANA zone whose midnight resets the daily count; "" is UTC.
	TimeZone string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Counters keep the counts; nil keeps them in memory.
	Counters crm.RateCounters
}

// Limiter emulates HubSpot's rate limits around API calls (Intercept); its
// settings can be read and changed while it runs (State, Update).
type Limiter struct {
	now      func() time.Time
	counters crm.RateCounters
	metrics  Metrics

	mu       sync.Mutex // serializes settings changes
	settings atomic.Pointer[snapshot]
	initial  *snapshot // the settings of New, which a reset restores
	day      atomic.Pointer[dayBounds]
}

// snapshot is an immutable snapshot, replaced whole on a change.
type snapshot struct {
	tier   string // a tier name, or "custom" when the figures were set one by one
	limits crm.RateLimits
	loc    *time.Location
	// Header values that only change with the settings.
	daily, max, secondly string
}

// dayBounds caches the bounds of the current day in loc.
type dayBounds struct {
	loc        *time.Location
	start, end int64
}

// New returns a limiter with cfg's settings.
func New(cfg Config) (*Limiter, error) {
	if cfg.Tier == "" {
		cfg.Tier = DefaultTier
	}
	tier, err := LookupTier(cfg.Tier)
	if err != nil {
		return nil, err
	}
	loc, err := loadZone(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	l := &Limiter{now: cfg.Now, counters: cfg.Counters}
	if l.now == nil {
		l.now = time.Now
	}
	if l.counters == nil {
		l.counters = NewMemoryCounters()
	}
	l.initial = newSettings(tier.Name, crm.RateLimits{
		TenSecondly: tier.TenSecondly, Daily: tier.Daily, SearchPerSecond: SearchPerSecond, Enforce: cfg.Enforce,
	}, loc)
	l.settings.Store(l.initial)
	return l, nil
}

// Restore puts back the settings the limiter started with (those of spoke
// serve's flags) and forgets every count: those kept in the database for
// all nodes too.
func (l *Limiter) Restore(ctx context.Context) error {
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

func newSettings(tier string, l crm.RateLimits, loc *time.Location) *snapshot {
	return &snapshot{
		tier: tier, limits: l, loc: loc,
		daily:    strconv.Itoa(l.Daily),
		max:      strconv.Itoa(l.TenSecondly),
		secondly: strconv.Itoa(l.TenSecondly / 10),
	}
}

// Metrics counts the calls the limiter rejects, by policy name.
type Metrics interface {
	RateLimited(policy string)
}

// SetMetrics has the limiter count its rejections in m. Call it before
// the limiter serves.
func (l *Limiter) SetMetrics(m Metrics) { l.metrics = m }

// Call is what the limiter needs of an API call: its token, and whether it
// is a search (HubSpot limits search separately).
type Call struct {
	Token  int64 // crm.Principal.TokenID
	Search bool
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
// and runs next, the API call, unless an enforced limit is reached: then it
// returns crm.RateLimited's error.
func (l *Limiter) Intercept(w http.ResponseWriter, r *http.Request, c Call, next func(http.ResponseWriter, *http.Request) error) error {
	now := l.now()
	st := l.settings.Load()
	d, err := l.counters.Take(r.Context(), crm.RateTake{
		Token: c.Token, Search: c.Search, Now: now.UnixNano(), Day: l.dayStart(now, st.loc),
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
	if d.Policy != crm.RateAllowed {
		if l.metrics != nil {
			l.metrics.RateLimited(d.Policy.String())
		}
		return crm.RateLimited(d.Policy)
	}
	return next(w, r)
}

// dayStart returns the start of now's day in loc, recomputing the cached
// bounds only when now leaves them (once a day, or when the clock is moved).
func (l *Limiter) dayStart(now time.Time, loc *time.Location) int64 {
	n := now.UnixNano()
	if d := l.day.Load(); d != nil && d.loc == loc && n >= d.start && n < d.end {
		return d.start
	}
	y, m, day := now.In(loc).Date()
	d := &dayBounds{loc: loc,
		start: time.Date(y, m, day, 0, 0, 0, 0, loc).UnixNano(),
		end:   time.Date(y, m, day+1, 0, 0, 0, 0, loc).UnixNano()}
	l.day.Store(d)
	return d.start
}

// State is the limiter's settings and today's count, the JSON of
// GET /_spoke/rate-limit.
type State struct {
	Tier                 string `json:"tier"`
	Enforce              bool   `json:"enforce"`
	TenSecondlyLimit     int    `json:"tenSecondlyLimit"`
	DailyLimit           int    `json:"dailyLimit"`
	SearchPerSecondLimit int    `json:"searchPerSecondLimit"`
	TimeZone             string `json:"timeZone"`
	DailyUsed            int    `json:"dailyUsed"`
	DailyResetsAt        string `json:"dailyResetsAt"`
}

// Update changes settings, the JSON of PUT /_spoke/rate-limit: fields left
// out keep their values.
type Update struct {
	Tier                 *string `json:"tier"`
	Enforce              *bool   `json:"enforce"`
	TenSecondlyLimit     *int    `json:"tenSecondlyLimit"`
	DailyLimit           *int    `json:"dailyLimit"`
	SearchPerSecondLimit *int    `json:"searchPerSecondLimit"`
	TimeZone             *string `json:"timeZone"`
	Reset                bool    `json:"reset"`
}

// UpdateFields are the JSON names of Update's fields, in the order messages
// list them.
var UpdateFields = []string{"tier", "enforce", "tenSecondlyLimit", "dailyLimit", "searchPerSecondLimit", "timeZone", "reset"}

// State returns the settings and today's count.
func (l *Limiter) State(ctx context.Context) (State, error) {
	return l.state(ctx, l.settings.Load())
}

// Update applies u, all or nothing, and returns the new state. A tier sets
// its figures; a figure set one by one makes the tier "custom".
func (l *Limiter) Update(ctx context.Context, u Update) (State, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.settings.Load()
	tier, limits, loc := old.tier, old.limits, old.loc
	if u.Tier != nil {
		t, err := LookupTier(*u.Tier)
		if err != nil {
			return State{}, crm.Invalidf("%s", err.Error())
		}
		tier, limits.TenSecondly, limits.Daily, limits.SearchPerSecond = t.Name, t.TenSecondly, t.Daily, SearchPerSecond
	}
	for _, f := range []struct {
		name string
		v    *int
		dst  *int
		max  int
	}{
		{"tenSecondlyLimit", u.TenSecondlyLimit, &limits.TenSecondly, maxWindow},
		{"dailyLimit", u.DailyLimit, &limits.Daily, 1 << 40},
		{"searchPerSecondLimit", u.SearchPerSecondLimit, &limits.SearchPerSecond, maxWindow},
	} {
		if f.v == nil {
			continue
		}
		if *f.v < 1 || *f.v > f.max {
			return State{}, crm.Invalidf("%s must be between 1 and %d", f.name, f.max)
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
			return State{}, crm.Invalidf("%s", err.Error())
		}
	}
	if u.Reset {
		if err := l.counters.Reset(ctx); err != nil {
			return State{}, err
		}
	}
	st := newSettings(tier, limits, loc)
	l.settings.Store(st)
	return l.state(ctx, st)
}

func (l *Limiter) state(ctx context.Context, st *snapshot) (State, error) {
	now := l.now()
	used, err := l.counters.DailyUsed(ctx, l.dayStart(now, st.loc))
	if err != nil {
		return State{}, err
	}
	y, m, d := now.In(st.loc).Date()
	return State{
		Tier:                 st.tier,
		Enforce:              st.limits.Enforce,
		TenSecondlyLimit:     st.limits.TenSecondly,
		DailyLimit:           st.limits.Daily,
		SearchPerSecondLimit: st.limits.SearchPerSecond,
		TimeZone:             st.loc.String(),
		DailyUsed:            used,
		DailyResetsAt:        time.Date(y, m, d+1, 0, 0, 0, 0, st.loc).Format(time.RFC3339),
	}, nil
}
