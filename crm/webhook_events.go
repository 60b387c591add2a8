package crm

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Webhooks turns the engine's writes into webhook events. It wraps the
// engine's Store (Wrap): every write transaction runs with a Tx that sees
// what the engine stores (records inserted and updated, values recorded in
// history, associations added and removed) and, when an active
// subscription wants it, adds the events to the outbox in that same
// transaction, so a change that rolls back emits nothing and a committed
// one is never lost. No write path needs code of its own.
type Webhooks struct {
	// Store keeps apps, subscriptions and the outbox; events claimed
	// from it carry the payload HubSpot sends (see compactEvent).
	Store    WebhookStore
	PortalID int64
	// Now is the clock of events that have no record timestamp.
	Now func() time.Time
	// AllowHosts may be targets over plain http, beside loopback.
	AllowHosts []string

	types  *Registry
	assoc  *AssociationTypes
	index  atomic.Pointer[subscriptionIndex]
	loadMu sync.Mutex
	notify chan struct{}
}

// NewWebhooks returns the event source of a store's webhooks.
func NewWebhooks(store WebhookStore, portalID int64, now func() time.Time) *Webhooks {
	types := DefaultRegistry()
	w := &Webhooks{PortalID: portalID, Now: now, types: types, assoc: newAssociationTypes(types), notify: make(chan struct{}, 1)}
	w.Store = renderingStore{WebhookStore: store, w: w}
	return w
}

// Notify receives a value after a write that stored events commits.
func (w *Webhooks) Notify() <-chan struct{} { return w.notify }

// Wrap returns s with event emission around its writes.
func (w *Webhooks) Wrap(s Store) Store { return &emittingStore{Store: s, w: w} }

type noEventsKey struct{}

// WithoutWebhookEvents marks writes made with ctx as emitting no events
// (a seed that asks so).
func WithoutWebhookEvents(ctx context.Context) context.Context {
	return context.WithValue(ctx, noEventsKey{}, true)
}

// Reload reads the active subscriptions again. The API calls it after each
// change of settings or subscriptions; nodes sharing a database call it
// periodically, as HubSpot applies settings changes after a delay.
func (w *Webhooks) Reload(ctx context.Context) error {
	w.loadMu.Lock()
	defer w.loadMu.Unlock()
	subs, err := w.Store.Subscriptions(ctx, 0)
	if err != nil {
		return err
	}
	settings, err := w.Store.ListWebhookSettings(ctx)
	if err != nil {
		return err
	}
	w.index.Store(newSubscriptionIndex(subs, settings))
	return nil
}

// Refresh reads the subscriptions again every interval until ctx ends, for
// changes made through other nodes or commands.
func (w *Webhooks) Refresh(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func() { w.Reload(ctx) })
}

func (w *Webhooks) current(ctx context.Context) (*subscriptionIndex, error) {
	if idx := w.index.Load(); idx != nil {
		return idx, nil
	}
	if err := w.Reload(ctx); err != nil {
		return nil, err
	}
	return w.index.Load(), nil
}

// subscriptionIndex holds the active subscriptions of apps with a target
// URL (an app without one has its subscriptions paused), by what they fire on.
type subscriptionIndex struct {
	// byKey maps typeID, kind and (for property changes) property to the
	// subscriptions that fire.
	byKey map[subscriptionKey][]*Subscription
	// types holds the type ids any subscription fires on.
	types map[string]bool
}

// subscriptionKey is what a subscription fires on.
type subscriptionKey struct{ typeID, kind, property string }

func newSubscriptionIndex(subs []*Subscription, settings []*WebhookSettings) *subscriptionIndex {
	targeted := map[int64]bool{}
	for _, s := range settings {
		targeted[s.AppID] = s.TargetURL != ""
	}
	idx := &subscriptionIndex{byKey: map[subscriptionKey][]*Subscription{}, types: map[string]bool{}}
	for _, s := range subs {
		if !s.Active || !targeted[s.AppID] {
			continue
		}
		object, kind, ok := splitEventType(s.EventType)
		if !ok {
			continue
		}
		typeID := s.ObjectTypeID
		if object != "object" {
			typeID = legacyEventObjects[object].typeID
		}
		if typeID == "" {
			continue
		}
		k := subscriptionKey{typeID, kind, s.PropertyName}
		idx.byKey[k] = append(idx.byKey[k], s)
		idx.types[typeID] = true
	}
	return idx
}

func (idx *subscriptionIndex) match(typeID, kind, property string) []*Subscription {
	return idx.byKey[subscriptionKey{typeID, kind, property}]
}

type emittingStore struct {
	Store
	w *Webhooks
}

// Webhooks makes the wrapped store a WebhookStorer.
func (s *emittingStore) Webhooks() WebhookStore { return s.w.Store }

// Prepare passes records and documents on to a wrapped Preparer.
func (s *emittingStore) Prepare(objs []*Object, docs []SearchDoc) {
	if p, ok := s.Store.(Preparer); ok {
		p.Prepare(objs, docs)
	}
}

func (s *emittingStore) Write(ctx context.Context, fn func(Tx) error) error {
	if ctx.Value(noEventsKey{}) != nil {
		return s.Store.Write(ctx, fn)
	}
	idx, err := s.w.current(ctx)
	if err != nil {
		return err
	}
	if len(idx.types) == 0 {
		return s.Store.Write(ctx, fn)
	}
	stored := 0
	err = s.Store.Write(ctx, func(tx Tx) error {
		et := &eventTx{Tx: tx, w: s.w, idx: idx, prior: map[int64]bool{}, created: map[int64]bool{}, types: map[int64]string{}, source: map[int64][2]string{},
			read: map[int64]*Object{}, mergedInto: map[int64][]int64{}, merged: map[int64]bool{}, by: [2]string{"CRM", ""}}
		if a, ok := actorOf(ctx); ok {
			et.by = [2]string{a.SourceType, a.SourceID}
		}
		if err := fn(et); err != nil {
			return err
		}
		n, err := et.flush(ctx)
		stored = n
		return err
	})
	if err == nil && stored > 0 {
		select {
		case s.w.notify <- struct{}{}:
		default:
		}
	}
	return err
}

// WebhookOutbox is the part of a store's Tx that keeps webhook events.
type WebhookOutbox interface {
	// AppendWebhookEvents stores events, assigning their ids in order.
	AppendWebhookEvents(ctx context.Context, events []*WebhookEvent) error
}

// WebhookResetter is the part of a store's Tx that empties the webhook
// tables on a reset.
type WebhookResetter interface {
	// ResetWebhooks empties the outbox and the delivery log and, when apps
	// is true, the apps with their settings and subscriptions.
	ResetWebhooks(ctx context.Context, apps bool) error
}

// pendingEvent is one event, before it is matched to subscriptions.
type pendingEvent struct {
	kind       string
	typeID     string
	objectID   int64
	occurredAt time.Time
	property   string
	value      string
	source     [2]string // changeSource, sourceId; creation fills it at flush
	assoc      *AssociationRow
	removed    bool
	merge      []int64 // merged ids, primary first
	moved      int     // properties the merged record gave the new one
}

// eventTx is a Tx that notes the changes the engine writes.
type eventTx struct {
	Tx
	w   *Webhooks
	idx *subscriptionIndex
	// prior is the archive state of records when this transaction first read them.
	prior   map[int64]bool
	created map[int64]bool
	types   map[int64]string
	// source is who set a created record's first value.
	source map[int64][2]string
	// by is the changeSource and sourceId of changes that record no
	// values: the write's actor, or CRM.
	by      [2]string
	changes []pendingEvent
	// read holds the records read, as read, for merge events.
	read map[int64]*Object
	// mergedInto maps the record a merge makes to the ids it merged
	// (primary first); merged holds those ids.
	mergedInto map[int64][]int64
	merged     map[int64]bool
	// privacy marks a GDPR delete (email addresses were blocked).
	privacy bool
}

func (t *eventTx) remember(o *Object) {
	if o == nil {
		return
	}
	if _, ok := t.read[o.ID]; !ok {
		t.read[o.ID] = o
	}
	if _, ok := t.prior[o.ID]; !ok {
		t.prior[o.ID] = o.Archived
	}
	t.types[o.ID] = o.TypeID
}

func (t *eventTx) Object(ctx context.Context, typeID string, id int64) (*Object, error) {
	o, err := t.Tx.Object(ctx, typeID, id)
	if err == nil {
		t.remember(o)
	}
	return o, err
}

func (t *eventTx) ObjectsByIDs(ctx context.Context, ids []int64) ([]*Object, error) {
	objs, err := t.Tx.ObjectsByIDs(ctx, ids)
	for _, o := range objs {
		t.remember(o)
	}
	return objs, err
}

func (t *eventTx) InsertObjects(ctx context.Context, objs []*Object) error {
	if err := t.Tx.InsertObjects(ctx, objs); err != nil {
		return err
	}
	for _, o := range objs {
		t.types[o.ID] = o.TypeID
		t.created[o.ID] = true
		t.prior[o.ID] = o.Archived
		if ids, ok := t.mergedInto[o.ID]; ok {
			if t.idx.types[o.TypeID] {
				t.changes = append(t.changes, t.mergeEvent(o, ids))
			}
			continue
		}
		if !o.Archived && t.idx.types[o.TypeID] {
			t.changes = append(t.changes, pendingEvent{kind: EventCreation, typeID: o.TypeID, objectID: o.ID, occurredAt: o.CreatedAt})
		}
	}
	for _, o := range objs {
		t.noteHistory(o.CreateHistory)
	}
	return nil
}

func (t *eventTx) UpdateObjects(ctx context.Context, objs []*Object) error {
	if err := t.Tx.UpdateObjects(ctx, objs); err != nil {
		return err
	}
	for _, o := range objs {
		t.types[o.ID] = o.TypeID
		was, known := t.prior[o.ID]
		t.prior[o.ID] = o.Archived
		if !known || was == o.Archived || !t.idx.types[o.TypeID] {
			continue
		}
		if o.Archived {
			t.changes = append(t.changes, pendingEvent{kind: EventDeletion, typeID: o.TypeID, objectID: o.ID, occurredAt: o.ArchivedAt, source: t.by})
		} else {
			t.changes = append(t.changes, pendingEvent{kind: EventRestore, typeID: o.TypeID, objectID: o.ID, occurredAt: o.UpdatedAt, source: t.by})
		}
	}
	return nil
}

func (t *eventTx) AppendHistory(ctx context.Context, entries []HistoryEntry) error {
	if err := t.Tx.AppendHistory(ctx, entries); err != nil {
		return err
	}
	t.noteHistory(entries)
	return nil
}

// noteHistory notes the source of created records and the property changes
// of written values.
func (t *eventTx) noteHistory(entries []HistoryEntry) {
	for _, h := range entries {
		typeID := t.types[h.ObjectID]
		if t.created[h.ObjectID] && h.SourceType != SourceCalculated {
			if _, ok := t.source[h.ObjectID]; !ok {
				t.source[h.ObjectID] = [2]string{h.SourceType, h.SourceID}
			}
		}
		if !t.idx.types[typeID] || t.idx.match(typeID, EventPropertyChange, h.Name) == nil || t.mergedInto[h.ObjectID] != nil {
			continue
		}
		t.changes = append(t.changes, pendingEvent{kind: EventPropertyChange, typeID: typeID, objectID: h.ObjectID, occurredAt: h.Timestamp,
			property: h.Name, value: h.Value, source: [2]string{h.SourceType, h.SourceID}})
	}
}

// MergeIDs notes a merge: the record into, inserted next, replaces ids.
func (t *eventTx) MergeIDs(ctx context.Context, ids []int64, into int64) error {
	if err := t.Tx.MergeIDs(ctx, ids, into); err != nil {
		return err
	}
	t.mergedInto[into] = append([]int64(nil), ids...)
	for _, id := range ids {
		t.merged[id] = true
	}
	return nil
}

// BlockEmails is part of a GDPR delete: the records it purges are
// privacy deletions.
func (t *eventTx) BlockEmails(ctx context.Context, emails []string, at time.Time) error {
	if err := t.Tx.BlockEmails(ctx, emails, at); err != nil {
		return err
	}
	t.privacy = true
	return nil
}

// PurgeObjects emits, in a GDPR delete, a deletion of every record it
// removes, and a privacyDeletion of each contact. Purges of merged records
// and of the recycle bin emit nothing.
func (t *eventTx) PurgeObjects(ctx context.Context, ids []int64) error {
	if err := t.Tx.PurgeObjects(ctx, ids); err != nil {
		return err
	}
	if !t.privacy {
		return nil
	}
	now := t.w.Now().UTC().Truncate(time.Millisecond)
	for _, id := range ids {
		typeID := t.types[id]
		if t.merged[id] || typeID == "" || !t.idx.types[typeID] {
			continue
		}
		if typeID == "0-1" {
			t.changes = append(t.changes, pendingEvent{kind: EventPrivacyDeletion, typeID: typeID, objectID: id, occurredAt: now, source: [2]string{"GDPR", ""}})
		}
		t.changes = append(t.changes, pendingEvent{kind: EventDeletion, typeID: typeID, objectID: id, occurredAt: now, source: [2]string{"GDPR", ""}})
	}
	return nil
}

// mergeEvent is the merge of ids (primary first) into the new record o.
func (t *eventTx) mergeEvent(o *Object, ids []int64) pendingEvent {
	moved := 0
	if len(ids) == 2 {
		p, sec := t.read[ids[0]], t.read[ids[1]]
		if p != nil && sec != nil {
			for name, v := range o.Properties {
				if v == sec.Properties[name] && v != p.Properties[name] {
					moved++
				}
			}
		}
	}
	return pendingEvent{kind: EventMerge, typeID: o.TypeID, objectID: o.ID, occurredAt: o.UpdatedAt, source: t.by,
		merge: ids, moved: moved}
}

// wanted returns the rows whose source type has associationChange
// subscriptions and whose presence is the opposite of present (rows added
// that were missing, rows removed that were there).
func (t *eventTx) wanted(ctx context.Context, rows []AssociationRow, present bool) ([]AssociationRow, error) {
	var out []AssociationRow
	stored := map[[2]int64][]AssociationRow{}
	for _, r := range rows {
		if !t.idx.types[r.FromType] || t.idx.match(r.FromType, EventAssociationChange, "") == nil || t.mergedInto[r.FromID] != nil {
			continue
		}
		if !present && (t.created[r.FromID] || t.created[r.ToID]) {
			out = append(out, r)
			continue
		}
		pair := [2]int64{r.FromID, r.ToID}
		have, ok := stored[pair]
		if !ok {
			var err error
			if have, err = t.Tx.AssociationsBetween(ctx, r.FromID, r.ToID); err != nil {
				return nil, err
			}
			stored[pair] = have
		}
		found := false
		for _, h := range have {
			found = found || (h.TypeID == r.TypeID && h.Category == r.Category)
		}
		if found == present {
			out = append(out, r)
		}
	}
	return out, nil
}

func (t *eventTx) AddAssociations(ctx context.Context, rows []AssociationRow) error {
	fresh, err := t.wanted(ctx, rows, false)
	if err != nil {
		return err
	}
	if err := t.Tx.AddAssociations(ctx, rows); err != nil {
		return err
	}
	t.associationChanges(fresh, false)
	return nil
}

func (t *eventTx) RemoveAssociations(ctx context.Context, rows []AssociationRow) error {
	gone, err := t.wanted(ctx, rows, true)
	if err != nil {
		return err
	}
	if err := t.Tx.RemoveAssociations(ctx, rows); err != nil {
		return err
	}
	t.associationChanges(gone, true)
	return nil
}

func (t *eventTx) associationChanges(rows []AssociationRow, removed bool) {
	now := t.w.Now().UTC().Truncate(time.Millisecond)
	for i := range rows {
		r := rows[i]
		t.changes = append(t.changes, pendingEvent{kind: EventAssociationChange, typeID: r.FromType, objectID: r.FromID, occurredAt: now,
			assoc: &r, removed: removed, source: t.by})
	}
}

// flush stores the events of the noted changes for every subscription that
// wants them; it returns how many.
func (t *eventTx) flush(ctx context.Context) (int, error) {
	var events []*WebhookEvent
	for _, c := range t.changes {
		if c.kind == EventCreation {
			c.source = t.source[c.objectID]
			if c.source[0] == "" {
				c.source = t.by
			}
		}
		for _, s := range t.idx.match(c.typeID, c.kind, c.property) {
			events = append(events, &WebhookEvent{AppID: s.AppID, SubscriptionID: s.ID, ObjectID: c.objectID, OccurredAt: c.occurredAt,
				Payload: compactEvent(s.EventType, &c)})
		}
	}
	if len(events) == 0 {
		return 0, nil
	}
	out, ok := t.Tx.(WebhookOutbox)
	if !ok {
		return 0, errors.New("crm: the store keeps no webhook events")
	}
	return len(events), out.AppendWebhookEvents(ctx, events)
}

// payload renders an event as HubSpot sends it, without eventId and
// attemptNumber (added per delivery), for the subscription subID of app
// appID with the event type eventType. Keys come in a fixed order.
func (w *Webhooks) payload(subID, appID int64, eventType string, c *pendingEvent) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"subscriptionId":`...)
	b = strconv.AppendInt(b, subID, 10)
	b = append(b, `,"portalId":`...)
	b = strconv.AppendInt(b, w.PortalID, 10)
	b = append(b, `,"appId":`...)
	b = strconv.AppendInt(b, appID, 10)
	b = append(b, `,"occurredAt":`...)
	b = strconv.AppendInt(b, c.occurredAt.UnixMilli(), 10)
	b = append(b, `,"subscriptionType":`...)
	b = strconv.AppendQuote(b, eventType)
	b = append(b, `,"objectId":`...)
	b = strconv.AppendInt(b, c.objectID, 10)
	generic := strings.HasPrefix(eventType, "object.")
	if generic {
		b = append(b, `,"objectTypeId":`...)
		b = strconv.AppendQuote(b, c.typeID)
	}
	switch c.kind {
	case EventPropertyChange:
		b = append(b, `,"propertyName":`...)
		b = appendJSONString(b, c.property)
		b = append(b, `,"propertyValue":`...)
		b = appendJSONString(b, c.value)
	case EventCreation:
		b = append(b, `,"changeFlag":"CREATED"`...)
	case EventDeletion:
		b = append(b, `,"changeFlag":"DELETED"`...)
	case EventMerge:
		if len(c.merge) > 0 {
			b = append(b, `,"primaryObjectId":`...)
			b = strconv.AppendInt(b, c.merge[0], 10)
		}
		b = append(b, `,"mergedObjectIds":[`...)
		for i, id := range c.merge[min(1, len(c.merge)):] {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, id, 10)
		}
		b = append(b, `],"newObjectId":`...)
		b = strconv.AppendInt(b, c.objectID, 10)
		b = append(b, `,"numberOfPropertiesMoved":`...)
		b = strconv.AppendInt(b, int64(c.moved), 10)
	case EventAssociationChange:
		r := c.assoc
		if generic {
			b = append(b, `,"fromObjectTypeId":`...)
			b = strconv.AppendQuote(b, r.FromType)
			b = append(b, `,"toObjectTypeId":`...)
			b = strconv.AppendQuote(b, r.ToType)
			b = append(b, `,"associationTypeId":`...)
			b = strconv.AppendInt(b, r.TypeID, 10)
			b = append(b, `,"associationCategory":`...)
			b = strconv.AppendQuote(b, r.Category)
		} else {
			b = append(b, `,"associationType":`...)
			b = strconv.AppendQuote(b, w.associationTypeName(r))
		}
		b = append(b, `,"fromObjectId":`...)
		b = strconv.AppendInt(b, r.FromID, 10)
		b = append(b, `,"toObjectId":`...)
		b = strconv.AppendInt(b, r.ToID, 10)
		b = append(b, `,"associationRemoved":`...)
		b = strconv.AppendBool(b, c.removed)
		b = append(b, `,"isPrimaryAssociation":`...)
		at := w.assoc.Lookup(AssociationSpec{Category: r.Category, TypeID: r.TypeID})
		b = strconv.AppendBool(b, at != nil && at.OnePerFrom)
	}
	b = append(b, `,"changeSource":`...)
	b = appendJSONString(b, c.source[0])
	if c.source[1] != "" {
		b = append(b, `,"sourceId":`...)
		b = appendJSONString(b, c.source[1])
	}
	return append(b, '}')
}

// associationTypeName is the legacy name of an association's direction,
// e.g. CONTACT_TO_COMPANY.
func (w *Webhooks) associationTypeName(r *AssociationRow) string {
	return w.typeName(r.FromType) + "_TO_" + w.typeName(r.ToType)
}

func (w *Webhooks) typeName(typeID string) string {
	if t, err := w.types.Resolve(typeID); err == nil {
		return strings.ToUpper(t.Singular)
	}
	return typeID
}

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does for the characters JSON requires.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
