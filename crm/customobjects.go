package crm

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Custom objects. A custom type is a declaration loaded from the database:
// its schema (CustomSchema) gives the type id, names, labels and the
// required and searchable properties; its properties and groups are custom
// properties and groups of its type id; the association types of its pairs
// are stored like USER_DEFINED labels, with an empty label. The engine serves
// its records like any other type's.

// CustomSchema is a custom object type as stored.
type CustomSchema struct {
	// Number is the NNN of the type id 2-NNN.
	Number                     int64
	Name                       string
	Singular, Plural           string
	Description                string
	RequiredProperties         []string
	SearchableProperties       []string
	PrimaryDisplayProperty     string
	SecondaryDisplayProperties []string
	AllowsSensitiveProperties  bool
	CreatedAt, UpdatedAt       time.Time
	Archived                   bool
	ArchivedAt                 time.Time
	// Deleted marks the record kept of a schema deleted for good: its
	// number is never given again; its name is free.
	Deleted bool `json:",omitempty"`
}

// FirstCustomNumber is the number of the first custom type id (2-1000001).
const FirstCustomNumber = 1000001

// MaxUniqueCustomProperties is HubSpot's limit of unique-value properties
// per custom object.
const MaxUniqueCustomProperties = 10

// TypeID is the schema's object type id, 2-NNN.
func (s *CustomSchema) TypeID() string { return "2-" + strconv.FormatInt(s.Number, 10) }

// FullyQualifiedName is p{portalId}_{name}.
func (s *CustomSchema) FullyQualifiedName(portalID int64) string {
	return fmt.Sprintf("p%d_%s", portalID, s.Name)
}

// IsCustom reports whether a type id names a custom object type.
func IsCustom(typeID string) bool { return strings.HasPrefix(typeID, "2-") }

var customTypeName = regexp.MustCompile(`^(2-\d+|p\d*_.+)$`)

// customType declares the object type of a schema: the properties every
// custom object has (system, owner and pin properties) in the group
// {name}_information, HubSpot's custom-object scopes, and the three default
// properties.
func customType(portalID int64, s *CustomSchema) *ObjectType {
	t := &ObjectType{
		ID: s.TypeID(), Name: s.FullyQualifiedName(portalID), Singular: s.Name, Label: s.Name,
		Required:          slices.Clone(s.RequiredProperties),
		Searchable:        slices.Clone(s.SearchableProperties),
		Defaults:          []string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
		CreatedProperty:   "hs_createdate",
		ModifiedProperty:  "hs_lastmodifieddate",
		ReadScopes:        []string{"crm.objects.custom.read"},
		WriteScopes:       []string{"crm.objects.custom.write"},
		SchemaReadScopes:  []string{"crm.schemas.custom.read", "crm.objects.custom.read"},
		SchemaWriteScopes: []string{"crm.schemas.custom.write"},
		Schema:            s,
	}
	if len(t.Searchable) == 0 && s.PrimaryDisplayProperty != "" {
		t.Searchable = []string{s.PrimaryDisplayProperty}
	}
	t.Properties = append(append(systemProperties(t.CreatedProperty, t.ModifiedProperty), ownerProperties()...), pinned())
	group := customGroup(s)
	t.Groups = []*PropertyGroup{{Name: group, Label: s.Singular + " information", HubSpotDefined: true}}
	for i, p := range t.Properties {
		p.HubSpotDefined, p.DisplayOrder, p.GroupName = true, i, group
		if p.Description == "" {
			p.Description = p.Label
		}
	}
	t.index()
	return t
}

// customGroup is the property group of a schema's own properties.
func customGroup(s *CustomSchema) string { return strings.ToLower(s.Name) + "_information" }

// CustomSchemaInput is a schema create or update request. Nil fields are not
// given.
type CustomSchemaInput struct {
	Name                       *string
	Singular, Plural           *string
	Description                *string
	ClearDescription           bool
	RequiredProperties         *[]string
	SearchableProperties       *[]string
	PrimaryDisplayProperty     *string
	SecondaryDisplayProperties *[]string
	AllowsSensitiveProperties  *bool
	Properties                 []PropertyChange
	// AssociatedObjects name the types the new type is associated with.
	AssociatedObjects []string
	// SameObjectAssociation associates the new type with itself.
	SameObjectAssociation bool
}

var customName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// CustomObject is a schema with its current type and the association types
// leading from it.
type CustomObject struct {
	Schema       *CustomSchema
	Type         *ObjectType
	Associations []*AssociationType
}

// customLock serialises schema creation across nodes (LockUnique is
// PostgreSQL's advisory lock, and nothing where one writer runs at a time).
var customLock = []UniqueKey{{TypeID: "2-", Property: "schema", Value: ""}}

// schemaNotFound is the 404 of a schema that does not exist.
func schemaNotFound(name string) *Error {
	return &Error{Kind: KindNotFound, Category: CategoryNotFound,
		Message: fmt.Sprintf("Unable to find object type %s", name), Context: map[string][]string{"objectType": {name}}}
}

// matchesSchema reports whether name is one of the forms that name s: its
// type id (2-NNN), its bare number, its fully qualified name or p_{name}.
func (e *Engine) matchesSchema(s *CustomSchema, name string) bool {
	n := strings.ToLower(name)
	return n == s.TypeID() || n == strconv.FormatInt(s.Number, 10) ||
		n == strings.ToLower(s.FullyQualifiedName(e.PortalID)) || n == "p_"+strings.ToLower(s.Name)
}

// CustomObjects lists the stored schemas (archived ones when archived),
// as every node sees them, and brings this node's types up to date.
func (e *Engine) CustomObjects(ctx context.Context, archived bool) ([]*CustomObject, error) {
	if err := e.LoadSchemas(ctx); err != nil {
		return nil, err
	}
	var list []*CustomSchema
	err := e.Store.Read(ctx, func(tx ReadTx) error {
		var err error
		list, err = tx.CustomSchemas(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := []*CustomObject{}
	for _, s := range list {
		if s.Archived == archived && !s.Deleted {
			out = append(out, e.customObject(ctx, s))
		}
	}
	return out, nil
}

// CustomObject finds a schema by any of its names; archived ones only with archived.
func (e *Engine) CustomObject(ctx context.Context, name string, archived bool) (*CustomObject, error) {
	list, err := e.CustomObjects(ctx, archived)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if e.matchesSchema(c.Schema, name) {
			return c, nil
		}
	}
	return nil, schemaNotFound(name)
}

// customObject gives the type of s (archived schemas have no live type: it
// is declared for their properties only) and its association types.
func (e *Engine) customObject(ctx context.Context, s *CustomSchema) *CustomObject {
	c := &CustomObject{Schema: s}
	if t, err := e.Types.Resolve(s.TypeID()); err == nil && !s.Archived {
		c.Type = t
	} else {
		t := customType(e.PortalID, s)
		_ = e.Store.Read(ctx, func(tx ReadTx) error {
			props, err := tx.CustomProperties(ctx, t.ID)
			if err != nil {
				return err
			}
			groups, err := tx.PropertyGroups(ctx, t.ID)
			if err != nil {
				return err
			}
			t = t.withCustom(props, groups)
			return nil
		})
		c.Type = t
	}
	c.Associations = e.Assoc.DefaultsFrom(s.TypeID())
	return c
}

// checkSchemaNames checks that the properties a schema names exist on t.
func checkSchemaNames(t *ObjectType, s *CustomSchema) error {
	check := func(field string, names ...string) error {
		for _, n := range names {
			if n != "" && t.Property(n) == nil {
				return Invalidf("%s names property %s, which is not a property of %s", field, n, s.Name)
			}
		}
		return nil
	}
	if err := check("requiredProperties", s.RequiredProperties...); err != nil {
		return err
	}
	// A value Spoke computes cannot be required of a create.
	for _, n := range s.RequiredProperties {
		if p := t.Property(n); p != nil && p.ReadOnly {
			return Invalidf("requiredProperties names property %s, whose value is read-only: no record of %s could be created", n, s.Name)
		}
	}
	if err := check("searchableProperties", s.SearchableProperties...); err != nil {
		return err
	}
	if err := check("primaryDisplayProperty", s.PrimaryDisplayProperty); err != nil {
		return err
	}
	return check("secondaryDisplayProperties", s.SecondaryDisplayProperties...)
}

func applySchemaInput(s *CustomSchema, in CustomSchemaInput) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&s.Singular, in.Singular)
	set(&s.Plural, in.Plural)
	set(&s.Description, in.Description)
	if in.ClearDescription {
		s.Description = ""
	}
	set(&s.PrimaryDisplayProperty, in.PrimaryDisplayProperty)
	if in.RequiredProperties != nil {
		s.RequiredProperties = slices.Clone(*in.RequiredProperties)
	}
	if in.SearchableProperties != nil {
		s.SearchableProperties = slices.Clone(*in.SearchableProperties)
	}
	if in.SecondaryDisplayProperties != nil {
		s.SecondaryDisplayProperties = slices.Clone(*in.SecondaryDisplayProperties)
	}
	s.AllowsSensitiveProperties = valueOr(in.AllowsSensitiveProperties, s.AllowsSensitiveProperties)
	if s.Singular == "" || s.Plural == "" {
		return Invalidf("labels.singular and labels.plural are required")
	}
	if len(s.SearchableProperties) > 20 {
		return Invalidf("At most 20 searchableProperties are allowed, not %d", len(s.SearchableProperties))
	}
	return checkStorable("The labels or description of object type "+s.Name, s.Singular, s.Plural, s.Description)
}

// CreateCustomObject validates and stores a new schema with its properties
// and the association types of its pairs: every engagement type, and each
// of associatedObjects.
func (e *Engine) CreateCustomObject(ctx context.Context, in CustomSchemaInput) (*CustomObject, error) {
	name := valueOr(in.Name, "")
	if !customName.MatchString(name) || len(name) > 100 {
		return nil, Invalidf("Object type name %q is invalid: use letters, digits and underscores, starting with a letter", name)
	}
	if t, err := e.Types.Resolve(name); err == nil && t.Schema == nil {
		return nil, Invalidf("Object type name %q is taken by HubSpot's object type %s", name, t.ID)
	}
	s := &CustomSchema{Name: name}
	if err := applySchemaInput(s, in); err != nil {
		return nil, err
	}
	// The type is declared with a placeholder number to check the properties.
	t := customType(e.PortalID, s)
	var props []*PropertyDefinition
	now := e.now()
	uniques := 0
	for _, pc := range in.Properties {
		pc := pc
		if pc.Type == nil {
			pc.Type = ptr(TypeString)
		}
		if pc.FieldType == nil {
			pc.FieldType = ptr("text")
		}
		if pc.GroupName == nil {
			pc.GroupName = ptr(customGroup(s))
		}
		p := &PropertyDefinition{FormField: true}
		if err := applyPropertyChange(t, p, pc, true); err != nil {
			return nil, err
		}
		if t.Property(p.Name) != nil {
			return nil, &Error{Kind: KindConflict, Category: CategoryConflict, Message: fmt.Sprintf("Property named '%s' already exists.", p.Name)}
		}
		if p.Unique {
			uniques++
		}
		p.DisplayOrder = valueOr(pc.DisplayOrder, -1)
		p.CreatedAt, p.UpdatedAt = now, now
		props = append(props, p)
		t = t.withCustom(props, nil)
	}
	if uniques > MaxUniqueCustomProperties {
		return nil, Invalidf("At most %d properties of an object type can have unique values, not %d", MaxUniqueCustomProperties, uniques)
	}
	if err := checkSchemaNames(t, s); err != nil {
		return nil, err
	}
	var others []*ObjectType
	for _, t := range e.Types.Types() {
		if t.Activity {
			others = append(others, t)
		}
	}
	for _, n := range in.AssociatedObjects {
		o, err := e.Types.Resolve(n)
		if err != nil {
			return nil, Invalidf("associatedObjects names %s, which is not an object type", n)
		}
		if !slices.Contains(others, o) {
			others = append(others, o)
		}
	}
	s.CreatedAt, s.UpdatedAt = now, now
	err := e.Store.Write(ctx, func(tx Tx) error {
		if err := tx.LockUnique(ctx, customLock); err != nil {
			return err
		}
		existing, err := tx.CustomSchemas(ctx)
		if err != nil {
			return err
		}
		s.Number = FirstCustomNumber
		for _, x := range existing {
			if strings.EqualFold(x.Name, s.Name) && !x.Deleted {
				return &Error{Kind: KindConflict, Category: CategoryConflict,
					Message: fmt.Sprintf("An object type named %s already exists", x.Name), Context: map[string][]string{"name": {x.Name}}}
			}
			s.Number = max(s.Number, x.Number+1)
		}
		if err := tx.PutCustomSchema(ctx, s); err != nil {
			return err
		}
		for _, p := range props {
			if err := tx.PutCustomProperty(ctx, s.TypeID(), p); err != nil {
				return err
			}
		}
		self := customType(e.PortalID, s)
		if in.SameObjectAssociation {
			others = append(others, self)
		}
		for _, o := range others {
			if _, err := e.addCustomPair(ctx, tx, self, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return e.CustomObject(ctx, s.TypeID(), false)
}

func ptr[T any](v T) *T { return &v }

// addCustomPair stores the association types between a custom type and
// another type, both directions (one id when both ends are the same type),
// unless the pair has them already. It returns the from → to type. A
// custom end must be live as stored (see liveType): an archive under way
// is waited for, and one that starts later counts the pair.
func (e *Engine) addCustomPair(ctx context.Context, tx Tx, from, to *ObjectType) (*AssociationLabel, error) {
	for _, t := range []*ObjectType{from, to} {
		if err := liveType(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	labels, err := tx.AssociationLabels(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range labels {
		if l.Label == "" && l.From == from.ID && l.To == to.ID {
			return l, nil
		}
	}
	name := strings.ToLower(from.Singular) + "_to_" + strings.ToLower(to.Singular)
	if from.ID == to.ID {
		ids, err := tx.NextLabelIDs(ctx, 1)
		if err != nil {
			return nil, err
		}
		l := &AssociationLabel{TypeID: ids[0], InverseID: ids[0], From: from.ID, To: to.ID, Name: name}
		return l, tx.PutAssociationLabel(ctx, l)
	}
	ids, err := tx.NextLabelIDs(ctx, 2)
	if err != nil {
		return nil, err
	}
	l := &AssociationLabel{TypeID: ids[0], InverseID: ids[1], From: from.ID, To: to.ID, Name: name}
	if err := tx.PutAssociationLabel(ctx, l); err != nil {
		return nil, err
	}
	inverse := &AssociationLabel{TypeID: ids[1], InverseID: ids[0], From: to.ID, To: from.ID,
		Name: strings.ToLower(to.Singular) + "_to_" + strings.ToLower(from.Singular)}
	return l, tx.PutAssociationLabel(ctx, inverse)
}

// UpdateCustomObject changes a schema's labels, description and the
// properties it names; its name cannot change.
func (e *Engine) UpdateCustomObject(ctx context.Context, name string, in CustomSchemaInput) (*CustomObject, error) {
	c, err := e.CustomObject(ctx, name, false)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && *in.Name != c.Schema.Name {
		return nil, Invalidf("The name of object type %s cannot be changed", c.Schema.Name)
	}
	typeID := c.Schema.TypeID()
	err = e.Store.Write(ctx, func(tx Tx) error {
		// The schema and its properties as stored now, the schema locked:
		// an archive, a hard delete or another PATCH under way on another
		// node is waited for and seen, never undone.
		cur, err := tx.LockCustomSchema(ctx, typeID)
		if err != nil {
			return err
		}
		if cur == nil || cur.Deleted || cur.Archived {
			return schemaNotFound(name)
		}
		s := *cur
		if err := applySchemaInput(&s, in); err != nil {
			return err
		}
		props, err := tx.CustomProperties(ctx, typeID)
		if err != nil {
			return err
		}
		if err := checkSchemaNames(customType(e.PortalID, cur).withCustom(props, nil), &s); err != nil {
			return err
		}
		s.UpdatedAt = e.now()
		return tx.PutCustomSchema(ctx, &s)
	})
	if err != nil {
		return nil, err
	}
	return e.CustomObject(ctx, typeID, false)
}

// ArchiveCustomObject archives a schema, or with purge deletes it for good
// (archived or not) so that its name can be used again; its type id is
// never given again. A live schema is archived or deleted only when nothing
// of it remains but its shell (see schemaRemains); an archived schema passed
// that rule when it was archived and nothing can be added to it since, so
// deleting it for good asks for nothing more. A purge deletes the type's
// records in the recycle bin, its properties and its association types.
func (e *Engine) ArchiveCustomObject(ctx context.Context, name string, purge bool) error {
	c, err := e.CustomObject(ctx, name, false)
	if err != nil && purge {
		c, err = e.CustomObject(ctx, name, true)
	}
	if err != nil {
		return err
	}
	typeID := c.Schema.TypeID()
	err = e.Store.Write(ctx, func(tx Tx) error {
		// The schema as stored now (another node may have changed it),
		// locked: records being written of the type are counted below,
		// and none are written until this ends (liveType).
		s, err := tx.LockCustomSchema(ctx, typeID)
		if err != nil {
			return err
		}
		if s == nil || s.Deleted || (s.Archived && !purge) {
			return schemaNotFound(name)
		}
		if !s.Archived {
			if err := e.schemaRemains(ctx, tx, s); err != nil {
				return err
			}
		}
		if !purge {
			now := e.now()
			s.Archived, s.ArchivedAt, s.UpdatedAt = true, now, now
			return tx.PutCustomSchema(ctx, s)
		}
		// The recycle bin's records go, and live ones too: another node
		// may have created one before it saw the archive.
		for archived := true; ; {
			gone, err := tx.ListObjects(ctx, ListQuery{TypeID: typeID, Archived: archived, Limit: 500})
			if err != nil {
				return err
			}
			if len(gone) == 0 {
				if archived = !archived; !archived {
					continue
				}
				break
			}
			ids := make([]int64, len(gone))
			for i, o := range gone {
				ids[i] = o.ID
			}
			if err := tx.PurgeObjects(ctx, ids); err != nil {
				return err
			}
		}
		if err := tx.DeleteCustomSchema(ctx, typeID); err != nil {
			return err
		}
		return tx.PutCustomSchema(ctx, &CustomSchema{Number: s.Number, Name: typeID, Deleted: true, UpdatedAt: e.now()})
	})
	if err != nil {
		return err
	}
	return e.LoadSchemas(ctx)
}

// liveType refuses to write records of a custom type whose schema, as
// stored, is archived or deleted for good: another node may have done so
// since this one loaded the type, and a record written then would belong
// to a type that serves nothing, or to none at all. The read share-locks
// the schema until the write ends, so an archive or hard delete under way
// (LockCustomSchema) is waited for, and one that starts later waits for
// the write and counts its records.
func liveType(ctx context.Context, tx ReadTx, t *ObjectType) error {
	if t.Schema == nil {
		return nil
	}
	s, err := tx.CustomSchema(ctx, t.ID)
	if err != nil {
		return err
	}
	if s == nil || s.Archived || s.Deleted {
		return UnknownObjectType(t.ID)
	}
	return nil
}

// schemaRemains refuses, with HubSpot's 400, to archive a schema while any
// of these remain: live records of its type (those in the recycle bin go
// with it); association definitions between its type and another type,
// made with the schema (associatedObjects, shouldCreateSameObjectAssociation),
// through the schema's associations endpoint, by another schema's
// associatedObjects, or labels added to its pairs; custom properties of its
// type. Two things go with the schema and are never asked for: its
// primaryDisplayProperty (a property cannot be archived while it is the
// primary display property) and the unlabelled pairs with activity types,
// which every custom type has without being asked.
func (e *Engine) schemaRemains(ctx context.Context, tx Tx, s *CustomSchema) error {
	typeID := s.TypeID()
	live, err := tx.ListObjects(ctx, ListQuery{TypeID: typeID, Limit: 101})
	if err != nil {
		return err
	}
	if n := len(live); n > 0 {
		count := strconv.Itoa(n)
		if n > 100 {
			count = "more than 100"
		}
		noun := "records"
		if n == 1 {
			noun = "record"
		}
		return &Error{Kind: KindInvalid, Category: CategoryValidation,
			Message: fmt.Sprintf("Object type %s still has %s %s; delete them before deleting the object type", s.Name, count, noun),
			Context: map[string][]string{"objectType": {typeID}}}
	}
	labels, err := tx.AssociationLabels(ctx)
	if err != nil {
		return err
	}
	var defs, defIDs []string
	sort.Slice(labels, func(i, j int) bool { return labels[i].TypeID < labels[j].TypeID })
	for _, l := range labels {
		if l.From != typeID {
			continue
		}
		if to, err := e.Types.Resolve(l.To); l.Label == "" && err == nil && to.Activity {
			continue
		}
		d := fmt.Sprintf("%d %s to %s", l.TypeID, l.Name, l.To)
		if l.Label != "" {
			d += fmt.Sprintf(" labelled %q", l.Label)
		}
		defs = append(defs, d)
		defIDs = append(defIDs, strconv.FormatInt(l.TypeID, 10))
	}
	if len(defs) > 0 {
		return &Error{Kind: KindInvalid, Category: CategoryValidation,
			Message: fmt.Sprintf("Object type %s still has association definitions (%s); delete them before deleting the object type", s.Name, strings.Join(defs, ", ")),
			Context: map[string][]string{"objectType": {typeID}, "associationDefinitionIds": defIDs}}
	}
	props, err := tx.CustomProperties(ctx, typeID)
	if err != nil {
		return err
	}
	var left []string
	for _, p := range props {
		if !p.Archived && !p.HubSpotDefined && p.Name != s.PrimaryDisplayProperty {
			left = append(left, p.Name)
		}
	}
	if len(left) > 0 {
		sort.Strings(left)
		return &Error{Kind: KindInvalid, Category: CategoryValidation,
			Message: fmt.Sprintf("Object type %s still has custom properties (%s); delete them before deleting the object type", s.Name, strings.Join(left, ", ")),
			Context: map[string][]string{"objectType": {typeID}, "properties": left}}
	}
	return nil
}

// CreateCustomAssociation adds the association types between a schema's
// type and another type (both directions) and returns the one from the
// schema's type.
// A name given is the name of the type from fromName to toName.
func (e *Engine) CreateCustomAssociation(ctx context.Context, name, fromName, toName, assocName string) (*AssociationType, error) {
	c, err := e.CustomObject(ctx, name, false)
	if err != nil {
		return nil, err
	}
	from, err := e.Types.Resolve(fromName)
	if err != nil {
		return nil, Invalidf("fromObjectTypeId %s is not an object type", fromName)
	}
	to, err := e.Types.Resolve(toName)
	if err != nil {
		return nil, Invalidf("toObjectTypeId %s is not an object type", toName)
	}
	if from.ID != c.Type.ID && to.ID != c.Type.ID {
		return nil, Invalidf("An association of object type %s must start or end at it (%s)", c.Schema.Name, c.Type.ID)
	}
	if from.ID == "0-115" || to.ID == "0-115" {
		return nil, Invalidf("Object type %s cannot be associated with users", c.Schema.Name)
	}
	if assocName != "" && !labelName.MatchString(assocName) {
		return nil, Invalidf("Association name %q is invalid: use lower-case letters, digits and underscores", assocName)
	}
	var made *AssociationLabel
	err = e.labelWrite(ctx, func(tx Tx) error {
		var err error
		made, err = e.addCustomPair(ctx, tx, from, to)
		if err != nil || assocName == "" || made.Name == assocName {
			return err
		}
		for _, at := range append(e.Assoc.Between(from.ID, to.ID), e.Assoc.Between(to.ID, from.ID)...) {
			if at.Name == assocName {
				return &Error{Kind: KindConflict, Category: CategoryConflict,
					Message: fmt.Sprintf("An association named %s already exists between %s and %s", assocName, from.Singular, to.Singular)}
			}
		}
		made.Name = assocName
		return tx.PutAssociationLabel(ctx, made)
	})
	if err != nil {
		return nil, err
	}
	return e.Assoc.Lookup(AssociationSpec{Category: CategoryUserDefined, TypeID: made.TypeID}), nil
}

// DeleteCustomAssociation removes the association types of a pair of the
// schema's type by the id of either direction, with every association of
// those types.
func (e *Engine) DeleteCustomAssociation(ctx context.Context, name, id string) error {
	c, err := e.CustomObject(ctx, name, false)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	at := e.Assoc.Lookup(AssociationSpec{Category: CategoryUserDefined, TypeID: n})
	if at == nil || !at.Default || (at.From != c.Type.ID && at.To != c.Type.ID) {
		return &Error{Kind: KindNotFound, Category: CategoryNotFound,
			Message: fmt.Sprintf("No association definition with id %s exists for object type %s", id, c.Schema.Name)}
	}
	return e.deleteTypePair(ctx, at)
}

// DefaultsFrom lists the unlabelled USER_DEFINED types leading from a type
// (the association types of a custom type's pairs), by id.
func (a *AssociationTypes) DefaultsFrom(typeID string) []*AssociationType {
	a.mu.RLock()
	defer a.mu.RUnlock()
	var out []*AssociationType
	for k, list := range a.byPair {
		if k.from != typeID {
			continue
		}
		for _, t := range list {
			if t.Default && t.Category == CategoryUserDefined {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(x, y *AssociationType) int { return int(x.ID - y.ID) })
	return out
}
