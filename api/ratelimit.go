package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/ratelimit"
)

// AddRateLimiter installs rate-limit emulation (package ratelimit) in o: l
// runs around every API call, GET and PUT /_spoke/rate-limit read and change
// its settings, and a reset restores those it started with. l counts its
// rejections in o's metrics. Add it before interceptors that stand for the
// backend (faults): HubSpot rejects over-limit calls at its edge.
func (o *Options) AddRateLimiter(l *ratelimit.Limiter) {
	l.SetMetrics(o.Metrics)
	o.Interceptors = append(o.Interceptors, func(w http.ResponseWriter, r *http.Request, c *Call, next func(http.ResponseWriter, *http.Request) error) error {
		return l.Intercept(w, r, ratelimit.Call{Token: c.Principal.TokenID, Search: c.Search}, next)
	})
	o.Controls = append(o.Controls,
		Control{Pattern: "GET /_spoke/rate-limit", Handler: func(w http.ResponseWriter, r *http.Request) error {
			st, err := l.State(r.Context())
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, st)
			return nil
		}},
		Control{Pattern: "PUT /_spoke/rate-limit", Handler: func(w http.ResponseWriter, r *http.Request) error {
			u, err := readRateLimitUpdate(r)
			if err != nil {
				return err
			}
			st, err := l.Update(r.Context(), u)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, st)
			return nil
		}})
	o.ResetHooks = append(o.ResetHooks, ResetHook{Part: ResetRateLimit, Reset: l.Restore})
}

// readRateLimitUpdate decodes a PUT /_spoke/rate-limit body, refusing
// unknown names so that a misspelt setting is not silently ignored.
func readRateLimitUpdate(r *http.Request) (ratelimit.Update, error) {
	var (
		raw map[string]json.RawMessage
		u   ratelimit.Update
	)
	if err := decodeBody(r, &raw); err != nil {
		return u, err
	}
	for name := range raw {
		if !slices.Contains(ratelimit.UpdateFields, name) {
			return u, crm.Invalidf("Unknown rate-limit setting %q (settings: %s)", name, strings.Join(ratelimit.UpdateFields, ", "))
		}
	}
	data, _ := json.Marshal(raw)
	if err := json.Unmarshal(data, &u); err != nil {
		return u, jsonError(data, &u, err)
	}
	return u, nil
}
