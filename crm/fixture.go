package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"
)

// Fixture is a data set in Spoke's fixture format: close to HubSpot's JSON,
// keyed by plural object type names. Export writes it; Seed loads it.
type Fixture struct {
	Owners            []FixtureOwner               `json:"owners,omitempty"`
	PropertyGroups    map[string][]FixtureGroup    `json:"propertyGroups,omitempty"`
	Properties        map[string][]FixtureProperty `json:"properties,omitempty"`
	AssociationLabels []FixtureLabel               `json:"associationLabels,omitempty"`
	Objects           map[string][]FixtureObject   `json:"objects,omitempty"`
	Associations      []FixtureAssociation         `json:"associations,omitempty"`
}

// FixtureOwner is an owner; id and userId are assigned when absent.
type FixtureOwner struct {
	ID        string `json:"id,omitempty"`
	Email     string `json:"email"`
	Type      string `json:"type,omitempty"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	UserID    int64  `json:"userId,omitempty"`
	Archived  bool   `json:"archived,omitempty"`
}

// FixtureGroup is a custom property group.
type FixtureGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder,omitempty"`
	Archived     bool   `json:"archived,omitempty"`
}

// FixtureProperty is a custom property definition.
type FixtureProperty struct {
	Name           string           `json:"name"`
	Label          string           `json:"label"`
	Type           string           `json:"type"`
	FieldType      string           `json:"fieldType"`
	GroupName      string           `json:"groupName"`
	Description    string           `json:"description,omitempty"`
	Options        []PropertyOption `json:"options,omitempty"`
	HasUniqueValue bool             `json:"hasUniqueValue,omitempty"`
	Archived       bool             `json:"archived,omitempty"`
}

// FixtureLabel is a USER_DEFINED association type between two object types.
type FixtureLabel struct {
	From          string `json:"from"`
	To            string `json:"to"`
	TypeID        int64  `json:"typeId"`
	InverseTypeID int64  `json:"inverseTypeId"`
	Label         string `json:"label"`
	InverseLabel  string `json:"inverseLabel,omitempty"`
	Name          string `json:"name"`
}

// FixtureObject is a record. Without an id one is assigned; without
// createdAt the seeding time is used. Properties are HubSpot's string values;
// computed ones (previews, owner fields) are filled in when absent.
type FixtureObject struct {
	ID         string            `json:"id,omitempty"`
	Properties map[string]string `json:"properties"`
	CreatedAt  string            `json:"createdAt,omitempty"`
	UpdatedAt  string            `json:"updatedAt,omitempty"`
	Archived   bool              `json:"archived,omitempty"`
	ArchivedAt string            `json:"archivedAt,omitempty"`
}

// FixtureAssociation associates two records with one or more types, named
// from the "from" record's side.
type FixtureAssociation struct {
	From  FixtureRef        `json:"from"`
	To    FixtureRef        `json:"to"`
	Types []AssociationSpec `json:"types"`
}

// FixtureRef names a record by plural type name and id.
type FixtureRef struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// MarshalJSON writes a spec as HubSpot's AssociationSpec.
func (s AssociationSpec) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"associationCategory":%q,"associationTypeId":%d}`, s.Category, s.TypeID)), nil
}

// UnmarshalJSON reads HubSpot's AssociationSpec.
func (s *AssociationSpec) UnmarshalJSON(b []byte) error {
	var v struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int64  `json:"associationTypeId"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	s.Category, s.TypeID = v.AssociationCategory, v.AssociationTypeID
	return nil
}

// ResetData empties the CRM data; scope says what else goes.
func (e *Engine) ResetData(ctx context.Context, scope ResetScope) error {
	err := e.Store.Write(ctx, func(tx Tx) error { return tx.Reset(ctx, scope) })
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
// nothing.
func (e *Engine) Seed(ctx context.Context, f *Fixture) (err error) {
	defer func() {
		// The schema caches were refreshed from inside the transaction;
		// reload them from what is committed, whatever happened.
		if lerr := e.LoadSchemas(ctx); err == nil {
			err = lerr
		}
	}()
	return e.Store.Write(ctx, func(tx Tx) error { return e.seed(ctx, tx, f) })
}

func (e *Engine) seed(ctx context.Context, tx Tx, f *Fixture) error {
	now := e.now()
	for i, fo := range f.Owners {
		o := Owner{Email: fo.Email, Type: fo.Type, FirstName: fo.FirstName, LastName: fo.LastName, UserID: fo.UserID,
			Archived: fo.Archived, CreatedAt: now, UpdatedAt: now}
		if o.Type == "" {
			o.Type = "PERSON"
		}
		if o.Archived {
			o.ArchivedAt = now
		}
		if fo.ID != "" {
			id, err := strconv.ParseInt(fo.ID, 10, 64)
			if err != nil {
				return Invalidf("owners[%d]: id %q is not a number", i, fo.ID)
			}
			o.ID = id
		}
		if err := tx.InsertOwner(ctx, &o); err != nil {
			return fixtureError(fmt.Sprintf("owners[%d]", i), err)
		}
	}
	if err := e.seedSchema(ctx, tx, f, now); err != nil {
		return err
	}
	if err := e.seedObjects(ctx, tx, f, now); err != nil {
		return err
	}
	if err := e.seedAssociations(ctx, tx, f); err != nil {
		return err
	}
	// Pins are checked once every association is in place.
	for typeName, list := range f.Objects {
		t, _ := e.Types.Resolve(typeName)
		for i, fo := range list {
			if fo.Properties[PinnedProperty] == "" || fo.Archived || fo.ID == "" {
				continue
			}
			id, _ := strconv.ParseInt(fo.ID, 10, 64)
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

func (e *Engine) seedSchema(ctx context.Context, tx Tx, f *Fixture, now time.Time) error {
	for typeName, groups := range f.PropertyGroups {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("propertyGroups", err)
		}
		for _, g := range groups {
			if !propertyName.MatchString(g.Name) || g.Label == "" {
				return Invalidf("propertyGroups.%s: group %q needs a valid name and a label", typeName, g.Name)
			}
			if err := tx.PutPropertyGroup(ctx, t.ID, &PropertyGroup{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.Archived}); err != nil {
				return err
			}
		}
		if err := e.reload(ctx, tx, t.ID); err != nil {
			return err
		}
	}
	for typeName, props := range f.Properties {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("properties", err)
		}
		for _, fp := range props {
			p := &PropertyDefinition{FormField: true, DisplayOrder: -1, CreatedAt: now, UpdatedAt: now}
			in := PropertyChange{Name: &fp.Name, Label: &fp.Label, Type: &fp.Type, FieldType: &fp.FieldType, GroupName: &fp.GroupName,
				Description: &fp.Description, HasUniqueValue: &fp.HasUniqueValue}
			if fp.Options != nil {
				in.Options = &fp.Options
			}
			if err := applyPropertyChange(t, p, in, true); err != nil {
				return fixtureError("properties."+typeName, err)
			}
			if t.Property(p.Name) != nil && t.Property(p.Name).HubSpotDefined {
				return Invalidf("properties.%s: %s is one of HubSpot's own properties", typeName, p.Name)
			}
			if fp.Archived {
				p.Archived, p.ArchivedAt = true, now
			}
			if err := tx.PutCustomProperty(ctx, t.ID, p); err != nil {
				return err
			}
		}
		if err := e.reload(ctx, tx, t.ID); err != nil {
			return err
		}
	}
	for i, l := range f.AssociationLabels {
		from, err := e.Types.Resolve(l.From)
		if err != nil {
			return fixtureError(fmt.Sprintf("associationLabels[%d]", i), err)
		}
		to, err := e.Types.Resolve(l.To)
		if err != nil {
			return fixtureError(fmt.Sprintf("associationLabels[%d]", i), err)
		}
		if l.TypeID <= 0 || l.Label == "" || !labelName.MatchString(l.Name) {
			return Invalidf("associationLabels[%d]: typeId, label and a valid name are required", i)
		}
		inverse, inverseLabel := l.InverseTypeID, l.InverseLabel
		if inverse == 0 {
			inverse = l.TypeID
		}
		if inverseLabel == "" {
			inverseLabel = l.Label
		}
		if err := tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: l.TypeID, InverseID: inverse, From: from.ID, To: to.ID, Label: l.Label, Name: l.Name}); err != nil {
			return err
		}
		if inverse != l.TypeID {
			if err := tx.PutAssociationLabel(ctx, &AssociationLabel{TypeID: inverse, InverseID: l.TypeID, From: to.ID, To: from.ID, Label: inverseLabel, Name: l.Name + "_inverse"}); err != nil {
				return err
			}
		}
	}
	return e.loadLabels(ctx, tx)
}

func (e *Engine) seedObjects(ctx context.Context, tx Tx, f *Fixture, now time.Time) error {
	for _, typeName := range sortedKeys(f.Objects) {
		t, err := e.Types.Resolve(typeName)
		if err != nil {
			return fixtureError("objects", err)
		}
		list := f.Objects[typeName]
		var assign int
		for _, fo := range list {
			if fo.ID == "" {
				assign++
			}
		}
		var fresh []int64
		if assign > 0 {
			if fresh, err = tx.NextIDs(ctx, assign); err != nil {
				return err
			}
		}
		var objs []*Object
		var history []HistoryEntry
		for i := range list {
			where := fmt.Sprintf("objects.%s[%d]", typeName, i)
			obj, h, err := e.seedObject(ctx, tx, t, &list[i], &fresh, now)
			if err != nil {
				return fixtureError(where, err)
			}
			objs = append(objs, obj)
			history = append(history, h...)
		}
		if err := tx.InsertObjects(ctx, objs); err != nil {
			return err
		}
		if err := tx.IndexObjects(ctx, searchDocs(t, objs)); err != nil {
			return err
		}
		if err := tx.AppendHistory(ctx, history); err != nil {
			return err
		}
	}
	return nil
}

// seedObject builds one record of a fixture. The fixture's id is written
// back when one is assigned, so that associations can name it.
func (e *Engine) seedObject(ctx context.Context, tx Tx, t *ObjectType, fo *FixtureObject, fresh *[]int64, now time.Time) (*Object, []HistoryEntry, error) {
	var id int64
	if fo.ID == "" {
		id, *fresh = (*fresh)[0], (*fresh)[1:]
		fo.ID = strconv.FormatInt(id, 10)
	} else {
		var err error
		if id, err = strconv.ParseInt(fo.ID, 10, 64); err != nil || id <= 0 {
			return nil, nil, Invalidf("id %q is not a record id", fo.ID)
		}
	}
	created, err := parseFixtureTime(fo.CreatedAt, now)
	if err != nil {
		return nil, nil, err
	}
	updated, err := parseFixtureTime(fo.UpdatedAt, created)
	if err != nil {
		return nil, nil, err
	}
	writable, computed := map[string]string{}, map[string]string{}
	var errs []PropertyError
	for name, v := range fo.Properties {
		p := t.Property(name)
		switch {
		case p == nil:
			errs = append(errs, PropertyError{Name: name, Code: CodePropertyDoesntExist, Message: fmt.Sprintf("Property \"%s\" does not exist", name)})
		case p.ReadOnly:
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
	owners := map[string]*Owner{}
	if v := props["hubspot_owner_id"]; v != "" {
		oid, _ := strconv.ParseInt(v, 10, 64)
		o, err := tx.Owner(ctx, oid)
		if errors.Is(err, ErrNotFound) {
			return nil, nil, ValidationError(e.PortalID, []PropertyError{{Name: "hubspot_owner_id", Code: CodeInvalidOwnerID, Message: v + " is not a valid owner id"}})
		}
		if err != nil {
			return nil, nil, err
		}
		owners[v] = o
	}
	obj, history := e.newObject(Actor{SourceType: SourceIntegration, SourceID: "0"}, t, id, props, owners, created, nil)
	for name, v := range computed {
		obj.Properties[name] = v // exported values win over recomputed ones
	}
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
		if len(types) == 0 {
			types = []*AssociationType{e.Assoc.Default(from.ID, to.ID)}
		}
		ends := [2]int64{}
		for k, ref := range []FixtureRef{a.From, a.To} {
			t := []*ObjectType{from, to}[k]
			id, err := strconv.ParseInt(ref.ID, 10, 64)
			if err == nil {
				_, err = tx.Object(ctx, t.ID, id)
			}
			if err != nil {
				return Invalidf("%s: there is no %s with id %s", where, t.Singular, ref.ID)
			}
			ends[k] = id
		}
		if d := e.Assoc.Default(from.ID, to.ID); d != nil && !containsType(types, d) {
			types = append(types, d)
		}
		rows = append(rows, rowsFor(ends[0], ends[1], types, e)...)
	}
	return tx.AddAssociations(ctx, rows)
}

// Export captures every owner, custom property, label, record (archived
// ones in the recycle bin included) and association as a fixture.
func (e *Engine) Export(ctx context.Context) (*Fixture, error) {
	f := &Fixture{PropertyGroups: map[string][]FixtureGroup{}, Properties: map[string][]FixtureProperty{}, Objects: map[string][]FixtureObject{}}
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		for _, archived := range []bool{false, true} {
			var after int64
			for {
				owners, err := tx.ListOwners(ctx, OwnerQuery{Archived: archived, AfterID: after, Limit: 500})
				if err != nil {
					return err
				}
				for _, o := range owners {
					f.Owners = append(f.Owners, FixtureOwner{ID: strconv.FormatInt(o.ID, 10), Email: o.Email, Type: o.Type,
						FirstName: o.FirstName, LastName: o.LastName, UserID: o.UserID, Archived: o.Archived})
					after = o.ID + 1
				}
				if len(owners) < 500 {
					break
				}
			}
		}
		sort.Slice(f.Owners, func(i, j int) bool { return f.Owners[i].ID < f.Owners[j].ID })
		for _, t := range e.Types.Types() {
			for _, g := range t.Groups {
				if !g.HubSpotDefined {
					f.PropertyGroups[t.Name] = append(f.PropertyGroups[t.Name], FixtureGroup{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.Archived})
				}
			}
			for _, p := range append(append([]*PropertyDefinition(nil), t.Properties...), t.ArchivedProperties...) {
				if !p.HubSpotDefined {
					f.Properties[t.Name] = append(f.Properties[t.Name], FixtureProperty{Name: p.Name, Label: p.Label, Type: p.Type,
						FieldType: p.FieldType, GroupName: p.GroupName, Description: p.Description, Options: p.Options, HasUniqueValue: p.Unique, Archived: p.Archived})
				}
			}
			for _, archived := range []bool{false, true} {
				var after int64
				for {
					objs, err := tx.ListObjects(ctx, ListQuery{TypeID: t.ID, Archived: archived, AfterID: after, Limit: 1000, ArchivedSince: e.recycleCutoff()})
					if err != nil {
						return err
					}
					for _, o := range objs {
						fo := FixtureObject{ID: strconv.FormatInt(o.ID, 10), Properties: o.Properties,
							CreatedAt: FormatTime(o.CreatedAt), UpdatedAt: FormatTime(o.UpdatedAt), Archived: o.Archived}
						if o.Archived {
							fo.ArchivedAt = FormatTime(o.ArchivedAt)
						}
						f.Objects[t.Name] = append(f.Objects[t.Name], fo)
						after = o.ID + 1
					}
					if len(objs) < 1000 {
						break
					}
				}
			}
		}
		labels, err := tx.AssociationLabels(ctx)
		if err != nil {
			return err
		}
		byID := map[int64]*AssociationLabel{}
		for _, l := range labels {
			byID[l.TypeID] = l
		}
		for _, l := range labels {
			inv := byID[l.InverseID]
			if inv == nil || l.TypeID > l.InverseID {
				continue // written with its pair
			}
			from, _ := e.Types.Resolve(l.From)
			to, _ := e.Types.Resolve(l.To)
			f.AssociationLabels = append(f.AssociationLabels, FixtureLabel{From: from.Name, To: to.Name, TypeID: l.TypeID,
				InverseTypeID: l.InverseID, Label: l.Label, InverseLabel: inv.Label, Name: l.Name})
		}
		rows, err := tx.AllAssociations(ctx)
		if err != nil {
			return err
		}
		for i := 0; i < len(rows); {
			j := i
			a := FixtureAssociation{}
			for ; j < len(rows) && rows[j].FromID == rows[i].FromID && rows[j].ToID == rows[i].ToID; j++ {
				a.Types = append(a.Types, AssociationSpec{Category: rows[j].Category, TypeID: rows[j].TypeID})
			}
			from, _ := e.Types.Resolve(rows[i].FromType)
			to, _ := e.Types.Resolve(rows[i].ToType)
			a.From = FixtureRef{Type: from.Name, ID: strconv.FormatInt(rows[i].FromID, 10)}
			a.To = FixtureRef{Type: to.Name, ID: strconv.FormatInt(rows[i].ToID, 10)}
			f.Associations = append(f.Associations, a)
			i = j
		}
		return nil
	})
	return f, err
}
