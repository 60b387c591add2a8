package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// newAppCLI creates an app with spoke apps create and returns its JSON.
func newAppCLI(t *testing.T, db string) (id int64, secret, key string) {
	t.Helper()
	out, errOut, code := runSpoke(t, nil, "apps", "create", "--db", db, "--name", "Receiver")
	if code != 0 {
		t.Fatalf("apps create: %d %s", code, errOut)
	}
	var app struct {
		AppID           int64  `json:"appId"`
		ClientSecret    string `json:"clientSecret"`
		DeveloperAPIKey string `json:"developerApiKey"`
	}
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.AppID == 0 || app.ClientSecret == "" || app.DeveloperAPIKey == "" {
		t.Fatalf("apps create printed %q (%v)", out, err)
	}
	return app.AppID, app.ClientSecret, app.DeveloperAPIKey
}

func TestAppsCommands(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	id, secret, key := newAppCLI(t, db)
	out, _, code := runSpoke(t, nil, "apps", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "Receiver") || strings.Contains(out, secret) || strings.Contains(out, key) {
		t.Fatalf("apps list: %d %q", code, out)
	}
	if out, _, code := runSpoke(t, nil, "apps", "delete", "--db", db, fmt.Sprint(id)); code != 0 || !strings.Contains(out, "Deleted app") {
		t.Fatalf("apps delete: %d %q", code, out)
	}
	if _, errOut, code := runSpoke(t, nil, "apps", "delete", "--db", db, fmt.Sprint(id)); code == 0 || !strings.Contains(errOut, "no app") {
		t.Fatalf("apps delete again: %d %q", code, errOut)
	}
	if _, errOut, code := runSpoke(t, nil, "apps", "create", "--db", db); code == 0 || !strings.Contains(errOut, "--name") {
		t.Fatalf("apps create without a name: %d %q", code, errOut)
	}
}

// A server killed with undelivered events leaves them to the next one.
func TestWebhookEventsSurviveKill9(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	appID, _, key := newAppCLI(t, db)
	var (
		up   atomic.Bool
		mu   sync.Mutex
		seen = map[string]int{}
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var events []map[string]any
		json.Unmarshal(body, &events)
		mu.Lock()
		for _, e := range events {
			seen[fmt.Sprintf("%.0f", e["objectId"])]++
		}
		mu.Unlock()
	}))
	defer recv.Close()

	a := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
	hook := fmt.Sprintf("/webhooks/v3/%d", appID)
	if status, got := a.do(t, "tok", "PUT", hook+"/settings?hapikey="+key, `{"targetUrl":"`+recv.URL+`/hook","throttling":{"maxConcurrentRequests":10}}`); status != 200 {
		t.Fatalf("settings: %d %v", status, got)
	}
	if status, got := a.do(t, "tok", "POST", hook+"/subscriptions?hapikey="+key, `{"eventType":"contact.creation","active":true}`); status != 201 {
		t.Fatalf("subscribe: %d %v", status, got)
	}
	var inputs []string
	for i := range 30 {
		inputs = append(inputs, fmt.Sprintf(`{"properties":{"email":"k%d@example.com"}}`, i))
	}
	status, got := a.do(t, "tok", "POST", "/crm/v3/objects/contacts/batch/create", `{"inputs":[`+strings.Join(inputs, ",")+`]}`)
	if status != 201 {
		t.Fatalf("batch create: %d %v", status, got)
	}
	// Every event has been tried and failed: none is in flight.
	if status, got := a.do(t, "tok", "POST", "/_spoke/webhooks/flush", ""); status != 200 || got["delivered"] != 0.0 || got["pending"] != 30.0 {
		t.Fatalf("flush on the first node: %d %v", status, got)
	}
	a.cmd.Process.Kill()
	a.cmd.Wait()

	up.Store(true)
	b := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
	if status, got := b.do(t, "tok", "POST", "/_spoke/webhooks/flush", ""); status != 200 || got["delivered"] != 30.0 || got["pending"] != 0.0 {
		t.Fatalf("flush after the restart: %d %v", status, got)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range got["results"].([]any) {
		id := r.(map[string]any)["id"].(string)
		if seen[id] != 1 {
			t.Errorf("contact %s: delivered %d times", id, seen[id])
		}
	}
	if len(seen) != 30 {
		t.Errorf("%d contacts delivered", len(seen))
	}
}

// spoke seed emits webhook events, which a server then delivers, unless
// --no-webhooks.
func TestSeedCommandEmitsWebhookEvents(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "spoke.db")
	appID, _, key := newAppCLI(t, db)
	var (
		mu  sync.Mutex
		got []string
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var events []map[string]any
		json.Unmarshal(body, &events)
		mu.Lock()
		for _, e := range events {
			got = append(got, fmt.Sprintf("%.0f", e["objectId"]))
		}
		mu.Unlock()
	}))
	defer recv.Close()
	a := serve(t, db, "SPOKE_ACCESS_TOKEN=tok")
	hook := fmt.Sprintf("/webhooks/v3/%d", appID)
	a.do(t, "tok", "PUT", hook+"/settings?hapikey="+key, `{"targetUrl":"`+recv.URL+`","throttling":{"maxConcurrentRequests":10}}`)
	if status, body := a.do(t, "tok", "POST", hook+"/subscriptions?hapikey="+key, `{"eventType":"contact.creation","active":true}`); status != 201 {
		t.Fatalf("subscribe: %d %v", status, body)
	}
	for i, args := range [][]string{{"--no-webhooks"}, nil} {
		file := filepath.Join(dir, fmt.Sprintf("f%d.json", i))
		if err := os.WriteFile(file, []byte(fmt.Sprintf(`{"objects":{"contacts":[{"id":"70%d","properties":{"email":"s%d@example.com"}}]}}`, i, i)), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, errOut, code := runSpoke(t, nil, append(append([]string{"seed", "--db", db}, args...), file)...); code != 0 {
			t.Fatalf("seed %v: %d %s", args, code, errOut)
		}
	}
	if status, body := a.do(t, "tok", "POST", "/_spoke/webhooks/flush", ""); status != 200 {
		t.Fatalf("flush: %d %v", status, body)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(got) != "[701]" {
		t.Fatalf("events of seeded contacts: %v", got)
	}
}
