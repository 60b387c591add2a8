package crm

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Association categories.
const (
	CategoryHubSpotDefined = "HUBSPOT_DEFINED"
	CategoryUserDefined    = "USER_DEFINED"
)

// AssociationType is one directed association type between two object types.
type AssociationType struct {
	ID       int64
	Category string
	From, To string // object type ids
	// Name is the v3 name, e.g. communication_to_contact.
	Name string
	// Label is "" for the unlabelled type of a pair.
	Label string
	// Default marks the unlabelled type every associated pair carries.
	Default bool
	// Inverse is the type id of the same association seen from the other end.
	Inverse int64
	// OnePerFrom types are held by at most one association of a record
	// (a contact's primary company).
	OnePerFrom bool
}

// Spec is the (category, id) that names the type in API bodies.
func (a *AssociationType) Spec() AssociationSpec {
	return AssociationSpec{Category: a.Category, TypeID: a.ID}
}

func (s AssociationSpec) String() string { return fmt.Sprintf("%s=%d", s.Category, s.TypeID) }

// AssociationLabel is a stored USER_DEFINED type (one direction).
type AssociationLabel struct {
	TypeID    int64
	InverseID int64
	From, To  string
	Label     string
	Name      string
}

// builtinPair declares the default types of a pair (both directions) and its
// HubSpot-defined labelled types.
type builtinPair struct {
	a, b           string // singular names
	ab, ba         int64  // default type ids
	abName, baName string // v3 names of the defaults; "" means a_to_b
	labelled       []builtinLabel
}

type builtinLabel struct {
	ab, ba           int64
	abName, baName   string
	abLabel, baLabel string
	abOnePerFrom     bool
}

var builtinPairs = []builtinPair{
	{a: "communication", b: "contact", ab: 81, ba: 82},
	{a: "communication", b: "ticket", ab: 83, ba: 84},
	{a: "communication", b: "deal", ab: 85, ba: 86},
	{a: "communication", b: "company", ab: 87, ba: 88},
	// The other engagement types, HubSpot's ids (its associations guide).
	{a: "note", b: "contact", ab: 202, ba: 201},
	{a: "note", b: "company", ab: 190, ba: 189},
	{a: "note", b: "deal", ab: 214, ba: 213},
	{a: "note", b: "ticket", ab: 228, ba: 227},
	{a: "call", b: "contact", ab: 194, ba: 193},
	{a: "call", b: "company", ab: 182, ba: 181},
	{a: "call", b: "deal", ab: 206, ba: 205},
	{a: "call", b: "ticket", ab: 220, ba: 219},
	{a: "email", b: "contact", ab: 198, ba: 197},
	{a: "email", b: "company", ab: 186, ba: 185},
	{a: "email", b: "deal", ab: 210, ba: 209},
	{a: "email", b: "ticket", ab: 224, ba: 223},
	{a: "meeting", b: "contact", ab: 200, ba: 199},
	{a: "meeting", b: "company", ab: 188, ba: 187},
	{a: "meeting", b: "deal", ab: 212, ba: 211},
	{a: "meeting", b: "ticket", ab: 226, ba: 225},
	{a: "task", b: "contact", ab: 204, ba: 203},
	{a: "task", b: "company", ab: 192, ba: 191},
	{a: "task", b: "deal", ab: 216, ba: 215},
	{a: "task", b: "ticket", ab: 230, ba: 229},
	{a: "postal_mail", b: "contact", ab: 453, ba: 454},
	{a: "postal_mail", b: "company", ab: 459, ba: 460},
	{a: "postal_mail", b: "deal", ab: 457, ba: 458},
	{a: "postal_mail", b: "ticket", ab: 455, ba: 456},
	{a: "call", b: "meeting", ab: 399, ba: 400},
	{a: "contact", b: "company", ab: 279, ba: 280, abName: "contact_to_company_unlabeled", baName: "company_to_contact_unlabeled",
		labelled: []builtinLabel{{ab: 1, ba: 2, abName: "contact_to_company", baName: "company_to_contact", abLabel: "Primary", baLabel: "Primary", abOnePerFrom: true}}},
	{a: "deal", b: "contact", ab: 3, ba: 4},
	{a: "deal", b: "company", ab: 341, ba: 342, abName: "deal_to_company_unlabeled", baName: "company_to_deal_unlabeled",
		labelled: []builtinLabel{{ab: 5, ba: 6, abName: "deal_to_company", baName: "company_to_deal", abLabel: "Primary", baLabel: "Primary", abOnePerFrom: true}}},
	{a: "ticket", b: "contact", ab: 16, ba: 15},
	{a: "ticket", b: "company", ab: 339, ba: 340, abName: "ticket_to_company_unlabeled", baName: "company_to_ticket_unlabeled",
		labelled: []builtinLabel{{ab: 26, ba: 25, abName: "ticket_to_company", baName: "company_to_ticket", abLabel: "Primary", baLabel: "Primary", abOnePerFrom: true}}},
	{a: "deal", b: "ticket", ab: 27, ba: 28},
	{a: "contact", b: "contact", ab: 449, ba: 449},
	{a: "company", b: "company", ab: 450, ba: 450,
		labelled: []builtinLabel{{ab: 13, ba: 14, abName: "parent_to_child_company", baName: "child_to_parent_company", abLabel: "Child Company", baLabel: "Parent Company"}}},
	{a: "deal", b: "deal", ab: 451, ba: 451},
	{a: "ticket", b: "ticket", ab: 452, ba: 452},
}

type pairKey struct{ from, to string }

type specKey struct {
	category string
	id       int64
}

// AssociationTypes holds the built-in and user-defined association types.
type AssociationTypes struct {
	mu      sync.RWMutex
	builtin []*AssociationType
	byPair  map[pairKey][]*AssociationType
	bySpec  map[specKey]*AssociationType
}

func newAssociationTypes(r *Registry) *AssociationTypes {
	a := &AssociationTypes{}
	id := func(singular string) string {
		t, err := r.Resolve(singular)
		if err != nil {
			panic(err) // the table names only built-in types
		}
		return t.ID
	}
	name := func(given, from, to string) string {
		if given != "" {
			return given
		}
		return from + "_to_" + to
	}
	for _, p := range builtinPairs {
		from, to := id(p.a), id(p.b)
		a.builtin = append(a.builtin,
			&AssociationType{ID: p.ab, Category: CategoryHubSpotDefined, From: from, To: to, Name: name(p.abName, p.a, p.b), Default: true, Inverse: p.ba})
		if from != to {
			a.builtin = append(a.builtin,
				&AssociationType{ID: p.ba, Category: CategoryHubSpotDefined, From: to, To: from, Name: name(p.baName, p.b, p.a), Default: true, Inverse: p.ab})
		}
		for _, l := range p.labelled {
			a.builtin = append(a.builtin,
				&AssociationType{ID: l.ab, Category: CategoryHubSpotDefined, From: from, To: to, Name: l.abName, Label: l.abLabel, Inverse: l.ba, OnePerFrom: l.abOnePerFrom},
				&AssociationType{ID: l.ba, Category: CategoryHubSpotDefined, From: to, To: from, Name: l.baName, Label: l.baLabel, Inverse: l.ab})
		}
	}
	a.set(nil)
	return a
}

// set rebuilds the indexes with the given user-defined labels.
func (a *AssociationTypes) set(labels []*AssociationLabel) {
	byPair := map[pairKey][]*AssociationType{}
	bySpec := map[specKey]*AssociationType{}
	add := func(t *AssociationType) {
		k := pairKey{t.From, t.To}
		byPair[k] = append(byPair[k], t)
		bySpec[specKey{t.Category, t.ID}] = t
	}
	for _, t := range a.builtin {
		add(t)
	}
	for _, l := range labels {
		// A label without text is the unlabelled type of a custom object's pair.
		add(&AssociationType{ID: l.TypeID, Category: CategoryUserDefined, From: l.From, To: l.To, Name: l.Name, Label: l.Label, Inverse: l.InverseID, Default: l.Label == ""})
	}
	for _, list := range byPair {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	a.mu.Lock()
	a.byPair, a.bySpec = byPair, bySpec
	a.mu.Unlock()
}

// Between lists the types from one object type to another, by id.
func (a *AssociationTypes) Between(from, to string) []*AssociationType {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.byPair[pairKey{from, to}]
}

// Default returns the unlabelled type between two object types, or nil.
func (a *AssociationTypes) Default(from, to string) *AssociationType {
	for _, t := range a.Between(from, to) {
		if t.Default {
			return t
		}
	}
	return nil
}

// Lookup returns the type named by a spec, or nil.
func (a *AssociationTypes) Lookup(s AssociationSpec) *AssociationType {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.bySpec[specKey{s.Category, s.TypeID}]
}

// ByNameOrID resolves the {associationType} segment of v3 paths: a numeric
// id or a v3 name, among the types from one object type to another.
func (a *AssociationTypes) ByNameOrID(from, to, v string) *AssociationType {
	id, err := strconv.ParseInt(v, 10, 64)
	for _, t := range a.Between(from, to) {
		if (err == nil && t.ID == id) || strings.EqualFold(t.Name, v) {
			return t
		}
	}
	return nil
}

// invalidAssociations is HubSpot's 400 for association specs that name no
// valid type for the pair.
func invalidAssociations(specs []AssociationSpec) *Error {
	var named, reasons []string
	for _, s := range specs {
		named = append(named, s.String())
		reasons = append(reasons, s.String()+" is not a valid association definition id")
	}
	return &Error{Kind: KindInvalid, Category: CategoryValidation, Message: "One or more associations are invalid",
		Context: map[string][]string{"associationSpec": named, "INVALID_ASSOCIATION_TYPE_ID": reasons}}
}
