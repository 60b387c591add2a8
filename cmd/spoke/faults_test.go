package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeFaults writes a --faults file and returns its path.
func writeFaults(t *testing.T, rules string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "faults.json")
	if err := os.WriteFile(name, []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

const faultsFile = `{"seed": 1, "rules": [
  {"method": "GET", "path": "/crm/v3/objects/{type}", "objectType": "communications", "status": 502, "times": 2}
]}`

func TestFaultsFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "spoke.db"), "--faults", writeFaults(t, faultsFile)}); err != nil {
		t.Fatal(err)
	}
	m.EnvToken = "faults-token"
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p := &process{url: m.URL()}
	var got []int
	for range 3 {
		status, _ := p.do(t, "faults-token", "GET", "/crm/v3/objects/communications", "")
		got = append(got, status)
	}
	if got[0] != 502 || got[1] != 502 || got[2] != 200 {
		t.Fatalf("statuses %v, want 502 502 200", got)
	}
	if status, _ := p.do(t, "faults-token", "GET", "/crm/v3/objects/contacts", ""); status != 200 {
		t.Fatalf("contacts: %d", status)
	}
	status, body := p.do(t, "faults-token", "GET", "/_spoke/faults", "")
	rules, _ := body["rules"].([]any)
	if status != 200 || len(rules) != 1 {
		t.Fatalf("GET /_spoke/faults: %d %v", status, body)
	}
	if r := rules[0].(map[string]any); r["fired"] != 2.0 || r["matched"] != 3.0 || r["seed"] != 1.0 {
		t.Fatalf("rule %v", r)
	}
}

// The binary reads the rules from SPOKE_FAULTS as from --faults.
func TestFaultsEnvironment(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=env-token", "SPOKE_FAULTS="+writeFaults(t, faultsFile))
	for _, want := range []int{502, 502, 200} {
		if status, _ := p.do(t, "env-token", "GET", "/crm/v3/objects/communications", ""); status != want {
			t.Fatalf("status %d, want %d", status, want)
		}
	}
}

// Faults can be added at run time without a file, unless the controls are off.
func TestFaultsWithoutFile(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=tok")
	if status, _ := p.do(t, "tok", "POST", "/_spoke/faults", `{"rules":[{"status":503,"times":1}]}`); status != 200 {
		t.Fatalf("add rules: %d", status)
	}
	if status, _ := p.do(t, "tok", "GET", "/crm/v3/owners", ""); status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", status)
	}
}

func TestFaultsFileErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ file, want string }{
		{writeFaults(t, `{"rules":[{"status":418}]}`), "rule 0: status 418"},
		{writeFaults(t, `{"rules":[{"stauts":502}]}`), `unknown field "stauts"`},
		{filepath.Join(t.TempDir(), "missing.json"), "missing.json"},
	} {
		cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "spoke.db"), "--faults", c.file)
		cmd.Env = append(os.Environ(), "SPOKE_ACCESS_TOKEN=tok")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("--faults %s: err %v, output %s; want it to mention %q", c.file, err, out, c.want)
		}
	}
}

// Faults stand for HubSpot's backend, behind its rate limits: a call over
// the limit gets the limiter's 429, not the fault, whatever the order in
// which the server checks its configuration at start.
func TestFaultsComeAfterRateLimits(t *testing.T) {
	t.Parallel()
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", ":memory:", "--faults", writeFaults(t, `{"rules": [{"status": 502}]}`)}); err != nil {
		t.Fatal(err)
	}
	m.EnvToken = "faults-token"
	if err := m.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p := &process{url: m.URL()}
	if status, body := p.do(t, "faults-token", "PUT", "/_spoke/rate-limit", `{"enforce": true, "tenSecondlyLimit": 1, "reset": true}`); status != 200 {
		t.Fatalf("rate-limit settings: %d %v", status, body)
	}
	var got []int
	for range 2 {
		status, _ := p.do(t, "faults-token", "GET", "/crm/v3/objects/contacts", "")
		got = append(got, status)
	}
	if got[0] != 502 || got[1] != 429 {
		t.Fatalf("statuses %v, want 502 (the fault, within the limit) then 429 (over the limit)", got)
	}
}
