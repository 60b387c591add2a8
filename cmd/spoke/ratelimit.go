package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/ratelimit"
)

// checkedFlag is a string flag whose values are checked when set, from the
// command line or the environment.
type checkedFlag struct {
	p     *string
	check func(string) error
}

func (f checkedFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f checkedFlag) Set(v string) error {
	if err := f.check(v); err != nil {
		return err
	}
	*f.p = v
	return nil
}

// rateLimitFlags registers --rate-limit and --rate-limit-timezone
// (SPOKE_RATE_LIMIT, SPOKE_RATE_LIMIT_TIMEZONE).
func (m *Main) rateLimitFlags(fs *flag.FlagSet) {
	if m.RateLimitTimeZone == "" {
		m.RateLimitTimeZone = "UTC"
	}
	fs.Var(checkedFlag{&m.RateLimit, func(v string) error {
		if v == "" || v == "off" {
			return nil
		}
		_, err := ratelimit.LookupTier(v)
		return err
	}}, "rate-limit", "`TIER` enforce HubSpot's rate limits of a tier: "+ratelimit.TierNames()+
		"; off (the default) only sends the rate-limit headers, with the "+ratelimit.DefaultTier+" tier's figures")
	fs.Var(checkedFlag{&m.RateLimitTimeZone, func(v string) error {
		if _, err := time.LoadLocation(v); err != nil {
			return fmt.Errorf("unknown time zone %q (use an IANA name such as America/New_York)", v)
		}
		return nil
	}}, "rate-limit-timezone", "`ZONE` the IANA time zone whose midnight resets the daily rate limit")
}

// installRateLimiter adds the rate limiter to o: accounting and headers
// always, enforcement when --rate-limit names a tier.
func (m *Main) installRateLimiter(o *api.Options) error {
	tier, enforce := m.RateLimit, true
	if tier == "" || tier == "off" {
		tier, enforce = "", false
	}
	cfg := ratelimit.Config{Tier: tier, Enforce: enforce, TimeZone: m.RateLimitTimeZone, Now: m.Now}
	// On a shared database, enforced limits count every node's calls.
	if shared, ok := m.store.(interface{ RateCounters() crm.RateCounters }); ok {
		cfg.Counters = ratelimit.SharedCounters(shared.RateCounters())
	}
	l, err := ratelimit.New(cfg)
	if err != nil {
		return err
	}
	o.AddRateLimiter(l)
	return nil
}
