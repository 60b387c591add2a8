package crm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"
)

// App is a developer app: what webhook subscriptions belong to. Its client
// secret keys the signatures of its deliveries, so it is stored as it is;
// its developer API key, which only authenticates calls, is stored hashed.
type App struct {
	ID           int64
	Name         string
	ClientSecret string
	KeyHash      string
	CreatedAt    time.Time
}

// WebhookSettings are an app's target URL and throttling.
type WebhookSettings struct {
	AppID                 int64
	TargetURL             string
	MaxConcurrentRequests int
	CreatedAt, UpdatedAt  time.Time
}

// Subscription is one event type (and, for property changes, one
// property) an app receives.
type Subscription struct {
	ID           int64
	AppID        int64
	EventType    string // e.g. contact.propertyChange, object.creation
	PropertyName string
	ObjectTypeID string // generic (object.*) subscriptions only
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// WebhookEvent is one event for one subscription, stored in the outbox in
// the transaction of the change that caused it.
type WebhookEvent struct {
	// ID is assigned when stored; it is the payload's eventId. Per record,
	// ids increase in the order the changes committed.
	ID             int64
	AppID          int64
	SubscriptionID int64
	ObjectID       int64
	OccurredAt     time.Time
	// Payload is the event's JSON object without eventId and
	// attemptNumber, which delivery adds.
	Payload []byte
	// Attempts is how many deliveries of it were tried.
	Attempts int
}

// WebhookDelivery is one POST of a batch of events to an app's target URL.
type WebhookDelivery struct {
	ID        int64
	AppID     int64
	At        time.Time
	URL       string
	EventIDs  []int64
	Attempt   int // the attemptNumber of the batch's first event
	Status    int // HTTP status, 0 when no answer came
	Error     string
	Latency   time.Duration
	Response  string // the start of the answer's body
	NextRetry time.Time
	Dropped   bool // the last retry failed and the events were given up
}

// WebhookOutcome is what became of one claimed batch.
type WebhookOutcome struct {
	Delivery WebhookDelivery
	// Delivered events are done; the others are retried at NextRetry, or
	// given up when NextRetry is zero.
	Delivered bool
	// Token is the claim's: the request slot it leased is released. With
	// a token, no delivery is logged when none of the events is still in
	// the outbox (a reset emptied it, or another node finished them).
	Token string
	// LeaseUntil, when set, is the claim's: events leased again since (the
	// claim's lease lapsed and another claim took them) are left to that
	// claim.
	LeaseUntil time.Time
}

// WebhookQueue summarises the outbox.
type WebhookQueue struct {
	Pending      int
	OldestUnsent time.Time // zero when nothing is pending
}

// WebhookClaim asks for the next batch of one app's events.
type WebhookClaim struct {
	AppID      int64
	Now        time.Time
	LeaseUntil time.Time // when the claim lapses if its node dies
	Limit      int
	Owner      string // the claiming node, for the record
	// Slots, when above 0, is how many of the app's requests may be in
	// flight at once on every node sharing the store together: a claim
	// leases one of the app's free slots (a slot whose lease has passed is
	// free) until LeaseUntil under Token, with its events, and claims
	// nothing when none is free.
	Slots int
	Token string // unique per claim; FinishWebhookEvents releases its slot
}

// WebhookPrune says which delivery log entries to delete.
type WebhookPrune struct {
	Before    time.Time // entries of attempts made before this (zero: none by age)
	MaxPerApp int       // keep only each app's newest so many (0: no cap)
	Limit     int       // delete at most so many in one call
}

// WebhookStore keeps apps, their webhook settings and subscriptions, and
// the outbox of events.
type WebhookStore interface {
	CreateApp(ctx context.Context, a *App) error
	// App returns the app with that id, or ErrNotFound.
	App(ctx context.Context, id int64) (*App, error)
	// AppByKeyHash returns the app whose developer API key has that hash, or ErrNotFound.
	AppByKeyHash(ctx context.Context, hash string) (*App, error)
	ListApps(ctx context.Context) ([]*App, error)
	// DeleteApp deletes an app with its settings, subscriptions and events.
	// Returns ErrNotFound if there is none.
	DeleteApp(ctx context.Context, id int64) error

	// WebhookSettings returns an app's settings, or ErrNotFound.
	WebhookSettings(ctx context.Context, appID int64) (*WebhookSettings, error)
	// PutWebhookSettings creates or replaces an app's settings; CreatedAt
	// stays as first stored.
	PutWebhookSettings(ctx context.Context, s *WebhookSettings) error
	// DeleteWebhookSettings returns ErrNotFound if the app has none.
	DeleteWebhookSettings(ctx context.Context, appID int64) error
	// ListWebhookSettings returns the settings of every app.
	ListWebhookSettings(ctx context.Context) ([]*WebhookSettings, error)

	// Subscriptions returns an app's subscriptions (every app's with
	// appID 0) in id order.
	Subscriptions(ctx context.Context, appID int64) ([]*Subscription, error)
	CreateSubscription(ctx context.Context, s *Subscription) error
	// UpdateSubscriptions stores Active and UpdatedAt of subs.
	UpdateSubscriptions(ctx context.Context, subs []*Subscription) error
	// DeleteSubscription returns ErrNotFound if the app has no such subscription.
	DeleteSubscription(ctx context.Context, appID, id int64) error

	// ClaimWebhookEvents leases up to c.Limit of an app's due events, in id
	// order, to the caller until c.LeaseUntil. Between nodes the claim is
	// exclusive (row locks, skipping what another node is claiming); an
	// event is not due while an earlier event of its record waits for a
	// retry or is leased, so each record's events go out in order.
	ClaimWebhookEvents(ctx context.Context, c WebhookClaim) ([]*WebhookEvent, error)
	// FinishWebhookEvents records a delivery and what became of its events.
	FinishWebhookEvents(ctx context.Context, o WebhookOutcome) error
	// ExpediteWebhookEvents makes every pending event that is not leased
	// due at now and returns the highest pending id (0 when none).
	ExpediteWebhookEvents(ctx context.Context, now time.Time) (int64, error)
	// WebhookDeliveries returns the latest deliveries, newest first, of one
	// app (every app with appID 0).
	WebhookDeliveries(ctx context.Context, appID int64, limit int) ([]*WebhookDelivery, error)
	// WebhookQueue summarises the pending events.
	WebhookQueue(ctx context.Context) (WebhookQueue, error)
	// PruneWebhookDeliveries deletes up to p.Limit delivery log entries
	// that p selects, oldest first, in one short statement per rule, and
	// returns how many it deleted. Several nodes may prune at once.
	PruneWebhookDeliveries(ctx context.Context, p WebhookPrune) (int, error)
}

// WebhookStorer is a store that keeps webhooks.
type WebhookStorer interface {
	Webhooks() WebhookStore
}

// NewAppSecret returns a random secret shaped like HubSpot's client secrets
// and developer API keys (a UUID).
func NewAppSecret() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// MaxSubscriptionsPerApp is HubSpot's limit of subscriptions per app.
const MaxSubscriptionsPerApp = 1000

// DefaultMaxConcurrentRequests is HubSpot's default throttling.
const DefaultMaxConcurrentRequests = 10

// Event kinds, the part of an event type after the object name.
const (
	EventCreation          = "creation"
	EventDeletion          = "deletion"
	EventPropertyChange    = "propertyChange"
	EventAssociationChange = "associationChange"
	EventRestore           = "restore"
	EventMerge             = "merge"
	EventPrivacyDeletion   = "privacyDeletion"
)

// legacyEventObjects are the object names of HubSpot's per-object event
// types, with the type id Spoke has for them ("" for types Spoke does not
// have: their subscriptions are accepted and never fire), and their kinds.
var legacyEventObjects = map[string]struct {
	typeID string
	kinds  []string
}{
	"contact":   {"0-1", []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore, EventPrivacyDeletion}},
	"company":   {"0-2", []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore}},
	"deal":      {"0-3", []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore}},
	"ticket":    {"0-5", []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore}},
	"line_item": {"", []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore}},
	"product":   {"", []string{EventCreation, EventDeletion, EventPropertyChange, EventMerge, EventRestore}},
}

// otherEventTypes are valid event types no Spoke change emits.
var otherEventTypes = map[string]bool{
	"conversation.creation": true, "conversation.deletion": true, "conversation.privacyDeletion": true,
	"conversation.propertyChange": true, "conversation.newMessage": true, "event.completed": true,
}

// genericKinds are the kinds of object.* event types.
var genericKinds = []string{EventCreation, EventDeletion, EventPropertyChange, EventAssociationChange, EventMerge, EventRestore}

// unsubscribable are properties whose changes cannot be subscribed to, by
// type id ("" for every type).
var unsubscribable = map[string][]string{
	"":     {"num_unique_conversion_events", "hs_lastmodifieddate"},
	"0-18": {"hs_communication_body"},
	"0-49": {"hs_email_html", "hs_email_subject"},
}

// EventTypes lists every event type a subscription may name.
func EventTypes() []string {
	var out []string
	for obj, v := range legacyEventObjects {
		for _, k := range v.kinds {
			out = append(out, obj+"."+k)
		}
	}
	for _, k := range genericKinds {
		out = append(out, "object."+k)
	}
	for t := range otherEventTypes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// splitEventType returns the object and kind of a valid event type.
func splitEventType(eventType string) (object, kind string, ok bool) {
	object, kind, found := strings.Cut(eventType, ".")
	if !found {
		return "", "", false
	}
	if object == "object" {
		for _, k := range genericKinds {
			if k == kind {
				return object, kind, true
			}
		}
		return "", "", false
	}
	if v, known := legacyEventObjects[object]; known {
		for _, k := range v.kinds {
			if k == kind {
				return object, kind, true
			}
		}
		return "", "", false
	}
	return object, kind, otherEventTypes[eventType]
}

// CheckSubscription validates a new subscription against HubSpot's rules
// and existing, the app's other subscriptions. types resolves the
// objectTypeId of generic subscriptions.
func CheckSubscription(s *Subscription, existing []*Subscription, types *Registry) error {
	if s.EventType == "" {
		return Invalidf("Some required fields were not set: [eventType]")
	}
	_, kind, ok := splitEventType(s.EventType)
	if !ok {
		return Invalidf("Invalid eventType %q: must be one of %s", s.EventType, strings.Join(EventTypes(), ", "))
	}
	generic := strings.HasPrefix(s.EventType, "object.")
	typeID := ""
	switch {
	case generic && s.ObjectTypeID == "":
		return Invalidf("objectTypeId is required for %s subscriptions", s.EventType)
	case generic:
		t, err := types.Resolve(s.ObjectTypeID)
		if err != nil {
			return Invalidf("Invalid objectTypeId %q", s.ObjectTypeID)
		}
		if IsCustom(t.ID) {
			return Invalidf("Generic subscriptions to custom objects (%s) are only available to private apps", t.ID)
		}
		s.ObjectTypeID, typeID = t.ID, t.ID
	case s.ObjectTypeID != "":
		return Invalidf("objectTypeId is only allowed on object.* subscriptions")
	default:
		object, _, _ := strings.Cut(s.EventType, ".")
		if v, ok := legacyEventObjects[object]; ok {
			typeID = v.typeID
		}
	}
	if kind == EventPropertyChange {
		if s.PropertyName == "" {
			return Invalidf("propertyName is required for %s subscriptions", s.EventType)
		}
		for _, name := range append(append([]string(nil), unsubscribable[""]...), unsubscribable[typeID]...) {
			if name == s.PropertyName {
				return Invalidf("Property change subscriptions are not available for %s", s.PropertyName)
			}
		}
	} else if s.PropertyName != "" {
		return Invalidf("propertyName is only allowed on propertyChange subscriptions")
	}
	if len(existing) >= MaxSubscriptionsPerApp {
		return &Error{Kind: KindInvalid, Message: fmt.Sprintf("Couldn't create another subscription. You've reached the maximum number allowed per application (%d).", MaxSubscriptionsPerApp)}
	}
	for _, o := range existing {
		if o.EventType == s.EventType && o.PropertyName == s.PropertyName && o.ObjectTypeID == s.ObjectTypeID {
			return Errorf(KindConflict, CategoryConflict, "A subscription to %s already exists (id %d)", describeSubscription(s), o.ID)
		}
	}
	return nil
}

func describeSubscription(s *Subscription) string {
	d := s.EventType
	if s.ObjectTypeID != "" {
		d += " of " + s.ObjectTypeID
	}
	if s.PropertyName != "" {
		d += " for property " + s.PropertyName
	}
	return d
}

// CheckTargetURL validates a webhook target URL: absolute, https, except
// for loopback addresses and the hosts in allow, which may use http.
func CheckTargetURL(raw string, allow []string) error {
	if raw == "" {
		return Invalidf("Some required fields were not set: [targetUrl]")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Invalidf("targetUrl %q is not a valid URL", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	for _, a := range allow {
		if strings.EqualFold(a, host) {
			return nil
		}
	}
	return Invalidf("targetUrl must use https (http is allowed for loopback addresses and hosts given with --webhook-allow-host): %s", raw)
}

// CheckMaxConcurrentRequests applies HubSpot's rule: more than five.
func CheckMaxConcurrentRequests(n int) error {
	if n <= 5 {
		return Invalidf("throttling.maxConcurrentRequests must be a number greater than five, got %d", n)
	}
	return nil
}

// WebhookFlushResult says what a flush of the outbox did.
type WebhookFlushResult struct {
	Requests  int `json:"requests"`  // POSTs made
	Delivered int `json:"delivered"` // events the target accepted
	Failed    int `json:"failed"`    // events whose POST failed (retried later, or given up)
	Pending   int `json:"pending"`   // events still waiting afterwards
}
