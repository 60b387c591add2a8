package crm

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// FixtureApp is a developer app with its webhook settings and
// subscriptions. An export carries the secrets only when asked: the client
// secret (which signs deliveries) and the hash of the developer API key
// (the key itself is never stored).
type FixtureApp struct {
	ID                  string                  `json:"id"`
	Name                string                  `json:"name"`
	ClientSecret        string                  `json:"clientSecret,omitempty"`
	DeveloperAPIKeyHash string                  `json:"developerApiKeyHash,omitempty"`
	CreatedAt           string                  `json:"createdAt,omitempty"`
	Settings            *FixtureWebhookSettings `json:"settings,omitempty"`
	Subscriptions       []FixtureSubscription   `json:"subscriptions,omitempty"`
}

// FixtureWebhookSettings are an app's target URL and throttling.
type FixtureWebhookSettings struct {
	TargetURL             string `json:"targetUrl"`
	MaxConcurrentRequests int    `json:"maxConcurrentRequests"`
}

// FixtureSubscription is one subscription of an app; without an id one is
// assigned.
type FixtureSubscription struct {
	ID           string `json:"id,omitempty"`
	EventType    string `json:"eventType"`
	PropertyName string `json:"propertyName,omitempty"`
	ObjectTypeID string `json:"objectTypeId,omitempty"`
	Active       bool   `json:"active"`
}

// WebhookFixtureTx is the part of a store's Tx that reads and seeds apps.
type WebhookFixtureTx interface {
	WebhookFixture(ctx context.Context) ([]*App, []*WebhookSettings, []*Subscription, error)
	// SeedApp inserts a (with its id) or, when it exists, replaces its
	// name and, when a.ClientSecret is set, its secrets.
	SeedApp(ctx context.Context, a *App, exists bool) error
	// SeedWebhookSettings replaces an app's settings; nil removes them.
	SeedWebhookSettings(ctx context.Context, appID int64, st *WebhookSettings) error
	SeedSubscription(ctx context.Context, s *Subscription, exists bool) error
	// SyncWebhookIDs moves the id sequences past the ids seeded.
	SyncWebhookIDs(ctx context.Context) error
}

func webhookFixtureTx(tx any) (WebhookFixtureTx, bool) {
	if m, ok := tx.(*pipelineMemo); ok {
		tx = m.Tx
	}
	if et, ok := tx.(*eventTx); ok {
		tx = et.Tx
	}
	w, ok := tx.(WebhookFixtureTx)
	return w, ok
}

// ExportOptions says what an export carries beyond the data.
type ExportOptions struct {
	// Secrets adds each app's client secret and developer API key hash.
	Secrets bool
	// History adds each record's property history.
	History bool
}

func exportApps(ctx context.Context, tx ReadTx, secrets bool) ([]FixtureApp, error) {
	w, ok := webhookFixtureTx(tx)
	if !ok {
		return nil, nil
	}
	apps, settings, subs, err := w.WebhookFixture(ctx)
	if err != nil {
		return nil, err
	}
	byApp := map[int64]*WebhookSettings{}
	for _, st := range settings {
		byApp[st.AppID] = st
	}
	subsOf := map[int64][]FixtureSubscription{}
	for _, s := range subs {
		subsOf[s.AppID] = append(subsOf[s.AppID], FixtureSubscription{ID: strconv.FormatInt(s.ID, 10), EventType: s.EventType,
			PropertyName: s.PropertyName, ObjectTypeID: s.ObjectTypeID, Active: s.Active})
	}
	var out []FixtureApp
	for _, a := range apps {
		fa := FixtureApp{ID: strconv.FormatInt(a.ID, 10), Name: a.Name, CreatedAt: FormatTime(a.CreatedAt), Subscriptions: subsOf[a.ID]}
		if secrets {
			fa.ClientSecret, fa.DeveloperAPIKeyHash = a.ClientSecret, a.KeyHash
		}
		if st := byApp[a.ID]; st != nil {
			fa.Settings = &FixtureWebhookSettings{TargetURL: st.TargetURL, MaxConcurrentRequests: st.MaxConcurrentRequests}
		}
		out = append(out, fa)
	}
	return out, nil
}

// seedApps loads the apps of a fixture: an app with a stored app's id
// replaces its name, settings and the subscriptions the fixture names (by
// id; the others stay), and its secrets when the fixture carries them; a
// new app needs its secrets, since a fixture without them comes from an
// export that left them out and an app with new secrets would sign what
// no receiver verifies.
func (e *Engine) seedApps(ctx context.Context, tx Tx, apps []FixtureApp, now time.Time) error {
	if len(apps) == 0 {
		return nil
	}
	w, ok := webhookFixtureTx(tx)
	if !ok {
		return Invalidf("apps: this store keeps no webhooks")
	}
	stored, _, storedSubs, err := w.WebhookFixture(ctx)
	if err != nil {
		return err
	}
	appByID := map[int64]*App{}
	for _, a := range stored {
		appByID[a.ID] = a
	}
	subByID := map[int64]*Subscription{}
	subsOf := map[int64][]*Subscription{}
	for _, s := range storedSubs {
		subByID[s.ID] = s
		subsOf[s.AppID] = append(subsOf[s.AppID], s)
	}
	// Subscriptions without an id get ids above every stored one and
	// every one the fixture gives.
	var top int64
	for id := range subByID {
		top = max(top, id)
	}
	for _, fa := range apps {
		for _, fs := range fa.Subscriptions {
			if id, err := strconv.ParseInt(fs.ID, 10, 64); err == nil {
				top = max(top, id)
			}
		}
	}
	seen := map[int64]bool{}
	seenSub := map[int64]string{}
	for i, fa := range apps {
		where := fmt.Sprintf("apps[%d]", i)
		id, err := strconv.ParseInt(fa.ID, 10, 64)
		if err != nil || id <= 0 {
			return Invalidf("%s: id %q is not a positive number", where, fa.ID)
		}
		if seen[id] {
			return fixtureConflict(where, "app %d is already earlier in the fixture", id)
		}
		seen[id] = true
		if err := checkStorable(where+": the name or secrets", fa.Name, fa.ClientSecret, fa.DeveloperAPIKeyHash); err != nil {
			return err
		}
		if fa.Name == "" {
			return Invalidf("%s: name is required", where)
		}
		if (fa.ClientSecret == "") != (fa.DeveloperAPIKeyHash == "") {
			return Invalidf("%s: clientSecret and developerApiKeyHash go together", where)
		}
		old := appByID[id]
		if old == nil && fa.ClientSecret == "" {
			return Invalidf("%s: app %d is not stored, and a new app needs its clientSecret and developerApiKeyHash (spoke export --secrets, GET /_spoke/export?secrets=true)", where, id)
		}
		created, err := parseFixtureTime(fa.CreatedAt, now)
		if err != nil {
			return fixtureError(where+": createdAt", err)
		}
		a := &App{ID: id, Name: fa.Name, ClientSecret: fa.ClientSecret, KeyHash: fa.DeveloperAPIKeyHash, CreatedAt: created}
		for _, o := range stored {
			if o.ID != id && fa.DeveloperAPIKeyHash != "" && o.KeyHash == fa.DeveloperAPIKeyHash {
				return fixtureConflict(where, "developerApiKeyHash is that of app %d", o.ID)
			}
		}
		if err := w.SeedApp(ctx, a, old != nil); err != nil {
			return err
		}
		var st *WebhookSettings
		if fs := fa.Settings; fs != nil {
			if err := checkStorable(where+": settings.targetUrl", fs.TargetURL); err != nil {
				return err
			}
			if u, err := url.Parse(fs.TargetURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
				return Invalidf("%s: settings.targetUrl %q is not a valid URL", where, fs.TargetURL)
			}
			if err := CheckMaxConcurrentRequests(fs.MaxConcurrentRequests); err != nil {
				return fixtureError(where+": settings", err)
			}
			st = &WebhookSettings{AppID: id, TargetURL: fs.TargetURL, MaxConcurrentRequests: fs.MaxConcurrentRequests, CreatedAt: now, UpdatedAt: now}
		}
		if err := w.SeedWebhookSettings(ctx, id, st); err != nil {
			return err
		}
		// The app's subscriptions after the seed: the stored ones the
		// fixture does not name, then the fixture's, each checked against
		// those before it.
		named := map[int64]bool{}
		for _, fs := range fa.Subscriptions {
			if sid, err := strconv.ParseInt(fs.ID, 10, 64); err == nil {
				named[sid] = true
			}
		}
		var kept []*Subscription
		for _, s := range subsOf[id] {
			if !named[s.ID] {
				kept = append(kept, s)
			}
		}
		for j, fs := range fa.Subscriptions {
			swhere := fmt.Sprintf("%s.subscriptions[%d]", where, j)
			if err := checkStorable(swhere+": the event type, property or object type", fs.EventType, fs.PropertyName, fs.ObjectTypeID); err != nil {
				return err
			}
			s := &Subscription{AppID: id, EventType: fs.EventType, PropertyName: fs.PropertyName, ObjectTypeID: fs.ObjectTypeID, Active: fs.Active,
				CreatedAt: now, UpdatedAt: now}
			exists := false
			if fs.ID != "" {
				sid, err := strconv.ParseInt(fs.ID, 10, 64)
				if err != nil || sid <= 0 {
					return Invalidf("%s: id %q is not a positive number", swhere, fs.ID)
				}
				if prev, ok := seenSub[sid]; ok {
					return fixtureConflict(swhere, "subscription %d is already at %s", sid, prev)
				}
				seenSub[sid] = swhere
				if o := subByID[sid]; o != nil {
					if o.AppID != id {
						return fixtureConflict(swhere, "subscription %d belongs to app %d", sid, o.AppID)
					}
					exists = true
					s.CreatedAt = o.CreatedAt
				}
				s.ID = sid
			}
			if err := CheckSubscription(s, kept, e.Types); err != nil {
				return fixtureError(swhere, err)
			}
			if s.ID == 0 {
				top++
				s.ID = top
			}
			if err := w.SeedSubscription(ctx, s, exists); err != nil {
				return err
			}
			kept = append(kept, s)
		}
	}
	return w.SyncWebhookIDs(ctx)
}
