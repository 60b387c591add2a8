package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/internal/spoketest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
)

// staleClaims is a real store whose write transactions, once armed, answer
// the first look-up of one unique value with the record that held it before:
// what a look-up reads on PostgreSQL when another node's archive commits
// between it and the lock of the record.
type staleClaims struct {
	crm.Store
	value string
	stale *atomic.Int64 // the id answered once, 0 when disarmed
}

func (s staleClaims) Write(ctx context.Context, fn func(crm.Tx) error) error {
	return s.Store.Write(ctx, func(tx crm.Tx) error { return fn(staleClaimsTx{tx, s}) })
}

type staleClaimsTx struct {
	crm.Tx
	s staleClaims
}

func (t staleClaimsTx) FindUnique(ctx context.Context, typeID, property, value string) (int64, error) {
	if value == t.s.value {
		if id := t.s.stale.Swap(0); id != 0 {
			return id, nil
		}
	}
	return t.Tx.FindUnique(ctx, typeID, property, value)
}

// An upsert whose look-up found a record that was archived before the
// upsert locked it looks the value up again: the value is free, and the
// upsert creates a record with it (it was a server error).
func TestUpsertOfAValueWhoseRecordWasJustArchived(t *testing.T) {
	t.Parallel()
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
	stale := &atomic.Int64{}
	engine := crm.NewEngine(staleClaims{store, "gone@example.com", stale}, time.Now, spoketest.PortalID)
	if err := engine.LoadSchemas(context.Background()); err != nil {
		t.Fatal(err)
	}
	auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: store.Tokens(), Now: time.Now}
	hs := httptest.NewServer(api.NewServer(engine, auth, slog.New(slog.DiscardHandler), api.Options{}))
	t.Cleanup(hs.Close)
	s := &spoketest.Server{URL: hs.URL, Client: hs.Client()}
	do := func(method, path, body string, status int) map[string]any {
		t.Helper()
		resp, data := sendRaw(t, s, method, path, body)
		if resp.StatusCode != status {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		var m map[string]any
		json.Unmarshal(data, &m)
		return m
	}
	old := do("POST", "/crm/v3/objects/contacts", `{"properties":{"email":"gone@example.com","firstname":"Old"}}`, 201)["id"].(string)
	do("DELETE", "/crm/v3/objects/contacts/"+old, "", 204)
	id, _ := strconv.ParseInt(old, 10, 64)
	stale.Store(id)
	got := do("POST", "/crm/v3/objects/contacts/batch/upsert", `{"inputs":[{"id":"gone@example.com","idProperty":"email","properties":{"firstname":"New"}}]}`, 200)
	res := got["results"].([]any)[0].(map[string]any)
	if res["id"] == old || res["new"] != true || props(res)["email"] != "gone@example.com" {
		t.Errorf("upsert after the archive: %v", res)
	}
	if stale.Load() != 0 {
		t.Fatal("the upsert did not look the value up")
	}
	if got := do("GET", "/crm/v3/objects/contacts/"+old+"?archived=true&properties=firstname", "", 200); props(got)["firstname"] != "Old" {
		t.Errorf("the archived contact changed: %v", got)
	}
}
