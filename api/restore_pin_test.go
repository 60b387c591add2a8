package api_test

import (
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A record restored from the recycle bin does not pin a message archived
// while it was there: the pin is lifted, in its history too.
func TestRestoredRecordPinsNoArchivedMessage(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	c := newContact(t, s, "restored-pin@example.com")
	m := newMessage(t, s, to(c, "HUBSPOT_DEFINED", 81))
	kept := newMessage(t, s, to(c, "HUBSPOT_DEFINED", 81))
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"hs_pinned_engagement_id":"`+m+`"}}`), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+c, nil), 204)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/communications/"+m, nil), 204)
	got := mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/"+c+"/restore", nil), 200)
	if v := props(got)["hs_pinned_engagement_id"]; v != nil && v != "" {
		t.Errorf("the restored contact pins %v, archived", v)
	}
	if h := historyValues(t, s, "contacts", c, "hs_pinned_engagement_id"); len(h) == 0 || h[0] != "" {
		t.Errorf("pin history %v, want the pin lifted last", h)
	}
	// A pin of a live message it is still associated with stays.
	mustStatus(t, s.Do("PATCH", "/crm/v3/objects/contacts/"+c, `{"properties":{"hs_pinned_engagement_id":"`+kept+`"}}`), 200)
	mustStatus(t, s.Do("DELETE", "/crm/v3/objects/contacts/"+c, nil), 204)
	got = mustStatus(t, s.Do("POST", "/_spoke/objects/contacts/"+c+"/restore", nil), 200)
	if v := props(got)["hs_pinned_engagement_id"]; v != kept {
		t.Errorf("the restored contact pins %v, want %s", v, kept)
	}
}
