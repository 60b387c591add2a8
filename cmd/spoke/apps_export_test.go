package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// spoke export --secrets carries each app's secrets, so that spoke seed
// gives the same app on SQLite and PostgreSQL; without --secrets the
// export holds none.
func TestExportAppsWithSecrets(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "spoke.db")
	_, secret, key := newAppCLI(t, db)
	plain, err := spoke(t, "export", "--db", db)
	if err != nil || !strings.Contains(plain, `"apps"`) || strings.Contains(plain, secret) || strings.Contains(plain, "clientSecret") || strings.Contains(plain, "developerApiKeyHash") {
		t.Fatalf("export without --secrets: %v %s", err, plain)
	}
	exported := filepath.Join(t.TempDir(), "export.json")
	if _, err := spoke(t, "export", "--secrets", "--db", db, exported); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(exported)
	if !strings.Contains(string(data), secret) || strings.Contains(string(data), key) {
		t.Fatalf("export --secrets: %s", data)
	}
	for _, target := range []string{pgtest.URL(t), filepath.Join(t.TempDir(), "new.db")} {
		if out, err := spoke(t, "seed", "--db", target, exported); err != nil {
			t.Fatalf("seed into %s: %q %v", target, out, err)
		}
		out, err := spoke(t, "export", "--secrets", "--db", target)
		var f struct {
			Apps []struct {
				Name         string `json:"name"`
				ClientSecret string `json:"clientSecret"`
			} `json:"apps"`
		}
		if err != nil || json.Unmarshal([]byte(out), &f) != nil || len(f.Apps) != 1 || f.Apps[0].Name != "Receiver" || f.Apps[0].ClientSecret != secret {
			t.Fatalf("apps seeded into %s: %v %s", target, err, out)
		}
	}
}
