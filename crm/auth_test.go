package crm

import (
	"slices"
	"testing"
)

func TestPrincipalScopes(t *testing.T) {
	t.Parallel()
	p := &Principal{TokenID: 7, Name: "reader", Scopes: map[string]bool{"tickets": true}}
	tickets := []string{"tickets", "crm.objects.tickets.read"}
	if !p.Can(tickets) || p.Require(tickets) != nil {
		t.Error("one of the scopes is enough")
	}
	contacts := []string{"crm.objects.contacts.read"}
	if p.Can(contacts) || p.Can(nil) {
		t.Error("a scope the token lacks allows the call")
	}
	e := wantError(t, p.Require(contacts), KindForbidden, CategoryMissingScopes,
		"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.")
	if len(e.Details) != 1 || !slices.Equal(e.Details[0].Context["requiredGranularScopes"], contacts) {
		t.Errorf("details %+v, want the required scopes", e.Details)
	}
	if got := p.Actor(); got.SourceType != SourceIntegration || got.SourceID != "7" {
		t.Errorf("actor %+v", got)
	}
	if e := Unauthenticated(); e.Kind != KindUnauthenticated || e.Category != CategoryInvalidAuth {
		t.Errorf("unauthenticated: %+v", e)
	}
}
