package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/spoketest"
)

// errDisk is the storage failure injected below.
var errDisk = errors.New("disk I/O error (injected)")

// failingStore is a real store (SQLite or PostgreSQL) on which reading one
// record, or writing one property definition, fails as a broken disk or
// connection would. Everything else reaches the store.
type failingStore struct {
	crm.Store
	record   *atomic.Int64 // the record whose reads fail
	property string        // the custom property whose write fails
}

func (f failingStore) Read(ctx context.Context, fn func(crm.ReadTx) error) error {
	return f.Store.Read(ctx, func(tx crm.ReadTx) error { return fn(failingReadTx{tx, f}) })
}

func (f failingStore) Write(ctx context.Context, fn func(crm.Tx) error) error {
	return f.Store.Write(ctx, func(tx crm.Tx) error { return fn(failingTx{tx, failingReadTx{tx, f}}) })
}

type failingReadTx struct {
	crm.ReadTx
	f failingStore
}

func (t failingReadTx) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	if id == t.f.record.Load() {
		return nil, errDisk
	}
	return t.ReadTx.Object(ctx, typeID, id)
}

func (t failingReadTx) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	if slices.Contains(ids, t.f.record.Load()) {
		return nil, errDisk
	}
	return t.ReadTx.ObjectsByIDs(ctx, ids)
}

type failingTx struct {
	crm.Tx
	r failingReadTx
}

func (t failingTx) Object(ctx context.Context, typeID string, id int64) (*crm.Object, error) {
	return t.r.Object(ctx, typeID, id)
}

func (t failingTx) ObjectsByIDs(ctx context.Context, ids []int64) ([]*crm.Object, error) {
	return t.r.ObjectsByIDs(ctx, ids)
}

func (t failingTx) PutCustomProperty(ctx context.Context, typeID string, p *crm.PropertyDefinition) error {
	if p.Name == t.r.f.property {
		return errDisk
	}
	return t.Tx.PutCustomProperty(ctx, typeID, p)
}

// logBuffer collects log output; the server writes while the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(b.buf.String(), "\n")
}

// TestBatchInternalErrorFailsTheRequest makes one input of each batch hit a
// storage failure: the request answers 500 with HubSpot's error body, the
// error is logged with the response's correlation id, and no input's result
// says "internal error".
func TestBatchInternalErrorFailsTheRequest(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	broken := failingStore{Store: store, record: &atomic.Int64{}, property: "broken_prop"}
	engine := crm.NewEngine(broken, time.Now, spoketest.PortalID)
	if err := engine.LoadSchemas(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	auth := &crm.Authenticator{EnvToken: spoketest.Token, Tokens: store.Tokens(), Now: time.Now}
	hs := httptest.NewServer(api.NewServer(engine, auth, logger, api.Options{}))
	t.Cleanup(hs.Close)
	s := &spoketest.Server{URL: hs.URL, Client: hs.Client()}

	post := func(path, body string) map[string]any {
		t.Helper()
		resp, data := sendRaw(t, s, "POST", path, body)
		if resp.StatusCode != 201 {
			t.Fatalf("POST %s: %d %s", path, resp.StatusCode, data)
		}
		var m map[string]any
		json.Unmarshal(data, &m)
		return m
	}
	good := post("/crm/v3/objects/contacts", `{"properties":{"email":"good@example.com"}}`)["id"].(string)
	bad := post("/crm/v3/objects/contacts", `{"properties":{"email":"bad@example.com"}}`)["id"].(string)
	company := post("/crm/v3/objects/companies", `{"properties":{"name":"Acme"}}`)["id"].(string)
	bid, _ := crm.ParseID(bad)
	broken.record.Store(bid)

	pair := func(from string) string {
		return fmt.Sprintf(`{"from":{"id":%q},"to":{"id":%q},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]}`, from, company)
	}
	v3pair := func(from string) string {
		return fmt.Sprintf(`{"from":{"id":%q},"to":{"id":%q},"type":"contact_to_company_unlabeled"}`, from, company)
	}
	for _, c := range []struct{ path, body string }{
		{"/crm/v4/associations/contacts/companies/batch/create", inputs(pair(good), pair(bad))},
		{"/crm/associations/2026-03/contacts/companies/batch/create", inputs(pair(good), pair(bad))},
		{"/crm/v4/associations/contacts/companies/batch/associate/default", inputs(fmt.Sprintf(`{"from":{"id":%q},"to":{"id":%q}}`, good, company), fmt.Sprintf(`{"from":{"id":%q},"to":{"id":%q}}`, bad, company))},
		{"/crm/v4/associations/contacts/companies/batch/read", inputs(fmt.Sprintf(`{"id":%q}`, good), fmt.Sprintf(`{"id":%q}`, bad))},
		{"/crm/v3/associations/contacts/companies/batch/create", inputs(v3pair(good), v3pair(bad))},
		{"/crm/v3/associations/contacts/companies/batch/read", inputs(fmt.Sprintf(`{"id":%q}`, good), fmt.Sprintf(`{"id":%q}`, bad))},
		{"/crm/v3/objects/contacts/batch/read", inputs(fmt.Sprintf(`{"id":%q}`, good), fmt.Sprintf(`{"id":%q}`, bad))},
		{"/crm/v3/objects/contacts/batch/update", inputs(
			fmt.Sprintf(`{"id":%q,"properties":{"firstname":"A"},"objectWriteTraceId":"1"}`, good),
			fmt.Sprintf(`{"id":%q,"properties":{"firstname":"B"},"objectWriteTraceId":"2"}`, bad))},
		{"/crm/v3/properties/contacts/batch/create", inputs(
			`{"name":"fine_prop","label":"Fine","type":"string","fieldType":"text","groupName":"contactinformation"}`,
			`{"name":"broken_prop","label":"Broken","type":"string","fieldType":"text","groupName":"contactinformation"}`)},
	} {
		resp, data := sendRaw(t, s, "POST", c.path, c.body)
		id := resp.Header.Get("X-HubSpot-Correlation-Id")
		var body map[string]any
		json.Unmarshal(data, &body)
		if resp.StatusCode != 500 || body["status"] != "error" || body["message"] != "internal error" || body["correlationId"] != id || id == "" {
			t.Errorf("POST %s: %d %s", c.path, resp.StatusCode, data)
		}
		logged := false
		for _, line := range logs.lines() {
			logged = logged || strings.Contains(line, `msg="internal error"`) && strings.Contains(line, "correlationId="+id) &&
				strings.Contains(line, errDisk.Error()) && strings.Contains(line, c.path)
		}
		if !logged {
			t.Errorf("POST %s: no log line for correlation id %s:\n%s", c.path, id, strings.Join(logs.lines(), "\n"))
		}
	}
}
