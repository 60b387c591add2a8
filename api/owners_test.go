package api_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/spoketest"
)

func TestOwnersAPI(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var ids []string
	for i := range 5 {
		o := s.NewOwner(fmt.Sprintf("owner%d@example.com", i), "First", fmt.Sprint(i))
		ids = append(ids, strconv.FormatInt(o.ID, 10))
	}
	all := mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)
	if n := len(all["results"].([]any)); n != 5 {
		t.Fatalf("owners: %d", n)
	}
	if _, ok := all["paging"]; ok {
		t.Error("paging on a single page")
	}
	first := all["results"].([]any)[0].(map[string]any)
	if first["id"] != ids[0] || first["email"] != "owner0@example.com" || first["type"] != "PERSON" || first["firstName"] != "First" ||
		first["userId"] == nil || first["userId"] != first["userIdIncludingInactive"] || first["archived"] != false || first["createdAt"] == nil {
		t.Errorf("owner %v", first)
	}
	// Paging with the trailing-slash path the Node client uses.
	var seen []string
	after := ""
	for range 10 {
		page := mustStatus(t, s.Do("GET", "/crm/v3/owners/?limit=2&after="+after, nil), 200)
		for _, o := range page["results"].([]any) {
			seen = append(seen, o.(map[string]any)["id"].(string))
		}
		p, ok := page["paging"]
		if !ok {
			break
		}
		after = p.(map[string]any)["next"].(map[string]any)["after"].(string)
	}
	if fmt.Sprint(seen) != fmt.Sprint(ids) {
		t.Errorf("paged %v, want %v", seen, ids)
	}
	byEmail := mustStatus(t, s.Do("GET", "/crm/v3/owners?email=OWNER3@example.com", nil), 200)
	if rs := byEmail["results"].([]any); len(rs) != 1 || rs[0].(map[string]any)["id"] != ids[3] {
		t.Errorf("by email %v", byEmail)
	}
	one := mustStatus(t, s.Do("GET", "/crm/v3/owners/"+ids[2], nil), 200)
	userID := fmt.Sprint(int64(one["userId"].(float64)))
	if got := mustStatus(t, s.Do("GET", "/crm/v3/owners/"+userID+"?idProperty=userId", nil), 200); got["id"] != ids[2] {
		t.Errorf("by userId %v", got)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/owners/424242", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/owners/abc", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/v3/owners/"+ids[2]+"?idProperty=email", nil), 400)

	// Archived owners: only with archived=true, userId null.
	id4, _ := strconv.ParseInt(ids[4], 10, 64)
	if err := s.Engine.ArchiveOwner(context.Background(), id4); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s.Do("GET", "/crm/v3/owners/"+ids[4], nil), 404)
	arch := mustStatus(t, s.Do("GET", "/crm/v3/owners/"+ids[4]+"?archived=true", nil), 200)
	if arch["userId"] != nil || arch["userIdIncludingInactive"] == nil || arch["archived"] != true {
		t.Errorf("archived owner %v", arch)
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/owners?archived=true", nil), 200)["results"].([]any)); n != 1 {
		t.Errorf("archived list %d", n)
	}
}

func TestOwnerValidationOnWrites(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	o := s.NewOwner("ana@example.com", "Ana", "Lima")
	other := s.NewOwner("bo@example.com", "Bo", "Berg")
	ownerID := strconv.FormatInt(o.ID, 10)
	got := create(t, s, "communications", map[string]any{"properties": map[string]any{
		"hs_communication_channel_type": "WHATS_APP", "hs_timestamp": 1, "hubspot_owner_id": o.ID}})
	p := props(got)
	if p["hubspot_owner_id"] != ownerID || p["hs_all_owner_ids"] != ownerID || p["hs_user_ids_of_all_owners"] != strconv.FormatInt(o.UserID, 10) ||
		p["hubspot_owner_assigneddate"] != got["createdAt"] {
		t.Errorf("owner properties %v", p)
	}
	path := "/crm/v3/objects/communications/" + got["id"].(string)
	for _, bad := range []string{"999", "abc"} {
		for _, req := range []struct{ method, path string }{{"POST", "/crm/v3/objects/communications"}, {"PATCH", path}, {"POST", "/crm/v3/objects/deals"}} {
			body := fmt.Sprintf(`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hubspot_owner_id":%q}}`, bad)
			switch req.path {
			case path:
				body = fmt.Sprintf(`{"properties":{"hubspot_owner_id":%q}}`, bad)
			case "/crm/v3/objects/deals":
				body = fmt.Sprintf(`{"properties":{"dealname":"d","dealstage":"closedwon","pipeline":"default","hubspot_owner_id":%q}}`, bad)
			}
			res := mustStatus(t, s.Do(req.method, req.path, body), 400)
			if res["category"] != "VALIDATION_ERROR" || res["errors"].([]any)[0].(map[string]any)["code"] != "INVALID_OWNER_ID" {
				t.Errorf("%s %s owner %s: %v", req.method, req.path, bad, res)
			}
		}
	}
	// An archived owner can no longer be assigned.
	if err := s.Engine.ArchiveOwner(context.Background(), other.ID); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, s.Do("PATCH", path, fmt.Sprintf(`{"properties":{"hubspot_owner_id":"%d"}}`, other.ID)), 400)
	// Clearing the owner clears what derives from it.
	cleared := props(mustStatus(t, s.Do("PATCH", path, `{"properties":{"hubspot_owner_id":""}}`), 200))
	for _, k := range []string{"hubspot_owner_id", "hs_all_owner_ids", "hs_user_ids_of_all_owners", "hubspot_owner_assigneddate"} {
		if _, ok := cleared[k]; ok {
			t.Errorf("%s kept after clearing the owner", k)
		}
	}
	if n := len(mustStatus(t, s.Do("GET", "/crm/v3/objects/deals", nil), 200)["results"].([]any)); n != 0 {
		t.Errorf("refused deals were created: %d", n)
	}
}

// TestOwnersDatedPaths serves HubSpot's dated owners paths with the v3
// shapes, parameters and scope.
func TestOwnersDatedPaths(t *testing.T) {
	t.Parallel()
	s := spoketest.Open(t)
	var ids []string
	for i := range 3 {
		o := s.NewOwner(fmt.Sprintf("dated%d@example.com", i), "Dated", fmt.Sprint(i))
		ids = append(ids, strconv.FormatInt(o.ID, 10))
	}
	v3 := mustStatus(t, s.Do("GET", "/crm/v3/owners", nil), 200)
	for _, version := range []string{"2025-09", "2026-03", "2026-09"} {
		base := "/crm/owners/" + version
		for _, p := range []string{base, base + "/"} {
			if got := mustStatus(t, s.Do("GET", p, nil), 200); fmt.Sprint(got) != fmt.Sprint(v3) {
				t.Errorf("GET %s: %v, want the v3 list %v", p, got, v3)
			}
		}
		page := mustStatus(t, s.Do("GET", base+"?limit=2", nil), 200)
		next := page["paging"].(map[string]any)["next"].(map[string]any)
		if next["after"] != ids[2] || !strings.Contains(next["link"].(string), base+"?") {
			t.Errorf("GET %s?limit=2 paging %v", base, next)
		}
		if got := mustStatus(t, s.Do("GET", base+"?email=DATED1@example.com", nil), 200)["results"].([]any); len(got) != 1 {
			t.Errorf("GET %s by email: %v", base, got)
		}
		one := mustStatus(t, s.Do("GET", base+"/"+ids[1], nil), 200)
		if want := mustStatus(t, s.Do("GET", "/crm/v3/owners/"+ids[1], nil), 200); fmt.Sprint(one) != fmt.Sprint(want) {
			t.Errorf("GET %s/%s: %v, want %v", base, ids[1], one, want)
		}
		userID := fmt.Sprint(int64(one["userId"].(float64)))
		if got := mustStatus(t, s.Do("GET", base+"/"+userID+"?idProperty=userId", nil), 200); got["id"] != ids[1] {
			t.Errorf("GET %s by userId: %v", base, got)
		}
		for _, missing := range []string{"424242", "abc", "99999999999999999999999"} {
			if got := mustStatus(t, s.Do("GET", base+"/"+missing, nil), 404); got["category"] != "OBJECT_NOT_FOUND" {
				t.Errorf("GET %s/%s: %v", base, missing, got)
			}
		}
		mustStatus(t, s.Do("GET", base+"/"+ids[0]+"?idProperty=email", nil), 400)
		mustStatus(t, s.Do("GET", base+"?after=x", nil), 400)
		// The owners scope, as on v3.
		mustStatus(t, s.DoToken(s.NewToken("crm.objects.contacts.read"), "GET", base, nil), 403)
		mustStatus(t, s.DoToken(s.NewToken("crm.objects.owners.read"), "GET", base+"/"+ids[0], nil), 200)
	}
	mustStatus(t, s.Do("GET", "/crm/owners/2024-01", nil), 404)
	mustStatus(t, s.Do("GET", "/crm/owners/2024-01/"+ids[0], nil), 404)
}
