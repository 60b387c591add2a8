package api

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Spoke's test controls and operations endpoints under /_spoke/.

// The parts of a reset body: each key says whether the reset returns that
// part to its state at start (true) or keeps it (false). Records, with their
// history, associations and search index, always go.
const (
	ResetOwners    = "owners"
	ResetSchema    = "schema"    // custom properties, property groups, association labels
	ResetFaults    = "faults"    // fault rules back to those of --faults, counts at zero
	ResetRateLimit = "rateLimit" // settings back to the flags', counts forgotten
	ResetTokens    = "tokens"
	ResetWebhooks  = "webhooks" // apps with their webhook settings and subscriptions
)

// resetDefaults is what an empty body ({}) resets: everything of a fresh
// start but the tokens, so that the caller's own token keeps working, and
// the apps, configuration a test suite sets once. Queued webhook events
// and the delivery log always go, as the records they describe do.
var resetDefaults = []struct {
	part string
	on   bool
}{{ResetOwners, true}, {ResetSchema, true}, {ResetFaults, true}, {ResetRateLimit, true}, {ResetTokens, false}, {ResetWebhooks, false}}

// ResetHook restores state kept outside the database (fault rules,
// rate-limit settings) on POST /_spoke/reset, unless the body keeps Part.
type ResetHook struct {
	Part  string
	Reset func(ctx context.Context) error
}

// resetData is POST /_spoke/reset: returns the server to the state of a
// fresh start but for the tokens, keeping what the body asks to keep.
func (s *Server) resetData(w http.ResponseWriter, r *http.Request) error {
	parts := map[string]bool{}
	var names []string
	for _, d := range resetDefaults {
		parts[d.part] = d.on
		names = append(names, d.part)
	}
	if r.ContentLength != 0 {
		var body map[string]json.RawMessage
		if err := decodeBody(r, &body); err != nil {
			return err
		}
		for _, key := range slices.Sorted(maps.Keys(body)) {
			if _, known := parts[key]; !known {
				return crm.Invalidf("Unknown reset option %q. The options are %s: each true (reset it, the default but for tokens and webhooks) or false (keep it)",
					key, strings.Join(names, ", "))
			}
			switch v := string(body[key]); v {
			case "true", "false":
				parts[key] = v == "true"
			default:
				return crm.Invalidf("Reset option %q must be true or false, not %s", key, v)
			}
		}
	}
	scope := crm.ResetScope{Owners: parts[ResetOwners], Tokens: parts[ResetTokens], Schema: parts[ResetSchema], Webhooks: parts[ResetWebhooks]}
	if err := s.Engine.ResetData(r.Context(), scope); err != nil {
		return err
	}
	if scope.Webhooks && s.opts.Webhooks != nil {
		if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
			return err
		}
	}
	if scope.Tokens {
		s.Auth.Forget()
	}
	for _, h := range s.opts.ResetHooks {
		if parts[h.Part] {
			if err := h.Reset(r.Context()); err != nil {
				return err
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// seedData is POST /_spoke/seed: loads a fixture, all or nothing. Its
// records emit webhook events unless ?webhooks=false.
func (s *Server) seedData(w http.ResponseWriter, r *http.Request) error {
	var f crm.Fixture
	if err := decodeBody(r, &f); err != nil {
		return err
	}
	ctx := r.Context()
	if r.URL.Query().Get("webhooks") == "false" {
		ctx = crm.WithoutWebhookEvents(ctx)
	}
	if err := s.Engine.Seed(ctx, &f); err != nil {
		return err
	}
	if len(f.Apps) > 0 && s.opts.Webhooks != nil {
		if err := s.opts.Webhooks.Reload(ctx); err != nil {
			return err
		}
	}
	counts := map[string]int{"owners": len(f.Owners), "associations": len(f.Associations)}
	if len(f.Apps) > 0 {
		counts["apps"] = len(f.Apps)
	}
	for typ, list := range f.Objects {
		counts[typ] = len(list)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "loaded": counts})
	return nil
}

// exportData is GET /_spoke/export[?secrets=true][&history=true]: with
// secrets, each app's client secret and developer API key hash; with
// history, each record's property history.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request) error {
	var opts crm.ExportOptions
	for _, o := range []struct {
		name string
		set  *bool
	}{{"secrets", &opts.Secrets}, {"history", &opts.History}} {
		switch v := r.URL.Query().Get(o.name); v {
		case "", "false":
		case "true":
			*o.set = true
		default:
			return crm.Invalidf("%s must be true or false, not %q", o.name, v)
		}
	}
	f, err := s.Engine.ExportWith(r.Context(), opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// health is GET /_spoke/health: 200 when the database answers. It needs no
// token, so load balancers can call it.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.Engine.Store.Read(ctx, func(tx crm.ReadTx) error {
		_, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Limit: 1})
		return err
	})
	if err != nil {
		s.Logger.Error("health check", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "database": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
