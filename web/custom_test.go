package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

// newBoatType creates a custom object type through the schemas API and
// returns its fully qualified name.
func newBoatType(t *testing.T, s *spoketest.Server) string {
	t.Helper()
	r := s.Do("POST", "/crm-object-schemas/v3/schemas", `{"name":"boats","labels":{"singular":"Boat","plural":"Boats"},
		"primaryDisplayProperty":"boat_name","secondaryDisplayProperties":["harbour"],"requiredProperties":["boat_name"],
		"properties":[{"name":"boat_name","label":"Boat name"},{"name":"harbour","label":"Harbour"},{"name":"length","label":"Length","type":"number","fieldType":"number"}],
		"associatedObjects":["CONTACT"]}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("schema: %d %s", r.Status, r.Body)
	}
	return fmt.Sprintf("p%d_boats", spoketest.PortalID)
}

// Custom object types are in the navigation under their plural label; their
// list shows and searches records by the primary display property; a record
// page shows its properties and a timeline to log, pin, delete and restore on.
func TestCustomObjectPages(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	f := fixture{t, s}
	name := newBoatType(t, s)
	boat := f.create(name, map[string]string{"boat_name": "Sea Breeze", "harbour": "Porto", "length": "1250"})
	f.create(name, map[string]string{"boat_name": "Wind Runner", "harbour": "Lisboa"})
	b := signIn(t, s, spoketest.Token)

	b.get("/").want(t, 200, `href="/ui/`+name+`"`, ">Boats<")
	b.get("/ui/"+name).want(t, 200, "<h1>Boats</h1>", "Sea Breeze", "Wind Runner", "Harbour", "Porto")
	b.get("/ui/"+name+"?q=breeze").want(t, 200, "Sea Breeze").lacks(t, "Wind Runner")
	b.get("/ui/p_boats").want(t, 200, "Sea Breeze") // any name of the type

	path := "/ui/" + name + "/" + boat
	b.get(path).want(t, 200, "Sea Breeze", "Harbour", "Porto", "Length", "1,250")
	p := b.post(path+"/messages", url.Values{"channel": {"WHATS_APP"}, "body": {"Mooring paid"}})
	page := b.follow(p).want(t, 200, "Mooring paid")
	ids := page.messageIDs()
	if len(ids) != 1 {
		t.Fatalf("timeline: %v", ids)
	}
	msg := ids[0]
	b.follow(b.post(path+"/pin", url.Values{"engagement": {msg}, "kind": {"messages"}})).want(t, 200, "is-pinned")
	if r := s.Do("GET", "/crm/v3/objects/"+name+"/"+boat+"?properties=hs_pinned_engagement_id", nil); !strings.Contains(string(r.Body), msg) {
		t.Errorf("pin through the API: %s", r.Body)
	}
	b.follow(b.post(path+"/messages/"+msg+"/delete", nil)).want(t, 200, "Message deleted.").lacks(t, "Mooring paid")
	b.get(path+"/recycle-bin").want(t, 200, "Mooring paid")
	page = b.follow(b.post(path+"/recycle-bin/messages/"+msg+"/restore", nil)).want(t, 200, "Message restored.", "Mooring paid")
	if got := page.messageIDs(); !slices.Equal(got, []string{msg}) {
		t.Errorf("after restore: %v", got)
	}

	// Associated contacts show on the boat's page, and the boat on theirs.
	c := f.contact("Rita", "Reis")
	if r := s.Do("PUT", "/crm/v4/objects/"+name+"/"+boat+"/associations/default/contacts/"+c, nil); r.Status != 200 {
		t.Fatalf("associate: %d %s", r.Status, r.Body)
	}
	b.get(path).want(t, 200, "Rita Reis")
	b.get("/ui/contacts/"+c).want(t, 200, "Sea Breeze", "Boats")

	// A deleted boat is in the type's recycle bin and can be restored there.
	gone := f.create(name, map[string]string{"boat_name": "Old Dinghy"})
	if r := s.Do("DELETE", "/crm/v3/objects/"+name+"/"+gone, nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d", r.Status)
	}
	b.get("/ui/"+name+"/recycle-bin").want(t, 200, "<h1>Deleted boats</h1>", "Old Dinghy")
	b.follow(b.post("/ui/"+name+"/recycle-bin/"+gone+"/restore", nil)).want(t, 200, "Boat restored.")
	b.get("/ui/"+name+"/"+gone).want(t, 200, "Old Dinghy")

	// A token without the custom-object scopes sees no boats.
	other := signIn(t, s, s.NewToken("crm.objects.contacts.read"))
	other.get("/").want(t, 200).lacks(t, "Boats")
	other.get("/ui/"+name).want(t, http.StatusForbidden)
}
