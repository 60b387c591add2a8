package main

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func rateLimitHeader(t *testing.T, url, token, name string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/crm/v3/owners", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(name)
}

func TestRateLimitFlag(t *testing.T) {
	t.Parallel()
	m := NewMain(io.Discard, io.Discard)
	m.EnvToken = "tok"
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "spoke.db"),
		"--rate-limit", "starter", "--rate-limit-timezone", "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := 1; i <= 100; i++ {
		if status, _ := rateLimitHeader(t, m.URL(), "tok", "X-HubSpot-RateLimit-Max"); status != 200 {
			t.Fatalf("call %d: %d", i, status)
		}
	}
	status, max := rateLimitHeader(t, m.URL(), "tok", "X-HubSpot-RateLimit-Max")
	if status != 429 || max != "100" {
		t.Fatalf("101st call of the starter tier: %d, Max %q", status, max)
	}
}

func TestRateLimitEnvironment(t *testing.T) {
	t.Parallel()
	p := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=tok", "SPOKE_RATE_LIMIT=api-addon",
		"SPOKE_RATE_LIMIT_TIMEZONE=Asia/Kolkata")
	if status, max := rateLimitHeader(t, p.url, "tok", "X-HubSpot-RateLimit-Max"); status != 200 || max != "250" {
		t.Fatalf("%d, Max %q", status, max)
	}
	// Without --rate-limit: headers with the professional figures, nothing enforced.
	q := serve(t, filepath.Join(t.TempDir(), "spoke.db"), "SPOKE_ACCESS_TOKEN=tok")
	if status, daily := rateLimitHeader(t, q.url, "tok", "X-HubSpot-RateLimit-Daily"); status != 200 || daily != "625000" {
		t.Fatalf("%d, Daily %q", status, daily)
	}
}

func TestRateLimitFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--rate-limit", "platinum"}, "", "professional, enterprise, api-addon"},
		{[]string{"--rate-limit-timezone", "Mars/Olympus_Mons"}, "", "unknown time zone"},
		{nil, "SPOKE_RATE_LIMIT=gold", "SPOKE_RATE_LIMIT"},
	} {
		cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, tc.args...)...)
		if tc.env != "" {
			cmd.Env = append(cmd.Environ(), tc.env)
		}
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("%v %s: err %v, output %s", tc.args, tc.env, err, out)
		}
	}
	out, _ := exec.Command(binary, "serve", "--help").CombinedOutput()
	for _, want := range []string{"--rate-limit", "SPOKE_RATE_LIMIT", "--rate-limit-timezone", "SPOKE_RATE_LIMIT_TIMEZONE", "default UTC"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out)
		}
	}
}
