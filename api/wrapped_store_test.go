package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// openStore opens a real store of the suite's kind (a SQLite file, or a
// PostgreSQL schema of its own), closed when the test ends: the store that
// tests wrap to fail or pause at a chosen point.
func openStore(t *testing.T) crm.Store {
	t.Helper()
	var store crm.Store
	var err error
	if spoketest.Postgres() {
		store, err = postgres.Open(context.Background(), pgtest.URL(t), postgres.PoolOptions{MaxConns: 4})
	} else {
		store, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "spoke.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// serveStore serves the API over st until the test ends. do sends a
// request and fails the test unless it answers status, returning the
// decoded body.
func serveStore(t *testing.T, st crm.Store) (s *spoketest.Server, do func(method, path, body string, status int) map[string]any) {
	t.Helper()
	engine := crm.NewEngine(st, time.Now, spoketest.PortalID)
	if err := engine.LoadSchemas(context.Background()); err != nil {
		t.Fatal(err)
	}
	auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: st.Tokens(), Now: time.Now}
	hs := httptest.NewServer(api.NewServer(engine, auth, slog.New(slog.DiscardHandler), api.Options{}))
	t.Cleanup(hs.Close)
	s = &spoketest.Server{URL: hs.URL, Client: hs.Client()}
	do = func(method, path, body string, status int) map[string]any {
		t.Helper()
		resp, data := sendRaw(t, s, method, path, body)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		var m map[string]any
		json.Unmarshal(data, &m)
		return m
	}
	return s, do
}
