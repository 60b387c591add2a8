package web

import (
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// customView is how the pages show a custom object type: under its plural
// label, titled by its primary display property, its secondary display
// properties as the list's columns, and its own properties on the record
// page.
func customView(t *crm.ObjectType) *typeView {
	s := t.Schema
	v := &typeView{ID: t.ID, Name: t.Name, Label: s.Plural, Singular: strings.ToLower(s.Singular)}
	seen := map[string]bool{}
	add := func(list *[]string, names ...string) {
		for _, n := range names {
			if n != "" && !seen[n] && t.Property(n) != nil {
				seen[n] = true
				*list = append(*list, n)
			}
		}
	}
	for _, n := range s.SecondaryDisplayProperties {
		if len(v.Columns) < 3 && t.Property(n) != nil && n != s.PrimaryDisplayProperty {
			v.Columns = append(v.Columns, n)
		}
	}
	seen[s.PrimaryDisplayProperty] = true // the page's title
	add(&v.Main, s.SecondaryDisplayProperties...)
	for _, p := range t.Properties {
		if !p.HubSpotDefined {
			add(&v.Main, p.Name)
		}
	}
	add(&v.Main, "hubspot_owner_id", "hs_createdate")
	primary := s.PrimaryDisplayProperty
	v.Title = func(p map[string]string) string { return p[primary] }
	return v
}

// recordViews are the record types the pages show: the built-in ones, then
// each custom object type.
func (h *Handler) recordViews() []*typeView {
	out := append([]*typeView(nil), recordTypes...)
	for _, t := range h.engine.Types.Types() {
		if t.Schema != nil {
			out = append(out, customView(t))
		}
	}
	return out
}

// viewOfType is the view of a built-in or custom type, or nil.
func viewOfType(t *crm.ObjectType) *typeView {
	if v := viewOf(t.ID); v != nil {
		return v
	}
	if t.Schema != nil {
		return customView(t)
	}
	return nil
}
