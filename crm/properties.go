package crm

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// fieldTypesByType lists the field types each property type may use.
var fieldTypesByType = map[string][]string{
	TypeString:      {"text", "textarea", "html", "phonenumber", "file"},
	TypeNumber:      {"number"},
	TypeEnumeration: {"select", "radio", "checkbox", "booleancheckbox"},
	TypeBool:        {"booleancheckbox"},
	TypeDate:        {"date"},
	TypeDatetime:    {"date"},
	TypePhoneNumber: {"phonenumber"},
}

var propertyName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// PropertyChange is a property create or update request. Nil fields are not
// given (on update: left as they are).
type PropertyChange struct {
	Name, Label, Type, FieldType, GroupName, Description *string
	Options                                              *[]PropertyOption
	DisplayOrder                                         *int
	HasUniqueValue, Hidden, FormField                    *bool
}

// LoadSchemas reads the stored custom properties and groups of every type
// and the user-defined association labels.
// Call it once at start.
func (e *Engine) LoadSchemas(ctx context.Context) error {
	return e.Store.Read(ctx, func(tx ReadTx) error { return e.loadSchemas(ctx, tx) })
}

// loadSchemas declares the custom object types stored and loads the custom
// properties and groups of every type and the association labels, from tx.
func (e *Engine) loadSchemas(ctx context.Context, tx ReadTx) error {
	st := customState{props: map[string][]*PropertyDefinition{}, groups: map[string][]*PropertyGroup{}}
	schemas, err := tx.CustomSchemas(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, t := range e.Types.Types() {
		if !IsCustom(t.ID) {
			ids = append(ids, t.ID)
		}
	}
	for _, s := range schemas {
		if !s.Archived && !s.Deleted {
			t := customType(e.PortalID, s)
			st.types = append(st.types, t)
			ids = append(ids, t.ID)
		}
	}
	for _, id := range ids {
		if st.props[id], err = tx.CustomProperties(ctx, id); err != nil {
			return err
		}
		if st.groups[id], err = tx.PropertyGroups(ctx, id); err != nil {
			return err
		}
	}
	if err := e.loadLabels(ctx, tx); err != nil {
		return err
	}
	e.Types.setAll(st)
	return nil
}

func (e *Engine) reload(ctx context.Context, tx ReadTx, typeID string) error {
	props, err := tx.CustomProperties(ctx, typeID)
	if err != nil {
		return err
	}
	groups, err := tx.PropertyGroups(ctx, typeID)
	if err != nil {
		return err
	}
	e.Types.setCustom(typeID, props, groups)
	return nil
}

// schemaWrite runs fn in a write transaction and refreshes t's snapshot from
// what was committed.
func (e *Engine) schemaWrite(ctx context.Context, t *ObjectType, fn func(Tx) error) error {
	if err := e.Store.Write(ctx, fn); err != nil {
		return err
	}
	return e.Store.Read(ctx, func(tx ReadTx) error { return e.reload(ctx, tx, t.ID) })
}

func propertyNotFound(t *ObjectType, name string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound,
		Message: fmt.Sprintf("Property %s does not exist for object type %s", name, t.ID),
		Context: map[string][]string{"name": {name}}}
}

// FindProperty returns a live (or, with archived, an archived custom) property.
// Known returns t as this node knows it, reloaded from the database first
// when one of names is not among its live properties (archived ones with
// archived) and another node may have made or archived it.
func (e *Engine) Known(ctx context.Context, t *ObjectType, archived bool, names ...string) *ObjectType {
	if !e.Shared {
		return t
	}
	for _, name := range names {
		if (!archived && t.Property(name) != nil) || (archived && t.ArchivedProperty(name) != nil) {
			continue
		}
		if fresh := e.reloaded(ctx, t); fresh != nil {
			return fresh
		}
		return t
	}
	return t
}

// appendKeys appends the keys of m to names, for Known.
func appendKeys(names []string, m map[string]string) []string {
	for k := range m {
		names = append(names, k)
	}
	return names
}

func (e *Engine) FindProperty(t *ObjectType, name string, archived bool) (*PropertyDefinition, error) {
	p := t.Property(name)
	if archived {
		p = t.ArchivedProperty(name)
	}
	if p == nil {
		return nil, propertyNotFound(t, name)
	}
	return p, nil
}

// CreateProperty validates and stores a custom property of type t.
func (e *Engine) CreateProperty(ctx context.Context, t *ObjectType, in PropertyChange) (*PropertyDefinition, error) {
	if in.GroupName != nil {
		t = e.groupKnown(ctx, t, *in.GroupName)
	}
	p := &PropertyDefinition{FormField: true}
	if err := applyPropertyChange(t, p, in, true); err != nil {
		return nil, err
	}
	if t.Property(p.Name) != nil || t.ArchivedProperty(p.Name) != nil {
		return nil, &Error{Kind: KindConflict, Category: CategoryConflict,
			Message: fmt.Sprintf("Property named '%s' already exists.", p.Name)}
	}
	p.DisplayOrder = valueOr(in.DisplayOrder, -1)
	now := e.now()
	p.CreatedAt, p.UpdatedAt = now, now
	err := e.schemaWrite(ctx, t, func(tx Tx) error {
		// A custom type must be live as stored (see liveType).
		if err := liveType(ctx, tx, t); err != nil {
			return err
		}
		if err := e.groupStored(ctx, tx, t, p.GroupName); err != nil {
			return err
		}
		existing, err := tx.CustomProperties(ctx, t.ID) // another node may have made it meanwhile
		if err != nil {
			return err
		}
		for _, x := range existing {
			if x.Name == p.Name {
				return &Error{Kind: KindConflict, Category: CategoryConflict, Message: fmt.Sprintf("Property named '%s' already exists.", p.Name)}
			}
		}
		return tx.PutCustomProperty(ctx, t.ID, p)
	})
	return p, err
}

// UpdateProperty changes a custom property's definition.
func (e *Engine) UpdateProperty(ctx context.Context, t *ObjectType, name string, in PropertyChange) (*PropertyDefinition, error) {
	t = e.Known(ctx, t, false, name)
	old, err := e.FindProperty(t, name, false)
	if err != nil {
		return nil, err
	}
	if old.HubSpotDefined {
		return nil, Invalidf("Property %s is defined by HubSpot and its definition is read-only", name)
	}
	if in.Name != nil && *in.Name != name {
		return nil, Invalidf("The name of property %s cannot be changed", name)
	}
	if in.HasUniqueValue != nil && *in.HasUniqueValue != old.Unique {
		return nil, Invalidf("hasUniqueValue of property %s cannot be changed after creation", name)
	}
	p := *old
	if err := applyPropertyChange(t, &p, in, false); err != nil {
		return nil, err
	}
	if in.DisplayOrder != nil {
		p.DisplayOrder = *in.DisplayOrder
	}
	p.UpdatedAt = e.now()
	err = e.schemaWrite(ctx, t, func(tx Tx) error {
		if err := e.storedLive(ctx, tx, t, name); err != nil {
			return err
		}
		return tx.PutCustomProperty(ctx, t.ID, &p)
	})
	return &p, err
}

// storedLive refuses, on a database other nodes write to, a change of a
// property that is archived as stored: a node keeps another node's archive
// unseen until its next reload, and writing its copy back would bring the
// property back.
func (e *Engine) storedLive(ctx context.Context, tx ReadTx, t *ObjectType, name string) error {
	if !e.Shared {
		return nil
	}
	stored, err := tx.CustomProperties(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, p := range stored {
		if p.Name == name && !p.Archived {
			return nil
		}
	}
	return propertyNotFound(t, name)
}

// ArchiveProperty archives a custom property. Archiving an unknown or already
// archived property succeeds, as HubSpot's batch archive does; HubSpot's own
// properties cannot be archived.
func (e *Engine) ArchiveProperty(ctx context.Context, t *ObjectType, name string) error {
	t = e.Known(ctx, t, false, name)
	p := t.Property(name)
	if p == nil {
		if t.ArchivedProperty(name) != nil {
			return nil
		}
		return propertyNotFound(t, name)
	}
	if p.HubSpotDefined {
		return Invalidf("Property %s is defined by HubSpot and cannot be archived", name)
	}
	c := *p
	now := e.now()
	c.Archived, c.ArchivedAt, c.UpdatedAt = true, now, now
	return e.schemaWrite(ctx, t, func(tx Tx) error {
		if t.Schema != nil {
			// The schema as stored now (another node may have changed
			// it), share-locked: a PATCH under way is waited for, and one
			// that starts later sees this property archived.
			s, err := tx.CustomSchema(ctx, t.ID)
			if err != nil {
				return err
			}
			if s != nil && !s.Deleted {
				if err := schemaNames(s, name); err != nil {
					return err
				}
			}
		}
		return tx.PutCustomProperty(ctx, t.ID, &c)
	})
}

// ArchivableProperties refuses, with HubSpot's 400, to archive any of names
// when it is a property defined by HubSpot or one that t's custom object
// schema, as stored, names (its primary or secondary display property, a
// required or searchable property): the schema is PATCHed first.
func (e *Engine) ArchivableProperties(ctx context.Context, t *ObjectType, names ...string) error {
	for _, n := range names {
		if p := t.Property(n); p != nil && p.HubSpotDefined {
			return Invalidf("Property %s is defined by HubSpot and cannot be archived", n)
		}
	}
	if t.Schema == nil {
		return nil
	}
	return e.Store.Read(ctx, func(tx ReadTx) error {
		list, err := tx.CustomSchemas(ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			if s.Number == t.Schema.Number && !s.Deleted {
				for _, n := range names {
					if err := schemaNames(s, n); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// schemaNames refuses to archive a property that schema s names.
func schemaNames(s *CustomSchema, name string) error {
	var uses []string
	if s.PrimaryDisplayProperty == name {
		uses = append(uses, "primaryDisplayProperty")
	}
	for _, l := range []struct {
		field string
		names []string
	}{
		{"requiredProperties", s.RequiredProperties},
		{"searchableProperties", s.SearchableProperties},
		{"secondaryDisplayProperties", s.SecondaryDisplayProperties},
	} {
		if slices.Contains(l.names, name) {
			uses = append(uses, l.field)
		}
	}
	if len(uses) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Category: CategoryValidation,
		Message: fmt.Sprintf("Property %s cannot be archived: it is in the %s of object type %s; update the object type's schema first", name, strings.Join(uses, " and "), s.Name),
		Context: map[string][]string{"name": {name}}}
}

// applyPropertyChange copies in onto p, checking the result as a whole.
func applyPropertyChange(t *ObjectType, p *PropertyDefinition, in PropertyChange, creating bool) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if creating {
		set(&p.Name, in.Name)
		if !propertyName.MatchString(p.Name) || len(p.Name) > 100 {
			return Invalidf("Property name %q is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters", p.Name)
		}
		if strings.HasPrefix(p.Name, "hs_") {
			return Invalidf("Property name %q is invalid: the hs_ prefix is reserved for HubSpot's properties", p.Name)
		}
		p.Unique = valueOr(in.HasUniqueValue, false)
	}
	set(&p.Label, in.Label)
	set(&p.Type, in.Type)
	set(&p.FieldType, in.FieldType)
	set(&p.GroupName, in.GroupName)
	set(&p.Description, in.Description)
	p.Hidden = valueOr(in.Hidden, p.Hidden)
	p.FormField = valueOr(in.FormField, p.FormField)
	if in.Options != nil {
		p.Options = append([]PropertyOption(nil), (*in.Options)...)
	}
	if p.Label == "" {
		return Invalidf("Property %s needs a label", p.Name)
	}
	if err := checkStorable("The label, description or group name of property "+p.Name, p.Label, p.Description, p.GroupName); err != nil {
		return err
	}
	for _, o := range p.Options {
		if err := checkStorable(fmt.Sprintf("Option %q of property %s", o.Value, p.Name), o.Label, o.Value); err != nil {
			return err
		}
	}
	fieldTypes, ok := fieldTypesByType[p.Type]
	if !ok {
		return Invalidf("%q is not a valid property type: use one of bool, date, datetime, enumeration, number, phone_number, string", p.Type)
	}
	if !slices.Contains(fieldTypes, p.FieldType) {
		return Invalidf("fieldType %q cannot be used with type %s: use one of %v", p.FieldType, p.Type, fieldTypes)
	}
	if t.Group(p.GroupName) == nil {
		return Invalidf("Property group %s does not exist for object type %s", p.GroupName, t.ID)
	}
	if p.Unique && p.Type != TypeString && p.Type != TypeNumber {
		return Invalidf("hasUniqueValue is only allowed on string and number properties, not %s", p.Type)
	}
	if p.Type == TypeBool && len(p.Options) == 0 {
		p.Options = []PropertyOption{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}
	}
	switch p.Type {
	case TypeEnumeration, TypeBool:
		if len(p.Options) == 0 {
			return Invalidf("Enumeration property %s needs at least one option", p.Name)
		}
		seen := map[string]bool{}
		for _, o := range p.Options {
			if o.Value == "" || o.Label == "" {
				return Invalidf("Every option of property %s needs a label and a value", p.Name)
			}
			if seen[o.Value] {
				return Invalidf("Option value %q appears twice in property %s", o.Value, p.Name)
			}
			if p.Type == TypeBool && o.Value != "true" && o.Value != "false" {
				return Invalidf("Options of bool property %s must have the values true and false", p.Name)
			}
			seen[o.Value] = true
		}
	default:
		if len(p.Options) > 0 {
			return Invalidf("Options are only allowed on enumeration and bool properties, not %s", p.Type)
		}
	}
	return nil
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func groupNotFound(t *ObjectType, name string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound,
		Message: fmt.Sprintf("Property group %s does not exist for object type %s", name, t.ID)}
}

// FindGroup returns a live property group.
func (e *Engine) FindGroup(t *ObjectType, name string) (*PropertyGroup, error) {
	if g := t.Group(name); g != nil {
		return g, nil
	}
	return nil, groupNotFound(t, name)
}

// PutGroup creates (create true) or updates a custom property group.
func (e *Engine) PutGroup(ctx context.Context, t *ObjectType, name string, label *string, displayOrder *int, create bool) (*PropertyGroup, error) {
	var g PropertyGroup
	if create {
		if !propertyName.MatchString(name) || len(name) > 100 {
			return nil, Invalidf("Property group name %q is invalid: use lower-case letters, digits and underscores, starting with a letter", name)
		}
		for _, existing := range t.Groups {
			if existing.Name == name {
				return nil, &Error{Kind: KindConflict, Category: CategoryConflict, Message: fmt.Sprintf("Property group named '%s' already exists.", name)}
			}
		}
		g = PropertyGroup{Name: name, DisplayOrder: -1}
	} else {
		t = e.groupKnown(ctx, t, name)
		old, err := e.FindGroup(t, name)
		if err != nil {
			return nil, err
		}
		if old.HubSpotDefined {
			return nil, Invalidf("Property group %s is defined by HubSpot and cannot be changed", name)
		}
		g = *old
	}
	g.Label = valueOr(label, g.Label)
	g.DisplayOrder = valueOr(displayOrder, g.DisplayOrder)
	if g.Label == "" {
		return nil, Invalidf("Property group %s needs a label", name)
	}
	if err := checkStorable("The label of property group "+name, g.Label); err != nil {
		return nil, err
	}
	err := e.schemaWrite(ctx, t, func(tx Tx) error {
		stored, err := e.storedGroup(ctx, tx, t, name)
		switch {
		case err != nil:
			return err
		case create && stored != nil:
			return &Error{Kind: KindConflict, Category: CategoryConflict, Message: fmt.Sprintf("Property group named '%s' already exists.", name)}
		case !create && stored == nil && e.Shared:
			return groupNotFound(t, name)
		}
		return tx.PutPropertyGroup(ctx, t.ID, &g)
	})
	return &g, err
}

// storedGroup returns, on a database other nodes write to, the live group
// of that name as stored (nil when there is none): a node keeps another
// node's changes of groups unseen until its next reload. A single node's
// copy is always the stored one: nil, nil.
func (e *Engine) storedGroup(ctx context.Context, tx ReadTx, t *ObjectType, name string) (*PropertyGroup, error) {
	if !e.Shared || t.Group(name) != nil && t.Group(name).HubSpotDefined {
		return nil, nil
	}
	groups, err := tx.PropertyGroups(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.Name == name && !g.Archived {
			return g, nil
		}
	}
	return nil, nil
}

// groupStored refuses, on a database other nodes write to, a custom group
// that is not live as stored (another node archived it).
func (e *Engine) groupStored(ctx context.Context, tx ReadTx, t *ObjectType, name string) error {
	if g := t.Group(name); !e.Shared || g == nil || g.HubSpotDefined {
		return nil
	}
	if stored, err := e.storedGroup(ctx, tx, t, name); err != nil || stored != nil {
		return err
	}
	return Invalidf("Property group %s does not exist for object type %s", name, t.ID)
}

// groupKnown returns t as known after a reload, when name is not among its
// groups and another node may have made it.
func (e *Engine) groupKnown(ctx context.Context, t *ObjectType, name string) *ObjectType {
	if !e.Shared || t.Group(name) != nil {
		return t
	}
	if fresh := e.reloaded(ctx, t); fresh != nil {
		return fresh
	}
	return t
}

// ArchiveGroup archives a custom group that no live property uses.
func (e *Engine) ArchiveGroup(ctx context.Context, t *ObjectType, name string) error {
	t = e.groupKnown(ctx, t, name)
	g, err := e.FindGroup(t, name)
	if err != nil {
		return err
	}
	if g.HubSpotDefined {
		return Invalidf("Property group %s is defined by HubSpot and cannot be archived", name)
	}
	if err := groupEmpty(name, t.Properties); err != nil {
		return err
	}
	c := *g
	c.Archived = true
	return e.schemaWrite(ctx, t, func(tx Tx) error {
		if e.Shared { // another node may have archived it, or put a property in it
			if stored, err := e.storedGroup(ctx, tx, t, name); err != nil || stored == nil {
				return err // archived already: nothing to do
			}
			props, err := tx.CustomProperties(ctx, t.ID)
			if err != nil {
				return err
			}
			if err := groupEmpty(name, props); err != nil {
				return err
			}
		}
		return tx.PutPropertyGroup(ctx, t.ID, &c)
	})
}

// groupEmpty refuses to archive group name while a live property of props
// is in it.
func groupEmpty(name string, props []*PropertyDefinition) error {
	for _, p := range props {
		if p.GroupName == name && !p.Archived {
			return Invalidf("Property group %s still holds property %s", name, p.Name)
		}
	}
	return nil
}

// refreshed reloads the schemas when err may come from this node's caches
// lagging behind another node's schema change, and returns t as now known;
// nil means err stands as it is.
func (e *Engine) refreshed(ctx context.Context, t *ObjectType, err error) *ObjectType {
	if !e.Shared || err == nil || !schemaMiss(err) {
		return nil
	}
	return e.reloaded(ctx, t)
}

// reloaded reloads the schemas and returns t as now known; nil when the
// reload fails or t is gone.
func (e *Engine) reloaded(ctx context.Context, t *ObjectType) *ObjectType {
	if e.LoadSchemas(ctx) != nil {
		return nil
	}
	fresh, err := e.Types.Resolve(t.ID)
	if err != nil {
		return nil
	}
	return fresh
}

// schemaMiss reports an error that names an unknown property or association
// type, or a value that is not one of a property's options (another node may
// have added it).
func schemaMiss(err error) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	if _, bad := e.Context["INVALID_ASSOCIATION_TYPE_ID"]; bad {
		return true
	}
	for _, d := range e.Details {
		if d.Code == CodePropertyDoesntExist || d.Code == CodeInvalidOption {
			return true
		}
	}
	return false
}

// RefreshSchemas reloads custom properties and labels every interval until
// ctx ends, for nodes sharing a database with others.
func (e *Engine) RefreshSchemas(ctx context.Context, interval time.Duration) {
	every(ctx, interval, func() { e.LoadSchemas(ctx) })
}

// every runs fn every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn()
		}
	}
}
