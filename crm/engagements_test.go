package crm

import (
	"testing"
	"time"
)

// A type is a declaration: every name it declares (required, searchable,
// default, fallback, derived and scoped properties) must be one of its
// properties, with the kind its use needs, or the engine would silently
// ignore it.
func TestTypeDeclarationsNameTheirProperties(t *testing.T) {
	t.Parallel()
	for _, typ := range DefaultRegistry().Types() {
		has := func(what, name string) *PropertyDefinition {
			p := typ.Property(name)
			if p == nil {
				t.Errorf("%s: %s %q is no property", typ.Name, what, name)
			}
			return p
		}
		for _, n := range typ.Required {
			if p := has("required", n); p != nil && p.ReadOnly {
				t.Errorf("%s: required %s is read-only", typ.Name, n)
			}
		}
		for _, n := range append(append([]string{typ.CreatedProperty, typ.ModifiedProperty}, typ.Searchable...), typ.Defaults...) {
			has("declared", n)
		}
		for to, from := range typ.CreateFallbacks {
			if p, q := has("fallback", to), has("fallback source", from); p != nil && q != nil && p.Type != q.Type {
				t.Errorf("%s: %s falls back to %s of another type", typ.Name, to, from)
			}
		}
		for _, d := range typ.Derivations {
			for _, in := range d.Inputs {
				if p := has("derivation input", in); p != nil && p.ReadOnly {
					t.Errorf("%s: derivation input %s is read-only", typ.Name, in)
				}
			}
			// Computing from nothing gives the names the derivation writes.
			for out := range d.Compute(map[string]string{}, time.Time{}) {
				if p := has("derived", out); p != nil && !p.ReadOnly {
					t.Errorf("%s: derived %s is writable", typ.Name, out)
				}
			}
		}
		if typ.Activity != (typ.Property(PinnedProperty) == nil && typ.ID != "0-115") {
			t.Errorf("%s: activity %v with pin property %v", typ.Name, typ.Activity, typ.Property(PinnedProperty) != nil)
		}
		for _, p := range typ.Properties {
			if p.Type == TypeEnumeration && p.ReferencedObjectType == "" && p.FieldType == "select" && len(p.Options) == 0 {
				t.Errorf("%s: enumeration %s has no options", typ.Name, p.Name)
			}
		}
	}
}

// The sender and recipients of an email from its headers.
func TestEmailAddressesFromHeaders(t *testing.T) {
	t.Parallel()
	d := emailAddresses()
	for _, tc := range []struct {
		headers string
		want    map[string]string
	}{
		{`{"from":{"email":"Ana Lima <ana@example.com>","firstName":"Ana","lastName":"Lima"},"to":[{"email":"bo@example.com","firstName":"Bo"},{"email":"ToFirst ToLast<to@test.com>","lastName":"ToLast"}]}`,
			map[string]string{"hs_email_from_email": "ana@example.com", "hs_email_from_firstname": "Ana", "hs_email_from_lastname": "Lima",
				"hs_email_to_email": "bo@example.com;to@test.com", "hs_email_to_firstname": "Bo", "hs_email_to_lastname": "ToLast"}},
		{`{"to":[{"email":" cy@example.com "}]}`, map[string]string{"hs_email_to_email": "cy@example.com"}},
		{`{"from":{"email":"not an address"}}`, map[string]string{"hs_email_from_email": "not an address"}},
		{`[1, 2]`, map[string]string{}},
		{`not json`, map[string]string{}},
		{``, map[string]string{}},
	} {
		got := d.Compute(map[string]string{"hs_email_headers": tc.headers}, time.Time{})
		if len(got) != 6 {
			t.Errorf("%s: %d values, want all six (set or cleared)", tc.headers, len(got))
		}
		for k, v := range got {
			if v != tc.want[k] {
				t.Errorf("%s: %s = %q, want %q", tc.headers, k, v, tc.want[k])
			}
		}
	}
}
