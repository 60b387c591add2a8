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
