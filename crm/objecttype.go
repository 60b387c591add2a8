package crm

import (
	"strings"
)

// ObjectType describes one CRM object type. The engine treats every type the
// same way; types differ only in the data held here.
type ObjectType struct {
	ID       string // HubSpot's type id, e.g. "0-18"
	Name     string // plural path name, e.g. "communications"
	Singular string // e.g. "communication"
	// Label is the upper-case singular HubSpot uses in messages ("COMMUNICATION").
	Label string

	Properties []*PropertyDefinition
	// Required lists properties that must have a value on create.
	Required []string
	// RequiredAnyOf lists groups of which at least one must have a value on create
	// (companies: name or domain).
	RequiredAnyOf [][]string
	// Defaults are returned when a read asks for no properties.
	Defaults []string
	// CreatedProperty and ModifiedProperty name the create and last-modified
	// date properties, which differ per type (hs_createdate vs createdate).
	CreatedProperty  string
	ModifiedProperty string

	// ReadScopes and WriteScopes: a token needs one scope of the list.
	ReadScopes  []string
	WriteScopes []string

	byName map[string]*PropertyDefinition
}

// Property returns the definition of name, or nil.
func (t *ObjectType) Property(name string) *PropertyDefinition {
	return t.byName[name]
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

// Registry resolves object type names in any of HubSpot's accepted forms.
type Registry struct {
	types  []*ObjectType
	byName map[string]*ObjectType
}

// NewRegistry indexes the given types by plural name, singular name and type id.
func NewRegistry(types ...*ObjectType) *Registry {
	r := &Registry{byName: map[string]*ObjectType{}}
	for _, t := range types {
		t.index()
		r.types = append(r.types, t)
		for _, k := range []string{t.Name, t.Singular, t.ID} {
			r.byName[strings.ToLower(k)] = t
		}
	}
	return r
}

// Resolve finds a type by plural, singular or "0-x" form, case-insensitively.
func (r *Registry) Resolve(name string) (*ObjectType, error) {
	if t, ok := r.byName[strings.ToLower(name)]; ok {
		return t, nil
	}
	return nil, UnknownObjectType(name)
}

// Types lists every registered type in registration order.
func (r *Registry) Types() []*ObjectType { return r.types }
