package crm

import (
	"reflect"
	"strings"
	"testing"
)

// change is a PropertyChange of a custom property with the given fields.
func change(name, label, typ, fieldType string, options ...PropertyOption) PropertyChange {
	group := "contactinformation"
	in := PropertyChange{Name: &name, Label: &label, Type: &typ, FieldType: &fieldType, GroupName: &group}
	if options != nil {
		in.Options = &options
	}
	return in
}

func opts(values ...string) []PropertyOption {
	var out []PropertyOption
	for _, v := range values {
		out = append(out, PropertyOption{Label: strings.ToUpper(v), Value: v})
	}
	return out
}

// The rules a custom property definition must follow.
func TestPropertyDefinitionRules(t *testing.T) {
	t.Parallel()
	contacts := Contacts()
	unique := change("code", "Code", TypeString, "text")
	unique.HasUniqueValue = new(bool)
	*unique.HasUniqueValue = true
	uniqueDate := change("since", "Since", TypeDate, "date")
	uniqueDate.HasUniqueValue = unique.HasUniqueValue
	noGroup := change("tier", "Tier", TypeString, "text")
	noGroup.GroupName = sp("nothere")
	for _, tc := range []struct {
		name    string
		in      PropertyChange
		message string // "" accepts
	}{
		{"a string", change("favourite_colour", "Favourite colour", TypeString, "text"), ""},
		{"a text area", change("notes2", "Notes", TypeString, "textarea"), ""},
		{"a number", change("score", "Score", TypeNumber, "number"), ""},
		{"a date", change("since", "Since", TypeDate, "date"), ""},
		{"a datetime", change("seen_at", "Seen at", TypeDatetime, "date"), ""},
		{"a select", change("tier", "Tier", TypeEnumeration, "select", opts("gold", "silver")...), ""},
		{"checkboxes", change("tags", "Tags", TypeEnumeration, "checkbox", opts("a")...), ""},
		{"a unique string", unique, ""},
		{"a 100-character name", change("a"+strings.Repeat("b", 99), "Long", TypeString, "text"), ""},
		// Names.
		{"an empty name", change("", "X", TypeString, "text"),
			`Property name "" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`},
		{"an upper-case name", change("Colour", "X", TypeString, "text"),
			`Property name "Colour" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`},
		{"a name starting with a digit", change("1st", "X", TypeString, "text"),
			`Property name "1st" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`},
		{"a name with a hyphen", change("first-name", "X", TypeString, "text"),
			`Property name "first-name" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`},
		{"a 101-character name", change("a"+strings.Repeat("b", 100), "X", TypeString, "text"),
			`Property name "a` + strings.Repeat("b", 100) + `" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`},
		{"HubSpot's prefix", change("hs_colour", "X", TypeString, "text"), `Property name "hs_colour" is invalid: the hs_ prefix is reserved for HubSpot's properties`},
		{"HubSpot's prefix alone", change("hs_", "X", TypeString, "text"), `Property name "hs_" is invalid: the hs_ prefix is reserved for HubSpot's properties`},
		// Labels, types, field types and groups.
		{"no label", change("colour", "", TypeString, "text"), "Property colour needs a label"},
		{"an unknown type", change("colour", "Colour", "text", "text"),
			`"text" is not a valid property type: use one of bool, date, datetime, enumeration, number, phone_number, string`},
		{"a field type of another type", change("colour", "Colour", TypeNumber, "text"), `fieldType "text" cannot be used with type number: use one of [number]`},
		{"a select for a string", change("colour", "Colour", TypeString, "select"),
			`fieldType "select" cannot be used with type string: use one of [text textarea html phonenumber file]`},
		{"an unknown group", noGroup, "Property group nothere does not exist for object type 0-1"},
		{"a unique date", uniqueDate, "hasUniqueValue is only allowed on string and number properties, not date"},
		// Options.
		{"an enumeration without options", change("tier", "Tier", TypeEnumeration, "select"), "Enumeration property tier needs at least one option"},
		{"an option without a label", change("tier", "Tier", TypeEnumeration, "select", PropertyOption{Value: "gold"}), "Every option of property tier needs a label and a value"},
		{"an option without a value", change("tier", "Tier", TypeEnumeration, "select", PropertyOption{Label: "Gold"}), "Every option of property tier needs a label and a value"},
		{"an option twice", change("tier", "Tier", TypeEnumeration, "radio", opts("gold", "silver", "gold")...), `Option value "gold" appears twice in property tier`},
		{"options of a string", change("colour", "Colour", TypeString, "text", opts("red")...), "Options are only allowed on enumeration and bool properties, not string"},
		{"bool options other than true and false", change("vip", "VIP", TypeBool, "booleancheckbox", opts("yes", "no")...), "Options of bool property vip must have the values true and false"},
	} {
		p := &PropertyDefinition{FormField: true}
		err := applyPropertyChange(contacts, p, tc.in, true)
		if tc.message == "" {
			if err != nil || p.Name != *tc.in.Name || p.Label != *tc.in.Label || p.Type != *tc.in.Type || p.GroupName != "contactinformation" {
				t.Errorf("%s: %+v %v", tc.name, p, err)
			}
			continue
		}
		wantError(t, err, KindInvalid, CategoryValidation, tc.message)
	}
}

// A bool property without options gets Yes (true) and No (false).
func TestBoolPropertyOptions(t *testing.T) {
	t.Parallel()
	p := &PropertyDefinition{}
	if err := applyPropertyChange(Contacts(), p, change("vip", "VIP", TypeBool, "booleancheckbox"), true); err != nil {
		t.Fatal(err)
	}
	want := []PropertyOption{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}
	if !reflect.DeepEqual(p.Options, want) {
		t.Errorf("options %+v", p.Options)
	}
	// Its values are then validated as booleans.
	if v, perr := p.normalize("True"); perr != nil || v != "true" {
		t.Errorf("normalize %q %+v", v, perr)
	}
}

// An update changes only what it names.
func TestPropertyUpdate(t *testing.T) {
	t.Parallel()
	contacts := Contacts()
	p := &PropertyDefinition{Name: "tier", Label: "Tier", Type: TypeEnumeration, FieldType: "select", GroupName: "contactinformation", Options: opts("gold"), FormField: true}
	label, hidden := "Customer tier", true
	newOpts := opts("gold", "silver")
	if err := applyPropertyChange(contacts, p, PropertyChange{Label: &label, Hidden: &hidden, Options: &newOpts, Name: sp("ignored")}, false); err != nil {
		t.Fatal(err)
	}
	if p.Name != "tier" || p.Label != "Customer tier" || !p.Hidden || !p.FormField || p.Type != TypeEnumeration || len(p.Options) != 2 {
		t.Errorf("updated %+v", p)
	}
	// The result is checked as a whole.
	typ := TypeNumber
	err := applyPropertyChange(contacts, p, PropertyChange{Type: &typ}, false)
	wantError(t, err, KindInvalid, CategoryValidation, `fieldType "select" cannot be used with type number: use one of [number]`)
}

// What the engine refuses of custom properties before anything is stored.
func TestPropertyEngineRules(t *testing.T) {
	t.Parallel()
	e := testEngine()
	contacts := mustType(t, e, "contacts")
	ctx := t.Context()
	_, err := e.CreateProperty(ctx, contacts, change("email", "Email", TypeString, "text"))
	wantError(t, err, KindConflict, CategoryConflict, "Property named 'email' already exists.")
	_, err = e.CreateProperty(ctx, contacts, change("Email", "Email", TypeString, "text"))
	wantError(t, err, KindInvalid, CategoryValidation,
		`Property name "Email" is invalid: use lower-case letters, digits and underscores, starting with a letter, at most 100 characters`)
	_, err = e.UpdateProperty(ctx, contacts, "email", PropertyChange{Label: sp("E-mail")})
	wantError(t, err, KindInvalid, CategoryValidation, "Property email is defined by HubSpot and its definition is read-only")
	nf := wantError(t, func() error { _, err := e.UpdateProperty(ctx, contacts, "colour", PropertyChange{}); return err }(),
		KindNotFound, CategoryNotFound, "Property colour does not exist for object type 0-1")
	if !reflect.DeepEqual(nf.Context, map[string][]string{"name": {"colour"}}) {
		t.Errorf("context %v", nf.Context)
	}
	wantError(t, e.ArchiveProperty(ctx, contacts, "firstname"), KindInvalid, CategoryValidation, "Property firstname is defined by HubSpot and cannot be archived")
	wantError(t, e.ArchiveProperty(ctx, contacts, "colour"), KindNotFound, CategoryNotFound, "Property colour does not exist for object type 0-1")

	// A custom property can change neither its name nor its uniqueness.
	custom := contacts.withCustom([]*PropertyDefinition{{Name: "code", Label: "Code", Type: TypeString, FieldType: "text", GroupName: "contactinformation", Unique: true}}, nil)
	_, err = e.UpdateProperty(ctx, custom, "code", PropertyChange{Name: sp("code2")})
	wantError(t, err, KindInvalid, CategoryValidation, "The name of property code cannot be changed")
	notUnique := false
	_, err = e.UpdateProperty(ctx, custom, "code", PropertyChange{HasUniqueValue: &notUnique})
	wantError(t, err, KindInvalid, CategoryValidation, "hasUniqueValue of property code cannot be changed after creation")

	if p, err := e.FindProperty(custom, "code", false); err != nil || p.Name != "code" {
		t.Errorf("FindProperty %v %v", p, err)
	}
	_, err = e.FindProperty(custom, "code", true)
	wantError(t, err, KindNotFound, CategoryNotFound, "Property code does not exist for object type 0-1")
}
