package crm

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// ids of the types from one object type to another, in order.
func typeIDs(list []*AssociationType) []int64 {
	out := []int64{}
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

// The built-in type ids, both directions, as HubSpot numbers them (facts §7.1).
func TestBuiltinAssociationTypes(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	for _, tc := range []struct {
		from, to string
		ids      []int64
		def      int64
		names    []string
	}{
		{"0-18", "0-1", []int64{81}, 81, []string{"communication_to_contact"}},
		{"0-1", "0-18", []int64{82}, 82, []string{"contact_to_communication"}},
		{"0-18", "0-5", []int64{83}, 83, []string{"communication_to_ticket"}},
		{"0-5", "0-18", []int64{84}, 84, []string{"ticket_to_communication"}},
		{"0-18", "0-3", []int64{85}, 85, []string{"communication_to_deal"}},
		{"0-3", "0-18", []int64{86}, 86, []string{"deal_to_communication"}},
		{"0-18", "0-2", []int64{87}, 87, []string{"communication_to_company"}},
		{"0-2", "0-18", []int64{88}, 88, []string{"company_to_communication"}},
		{"0-1", "0-2", []int64{1, 279}, 279, []string{"contact_to_company", "contact_to_company_unlabeled"}},
		{"0-2", "0-1", []int64{2, 280}, 280, []string{"company_to_contact", "company_to_contact_unlabeled"}},
		{"0-3", "0-1", []int64{3}, 3, []string{"deal_to_contact"}},
		{"0-1", "0-3", []int64{4}, 4, []string{"contact_to_deal"}},
		{"0-3", "0-2", []int64{5, 341}, 341, []string{"deal_to_company", "deal_to_company_unlabeled"}},
		{"0-2", "0-3", []int64{6, 342}, 342, []string{"company_to_deal", "company_to_deal_unlabeled"}},
		{"0-5", "0-1", []int64{16}, 16, []string{"ticket_to_contact"}},
		{"0-1", "0-5", []int64{15}, 15, []string{"contact_to_ticket"}},
		{"0-5", "0-2", []int64{26, 339}, 339, []string{"ticket_to_company", "ticket_to_company_unlabeled"}},
		{"0-2", "0-5", []int64{25, 340}, 340, []string{"company_to_ticket", "company_to_ticket_unlabeled"}},
		{"0-3", "0-5", []int64{27}, 27, []string{"deal_to_ticket"}},
		{"0-5", "0-3", []int64{28}, 28, []string{"ticket_to_deal"}},
		{"0-1", "0-1", []int64{449}, 449, []string{"contact_to_contact"}},
		{"0-2", "0-2", []int64{13, 14, 450}, 450, []string{"parent_to_child_company", "child_to_parent_company", "company_to_company"}},
		{"0-3", "0-3", []int64{451}, 451, []string{"deal_to_deal"}},
		{"0-5", "0-5", []int64{452}, 452, []string{"ticket_to_ticket"}},
		// Communications are not associated with each other.
		{"0-18", "0-18", []int64{}, 0, []string{}},
	} {
		list := a.Between(tc.from, tc.to)
		names := []string{}
		for _, at := range list {
			names = append(names, at.Name)
			if at.Category != CategoryHubSpotDefined || at.From != tc.from || at.To != tc.to {
				t.Errorf("%d: %+v", at.ID, *at)
			}
		}
		if got := typeIDs(list); !reflect.DeepEqual(got, tc.ids) || !reflect.DeepEqual(names, tc.names) {
			t.Errorf("%s → %s: %v %v, want %v %v", tc.from, tc.to, got, names, tc.ids, tc.names)
		}
		d := a.Default(tc.from, tc.to)
		if (d == nil && tc.def != 0) || (d != nil && (d.ID != tc.def || !d.Default || d.Label != "")) {
			t.Errorf("%s → %s default %+v, want %d", tc.from, tc.to, d, tc.def)
		}
	}
}

// The engagement types' ids with each record type, both ways, as HubSpot's
// associations guide numbers them, with their v3 names.
func TestEngagementAssociationTypes(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	records := []struct{ id, singular string }{{"0-1", "contact"}, {"0-2", "company"}, {"0-3", "deal"}, {"0-5", "ticket"}}
	for _, tc := range []struct {
		id, singular string
		toRecord     [4]int64 // engagement → contact, company, deal, ticket
		fromRecord   [4]int64 // contact, company, deal, ticket → engagement
	}{
		{"0-18", "communication", [4]int64{81, 87, 85, 83}, [4]int64{82, 88, 86, 84}},
		{"0-46", "note", [4]int64{202, 190, 214, 228}, [4]int64{201, 189, 213, 227}},
		{"0-48", "call", [4]int64{194, 182, 206, 220}, [4]int64{193, 181, 205, 219}},
		{"0-49", "email", [4]int64{198, 186, 210, 224}, [4]int64{197, 185, 209, 223}},
		{"0-47", "meeting", [4]int64{200, 188, 212, 226}, [4]int64{199, 187, 211, 225}},
		{"0-27", "task", [4]int64{204, 192, 216, 230}, [4]int64{203, 191, 215, 229}},
		{"0-116", "postal_mail", [4]int64{453, 459, 457, 455}, [4]int64{454, 460, 458, 456}},
	} {
		for i, r := range records {
			out, in := a.Default(tc.id, r.id), a.Default(r.id, tc.id)
			if out == nil || out.ID != tc.toRecord[i] || out.Name != tc.singular+"_to_"+r.singular || out.Inverse != tc.fromRecord[i] {
				t.Errorf("%s → %s: %+v, want %d", tc.singular, r.singular, out, tc.toRecord[i])
			}
			if in == nil || in.ID != tc.fromRecord[i] || in.Name != r.singular+"_to_"+tc.singular || in.Inverse != tc.toRecord[i] {
				t.Errorf("%s → %s: %+v, want %d", r.singular, tc.singular, in, tc.fromRecord[i])
			}
			// v3 paths name a type by id or by name, in any case.
			if got := a.ByNameOrID(tc.id, r.id, strings.ToUpper(tc.singular+"_to_"+r.singular)); got != out {
				t.Errorf("%s_to_%s by upper-case name: %+v", tc.singular, r.singular, got)
			}
		}
	}
	if c, m := a.Default("0-48", "0-47"), a.Default("0-47", "0-48"); c == nil || c.ID != 399 || m == nil || m.ID != 400 {
		t.Errorf("call ↔ meeting: %+v %+v", c, m)
	}
	// Users and engagements of the same type are not associated.
	for _, pair := range [][2]string{{"0-115", "0-1"}, {"0-1", "0-115"}, {"0-46", "0-46"}, {"0-46", "0-48"}} {
		if got := a.Between(pair[0], pair[1]); len(got) != 0 {
			t.Errorf("%s → %s: %v", pair[0], pair[1], typeIDs(got))
		}
	}
}

// Every type has an inverse leading back the other way, and Lookup finds
// each type by its (category, id) only.
func TestAssociationInverses(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	// 4 pairs of a type with itself, 10 other pairs both ways, 4 labelled
	// pairs both ways; 25 pairs of the other engagement types both ways.
	if len(a.builtin) != 82 {
		t.Errorf("%d built-in types", len(a.builtin))
	}
	for _, at := range a.builtin {
		if got := a.Lookup(at.Spec()); got != at {
			t.Errorf("Lookup(%s) = %+v", at.Spec(), got)
		}
		inv := a.Lookup(AssociationSpec{Category: at.Category, TypeID: at.Inverse})
		if inv == nil || inv.From != at.To || inv.To != at.From || inv.Inverse != at.ID || inv.Default != at.Default {
			t.Errorf("inverse of %d: %+v", at.ID, inv)
		}
		if a.Lookup(AssociationSpec{Category: CategoryUserDefined, TypeID: at.ID}) != nil {
			t.Errorf("%d found as USER_DEFINED", at.ID)
		}
	}
	for _, s := range []AssociationSpec{{CategoryHubSpotDefined, 0}, {CategoryHubSpotDefined, 999}, {"", 81}, {"hubspot_defined", 81}, {"INTEGRATOR_DEFINED", 81}} {
		if got := a.Lookup(s); got != nil {
			t.Errorf("Lookup(%s) = %+v", s, got)
		}
	}
}

// Labels and the one-per-record rule: a record has one primary company;
// the parent and child company labels name each direction.
func TestAssociationLabelsBuiltin(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	for _, tc := range []struct {
		id         int64
		label      string
		onePerFrom bool
	}{
		{1, "Primary", true}, {2, "Primary", false},
		{5, "Primary", true}, {6, "Primary", false},
		{26, "Primary", true}, {25, "Primary", false},
		{13, "Child Company", false}, {14, "Parent Company", false},
		{279, "", false}, {81, "", false}, {450, "", false},
	} {
		at := a.Lookup(AssociationSpec{CategoryHubSpotDefined, tc.id})
		if at == nil || at.Label != tc.label || at.OnePerFrom != tc.onePerFrom || at.Default != (tc.label == "") {
			t.Errorf("%d: %+v, want label %q one per record %v", tc.id, at, tc.label, tc.onePerFrom)
		}
	}
}

// The {associationType} segment of v3 paths: an id or a v3 name of a type
// from one object type to the other.
func TestAssociationByNameOrID(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	for _, tc := range []struct {
		from, to, v string
		want        int64 // 0: none
	}{
		{"0-1", "0-2", "1", 1},
		{"0-1", "0-2", "279", 279},
		{"0-1", "0-2", "contact_to_company", 1},
		{"0-1", "0-2", "contact_to_company_unlabeled", 279},
		{"0-1", "0-2", "CONTACT_TO_COMPANY_UNLABELED", 279},
		{"0-18", "0-1", "communication_to_contact", 81},
		{"0-18", "0-1", "81", 81},
		// The other direction's type, or another pair's, is not found.
		{"0-1", "0-2", "2", 0},
		{"0-1", "0-2", "company_to_contact", 0},
		{"0-18", "0-1", "82", 0},
		{"0-18", "0-1", "communication_to_deal", 0},
		{"0-18", "0-1", "", 0},
		{"0-18", "0-1", "081", 81},
		{"0-18", "0-1", "-81", 0},
	} {
		got := a.ByNameOrID(tc.from, tc.to, tc.v)
		if (got == nil) != (tc.want == 0) || (got != nil && got.ID != tc.want) {
			t.Errorf("ByNameOrID(%s, %s, %q) = %+v, want %d", tc.from, tc.to, tc.v, got, tc.want)
		}
	}
}

// User-defined labels join the built-in types under their own category.
func TestUserDefinedAssociationTypes(t *testing.T) {
	t.Parallel()
	a := testEngine().Assoc
	a.set([]*AssociationLabel{
		{TypeID: 1, InverseID: 2, From: "0-1", To: "0-2", Label: "Manager", Name: "manager"},
		{TypeID: 2, InverseID: 1, From: "0-2", To: "0-1", Label: "Managed by", Name: "manager_inverse"},
		{TypeID: 300, InverseID: 300, From: "0-1", To: "0-1", Label: "Friend", Name: "friend"},
	})
	if got := typeIDs(a.Between("0-1", "0-2")); !reflect.DeepEqual(got, []int64{1, 1, 279}) {
		t.Errorf("contact → company %v", got)
	}
	user := a.Lookup(AssociationSpec{CategoryUserDefined, 1})
	builtin := a.Lookup(AssociationSpec{CategoryHubSpotDefined, 1})
	if user == nil || user.Label != "Manager" || user.Default || user.Inverse != 2 || builtin == nil || builtin.Label != "Primary" {
		t.Errorf("USER_DEFINED=1 %+v, HUBSPOT_DEFINED=1 %+v", user, builtin)
	}
	if got := a.ByNameOrID("0-2", "0-1", "manager_inverse"); got == nil || got.Category != CategoryUserDefined || got.ID != 2 {
		t.Errorf("by name %+v", got)
	}
	// The unlabelled type stays the default.
	if d := a.Default("0-1", "0-2"); d == nil || d.ID != 279 {
		t.Errorf("default %+v", d)
	}
	if got := typeIDs(a.Between("0-1", "0-1")); !reflect.DeepEqual(got, []int64{300, 449}) {
		t.Errorf("contact → contact %v", got)
	}
	// Setting again replaces the labels.
	a.set(nil)
	if a.Lookup(AssociationSpec{CategoryUserDefined, 1}) != nil || len(a.Between("0-1", "0-2")) != 2 {
		t.Errorf("labels kept: %v", typeIDs(a.Between("0-1", "0-2")))
	}
}

// Specs of a v4 association must name types from the first object type to
// the second; all the bad ones are reported together.
func TestResolveSpecs(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contact, company := mustType(t, e, "contacts"), mustType(t, e, "companies")
	types, err := e.resolveSpecs(contact, company, []AssociationSpec{{CategoryHubSpotDefined, 1}, {CategoryHubSpotDefined, 279}})
	if err != nil || !reflect.DeepEqual(typeIDs(types), []int64{1, 279}) {
		t.Errorf("valid specs: %v %v", typeIDs(types), err)
	}
	_, err = e.resolveSpecs(contact, company, []AssociationSpec{{CategoryHubSpotDefined, 1}, {CategoryHubSpotDefined, 2}, {CategoryUserDefined, 3}})
	got := wantError(t, err, KindInvalid, CategoryValidation, "One or more associations are invalid")
	want := map[string][]string{
		"associationSpec":             {"HUBSPOT_DEFINED=2", "USER_DEFINED=3"},
		"INVALID_ASSOCIATION_TYPE_ID": {"HUBSPOT_DEFINED=2 is not a valid association definition id", "USER_DEFINED=3 is not a valid association definition id"},
	}
	if !reflect.DeepEqual(got.Context, want) {
		t.Errorf("context %v", got.Context)
	}
	if s := (AssociationSpec{CategoryHubSpotDefined, 81}).String(); s != "HUBSPOT_DEFINED=81" {
		t.Errorf("spec %s", s)
	}
}

// Inline associations on create: each written from the type being created,
// all types of one input leading to one object type, a valid target id.
func TestResolveInline(t *testing.T) {
	t.Parallel()
	e := testEngine()
	message := mustType(t, e, "communications")
	hd := func(ids ...int64) []AssociationSpec {
		var out []AssociationSpec
		for _, id := range ids {
			out = append(out, AssociationSpec{CategoryHubSpotDefined, id})
		}
		return out
	}
	links, err := e.resolveInline(message, []AssociationInput{{ToID: "12", Types: hd(81)}, {ToID: "34", Types: hd(87)}})
	if err != nil || len(links) != 2 || links[0].toType != "0-1" || links[0].toID != 12 || links[1].toType != "0-2" || links[1].toID != 34 {
		t.Errorf("links %+v %v", links, err)
	}
	for _, tc := range []struct {
		name    string
		in      []AssociationInput
		message string
		context map[string][]string
	}{
		{"the reverse id", []AssociationInput{{ToID: "12", Types: hd(82)}},
			"invalid from object type 0-18 for associations to be created. expected: 0-1. For definition HUBSPOT_DEFINED=82", nil},
		{"an unknown type", []AssociationInput{{ToID: "12", Types: []AssociationSpec{{CategoryUserDefined, 81}}}},
			"One or more associations are invalid", map[string][]string{"associationSpec": {"USER_DEFINED=81"}, "INVALID_ASSOCIATION_TYPE_ID": {"USER_DEFINED=81 is not a valid association definition id"}}},
		{"types to two object types", []AssociationInput{{ToID: "12", Types: hd(81, 87)}},
			"One or more associations are invalid", map[string][]string{"associationSpec": {"HUBSPOT_DEFINED=81", "HUBSPOT_DEFINED=87"},
				"INVALID_ASSOCIATION_TYPE_ID": {"HUBSPOT_DEFINED=81 is not a valid association definition id", "HUBSPOT_DEFINED=87 is not a valid association definition id"}}},
		{"no types", []AssociationInput{{ToID: "12"}},
			"One or more associations are invalid: every association needs at least one type", nil},
		{"a target id that names no record", []AssociationInput{{ToID: "abc", Types: hd(81)}},
			"One or more associations are invalid", map[string][]string{"INVALID_OBJECT_IDS": {"ToObjectId=abc of type 0-1 is not valid"}}},
		{"a zero target id", []AssociationInput{{ToID: "0", Types: hd(87)}},
			"One or more associations are invalid", map[string][]string{"INVALID_OBJECT_IDS": {"ToObjectId=0 of type 0-2 is not valid"}}},
	} {
		_, err := e.resolveInline(message, tc.in)
		got := wantError(t, err, KindInvalid, CategoryValidation, tc.message)
		if !reflect.DeepEqual(got.Context, tc.context) {
			t.Errorf("%s: context %v", tc.name, got.Context)
		}
	}
}

// Checks of a create input made before storage is touched: values,
// required properties, the number of inline associations.
func TestValidateCreate(t *testing.T) {
	t.Parallel()
	e := testEngine()
	message, company, ticket := mustType(t, e, "communications"), mustType(t, e, "companies"), mustType(t, e, "tickets")
	props, _, err := e.validateCreate(message, CreateInput{Properties: map[string]string{"hs_timestamp": "1700000000000", "hs_communication_channel_type": "SMS"}})
	if err != nil || props["hs_timestamp"] != "2023-11-14T22:13:20Z" {
		t.Errorf("valid message: %v %v", props, err)
	}
	_, _, err = e.validateCreate(message, CreateInput{Properties: map[string]string{"hs_communication_body": "hi"}})
	got := wantError(t, err, KindInvalid, CategoryValidation, "Error creating COMMUNICATION. Some required properties were not set.")
	if !reflect.DeepEqual(got.Context, map[string][]string{"properties": {"hs_timestamp", "hs_communication_channel_type"}}) {
		t.Errorf("context %v", got.Context)
	}
	// Companies need a name or a domain.
	if _, _, err := e.validateCreate(company, CreateInput{Properties: map[string]string{"domain": "acme.com"}}); err != nil {
		t.Errorf("company with a domain: %v", err)
	}
	_, _, err = e.validateCreate(company, CreateInput{Properties: map[string]string{"city": "Porto", "name": ""}})
	got = wantError(t, err, KindInvalid, CategoryValidation, "Error creating COMPANY. Some required properties were not set.")
	if !reflect.DeepEqual(got.Context, map[string][]string{"properties": {"name", "domain"}}) {
		t.Errorf("context %v", got.Context)
	}
	// Invalid values come before missing ones.
	_, _, err = e.validateCreate(ticket, CreateInput{Properties: map[string]string{"hs_ticket_category": "reports"}})
	if e := AsError(err); e.Kind != KindInvalid || len(e.Details) != 1 || e.Details[0].Code != CodeInvalidOption {
		t.Errorf("ticket: %+v", e)
	}
	many := make([]AssociationInput, MaxInlineAssociations+1)
	_, _, err = e.validateCreate(company, CreateInput{Properties: map[string]string{"name": "Acme"}, Associations: many})
	wantError(t, err, KindInvalid, CategoryValidation, "At most 500 associations can be given on create")
}

// What is checked of association labels before anything is stored.
func TestAssociationLabelRules(t *testing.T) {
	t.Parallel()
	e := testEngine()
	e.Assoc.set([]*AssociationLabel{
		{TypeID: 100, InverseID: 101, From: "0-1", To: "0-2", Label: "Manager", Name: "manager"},
		{TypeID: 101, InverseID: 100, From: "0-2", To: "0-1", Label: "Managed by", Name: "manager_inverse"},
	})
	contact, company := mustType(t, e, "contact"), mustType(t, e, "company")
	ctx := t.Context()
	for _, tc := range []struct {
		label, name string
		kind        Kind
		category    string
		message     string
	}{
		{"", "boss", KindInvalid, CategoryValidation, "An association label needs a label"},
		{"Boss", "", KindInvalid, CategoryValidation, `Association label name "" is invalid: use lower-case letters, digits and underscores`},
		{"Boss", "Boss", KindInvalid, CategoryValidation, `Association label name "Boss" is invalid: use lower-case letters, digits and underscores`},
		{"Boss", "the boss", KindInvalid, CategoryValidation, `Association label name "the boss" is invalid: use lower-case letters, digits and underscores`},
		// Names are unique between the two types, either way round.
		{"Primary", "contact_to_company", KindConflict, CategoryConflict, "An association label named contact_to_company already exists between contact and company"},
		{"Boss", "manager", KindConflict, CategoryConflict, "An association label named manager already exists between contact and company"},
		{"Boss", "manager_inverse", KindConflict, CategoryConflict, "An association label named manager_inverse already exists between contact and company"},
	} {
		wantError(t, e.CreateLabel(ctx, contact, company, tc.label, tc.name, ""), tc.kind, tc.category, tc.message)
	}
	wantError(t, e.CreateLabel(ctx, company, contact, "Boss", "company_to_contact_unlabeled", ""), KindConflict, CategoryConflict,
		"An association label named company_to_contact_unlabeled already exists between company and contact")
	// Only USER_DEFINED types between the two object types can be changed.
	for _, id := range []int64{1, 279, 101, 999} {
		msg := "No association label with type id " + strconv.FormatInt(id, 10) + " exists from contact to company"
		wantError(t, e.UpdateLabel(ctx, contact, company, id, "Boss", ""), KindNotFound, CategoryNotFound, msg)
		wantError(t, e.DeleteLabel(ctx, contact, company, id), KindNotFound, CategoryNotFound, msg)
	}
	wantError(t, e.UpdateLabel(ctx, contact, company, 100, "", "x"), KindInvalid, CategoryValidation, "An association label needs a label")
}
