package crm

import (
	"strings"
	"sync"
)

// ObjectType describes one CRM object type. The engine treats every type the
// same way; types differ only in the data held here. An ObjectType value is
// an immutable snapshot: adding a custom property makes a new one.
type ObjectType struct {
	ID       string // HubSpot's type id, e.g. "0-18"
	Name     string // plural path name, e.g. "communications"
	Singular string // e.g. "communication"
	// Label is the upper-case singular HubSpot uses in messages ("COMMUNICATION").
	Label string

	// Properties are the live property definitions, built-in first.
	Properties []*PropertyDefinition
	// ArchivedProperties are archived custom properties.
	ArchivedProperties []*PropertyDefinition
	Groups             []*PropertyGroup
	// Required lists properties that must have a value on create.
	Required []string
	// RequiredAnyOf lists groups of which at least one must have a value on create
	// (companies: name or domain).
	RequiredAnyOf [][]string
	// Searchable are the properties the free-text query searches.
	Searchable []string
	// ScopedIndexes are extra search indexes of a numeric property within
	// each value of an enumeration (the time of messages per channel).
	ScopedIndexes []ScopedIndex
	// Defaults are returned when a read asks for no properties.
	Defaults []string
	// CreatedProperty and ModifiedProperty name the create and last-modified
	// date properties, which differ per type (hs_createdate vs createdate).
	CreatedProperty  string
	ModifiedProperty string
	// ReadScopes and WriteScopes: a token needs one scope of the list.
	ReadScopes  []string
	WriteScopes []string
	// SchemaReadScopes and SchemaWriteScopes guard the properties API.
	SchemaReadScopes  []string
	SchemaWriteScopes []string

	// Activity marks engagement types (communications, notes, calls ...):
	// their records can be pinned on the records they are associated with.
	Activity bool
	// Derivations compute read-only properties from written ones (body
	// previews, the addresses of an email's headers).
	Derivations []Derivation
	// CreateFallbacks give a property left empty on create the value of
	// another (a meeting's hs_timestamp is its start time).
	CreateFallbacks map[string]string
	// NotRestorable types are archived to the recycle bin but cannot be
	// restored from it (HubSpot deletes emails for good).
	NotRestorable bool
	// Pipelines, when set, places every record in a pipeline and a stage
	// (deals, tickets).
	Pipelines *PipelineProperties
	// Schema is the stored schema of a custom object type, nil for built-in types.
	Schema *CustomSchema

	byName map[string]*PropertyDefinition
}

// Property returns the live definition of name, or nil.
func (t *ObjectType) Property(name string) *PropertyDefinition {
	return t.byName[name]
}

// ArchivedProperty returns the archived custom definition of name, or nil.
func (t *ObjectType) ArchivedProperty(name string) *PropertyDefinition {
	for _, p := range t.ArchivedProperties {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Group returns the live group of that name, or nil.
func (t *ObjectType) Group(name string) *PropertyGroup {
	for _, g := range t.Groups {
		if g.Name == name && !g.Archived {
			return g
		}
	}
	return nil
}

// AlwaysReturned are the properties added to any explicit properties request.
func (t *ObjectType) AlwaysReturned() []string {
	return []string{t.CreatedProperty, t.ModifiedProperty, "hs_object_id"}
}

func (t *ObjectType) index() {
	t.byName = make(map[string]*PropertyDefinition, len(t.Properties))
	for _, p := range t.Properties {
		t.byName[p.Name] = p
	}
}

// withCustom returns a snapshot of the built-in type t extended by stored
// custom properties and groups.
func (t *ObjectType) withCustom(props []*PropertyDefinition, groups []*PropertyGroup) *ObjectType {
	c := *t
	c.Properties = append([]*PropertyDefinition(nil), t.Properties...)
	c.ArchivedProperties = nil
	for _, p := range props {
		if p.Archived {
			c.ArchivedProperties = append(c.ArchivedProperties, p)
		} else {
			c.Properties = append(c.Properties, p)
		}
	}
	c.Groups = append(append([]*PropertyGroup(nil), t.Groups...), groups...)
	c.index()
	return &c
}

// Registry resolves object type names in any of HubSpot's accepted forms and
// holds the current snapshot of each type.
type Registry struct {
	mu      sync.RWMutex
	base    map[string]*ObjectType // built-in types by id
	current map[string]*ObjectType // current snapshots by id
	ids     []string
	alias   map[string]string // lower-cased name forms to type id
	// onMiss, when set, is called when a name in a custom type's form
	// (2-NNN, p{portal}_{name}, p_{name}) resolves to nothing, before
	// trying again: it loads schemas other nodes stored.
	onMiss func()
}

// NewRegistry indexes the given types by plural name, singular name and type id.
func NewRegistry(types ...*ObjectType) *Registry {
	r := &Registry{base: map[string]*ObjectType{}, current: map[string]*ObjectType{}, alias: map[string]string{}}
	for _, t := range types {
		t.index()
		r.base[t.ID], r.current[t.ID] = t, t
		r.ids = append(r.ids, t.ID)
		for _, k := range []string{t.Name, t.Singular, t.ID} {
			r.alias[strings.ToLower(k)] = t.ID
		}
	}
	return r
}

// Resolve finds a type by plural, singular or "0-x" form, or a custom type by
// its type id, fully qualified name or p_{name}, case-insensitively.
func (r *Registry) Resolve(name string) (*ObjectType, error) {
	if t := r.lookup(name); t != nil {
		return t, nil
	}
	if r.onMiss != nil && customTypeName.MatchString(strings.ToLower(name)) {
		r.onMiss()
		if t := r.lookup(name); t != nil {
			return t, nil
		}
	}
	return nil, UnknownObjectType(name)
}

// ResolveAssociated resolves the type of an associations.{type} search
// filter: any name Resolve takes, or a custom type's own name, which is how
// the filter names it by its singular like every other type.
func (r *Registry) ResolveAssociated(name string) (*ObjectType, error) {
	t, err := r.Resolve(name)
	if err == nil {
		return t, nil
	}
	for _, c := range r.Types() {
		if c.Schema != nil && strings.EqualFold(c.Singular, name) {
			return c, nil
		}
	}
	return nil, err
}

func (r *Registry) lookup(name string) *ObjectType {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if id, ok := r.alias[strings.ToLower(name)]; ok {
		return r.current[id]
	}
	return nil
}

// Types lists the current snapshot of every type in registration order.
func (r *Registry) Types() []*ObjectType {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*ObjectType, len(r.ids))
	for i, id := range r.ids {
		out[i] = r.current[id]
	}
	return out
}

// customState is what LoadSchemas read: the declared custom types and the
// custom properties and groups of every type.
type customState struct {
	types  []*ObjectType
	props  map[string][]*PropertyDefinition
	groups map[string][]*PropertyGroup
}

// setAll replaces the custom types and the custom part of every type at once.
func (r *Registry) setAll(st customState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, id := range r.ids {
		if IsCustom(id) {
			delete(r.base, id)
			delete(r.current, id)
			continue
		}
		ids = append(ids, id)
	}
	for k, id := range r.alias {
		if IsCustom(id) {
			delete(r.alias, k)
		}
	}
	for _, t := range st.types {
		r.base[t.ID] = t
		ids = append(ids, t.ID)
		for _, k := range []string{t.ID, t.Name, "p_" + t.Singular} {
			r.alias[strings.ToLower(k)] = t.ID
		}
	}
	r.ids = ids
	for _, id := range ids {
		r.current[id] = r.base[id].withCustom(st.props[id], st.groups[id])
	}
}

// setCustom replaces the custom part of a type.
func (r *Registry) setCustom(typeID string, props []*PropertyDefinition, groups []*PropertyGroup) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.base[typeID]; b != nil {
		r.current[typeID] = b.withCustom(props, groups)
	}
}
