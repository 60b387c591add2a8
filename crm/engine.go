package crm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Engine applies HubSpot's object rules on top of a Store. It is written once
// for every object type: types differ only in their ObjectType data.
type Engine struct {
	Types *Registry
	Assoc *AssociationTypes
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
	// PortalID appears in validation messages, as HubSpot's does.
	PortalID int64
	// SearchLag, when set, hides records from search for that long after
	// each write, as HubSpot's search index lags its writes.
	SearchLag time.Duration
	// Shared says that other nodes write to the same database: schema
	// caches are then refreshed when a write names a property or label this
	// node does not know yet (and by RefreshSchemas, periodically).
	Shared bool
}

// NewEngine returns an engine with the built-in object and association types.
// Call LoadSchemas before serving to add what is stored.
func NewEngine(store Store, now func() time.Time, portalID int64) *Engine {
	types := DefaultRegistry()
	e := &Engine{Types: types, Assoc: newAssociationTypes(types), Store: store, Now: now, PortalID: portalID}
	types.onMiss = func() {
		if e.Shared { // another node may have made the type
			_ = e.LoadSchemas(context.Background())
		}
	}
	return e
}

// Actor is who performs a write, recorded as the source of values.
type Actor struct {
	SourceType string // INTEGRATION for API tokens
	SourceID   string // the token's app id
}

type actorKey struct{}

// WithActor marks the writes made with ctx as made by a: the changeSource
// and sourceId of the webhook events of changes that record no values
// (deletion, restore, associations, merge).
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actorOf is the actor WithActor gave ctx.
func actorOf(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.SourceType != ""
}

// AssociationInput is one inline association on create.
type AssociationInput struct {
	ToID  string
	Types []AssociationSpec
}

// AssociationSpec names an association type.
type AssociationSpec struct {
	Category string
	TypeID   int64
}

// ReadOptions shape a read.
type ReadOptions struct {
	Properties            []string
	PropertiesWithHistory []string
	Archived              bool
	IDProperty            string
}

// Record is an object together with the history a read asked for.
type Record struct {
	*Object
	Type    *ObjectType
	History map[string][]HistoryEntry
	// Associations holds, by target type id, the first page of associations
	// a read asked for.
	Associations map[string]AssociationPage
}

func (e *Engine) now() time.Time { return e.Now().UTC().Truncate(time.Millisecond) }

// claimUnique records the unique values among changed and turns a clash into
// HubSpot's 409.
func (e *Engine) claimUnique(ctx context.Context, tx Tx, t *ObjectType, obj *Object, changed map[string]string) error {
	for _, name := range sortedKeys(changed) {
		p := t.Property(name)
		if !p.Unique {
			continue
		}
		if err := tx.ReleaseUnique(ctx, t.ID, obj.ID, name); err != nil {
			return err
		}
		if changed[name] == "" {
			continue
		}
		err := tx.ClaimUnique(ctx, t.ID, name, uniqueKey(p, changed[name]), obj.ID)
		var conflict *UniqueConflictError
		if errors.As(err, &conflict) {
			return uniqueConflict(t, conflict.ExistingID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// lockUnique locks the unique values among the stored-form properties of
// records of t (see Tx.LockUnique). Writes that claim unique values lock
// them before anything else, in one call: an upsert's lookup and claim then
// never interleave with another writer's claim of the same value.
func (e *Engine) lockUnique(ctx context.Context, tx Tx, t *ObjectType, props ...map[string]string) error {
	keys := uniqueKeys(nil, t, props...)
	if len(keys) == 0 {
		return nil
	}
	return tx.LockUnique(ctx, keys)
}

// uniqueKeys appends to keys the unique values among props of records of t.
func uniqueKeys(keys []UniqueKey, t *ObjectType, props ...map[string]string) []UniqueKey {
	for _, m := range props {
		for name, v := range m {
			if p := t.Property(name); p != nil && p.Unique && v != "" {
				keys = append(keys, UniqueKey{TypeID: t.ID, Property: name, Value: lookupKey(p, v)})
			}
		}
	}
	return keys
}

// uniqueConflict is HubSpot's 409 for a unique value already held.
func uniqueConflict(t *ObjectType, existing int64) *Error {
	return &Error{Kind: KindConflict, Category: CategoryConflict,
		Message: fmt.Sprintf("%s already exists. Existing ID: %d", capitalize(t.Singular), existing)}
}

func uniqueKey(p *PropertyDefinition, v string) string {
	if p.CaseInsensitiveUnique {
		return strings.ToLower(v)
	}
	return v
}

// lookupKey is the key under which a value given to find a record (an
// idProperty value, an upsert's id) is stored: the value in its stored form
// (numbers canonical, as writes store them), then as uniqueKey keys it. A
// value the property would refuse is looked up as given and finds nothing.
func lookupKey(p *PropertyDefinition, v string) string {
	if n, perr := p.normalize(v); perr == nil && n != "" {
		v = n
	}
	return uniqueKey(p, v)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resolveID finds the record id addressed by idValue, which is the record id
// or, with idProperty, the value of a unique property.
func (e *Engine) resolveID(ctx context.Context, tx ReadTx, t *ObjectType, idValue, idProperty string) (int64, error) {
	if idProperty == "" || idProperty == "hs_object_id" {
		id, ok := ParseID(idValue)
		if !ok {
			return 0, ObjectNotFound(idValue)
		}
		return id, nil
	}
	p := t.Property(idProperty)
	if p == nil || !p.Unique {
		return 0, Invalidf("Unable to perform operation by non-unique %s property %s in portal ID %d", t.ID, idProperty, e.PortalID)
	}
	if !Storable(idValue) {
		return 0, ObjectNotFound(idValue) // no record holds such a value
	}
	id, err := tx.FindUnique(ctx, t.ID, idProperty, lookupKey(p, idValue))
	if errors.Is(err, ErrNotFound) {
		return 0, ObjectNotFound(idValue)
	}
	return id, err
}

// load returns the record addressed by idValue if its archive state matches.
func (e *Engine) load(ctx context.Context, tx ReadTx, t *ObjectType, idValue, idProperty string, archived bool) (*Object, error) {
	id, err := e.resolveID(ctx, tx, t, idValue, idProperty)
	if err != nil {
		return nil, err
	}
	obj, err := tx.Object(ctx, t.ID, id)
	if errors.Is(err, ErrNotFound) {
		obj, err = e.mergedObject(ctx, tx, t, id) // the id of a record merged into another
	}
	if errors.Is(err, ErrNotFound) || (err == nil && (obj.Archived != archived || e.purgeable(obj))) {
		return nil, ObjectNotFound(idValue)
	}
	return obj, err
}

// purgeable reports whether an archived record has left the recycle bin.
func (e *Engine) purgeable(obj *Object) bool {
	return obj.Archived && obj.ArchivedAt.Before(e.recycleCutoff())
}

// Get reads one record.
func (e *Engine) Get(ctx context.Context, t *ObjectType, idValue string, opts ReadOptions) (*Record, error) {
	var rec *Record
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		obj, err := e.load(ctx, tx, t, idValue, opts.IDProperty, opts.Archived)
		if err != nil {
			return err
		}
		recs, err := e.withHistory(ctx, tx, t, []*Object{obj}, opts.PropertiesWithHistory)
		if err != nil {
			return err
		}
		rec = recs[0]
		return nil
	})
	return rec, err
}

// Page is one page of a list.
type Page struct {
	Records []*Record
	// NextAfter is the id of the first record of the next page, 0 on the last page.
	NextAfter int64
}

// List pages through records of type t in ascending id order.
func (e *Engine) List(ctx context.Context, t *ObjectType, afterID int64, limit int, opts ReadOptions) (*Page, error) {
	page := &Page{}
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		objs, err := tx.ListObjects(ctx, ListQuery{TypeID: t.ID, Archived: opts.Archived, AfterID: afterID, Limit: limit + 1, ArchivedSince: e.recycleCutoff()})
		if err != nil {
			return err
		}
		if len(objs) > limit {
			page.NextAfter = objs[limit].ID
			objs = objs[:limit]
		}
		page.Records, err = e.withHistory(ctx, tx, t, objs, opts.PropertiesWithHistory)
		return err
	})
	return page, err
}

func (e *Engine) withHistory(ctx context.Context, tx ReadTx, t *ObjectType, objs []*Object, names []string) ([]*Record, error) {
	recs := make([]*Record, len(objs))
	byID := make(map[int64]*Record, len(objs))
	for i, o := range objs {
		recs[i] = &Record{Object: o, Type: t}
		byID[o.ID] = recs[i]
	}
	var known []string
	for _, n := range names {
		if t.Property(n) != nil {
			known = append(known, n)
		}
	}
	if len(known) == 0 || len(objs) == 0 {
		return recs, nil
	}
	ids := make([]int64, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
		recs[i].History = map[string][]HistoryEntry{}
	}
	entries, err := tx.History(ctx, ids, known)
	if err != nil {
		return nil, err
	}
	for _, h := range entries {
		r := byID[h.ObjectID]
		r.History[h.Name] = append(r.History[h.Name], h)
	}
	return recs, nil
}

// Update applies a partial change to one live record. An empty value clears
// the property.
func (e *Engine) Update(ctx context.Context, actor Actor, t *ObjectType, idValue, idProperty string, in map[string]string) (*Object, error) {
	obj, err := e.update(ctx, actor, t, idValue, idProperty, in)
	if fresh := e.refreshed(ctx, t, err); fresh != nil {
		return e.update(ctx, actor, fresh, idValue, idProperty, in)
	}
	return obj, err
}

func (e *Engine) update(ctx context.Context, actor Actor, t *ObjectType, idValue, idProperty string, in map[string]string) (*Object, error) {
	props, errs := t.NormalizeProperties(in)
	if len(errs) > 0 {
		return nil, ValidationError(e.PortalID, errs)
	}
	var obj *Object
	err := e.Store.Write(ctx, func(tx Tx) error {
		if err := e.lockUnique(ctx, tx, t, props); err != nil {
			return err
		}
		var err error
		obj, err = e.load(ctx, tx, t, idValue, idProperty, false)
		if err != nil {
			return err
		}
		return e.apply(ctx, tx, actor, t, obj, props, e.now())
	})
	return obj, err
}

// apply writes the values that differ from obj's current ones.
func (e *Engine) apply(ctx context.Context, tx Tx, actor Actor, t *ObjectType, obj *Object, props map[string]string, now time.Time) error {
	c, err := e.change(ctx, tx, actor, t, obj, props, now, nil)
	if err != nil || c == nil {
		return err
	}
	return e.writeChanges(ctx, tx, t, []*objectChange{c})
}

// objectChange is a validated change of one record, not yet written.
type objectChange struct {
	obj     *Object
	changed map[string]string
	history []HistoryEntry
}

// change applies props to obj in memory and checks the result: owners, unique
// values (held by another record, or by an earlier change of the same batch in
// taken), and pins. It writes nothing; nil means nothing changed.
func (e *Engine) change(ctx context.Context, tx ReadTx, actor Actor, t *ObjectType, obj *Object, props map[string]string, now time.Time, taken map[string]int64) (*objectChange, error) {
	changed := map[string]string{}
	for name, v := range props {
		if obj.Properties[name] != v {
			changed[name] = v
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if err := e.checkPipelineChange(ctx, tx, t, obj, changed); err != nil {
		return nil, err
	}
	owners := map[string]*Owner{}
	if v := changed["hubspot_owner_id"]; v != "" {
		o, err := e.liveOwner(ctx, tx, v)
		if err != nil {
			return nil, err
		}
		owners[v] = o
	}
	for _, name := range sortedKeys(changed) {
		p := t.Property(name)
		if !p.Unique || changed[name] == "" {
			continue
		}
		key := name + "\x00" + uniqueKey(p, changed[name])
		if holder, ok := taken[key]; ok && holder != obj.ID {
			return nil, uniqueConflict(t, holder)
		}
		holder, err := tx.FindUnique(ctx, t.ID, name, uniqueKey(p, changed[name]))
		if err == nil && holder != obj.ID {
			return nil, uniqueConflict(t, holder)
		}
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if taken != nil {
			taken[key] = obj.ID
		}
	}
	c := &objectChange{obj: obj, changed: changed}
	set := func(name, value, sourceType, sourceID string) {
		if value == "" {
			delete(obj.Properties, name)
		} else {
			obj.Properties[name] = value
		}
		c.history = append(c.history, HistoryEntry{ObjectID: obj.ID, Name: name, Value: value, Timestamp: now, SourceType: sourceType, SourceID: sourceID})
	}
	for _, name := range sortedKeys(changed) {
		set(name, changed[name], actor.SourceType, actor.SourceID)
	}
	derived := derive(t, changed, obj.Properties, now, owners)
	for _, name := range sortedKeys(derived) {
		set(name, derived[name], SourceCalculated, "")
	}
	set(t.ModifiedProperty, FormatTime(now), SourceCalculated, "")
	obj.UpdatedAt = now
	if err := e.checkPin(ctx, tx, t, obj, changed); err != nil {
		return nil, err
	}
	return c, nil
}

// writeChanges stores validated changes with set-based writes.
func (e *Engine) writeChanges(ctx context.Context, tx Tx, t *ObjectType, changes []*objectChange) error {
	objs := make([]*Object, len(changes))
	var history []HistoryEntry
	locks := make([]map[string]string, len(changes))
	for i, c := range changes {
		locks[i] = c.changed
	}
	if err := e.lockUnique(ctx, tx, t, locks...); err != nil {
		return err
	}
	for i, c := range changes {
		if err := e.claimUnique(ctx, tx, t, c.obj, c.changed); err != nil {
			return err
		}
		objs[i] = c.obj
		history = append(history, c.history...)
	}
	if err := tx.UpdateObjects(ctx, objs); err != nil {
		return err
	}
	if err := tx.IndexObjects(ctx, searchDocs(t, objs)); err != nil {
		return err
	}
	return tx.AppendHistory(ctx, history)
}

// Archive moves a record to the recycle bin. Archiving a missing or already
// archived record succeeds and changes nothing, as on HubSpot.
func (e *Engine) Archive(ctx context.Context, t *ObjectType, idValue string) error {
	return e.ArchiveBatch(ctx, t, []string{idValue})
}

// SelectProperties picks the properties a read returns. With no request, the
// type's defaults; otherwise the requested ones that exist plus the always
// returned ones. Properties without a value are nil (JSON null).
func SelectProperties(t *ObjectType, obj *Object, requested []string) map[string]*string {
	names := t.Defaults
	if len(requested) > 0 {
		names = append(append([]string(nil), requested...), t.AlwaysReturned()...)
	}
	out := make(map[string]*string, len(names))
	for _, n := range names {
		if t.Property(n) == nil {
			continue
		}
		if v, ok := obj.Properties[n]; ok {
			out[n] = &v
		} else {
			out[n] = nil
		}
	}
	return out
}

// AllProperties returns every live property that has a value, as write
// responses do. Values of archived custom properties are kept but not shown.
func AllProperties(t *ObjectType, obj *Object) map[string]*string {
	out := make(map[string]*string, len(obj.Properties))
	for k, v := range obj.Properties {
		if t.Property(k) != nil {
			out[k] = &v
		}
	}
	return out
}
