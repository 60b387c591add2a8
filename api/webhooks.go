package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// WebhookFlusher is the delivery worker behind POST /_spoke/webhooks/flush.
type WebhookFlusher interface {
	// Flush delivers every pending event now, skipping retry waits, and
	// returns when each has been tried once.
	Flush(ctx context.Context) (crm.WebhookFlushResult, error)
}

// webhookRoutes mounts HubSpot's webhooks API (authenticated with an app's
// developer API key in the hapikey query parameter, as HubSpot's clients
// send it) and Spoke's delivery controls.
func (s *Server) webhookRoutes() {
	if s.opts.Webhooks == nil {
		return
	}
	// The same operations under v3 and the dated paths (2025-09, 2026-03,
	// 2026-09), whose OpenAPI files give them the same shapes and key.
	for _, p := range []string{"/webhooks/v3/{appId}", "/webhooks/{version}/{appId}"} {
		s.appRoute("GET "+p+"/settings", s.getWebhookSettings)
		s.appRoute("PUT "+p+"/settings", s.putWebhookSettings)
		s.appRoute("DELETE "+p+"/settings", s.deleteWebhookSettings)
		s.appRoute("GET "+p+"/subscriptions", s.listSubscriptions)
		s.appRoute("POST "+p+"/subscriptions", s.createSubscription)
		s.appRoute("POST "+p+"/subscriptions/batch/update", s.batchUpdateSubscriptions)
		s.appRoute("GET "+p+"/subscriptions/{subscriptionId}", s.getSubscription)
		s.appRoute("PATCH "+p+"/subscriptions/{subscriptionId}", s.updateSubscription)
		s.appRoute("DELETE "+p+"/subscriptions/{subscriptionId}", s.deleteSubscription)
	}
	s.appRoute("PUT /webhooks/v3/{appId}/subscriptions/{subscriptionId}", s.updateSubscription) // the older guide's verb
	s.control("GET /_spoke/webhooks/deliveries", s.webhookDeliveries)
	s.control("POST /_spoke/webhooks/flush", s.flushWebhooks)
}

type appKey struct{}

func requestApp(r *http.Request) *crm.App { return r.Context().Value(appKey{}).(*crm.App) }

// appRoute mounts a webhooks API operation: the hapikey must be the
// developer API key of the app in the path.
func (s *Server) appRoute(pattern string, h handlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := func() error {
			if v := r.PathValue("version"); v != "" && !apiVersions[v] {
				return notFoundRoute(r)
			}
			key := r.URL.Query().Get("hapikey")
			if key == "" {
				return &crm.Error{Kind: crm.KindUnauthenticated, Category: crm.CategoryInvalidAuth,
					Message: "Authentication credentials not found. The webhooks API takes a developer API key in the hapikey query parameter."}
			}
			app, err := s.opts.Webhooks.Store.AppByKeyHash(r.Context(), crm.HashToken(key))
			if errors.Is(err, crm.ErrNotFound) {
				return &crm.Error{Kind: crm.KindUnauthenticated, Category: crm.CategoryInvalidAuth,
					Message: "The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/"}
			}
			if err != nil {
				return err
			}
			id, perr := strconv.ParseInt(r.PathValue("appId"), 10, 32)
			if perr != nil || id != app.ID {
				return &crm.Error{Kind: crm.KindForbidden, Message: fmt.Sprintf("The developer API key does not belong to app %s", r.PathValue("appId"))}
			}
			return h(w, r.WithContext(context.WithValue(r.Context(), appKey{}, app)))
		}()
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

type throttlingJSON struct {
	MaxConcurrentRequests *int   `json:"maxConcurrentRequests"`
	Period                string `json:"period,omitempty"` // accepted and ignored: HubSpot dropped it
}

type settingsJSON struct {
	TargetURL  string          `json:"targetUrl"`
	Throttling *throttlingJSON `json:"throttling"`
	CreatedAt  string          `json:"createdAt,omitempty"`
	UpdatedAt  string          `json:"updatedAt,omitempty"`
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func newSettingsJSON(st *crm.WebhookSettings) settingsJSON {
	n := st.MaxConcurrentRequests
	return settingsJSON{TargetURL: st.TargetURL, Throttling: &throttlingJSON{MaxConcurrentRequests: &n},
		CreatedAt: isoTime(st.CreatedAt), UpdatedAt: isoTime(st.UpdatedAt)}
}

func (s *Server) noSettings(app *crm.App) error {
	return &crm.Error{Kind: crm.KindNotFound, Category: crm.CategoryNotFound, Message: fmt.Sprintf("No webhook settings found for app %d", app.ID)}
}

func (s *Server) getWebhookSettings(w http.ResponseWriter, r *http.Request) error {
	app := requestApp(r)
	st, err := s.opts.Webhooks.Store.WebhookSettings(r.Context(), app.ID)
	if errors.Is(err, crm.ErrNotFound) {
		return s.noSettings(app)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newSettingsJSON(st))
	return nil
}

func (s *Server) putWebhookSettings(w http.ResponseWriter, r *http.Request) error {
	app := requestApp(r)
	var in settingsJSON
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if missing := unset(field{"targetUrl", in.TargetURL != ""},
		field{"throttling.maxConcurrentRequests", in.Throttling != nil && in.Throttling.MaxConcurrentRequests != nil}); len(missing) > 0 {
		return crm.Invalidf("Some required fields were not set: %v", missing)
	}
	if err := crm.CheckTargetURL(in.TargetURL, s.opts.Webhooks.AllowHosts); err != nil {
		return err
	}
	if err := crm.CheckMaxConcurrentRequests(*in.Throttling.MaxConcurrentRequests); err != nil {
		return err
	}
	now := s.Engine.Now().UTC().Truncate(time.Millisecond)
	st := &crm.WebhookSettings{AppID: app.ID, TargetURL: in.TargetURL, MaxConcurrentRequests: *in.Throttling.MaxConcurrentRequests, CreatedAt: now, UpdatedAt: now}
	if err := s.opts.Webhooks.Store.PutWebhookSettings(r.Context(), st); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newSettingsJSON(st))
	return nil
}

func (s *Server) deleteWebhookSettings(w http.ResponseWriter, r *http.Request) error {
	app := requestApp(r)
	err := s.opts.Webhooks.Store.DeleteWebhookSettings(r.Context(), app.ID)
	if errors.Is(err, crm.ErrNotFound) {
		return s.noSettings(app)
	}
	if err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type subscriptionJSON struct {
	ID           string `json:"id"`
	EventType    string `json:"eventType"`
	PropertyName string `json:"propertyName,omitempty"`
	ObjectTypeID string `json:"objectTypeId,omitempty"`
	Active       bool   `json:"active"`
	CreatedAt    string `json:"createdAt"`
	UpdatedAt    string `json:"updatedAt"`
}

func newSubscriptionJSON(sub *crm.Subscription) subscriptionJSON {
	return subscriptionJSON{ID: strconv.FormatInt(sub.ID, 10), EventType: sub.EventType, PropertyName: sub.PropertyName,
		ObjectTypeID: sub.ObjectTypeID, Active: sub.Active, CreatedAt: isoTime(sub.CreatedAt), UpdatedAt: isoTime(sub.UpdatedAt)}
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.opts.Webhooks.Store.Subscriptions(r.Context(), requestApp(r).ID)
	if err != nil {
		return err
	}
	out := make([]subscriptionJSON, len(subs))
	for i, sub := range subs {
		out[i] = newSubscriptionJSON(sub)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
	return nil
}

type subscriptionCreateJSON struct {
	EventType     string `json:"eventType"`
	PropertyName  string `json:"propertyName"`
	ObjectTypeID  string `json:"objectTypeId"`
	EventTypeName string `json:"eventTypeName"`
	Active        *bool  `json:"active"`
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) error {
	app := requestApp(r)
	var in subscriptionCreateJSON
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	now := s.Engine.Now().UTC().Truncate(time.Millisecond)
	sub := &crm.Subscription{AppID: app.ID, EventType: in.EventType, PropertyName: in.PropertyName, ObjectTypeID: in.ObjectTypeID,
		Active: in.Active != nil && *in.Active, CreatedAt: now, UpdatedAt: now}
	existing, err := s.opts.Webhooks.Store.Subscriptions(r.Context(), app.ID)
	if err != nil {
		return err
	}
	if err := crm.CheckSubscription(sub, existing, s.Engine.Types); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Store.CreateSubscription(r.Context(), sub); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newSubscriptionJSON(sub))
	return nil
}

// appSubscription returns the app's subscription named by the path.
func (s *Server) appSubscription(r *http.Request) (*crm.Subscription, error) {
	app := requestApp(r)
	raw := r.PathValue("subscriptionId")
	id, err := strconv.ParseInt(raw, 10, 32)
	if err == nil {
		subs, err := s.opts.Webhooks.Store.Subscriptions(r.Context(), app.ID)
		if err != nil {
			return nil, err
		}
		for _, sub := range subs {
			if sub.ID == id {
				return sub, nil
			}
		}
	}
	return nil, subscriptionsNotFound([]string{raw})
}

func subscriptionsNotFound(ids []string) *crm.Error {
	return &crm.Error{Kind: crm.KindNotFound, Category: "SUBSCRIPTION_ID_NOT_FOUND", SubCategory: "SubscriptionErrors.SUBSCRIPTION_IDS_NOT_FOUND",
		Message: fmt.Sprintf("Failed to find subscriptions by id `%s`. Try again using a different subscriptionId.", joinComma(ids)),
		Context: map[string][]string{"subscriptionIds": ids}}
}

func joinComma(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ", "
		}
		out += id
	}
	return out
}

func (s *Server) getSubscription(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.appSubscription(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newSubscriptionJSON(sub))
	return nil
}

type subscriptionPatchJSON struct {
	Active *bool `json:"active"`
}

func (s *Server) updateSubscription(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.appSubscription(r)
	if err != nil {
		return err
	}
	var in subscriptionPatchJSON
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Active == nil {
		return crm.Invalidf("Some required fields were not set: [active]")
	}
	sub.Active, sub.UpdatedAt = *in.Active, s.Engine.Now().UTC().Truncate(time.Millisecond)
	if err := s.opts.Webhooks.Store.UpdateSubscriptions(r.Context(), []*crm.Subscription{sub}); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newSubscriptionJSON(sub))
	return nil
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.appSubscription(r)
	if err != nil {
		return err
	}
	if err := s.opts.Webhooks.Store.DeleteSubscription(r.Context(), sub.AppID, sub.ID); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type subscriptionBatchJSON struct {
	Inputs []struct {
		ID     *int64 `json:"id"`
		Active *bool  `json:"active"`
	} `json:"inputs"`
}

func (s *Server) batchUpdateSubscriptions(w http.ResponseWriter, r *http.Request) error {
	app := requestApp(r)
	var in subscriptionBatchJSON
	started := s.Engine.Now().UTC()
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	if in.Inputs == nil {
		return crm.Invalidf("Some required fields were not set: [inputs]")
	}
	subs, err := s.opts.Webhooks.Store.Subscriptions(r.Context(), app.ID)
	if err != nil {
		return err
	}
	byID := map[int64]*crm.Subscription{}
	for _, sub := range subs {
		byID[sub.ID] = sub
	}
	now := s.Engine.Now().UTC().Truncate(time.Millisecond)
	var changed []*crm.Subscription
	var missing []string
	for i, input := range in.Inputs {
		if input.ID == nil || input.Active == nil {
			return crm.Invalidf("Some required fields were not set: inputs[%d] needs id and active", i)
		}
		sub := byID[*input.ID]
		if sub == nil {
			missing = append(missing, strconv.FormatInt(*input.ID, 10))
			continue
		}
		sub.Active, sub.UpdatedAt = *input.Active, now
		changed = append(changed, sub)
	}
	if err := s.opts.Webhooks.Store.UpdateSubscriptions(r.Context(), changed); err != nil {
		return err
	}
	if err := s.opts.Webhooks.Reload(r.Context()); err != nil {
		return err
	}
	results := make([]subscriptionJSON, len(changed))
	for i, sub := range changed {
		results[i] = newSubscriptionJSON(sub)
	}
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": isoTime(started), "completedAt": isoTime(s.Engine.Now())}
	status := http.StatusOK
	if len(missing) > 0 {
		e := subscriptionsNotFound(missing)
		body["errors"] = []map[string]any{{"status": "error", "category": e.Category, "subCategory": e.SubCategory, "message": e.Message, "context": e.Context}}
		body["numErrors"] = 1
		status = http.StatusMultiStatus
	}
	writeJSON(w, status, body)
	return nil
}

type deliveryJSON struct {
	ID            int64   `json:"id"`
	AppID         int64   `json:"appId"`
	At            string  `json:"at"`
	URL           string  `json:"url"`
	EventIDs      []int64 `json:"eventIds"`
	AttemptNumber int     `json:"attemptNumber"`
	Status        int     `json:"status"`
	Error         string  `json:"error,omitempty"`
	LatencyMs     float64 `json:"latencyMs"`
	Response      string  `json:"response"`
	NextRetryAt   string  `json:"nextRetryAt,omitempty"`
	Dropped       bool    `json:"dropped"`
}

// webhookDeliveries is GET /_spoke/webhooks/deliveries[?appId=&limit=]:
// the latest delivery attempts, newest first, and the queue.
func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	var appID int64
	if v := r.URL.Query().Get("appId"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return crm.Invalidf("appId must be a number: %s", v)
		}
		appID = id
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return crm.Invalidf("limit must be a number from 1 to 1000: %s", v)
		}
		limit = n
	}
	ds, err := s.opts.Webhooks.Store.WebhookDeliveries(r.Context(), appID, limit)
	if err != nil {
		return err
	}
	q, err := s.opts.Webhooks.Store.WebhookQueue(r.Context())
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = deliveryJSON{ID: d.ID, AppID: d.AppID, At: isoTime(d.At), URL: d.URL, EventIDs: d.EventIDs, AttemptNumber: d.Attempt,
			Status: d.Status, Error: d.Error, LatencyMs: float64(d.Latency.Microseconds()) / 1000, Response: d.Response, Dropped: d.Dropped}
		if !d.NextRetry.IsZero() {
			out[i].NextRetryAt = isoTime(d.NextRetry)
		}
	}
	queue := map[string]any{"pending": q.Pending}
	if !q.OldestUnsent.IsZero() {
		queue["oldestPendingAt"] = isoTime(q.OldestUnsent)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out, "queue": queue})
	return nil
}

// flushWebhooks is POST /_spoke/webhooks/flush.
func (s *Server) flushWebhooks(w http.ResponseWriter, r *http.Request) error {
	if s.opts.WebhookDelivery == nil {
		return crm.Invalidf("This server does not deliver webhooks")
	}
	res, err := s.opts.WebhookDelivery.Flush(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
