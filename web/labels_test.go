package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// A custom object type whose labels start with a letter outside ASCII
// ("Équipe") keeps it whole wherever the pages put the label at the start
// of a sentence or a title: a record's title without its display
// property, the recycle bin's introduction, the notice after a restore.
func TestLabelsStartingOutsideASCII(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	if r := s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"equipes","labels":{"singular":"Équipe","plural":"Équipes"},
		"primaryDisplayProperty":"nom","properties":[{"name":"nom","label":"Nom"},{"name":"ville","label":"Ville"}]}`); r.Status != http.StatusCreated {
		t.Fatalf("schema: %d %s", r.Status, r.Body)
	}
	name := fmt.Sprintf("p%d_equipes", spoketest.PortalID)
	r := s.Do("POST", "/crm/v3/objects/"+name, map[string]any{"properties": map[string]string{"ville": "Lyon"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("record: %d %s", r.Status, r.Body)
	}
	id := r.JSON()["id"].(string)
	b := signIn(t, s, spoketest.Token)
	valid := func(what string, p *page) *page {
		t.Helper()
		if !utf8.ValidString(p.Body) || strings.ContainsRune(p.Body, utf8.RuneError) {
			i := strings.IndexRune(p.Body, utf8.RuneError)
			t.Errorf("%s: the page is not valid UTF-8 around %q", what, p.Body[max(0, i-40):min(len(p.Body), i+40)])
		}
		return p
	}
	valid("record", b.get("/ui/"+name+"/"+id).want(t, 200, "<h1>Équipe "+id+"</h1>"))
	valid("list", b.get("/ui/"+name).want(t, 200, "Équipe "+id))

	if r := s.Do("DELETE", "/crm/v3/objects/"+name+"/"+id, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", r.Status)
	}
	valid("recycle bin", b.get("/ui/"+name+"/recycle-bin").want(t, 200, "<p>Équipes deleted in the last 90 days."))
	valid("after restore", b.follow(b.post("/ui/"+name+"/recycle-bin/"+id+"/restore", nil)).want(t, 200, "Équipe restored.", "Open Équipe "+id))
}

// A record whose name shows nothing (spaces, a zero-width space) is listed
// and titled as one without a name: by its type and id (a contact by its
// email), so its link in the list can be seen and followed.
func TestBlankNamesFallBack(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	deal := f.create("deals", map[string]string{"dealname": "  ", "pipeline": "default", "dealstage": "appointmentscheduled"})
	ticket := f.create("tickets", map[string]string{"subject": "\u200b", "hs_pipeline": "0", "hs_pipeline_stage": "1"})
	contact := f.create("contacts", map[string]string{"firstname": "\u200b", "lastname": " ", "email": "zero@example.com"})
	company := f.create("companies", map[string]string{"name": "\u2060", "domain": ""})
	b := signIn(t, s, spoketest.Token)
	for _, c := range []struct{ list, id, title string }{
		{"deals", deal, "Deal " + deal}, {"tickets", ticket, "Ticket " + ticket},
		{"contacts", contact, "zero@example.com"}, {"companies", company, "Company " + company},
	} {
		b.get("/ui/"+c.list).want(t, 200, `<a href="/ui/`+c.list+`/`+c.id+`">`+c.title+`</a>`)
		b.get("/ui/"+c.list+"/"+c.id).want(t, 200, "<h1>"+c.title+"</h1>")
	}
}

// A token that may not read some record types is not told that a record has
// no associated records when those are hidden from it: the page says it
// shows only what the token may read.
func TestNoAssociatedRecordsTheTokenMayRead(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	c := f.contact("Rui", "Reis")
	co := f.create("companies", map[string]string{"name": "Reis Lda"})
	if r := s.Do("PUT", "/crm/v4/objects/contacts/"+c+"/associations/default/companies/"+co, nil); r.Status != http.StatusOK {
		t.Fatalf("associate: %d %s", r.Status, r.Body)
	}
	contactsOnly := signIn(t, s, s.NewToken("crm.objects.contacts.read"))
	contactsOnly.get("/ui/contacts/"+c).want(t, 200, "No other records your access token may read are associated with this contact.").lacks(t, "Reis Lda")
	all := signIn(t, s, spoketest.Token)
	all.get("/ui/contacts/"+c).want(t, 200, "Reis Lda")
	all.get("/ui/contacts/"+f.contact("Sem", "Nada")).want(t, 200, "No other records are associated with this contact.")
}
