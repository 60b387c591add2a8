package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// spoke runs the binary and returns its standard output.
func spoke(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%v: %s", err, errOut.String())
	}
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestTokensCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	out, err := spoke(t, "tokens", "create", "--db", db, "--scopes", "crm.objects.contacts.read", "--name", "reader")
	if err != nil {
		t.Fatal(err)
	}
	token := lastLine(out)
	if !strings.HasPrefix(token, "pat-na1-") || strings.Count(out, token) != 1 {
		t.Fatalf("create printed %q", out)
	}
	p := serve(t, db)
	if p.output() != "" {
		t.Errorf("serve printed a token although one exists: %q", p.output())
	}
	if status, _ := p.do(t, token, "GET", "/crm/v3/objects/communications", ""); status != 200 {
		t.Errorf("read with read token: %d", status)
	}
	status, body := p.do(t, token, "POST", "/crm/v3/objects/communications", message)
	if status != 403 || body["category"] != "MISSING_SCOPES" {
		t.Errorf("write with read token: %d %v", status, body)
	}

	list, err := spoke(t, "tokens", "list", "--db", db)
	if err != nil || !strings.Contains(list, "reader") || !strings.Contains(list, "contacts.read") || strings.Contains(list, token) {
		t.Errorf("list: %q %v", list, err)
	}
	if _, err := spoke(t, "tokens", "revoke", "1", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := spoke(t, "tokens", "revoke", "1", "--db", db); err == nil {
		t.Error("second revoke succeeded")
	}
	// A fresh server has no cached lookup and refuses the revoked token.
	p2 := serve(t, db)
	if status, body := p2.do(t, token, "GET", "/crm/v3/objects/communications", ""); status != 401 || body["category"] != "INVALID_AUTHENTICATION" {
		t.Errorf("revoked token: %d %v", status, body)
	}
	for _, bad := range [][]string{
		{"tokens", "create", "--db", db},
		{"tokens", "create", "--db", db, "--scopes", "crm.objects.everything"},
		{"tokens", "revoke", "--db", db, "x"},
		{"tokens", "frob"},
	} {
		if _, err := spoke(t, bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestOwnersCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	out, err := spoke(t, "owners", "create", "--db", db, "--email", "ana@example.com", "--first-name", "Ana", "--last-name", "Lima")
	if err != nil {
		t.Fatal(err)
	}
	var owner map[string]any
	if err := json.Unmarshal([]byte(out), &owner); err != nil || owner["id"] == nil || owner["firstName"] != "Ana" || owner["type"] != "PERSON" {
		t.Fatalf("owner %q %v", out, err)
	}
	id := owner["id"].(string)
	if _, err := spoke(t, "owners", "create", "--db", db, "--email", "not-an-email"); err == nil {
		t.Error("bad email accepted")
	}
	if _, err := spoke(t, "owners", "create", "--db", db, "--email", "q@example.com", "--type", "ROBOT"); err == nil {
		t.Error("bad type accepted")
	}
	list, _ := spoke(t, "owners", "list", "--db", db)
	if !strings.Contains(list, id) || !strings.Contains(list, "ana@example.com") {
		t.Errorf("list %q", list)
	}

	p := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
	status, listed := p.do(t, "tok", "GET", "/crm/v3/owners/", "")
	if status != 200 || len(listed["results"].([]any)) != 1 {
		t.Errorf("owners API: %d %v", status, listed)
	}
	status, msg := p.do(t, "tok", "POST", "/crm/v3/objects/communications",
		`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hubspot_owner_id":"`+id+`"}}`)
	if status != 201 || msg["properties"].(map[string]any)["hubspot_owner_id"] != id {
		t.Errorf("assign owner: %d %v", status, msg)
	}
	if status, _ := p.do(t, "tok", "POST", "/crm/v3/objects/communications",
		`{"properties":{"hs_communication_channel_type":"SMS","hs_timestamp":1,"hubspot_owner_id":"12345"}}`); status != 400 {
		t.Errorf("unknown owner: %d", status)
	}
	if _, err := spoke(t, "owners", "archive", id, "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := spoke(t, "owners", "archive", "999", "--db", db); err == nil {
		t.Error("archiving a missing owner succeeded")
	}
	if status, _ := p.do(t, "tok", "GET", "/crm/v3/owners/"+id+"?archived=true", ""); status != 200 {
		t.Errorf("archived owner: %d", status)
	}
}

func TestSeedAndExportCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	out, err := spoke(t, "seed", "--db", db, "../../fixtures/example.json")
	if err != nil || !strings.Contains(out, "Loaded 3 owners, 354 records and 514 associations") {
		t.Fatalf("seed: %q %v", out, err)
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if _, err := spoke(t, "export", "--db", db, exported); err != nil {
		t.Fatal(err)
	}
	// The export seeds an empty database into the same data.
	again := filepath.Join(t.TempDir(), "again.db")
	if _, err := spoke(t, "seed", "--db", again, exported); err != nil {
		t.Fatal(err)
	}
	first, _ := spoke(t, "export", "--db", db)
	second, _ := spoke(t, "export", "--db", again)
	if first != second || len(first) < 100000 {
		t.Errorf("export of the re-seeded database differs (%d vs %d bytes)", len(first), len(second))
	}
	// The fixture is usable through the API: messages on a contact, pins, search.
	p := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
	status, found := p.do(t, "tok", "POST", "/crm/v3/objects/communications/search",
		`{"filterGroups":[{"filters":[{"propertyName":"hs_communication_channel_type","operator":"EQ","value":"WHATS_APP"}]}]}`)
	if status != 200 || found["total"].(float64) < 100 {
		t.Errorf("search on the fixture: %d %v", status, found["total"])
	}
	if _, err := spoke(t, "seed", "--db", db, "../../fixtures/missing.json"); err == nil {
		t.Error("seeding a missing file succeeded")
	}
	if out, err := spoke(t, "version"); err != nil || !strings.HasPrefix(out, "spoke ") {
		t.Errorf("version %q %v", out, err)
	}
	if _, err := spoke(t, "serve", "--help"); err != nil {
		t.Errorf("serve --help failed: %v", err)
	}
}
