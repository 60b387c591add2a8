package spoketest

import "github.com/spoke-crm/spoke/ratelimit"

// WithRateLimit installs rate-limit emulation on the server's clock, as
// spoke serve always does: HubSpot's X-HubSpot-RateLimit-* headers on every
// non-search API response, and GET/PUT /_spoke/rate-limit. cfg.Enforce (or a
// PUT with "enforce": true) turns on the 429s. An invalid cfg panics.
// Rejections are counted in the API's metrics if an earlier option set them.
func WithRateLimit(cfg ratelimit.Config) Option {
	return func(s *Settings) {
		if cfg.Now == nil {
			cfg.Now = s.Clock.Now
		}
		l, err := ratelimit.New(cfg)
		if err != nil {
			panic("spoketest.WithRateLimit: " + err.Error())
		}
		s.API.AddRateLimiter(l)
	}
}
