package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ResetData empties the CRM data; scope says what else goes.
func (e *Engine) ResetData(ctx context.Context, scope ResetScope) error {
	err := e.Store.Write(ctx, func(tx Tx) error {
		if err := tx.Reset(ctx, scope); err != nil {
			return err
		}
		// Events queued about records that are gone must not be
		// delivered after the reset.
		inner := tx
		if et, ok := tx.(*eventTx); ok {
			inner = et.Tx
		}
		if r, ok := inner.(WebhookResetter); ok {
			if err := r.ResetWebhooks(ctx, scope.Webhooks); err != nil {
				return err
			}
		}
		if !scope.Schema {
			return nil
		}
		return e.resetPipelines(ctx, tx)
	})
	if err != nil {
		return err
	}
	return e.LoadSchemas(ctx)
}

// fixtureError names the part of a fixture that is wrong.
func fixtureError(where string, err error) error {
	e := AsError(err)
	if e.Kind == KindInternal {
		return err
	}
	c := *e
	c.Message = where + ": " + e.Message
	return &c
}

// fixtureConflict is the 409 of a fixture entry that clashes with what is
// stored (or with an earlier entry) in a way replacing cannot resolve.
func fixtureConflict(where, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Category: CategoryConflict, Message: where + ": " + fmt.Sprintf(format, args...)}
}

func parseFixtureTime(v string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	t, ok := ParseInstant(v)
	if !ok {
		return t, Invalidf("%q is not a valid timestamp", v)
	}
	return t, nil
}

// Seed loads a fixture in one transaction: all of it or, on any error,
// nothing. What the fixture names and the store already holds is replaced
// in place, so that seeding one fixture twice, or seeding without a reset
// first, gives the data of the fixture:
//
//   - an owner with a stored owner's id (or, without an id, its email)
//     replaces that owner's fields; its creation time stays, and its user
//     id unless the fixture gives one;
//   - a property group or custom property with a stored one's name
//     replaces its definition; hasUniqueValue cannot change (409), and
//     HubSpot's own properties and groups cannot be redefined (400);
//   - an association label with a stored label's typeId replaces its
//     labels and name (a stored label of that typeId between other object
//     types is a 409);
//   - a record with a stored record's id replaces it: properties,
//     timestamps (the stored creation time when the fixture has none),
//     archive state and history become the fixture's; its associations
//     stay and the fixture's are added (a stored record of another type
//     is a 409);
//   - an app with a stored app's id replaces its name and settings, its
//     subscriptions with the fixture's ids, and its secrets when the
//     fixture has them (see seedApps).
//
// A clash that replacing cannot resolve is a 409 that says where in the
// fixture it is: a unique value held by a record the fixture does not
// replace, a user id held by another owner, a label name taken.
func (e *Engine) Seed(ctx context.Context, f *Fixture) (err error) {
	// Every change of a seed has the seed's source, whoever asked for it.
	ctx = WithActor(ctx, seedActor)
	defer func() {
		// The schema caches were refreshed from inside the transaction;
		// reload them from what is committed, whatever happened.
		if lerr := e.LoadSchemas(ctx); err == nil {
			err = lerr
		}
	}()
	return e.Store.Write(ctx, func(tx Tx) error { return e.seed(ctx, tx, f) })
}

// fixtureTimes parses the creation, update and archive times a fixture
// gives an owner or a property; an absent one is the zero time.
func fixtureTimes(where, created, updated, archived string) (c, u, a time.Time, err error) {
	for _, f := range []struct {
		name, v string
		t       *time.Time
	}{{"createdAt", created, &c}, {"updatedAt", updated, &u}, {"archivedAt", archived, &a}} {
		if f.v == "" {
			continue
		}
		if *f.t, err = parseFixtureTime(f.v, time.Time{}); err != nil {
			return c, u, a, fixtureError(where+": "+f.name, err)
		}
	}
	return c, u, a, nil
}

// seedActor is the source of what a seed writes.
var seedActor = Actor{SourceType: SourceIntegration, SourceID: "0"}

func (e *Engine) seed(ctx context.Context, tx Tx, f *Fixture) error {
	now := e.now()
	if err := e.seedOwners(ctx, tx, f.Owners, now); err != nil {
		return err
	}
	if err := e.seedCustomSchemas(ctx, tx, f.Schemas); err != nil {
		return err
	}
	if err := e.seedSchema(ctx, tx, f, now); err != nil {
		return err
	}
	dropped, err := e.seedPipelines(ctx, tx, f, now)
	if err != nil {
		return err
	}
	tx = memoPipelines(tx) // every record is checked against the same pipelines
	if err := e.checkSeededSchemas(f.Schemas); err != nil {
		return err
	}
	if err := e.seedObjects(ctx, tx, f, now); err != nil {
		return err
	}
	if err := e.checkSeededStages(ctx, tx, dropped); err != nil {
		return err
	}
	if err := e.seedAssociations(ctx, tx, f); err != nil {
		return err
	}
	if err := e.seedMergeState(ctx, tx, f); err != nil {
		return err
	}
	if err := e.seedApps(ctx, tx, f.Apps, now); err != nil {
		return err
	}
	// Pins are checked once every association is in place.
	for _, typeName := range sortedKeys(f.Objects) {
		t, _ := e.Types.Resolve(typeName)
		for i, fo := range f.Objects[typeName] {
			if fo.Properties[PinnedProperty] == "" || fo.Archived {
				continue
			}
			id, _ := ParseID(fo.ID)
			obj, err := tx.Object(ctx, t.ID, id)
			if err != nil {
				return err
			}
			if err := e.checkPin(ctx, tx, t, obj, map[string]string{PinnedProperty: fo.Properties[PinnedProperty]}); err != nil {
				return fixtureError(fmt.Sprintf("objects.%s[%d]", typeName, i), err)
			}
		}
	}
	return tx.SyncSequences(ctx)
}

// seedOwners stores the owners of a fixture: those with ids first, so that
// the ids drawn for the others come after every id the fixture gives.
func (e *Engine) seedOwners(ctx context.Context, tx Tx, owners []FixtureOwner, now time.Time) error {
	for _, withID := range []bool{true, false} {
		n := 0
		for i := range owners {
			if (owners[i].ID != "") == withID {
				n++
				if err := e.seedOwner(ctx, tx, fmt.Sprintf("owners[%d]", i), &owners[i], now); err != nil {
					return err
				}
			}
		}
		if n > 0 {
			if err := tx.SyncSequences(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) seedOwner(ctx context.Context, tx Tx, where string, fo *FixtureOwner, now time.Time) error {
	if err := checkStorable(where+": the email, type or name", fo.Email, fo.Type, fo.FirstName, fo.LastName); err != nil {
		return err
	}
	o := Owner{Email: fo.Email, Type: fo.Type, FirstName: fo.FirstName, LastName: fo.LastName, UserID: fo.UserID,
		Archived: fo.Archived, CreatedAt: now, UpdatedAt: now}
	if o.Type == "" {
		o.Type = "PERSON"
	}
	if o.Archived {
		o.ArchivedAt = now
	}
	created, updated, archived, err := fixtureTimes(where, fo.CreatedAt, fo.UpdatedAt, fo.ArchivedAt)
	if err != nil {
		return err
	}
	if !updated.IsZero() {
		o.UpdatedAt = updated
	}
	if o.UserID < 0 {
		return Invalidf("%s: userId %d is not a user id", where, o.UserID)
	}
	var existing *Owner
	if fo.ID != "" {
		id, ok := ParseID(fo.ID)
		if !ok {
			return Invalidf("%s: id %q is not an owner id", where, fo.ID)
		}
		o.ID = id
		found, err := tx.Owner(ctx, id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		existing = found
	} else if fo.Email != "" {
		found, err := ownerByEmail(ctx, tx, fo.Email)
		if err != nil {
			return err
		}
		existing = found
	}
	if o.UserID != 0 {
		holder, err := tx.OwnerByUserID(ctx, o.UserID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil && (existing == nil || holder.ID != existing.ID) {
			return fixtureConflict(where, "userId %d already belongs to owner %d", o.UserID, holder.ID)
		}
	}
	if existing != nil {
		o.ID, o.CreatedAt = existing.ID, existing.CreatedAt
		if o.UserID == 0 {
			o.UserID = existing.UserID
		}
		if o.Archived && existing.Archived {
			o.ArchivedAt = existing.ArchivedAt
		}
	}
	// The fixture's times win over the stored ones.
	if !created.IsZero() {
		o.CreatedAt = created
	}
	if o.Archived && !archived.IsZero() {
		o.ArchivedAt = archived
	}
	if existing == nil {
		return tx.InsertOwner(ctx, &o)
	}
	return tx.UpdateOwner(ctx, &o)
}

// ownerByEmail returns the owner with that email (live before archived,
// then the lowest id), or nil.
func ownerByEmail(ctx context.Context, tx ReadTx, email string) (*Owner, error) {
	for _, archived := range []bool{false, true} {
		list, err := tx.ListOwners(ctx, OwnerQuery{Email: email, Archived: archived, Limit: 1})
		if err != nil || len(list) > 0 {
			if len(list) > 0 {
				return list[0], err
			}
			return nil, err
		}
	}
	return nil, nil
}

func (e *Engine) seedSchema(ctx context.Context, tx Tx, f *Fixture, now time.Time) error {
	for _, typeName := range sortedKeys(f.PropertyGroups) {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("propertyGroups", err)
		}
		for i, g := range f.PropertyGroups[typeName] {
			where := fmt.Sprintf("propertyGroups.%s[%d]", typeName, i)
			if !propertyName.MatchString(g.Name) || g.Label == "" {
				return Invalidf("%s: group %q needs a valid name and a label", where, g.Name)
			}
			if err := checkStorable(where+": the label", g.Label); err != nil {
				return err
			}
			if old := t.Group(g.Name); old != nil && old.HubSpotDefined {
				return Invalidf("%s: %s is one of HubSpot's own groups", where, g.Name)
			}
			if err := tx.PutPropertyGroup(ctx, t.ID, &PropertyGroup{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.Archived}); err != nil {
				return err
			}
		}
		if err := e.reload(ctx, tx, t.ID); err != nil {
			return err
		}
	}
	for _, typeName := range sortedKeys(f.Properties) {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("properties", err)
		}
		for i, fp := range f.Properties[typeName] {
			where := fmt.Sprintf("properties.%s[%d]", typeName, i)
			p := &PropertyDefinition{FormField: true, DisplayOrder: -1, CreatedAt: now, UpdatedAt: now}
			in := PropertyChange{Name: &fp.Name, Label: &fp.Label, Type: &fp.Type, FieldType: &fp.FieldType, GroupName: &fp.GroupName,
				Description: &fp.Description, HasUniqueValue: &fp.HasUniqueValue}
			if fp.Options != nil {
				opts := make([]PropertyOption, len(fp.Options))
				for i, o := range fp.Options {
					opts[i] = PropertyOption(o)
				}
				in.Options = &opts
			}
			if err := applyPropertyChange(t, p, in, true); err != nil {
				return fixtureError(where, err)
			}
			old := t.Property(p.Name)
			if old == nil {
				old = t.ArchivedProperty(p.Name)
			}
			if old != nil && old.HubSpotDefined {
				return Invalidf("%s: %s is one of HubSpot's own properties", where, p.Name)
			}
			if old != nil {
				if old.Unique != p.Unique {
					return fixtureConflict(where, "property %s exists with hasUniqueValue %t, which cannot change; reset the schema or archive the property first", p.Name, old.Unique)
				}
				p.CreatedAt = old.CreatedAt
			}
			if fp.Archived {
				p.Archived, p.ArchivedAt = true, now
			}
			created, updated, archived, err := fixtureTimes(where, fp.CreatedAt, fp.UpdatedAt, fp.ArchivedAt)
			if err != nil {
				return err
			}
			if !created.IsZero() {
				p.CreatedAt = created
			}
			if !updated.IsZero() {
				p.UpdatedAt = updated
			}
			if p.Archived && !archived.IsZero() {
				p.ArchivedAt = archived
			}
			if err := tx.PutCustomProperty(ctx, t.ID, p); err != nil {
				return err
			}
		}
		if err := e.reload(ctx, tx, t.ID); err != nil {
			return err
		}
	}
	if err := e.seedLabels(ctx, tx, f.AssociationLabels); err != nil {
		return err
	}
	return e.loadLabels(ctx, tx)
}

// seedLabels stores association labels, each in both directions, replacing
// stored ones with the same type ids.
func (e *Engine) seedLabels(ctx context.Context, tx Tx, labels []FixtureLabel) error {
	if len(labels) == 0 {
		return nil
	}
	stored, err := tx.AssociationLabels(ctx)
	if err != nil {
		return err
	}
	byID := map[int64]*AssociationLabel{}
	for _, l := range stored {
		byID[l.TypeID] = l
	}
	for i, l := range labels {
		where := fmt.Sprintf("associationLabels[%d]", i)
		from, err := e.Types.Resolve(l.From)
		if err != nil {
			return fixtureError(where, err)
		}
		to, err := e.Types.Resolve(l.To)
		if err != nil {
			return fixtureError(where, err)
		}
		// A label without text is the unlabelled type of a custom object's pair.
		pairType := l.Label == "" && (IsCustom(from.ID) || IsCustom(to.ID))
		if l.TypeID <= 0 || l.InverseTypeID < 0 || (l.Label == "" && !pairType) || !labelName.MatchString(l.Name) {
			return Invalidf("%s: typeId, label and a valid name are required", where)
		}
		if err := checkStorable(where+": the label", l.Label, l.InverseLabel); err != nil {
			return err
		}
		inverse, inverseLabel := l.InverseTypeID, l.InverseLabel
		if inverse == 0 {
			inverse = l.TypeID
		}
		if inverseLabel == "" {
			inverseLabel = l.Label
		}
		inverseName := l.Name + "_inverse"
		if pairType {
			inverseName = strings.ToLower(to.Singular) + "_to_" + strings.ToLower(from.Singular)
		}
		pair := []*AssociationLabel{{TypeID: l.TypeID, InverseID: inverse, From: from.ID, To: to.ID, Label: l.Label, Name: l.Name}}
		if inverse != l.TypeID {
			pair = append(pair, &AssociationLabel{TypeID: inverse, InverseID: l.TypeID, From: to.ID, To: from.ID, Label: inverseLabel, Name: inverseName})
		} else if from.ID != to.ID {
			return Invalidf("%s: a label between two object types needs an inverseTypeId of its own", where)
		}
		for _, n := range pair {
			if old := byID[n.TypeID]; old != nil && (old.From != n.From || old.To != n.To || old.InverseID != n.InverseID) {
				return fixtureConflict(where, "typeId %d is already the label %q from %s to %s with inverse %d", n.TypeID, old.Label, old.From, old.To, old.InverseID)
			}
			for _, old := range byID {
				if old.TypeID != n.TypeID && old.Name == n.Name && old.From == n.From && old.To == n.To {
					return fixtureConflict(where, "the name %s is already the label with typeId %d", n.Name, old.TypeID)
				}
			}
		}
		for _, n := range pair {
			if err := tx.PutAssociationLabel(ctx, n); err != nil {
				return err
			}
			byID[n.TypeID] = n
		}
	}
	return nil
}

// fixtureEntry is one record of a fixture with where it is.
type fixtureEntry struct {
	t     *ObjectType
	where string
	fo    *FixtureObject
}

// seedObjects stores the records of a fixture: first those with ids, which
// replace stored records with the same ids, then the others, under ids
// drawn after every id the fixture gives.
func (e *Engine) seedObjects(ctx context.Context, tx Tx, f *Fixture, now time.Time) error {
	var given, drawn []fixtureEntry
	seen := map[int64]string{}
	var ids []int64
	for _, typeName := range sortedKeys(f.Objects) {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("objects", err)
		}
		list := f.Objects[typeName]
		for i := range list {
			en := fixtureEntry{t: t, where: fmt.Sprintf("objects.%s[%d]", typeName, i), fo: &list[i]}
			if list[i].ID == "" {
				drawn = append(drawn, en)
				continue
			}
			id, ok := ParseID(list[i].ID)
			if !ok {
				return Invalidf("%s: id %q is not a record id", en.where, list[i].ID)
			}
			if prev, dup := seen[id]; dup {
				return Invalidf("%s: id %s is also the id of %s", en.where, list[i].ID, prev)
			}
			seen[id] = en.where
			ids = append(ids, id)
			given = append(given, en)
		}
	}
	// The stored records the fixture replaces, locked, and their unique
	// values released so that the fixture can hand them out afresh.
	stored, err := tx.ObjectsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	replaced := make(map[int64]*Object, len(stored))
	for _, o := range stored {
		replaced[o.ID] = o
	}
	for _, en := range given {
		id, _ := ParseID(en.fo.ID)
		if o := replaced[id]; o != nil && o.TypeID != en.t.ID {
			kind := o.TypeID
			if t, err := e.Types.Resolve(o.TypeID); err == nil {
				kind = t.Singular
			}
			return fixtureConflict(en.where, "id %d is a stored %s, not a %s", id, kind, en.t.Singular)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if o := replaced[id]; o != nil {
			if err := tx.ReleaseUnique(ctx, o.TypeID, id, ""); err != nil {
				return err
			}
		}
	}
	var keys []UniqueKey // locked in one call (see Tx.LockUnique)
	for _, en := range append(append([]fixtureEntry(nil), given...), drawn...) {
		if !en.fo.Archived {
			keys = uniqueKeys(keys, en.t, en.fo.Properties)
		}
	}
	if len(keys) > 0 {
		if err := tx.LockUnique(ctx, keys); err != nil {
			return err
		}
	}
	if err := e.seedRecords(ctx, tx, given, replaced, now); err != nil {
		return err
	}
	if len(drawn) == 0 {
		return nil
	}
	if err := tx.SyncSequences(ctx); err != nil {
		return err
	}
	fresh, err := tx.NextIDs(ctx, len(drawn))
	if err != nil {
		return err
	}
	for i, en := range drawn {
		en.fo.ID = fmt.Sprint(fresh[i]) // written back, as the response counts and pins use it
	}
	return e.seedRecords(ctx, tx, drawn, nil, now)
}

// seedRecords builds and writes records whose ids are set, type by type;
// those in replaced take the place of the stored ones.
func (e *Engine) seedRecords(ctx context.Context, tx Tx, entries []fixtureEntry, replaced map[int64]*Object, now time.Time) error {
	var types []*ObjectType
	byType := map[*ObjectType][]fixtureEntry{}
	for _, en := range entries {
		if byType[en.t] == nil {
			types = append(types, en.t)
		}
		byType[en.t] = append(byType[en.t], en)
	}
	for _, t := range types {
		var (
			inserts, updates []*Object
			history          []HistoryEntry
			given            []fixtureRecordHistory
			old, gone        []int64 // replaced records, and those of them now archived
			archivedNow      []*Object
		)
		for _, en := range byType[t] {
			id, _ := ParseID(en.fo.ID)
			prev := replaced[id]
			obj, h, err := e.seedObject(ctx, tx, t, id, en.fo, prev, now)
			if err != nil {
				return fixtureError(en.where, err)
			}
			if en.fo.PropertiesWithHistory != nil {
				past, err := fixtureHistory(t, id, en.fo.PropertiesWithHistory, h)
				if err != nil {
					return fixtureError(en.where, err)
				}
				given = append(given, fixtureRecordHistory{stored: past, seeded: h})
			} else {
				history = append(history, h...)
			}
			if prev == nil {
				inserts = append(inserts, obj)
				continue
			}
			updates = append(updates, obj)
			old = append(old, id)
			if obj.Archived {
				gone = append(gone, id)
				if !prev.Archived {
					archivedNow = append(archivedNow, obj)
				}
			}
		}
		if err := tx.InsertObjects(ctx, inserts); err != nil {
			return err
		}
		if len(updates) > 0 {
			if err := tx.UpdateObjects(ctx, updates); err != nil {
				return err
			}
			if err := tx.DeleteHistory(ctx, old); err != nil {
				return err
			}
			if err := tx.UnindexObjects(ctx, gone); err != nil {
				return err
			}
		}
		if err := tx.IndexObjects(ctx, searchDocs(t, append(inserts, updates...))); err != nil {
			return err
		}
		if err := tx.AppendHistory(ctx, history); err != nil {
			return err
		}
		for _, h := range given {
			if err := h.append(ctx, tx); err != nil {
				return err
			}
		}
		// An activity the fixture moves to the recycle bin is pinned nowhere.
		for _, o := range archivedNow {
			if err := e.unpinEverywhere(ctx, tx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedObject builds one record of a fixture, replacing prev when not nil.
func (e *Engine) seedObject(ctx context.Context, tx Tx, t *ObjectType, id int64, fo *FixtureObject, prev *Object, now time.Time) (*Object, []HistoryEntry, error) {
	defCreated := now
	if prev != nil {
		defCreated = prev.CreatedAt
	}
	created, err := parseFixtureTime(fo.CreatedAt, defCreated)
	if err != nil {
		return nil, nil, err
	}
	defUpdated := created
	if prev != nil {
		defUpdated = now
	}
	updated, err := parseFixtureTime(fo.UpdatedAt, defUpdated)
	if err != nil {
		return nil, nil, err
	}
	writable, computed := map[string]string{}, map[string]string{}
	var errs []PropertyError
	for _, name := range sortedKeys(fo.Properties) {
		v := fo.Properties[name]
		p := t.Property(name)
		switch {
		case p == nil:
			errs = append(errs, PropertyError{Name: name, Code: CodePropertyDoesntExist, Message: fmt.Sprintf("Property \"%s\" does not exist", name)})
		case p.ReadOnly:
			if perr := storableValue(name, v); perr != nil {
				errs = append(errs, *perr)
			}
			computed[name] = v
		default:
			writable[name] = v
		}
	}
	if len(errs) > 0 {
		return nil, nil, ValidationError(e.PortalID, errs)
	}
	props, errs := t.NormalizeProperties(writable)
	if len(errs) > 0 {
		return nil, nil, ValidationError(e.PortalID, errs)
	}
	if err := e.seedPlace(ctx, tx, t, props); err != nil {
		return nil, nil, err
	}
	owners := map[string]*Owner{}
	if v := props["hubspot_owner_id"]; v != "" {
		oid, _ := ParseID(v)
		o, err := tx.Owner(ctx, oid)
		if errors.Is(err, ErrNotFound) {
			return nil, nil, ValidationError(e.PortalID, []PropertyError{{Name: "hubspot_owner_id", Code: CodeInvalidOwnerID, Message: v + " is not a valid owner id"}})
		}
		if err != nil {
			return nil, nil, err
		}
		owners[v] = o
	}
	obj, history := e.newObject(seedActor, t, id, props, owners, created, nil)
	for name, v := range computed {
		obj.Properties[name] = v // exported values win over recomputed ones
	}
	// But for the id: hs_object_id is the record's, which search reads.
	obj.Properties[ObjectIDProperty] = strconv.FormatInt(id, 10)
	obj.UpdatedAt = updated
	if computed[t.ModifiedProperty] == "" {
		obj.Properties[t.ModifiedProperty] = FormatTime(updated)
	}
	if fo.Archived {
		at, err := parseFixtureTime(fo.ArchivedAt, updated)
		if err != nil {
			return nil, nil, err
		}
		obj.Archived, obj.ArchivedAt = true, at
	} else if err := e.claimUnique(ctx, tx, t, obj, props); err != nil {
		return nil, nil, err
	}
	return obj, history, nil
}

// fixtureRecordHistory is the history a seed stores for a record the
// fixture gives history of (oldest first), and the entries the seed would
// have stored for it otherwise.
type fixtureRecordHistory struct {
	stored, seeded []HistoryEntry
}

// append stores the history. Webhook events are those of the seeded
// entries, as for any seeded record: the fixture's history is of the past,
// and every change a seed makes has the seed's source.
func (h fixtureRecordHistory) append(ctx context.Context, tx Tx) error {
	inner := tx
	if m, ok := inner.(*pipelineMemo); ok {
		inner = m.Tx
	}
	if et, ok := inner.(*eventTx); ok {
		if err := appendInOrder(ctx, et.Tx, h.stored); err != nil {
			return err
		}
		et.noteHistory(h.seeded)
		return nil
	}
	return appendInOrder(ctx, tx, h.stored)
}

// fixtureHistory replaces the seed's entries of each property a fixture
// record gives the history of by that history, and returns the record's
// entries oldest first (ready for appendInOrder).
func fixtureHistory(t *ObjectType, id int64, given map[string][]FixtureValue, seeded []HistoryEntry) ([]HistoryEntry, error) {
	out := make([]HistoryEntry, 0, len(seeded))
	for _, h := range seeded {
		if _, ok := given[h.Name]; !ok {
			out = append(out, h)
		}
	}
	for _, name := range sortedKeys(given) {
		if t.Property(name) == nil && t.ArchivedProperty(name) == nil {
			return nil, Invalidf("propertiesWithHistory.%s: there is no such property of %s", name, t.Name)
		}
		values := given[name]
		for i := len(values) - 1; i >= 0; i-- { // given newest first
			v := values[i]
			where := fmt.Sprintf("propertiesWithHistory.%s[%d]", name, i)
			if v.Timestamp == "" {
				return nil, Invalidf("%s: timestamp is required", where)
			}
			ts, err := parseFixtureTime(v.Timestamp, time.Time{})
			if err != nil {
				return nil, fixtureError(where, err)
			}
			if err := checkStorable(where+": the value or source", v.Value, v.SourceType, v.SourceID); err != nil {
				return nil, err
			}
			h := HistoryEntry{ObjectID: id, Name: name, Value: v.Value, Timestamp: ts, SourceType: v.SourceType, SourceID: v.SourceID}
			if h.SourceType == "" {
				h.SourceType, h.SourceID = seedActor.SourceType, seedActor.SourceID
			}
			out = append(out, h)
		}
	}
	slices.SortStableFunc(out, func(a, b HistoryEntry) int { return a.Timestamp.Compare(b.Timestamp) })
	return out, nil
}

func (e *Engine) seedAssociations(ctx context.Context, tx Tx, f *Fixture) error {
	var rows []AssociationRow
	for i, a := range f.Associations {
		where := fmt.Sprintf("associations[%d]", i)
		from, err := e.Types.Resolve(a.From.Type)
		if err != nil {
			return fixtureError(where, err)
		}
		to, err := e.Types.Resolve(a.To.Type)
		if err != nil {
			return fixtureError(where, err)
		}
		types, err := e.resolveSpecs(from, to, a.Types)
		if err != nil {
			return fixtureError(where, err)
		}
		d := e.Assoc.Default(from.ID, to.ID)
		if d != nil && !containsType(types, d) {
			types = append(types, d)
		}
		if len(types) == 0 {
			return Invalidf("%s: %s and %s have no default association type: name the types", where, from.Name, to.Name)
		}
		ends := [2]int64{}
		for k, ref := range []FixtureRef{a.From, a.To} {
			t := []*ObjectType{from, to}[k]
			id, ok := ParseID(ref.ID)
			if !ok {
				return Invalidf("%s: there is no %s with id %s", where, t.Singular, ref.ID)
			}
			if _, err := tx.Object(ctx, t.ID, id); errors.Is(err, ErrNotFound) {
				return Invalidf("%s: there is no %s with id %s", where, t.Singular, ref.ID)
			} else if err != nil {
				return err
			}
			ends[k] = id
		}
		rows = append(rows, rowsFor(ends[0], ends[1], types, e)...)
	}
	return tx.AddAssociations(ctx, rows)
}
