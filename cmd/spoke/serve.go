package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/web"
)

// Defaults of spoke serve.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultDB   = "spoke.db"
	// DefaultPortalID is the portal id shown in HubSpot-style messages.
	DefaultPortalID = 24800001
)

// Main is the serve program: flags, storage, HTTP server.
type Main struct {
	Addr string
	DB   string
	// EnvToken is the value of SPOKE_ACCESS_TOKEN.
	EnvToken string
	// NoAdmin turns off the test controls under /_spoke/.
	NoAdmin   bool
	LogFormat string
	LogLevel  string
	// RateLimit names the rate-limit tier to enforce ("" or "off": headers only).
	RateLimit string
	// RateLimitTimeZone is the IANA zone whose midnight resets the daily limit.
	RateLimitTimeZone string
	Now               func() time.Time
	// Faults is a JSON file of fault-injection rules loaded at start.
	Faults string
	// Pool sizes the PostgreSQL connection pool.
	Pool postgres.PoolOptions
	// SearchLag hides records from search for that long after each write.
	SearchLag time.Duration

	stdout, stderr io.Writer
	logger         *slog.Logger
	store          crm.Store
	listener       net.Listener
	server         *http.Server
	done           chan struct{}
	purgeCtx       context.Context
	stopPurge      context.CancelFunc
	purged         chan struct{}
}

// NewMain returns a Main with default settings.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{
		Addr: DefaultAddr, DB: DefaultDB, EnvToken: os.Getenv("SPOKE_ACCESS_TOKEN"), Now: time.Now,
		LogFormat: "text", LogLevel: "info",
		stdout: stdout, stderr: stderr,
		logger: slog.New(slog.NewTextHandler(stderr, nil)),
	}
}

// ParseFlags reads serve's flags.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(m.stderr)
	fs.StringVar(&m.Addr, "addr", m.Addr, "address to listen on (host:port; port 0 picks a free port)")
	fs.StringVar(&m.DB, "db", m.DB, "SQLite database file (created on first start)")
	fs.BoolVar(&m.NoAdmin, "no-admin", m.NoAdmin, "turn off the test controls under /_spoke/ (reset, seed, export, faults, rate-limit settings)")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "log format: text or json")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "log level: debug (every request), info, warn or error")
	m.rateLimitFlags(fs)
	m.faultsFlag(fs)
	m.poolFlags(fs)
	fs.DurationVar(&m.SearchLag, "search-lag", 0, "hide records from search for this long after each write (e.g. 3s), as HubSpot's search index lags; 0 shows them at once")
	fs.Usage = usage(fs, m.stderr, "spoke serve [flags]")
	if err := applyEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	logger, err := newLogger(m.stderr, m.LogFormat, m.LogLevel)
	if err != nil {
		return err
	}
	m.logger = logger
	return nil
}

// Run opens the database, makes sure a token exists, and starts serving in
// the background. Close stops it.
func (m *Main) Run(ctx context.Context) error {
	store, err := openStore(ctx, m.DB, m.Pool)
	if err != nil {
		return err
	}
	m.store = store
	metrics := api.NewMetrics()
	if err := m.ensureToken(ctx); err != nil {
		return err
	}
	engine := crm.NewEngine(metrics.Store(store), m.Now, DefaultPortalID)
	engine.Shared = isPostgres(m.DB)
	engine.SearchLag = m.SearchLag
	if err := engine.LoadSchemas(ctx); err != nil {
		return err
	}
	auth := &api.Authenticator{EnvToken: m.EnvToken, Tokens: store.Tokens(), Now: m.Now}
	opts := api.Options{NoAdmin: m.NoAdmin, Metrics: metrics}
	opts.Web = web.New(engine, auth, web.Options{Now: m.Now, Logger: m.logger})
	if err := m.installRateLimiter(&opts); err != nil {
		return err
	}
	if err := m.installFaults(&opts); err != nil {
		return err
	}
	handler := api.NewServer(engine, auth, m.logger, opts)

	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		return err
	}
	m.listener = ln
	m.server = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	m.done = make(chan struct{})
	go func() {
		defer close(m.done)
		if err := m.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("serve", slog.Any("err", err))
		}
	}()
	m.purgeCtx, m.stopPurge = context.WithCancel(context.Background())
	m.purged = make(chan struct{})
	go m.purgeLoop(engine)
	if engine.Shared {
		go engine.RefreshSchemas(m.purgeCtx, schemaRefreshInterval)
	}
	m.logger.Info("spoke listening", slog.String("url", m.URL()), slog.String("db", m.DB))
	return nil
}

// purgeInterval is how often records past the recycle bin's 90 days are
// deleted. Reads already hide them, so the interval only bounds disk use.
const purgeInterval = time.Hour

// purgeLoop empties the recycle bin of expired records at start and then
// every purgeInterval, until Close.
func (m *Main) purgeLoop(engine *crm.Engine) {
	defer close(m.purged)
	tick := time.NewTicker(purgeInterval)
	defer tick.Stop()
	for {
		if n, err := engine.PurgeArchived(m.purgeCtx); err != nil && m.purgeCtx.Err() == nil {
			m.logger.Error("purge", slog.Any("err", err))
		} else if n > 0 {
			m.logger.Info("purged records archived over 90 days ago", slog.Int("count", n))
		}
		select {
		case <-m.purgeCtx.Done():
			return
		case <-tick.C:
		}
	}
}

// URL is the base URL the server answers on.
func (m *Main) URL() string {
	return "http://" + m.listener.Addr().String()
}

// ensureToken creates and prints an all-scopes token on a first start
// without SPOKE_ACCESS_TOKEN, so the first run works without reading docs.
func (m *Main) ensureToken(ctx context.Context) error {
	if m.EnvToken != "" {
		return nil
	}
	existing, err := m.store.Tokens().ListTokens(ctx)
	if err != nil || len(existing) > 0 {
		return err
	}
	secret := crm.NewTokenSecret()
	t := &crm.Token{Name: "default", Hash: crm.HashToken(secret), Scopes: crm.AllScopes, CreatedAt: m.Now()}
	if err := m.store.Tokens().CreateToken(ctx, t); err != nil {
		return err
	}
	fmt.Fprintf(m.stdout, "Created access token %q with every scope. It is shown only this once:\n%s\n", t.Name, secret)
	return nil
}

// Close stops accepting connections, lets in-flight requests finish, and
// closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		errs = append(errs, m.server.Shutdown(ctx))
		<-m.done
	}
	if m.stopPurge != nil {
		m.stopPurge()
		<-m.purged
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}
