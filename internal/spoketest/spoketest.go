// Package spoketest starts a complete Spoke server (SQLite file, engine, HTTP
// API) on a free loopback port for tests and benchmarks, and offers a small
// JSON client for it.
package spoketest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/storage/sqlite"
	"github.com/spoke-crm/spoke/web"
	"github.com/spoke-crm/spoke/webhooks"
)

// Token is the all-scopes token every test server accepts.
const Token = "pat-na1-spoketest-all-scopes"

// PortalID is the portal id test servers report.
const PortalID = 24800001

// Clock is a settable clock; the zero value follows real time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the set time, or real time when none is set.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return time.Now()
	}
	return c.now
}

// Set fixes the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Server is a running Spoke.
type Server struct {
	URL    string
	Path   string // the SQLite file
	Store  crm.Store
	Engine *crm.Engine
	Clock  *Clock
	// Webhooks is the server's event source; Deliveries its delivery worker.
	Webhooks   *crm.Webhooks
	Deliveries *webhooks.Worker
	Client     *http.Client
	// API is the HTTP layer the server serves, Web its pages.
	API *api.Server
	Web *web.Handler
	tb  testing.TB
}

// EnvStore selects the storage of test servers: "sqlite" (the default) or
// "postgres" (a fresh schema on the pgtest server for every test server).
const EnvStore = "SPOKE_TEST_STORE"

// Postgres reports whether test servers run on PostgreSQL.
func Postgres() bool { return os.Getenv(EnvStore) == "postgres" }

// openStore opens the storage of a test server. With PostgreSQL, path names
// the schema's key: two servers opened with the same path share it, as two
// nodes share a database.
func openStore(tb testing.TB, path string) (crm.Store, error) {
	if !Postgres() {
		return sqlite.Open(context.Background(), path)
	}
	pgMu.Lock()
	url, ok := pgURLs[path]
	if !ok {
		url = pgtest.URL(tb)
		pgURLs[path] = url
	}
	pgMu.Unlock()
	return postgres.Open(context.Background(), url, postgres.PoolOptions{MaxConns: 8})
}

var (
	pgMu   sync.Mutex
	pgURLs = map[string]string{}
)

// Option changes how a test server is built.
type Option func(*Settings)

// Settings are what Options change.
type Settings struct {
	// API holds the HTTP layer's options (interceptors, test controls).
	API api.Options
	// Clock is the server's clock, for options that need time.
	Clock *Clock
	// WebhookRetryScale multiplies webhook retry delays (1 when 0).
	WebhookRetryScale float64
	// NoWebhookDelivery leaves events in the outbox until a flush.
	NoWebhookDelivery bool
	// WebhookLog limits the delivery log (the worker's defaults when nil).
	WebhookLog *WebhookLogSettings
}

// Open starts a server on a new SQLite file in tb's temporary directory.
// It stops when the test ends.
func Open(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return OpenPath(tb, filepath.Join(tb.TempDir(), "spoke.db"), opts...)
}

// OpenPath starts a server on the SQLite file at path.
func OpenPath(tb testing.TB, path string, opts ...Option) *Server {
	tb.Helper()
	store, err := openStore(tb, path)
	if err != nil {
		tb.Fatal(err)
	}
	clock := &Clock{}
	settings := Settings{Clock: clock}
	for _, o := range opts {
		o(&settings)
	}
	hooks, worker, stopWebhooks := startWebhooks(store, &settings)
	engine := crm.NewEngine(hooks.Wrap(settings.API.Metrics.Store(store)), clock.Now, PortalID)
	if err := engine.LoadSchemas(context.Background()); err != nil {
		tb.Fatal(err)
	}
	auth := &crm.Authenticator{EnvToken: Token, Tokens: store.Tokens(), Now: clock.Now}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The browser pages, as spoke serve mounts them.
	pages := web.New(engine, auth, web.Options{Now: clock.Now, Logger: logger})
	settings.API.Web = pages
	handler := api.NewServer(engine, auth, logger, settings.API)
	hs := httptest.NewServer(handler)
	s := &Server{URL: hs.URL, Path: path, Store: store, Engine: engine, Clock: clock, Client: hs.Client(), API: handler, Web: pages, tb: tb, Webhooks: hooks, Deliveries: worker}
	tb.Cleanup(func() {
		hs.Close()
		stopWebhooks()
		store.Close()
	})
	return s
}

// Response is a decoded reply.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON() map[string]any {
	var m map[string]any
	json.Unmarshal(r.Body, &m)
	return m
}

// Do sends a request with the all-scopes token. body may be nil, a string
// (sent verbatim) or any value (sent as JSON).
func (s *Server) Do(method, path string, body any) *Response {
	s.tb.Helper()
	return s.DoToken(Token, method, path, body)
}

// DoToken is Do with another bearer token ("" sends none).
func (s *Server) DoToken(token, method, path string, body any) *Response {
	s.tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			s.tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.tb.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// NewToken stores a token with the given scopes and returns its secret.
func (s *Server) NewToken(scopes ...string) string {
	s.tb.Helper()
	secret := crm.NewTokenSecret()
	t := &crm.Token{Name: "test", Hash: crm.HashToken(secret), Scopes: scopes, CreatedAt: time.Now()}
	if err := s.Store.Tokens().CreateToken(context.Background(), t); err != nil {
		s.tb.Fatal(err)
	}
	return secret
}

// NewOwner creates an owner with that email.
func (s *Server) NewOwner(email, first, last string) *crm.Owner {
	s.tb.Helper()
	o, err := s.Engine.CreateOwner(context.Background(), crm.Owner{Email: email, FirstName: first, LastName: last})
	if err != nil {
		s.tb.Fatal(err)
	}
	return o
}
