package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/redact"
	"github.com/spoke-crm/spoke/storage/postgres"
	"github.com/spoke-crm/spoke/web"
	"github.com/spoke-crm/spoke/webhooks"
)

// Defaults of spoke serve.
const (
	DefaultAddr = "127.0.0.1:8080"
	DefaultDB   = "spoke.db"
	// DefaultPortalID is the portal id shown in HubSpot-style messages.
	DefaultPortalID = 24800001

	// Connection timeouts (docs/decisions.md, "Serving"). The read timeout
	// bounds reading a whole request, body included: a 100-input batch of
	// long messages arrives in it over a slow link, a client dripping bytes
	// is cut off. The write timeout runs from the end of the request's
	// headers to the end of the answer, so it covers the read timeout plus
	// the handling and the answer. The idle timeout outlasts the keep-alive
	// of common clients (Go's 90 s), so that they, not the server, close
	// idle connections.
	DefaultReadTimeout  = 60 * time.Second
	DefaultWriteTimeout = 120 * time.Second
	DefaultIdleTimeout  = 120 * time.Second
	// readHeaderTimeout bounds the request line and headers.
	readHeaderTimeout = 10 * time.Second
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
	// ReadTimeout, WriteTimeout and IdleTimeout are the HTTP server's
	// (0: none).
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// WebhookRetryScale multiplies the webhook retry delays (tests: 0.001).
	WebhookRetryScale float64
	// WebhookAllowHosts may be webhook targets over plain http, beside loopback.
	WebhookAllowHosts []string
	// WebhookLogRetention is how long the webhook delivery log keeps an
	// attempt (0: no limit); WebhookLogMaxPerApp how many per app (0: no cap).
	WebhookLogRetention time.Duration
	WebhookLogMaxPerApp int

	stdout, stderr io.Writer
	logger         *slog.Logger
	store          crm.Store
	listener       net.Listener
	server         *http.Server
	done           chan struct{}
	purgeCtx       context.Context
	stopPurge      context.CancelFunc
	purged         chan struct{}
	delivered      chan struct{}
	worker         *webhooks.Worker
}

// NewMain returns a Main with default settings.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{
		Addr: DefaultAddr, DB: DefaultDB, EnvToken: os.Getenv("SPOKE_ACCESS_TOKEN"), Now: time.Now,
		LogFormat: "text", LogLevel: "info",
		ReadTimeout: DefaultReadTimeout, WriteTimeout: DefaultWriteTimeout, IdleTimeout: DefaultIdleTimeout,
		stdout: stdout, stderr: stderr,
		logger: slog.New(slog.NewTextHandler(stderr, nil)),
	}
}

// serveCommand is serve's --help text.
var serveCommand = command{
	synopsis: "spoke serve [flags]",
	about: `Serves HubSpot's CRM API, Spoke's test controls under /_spoke/ and the web pages.
--db takes a SQLite file path (created with its schema on first start), :memory:
(or file::memory:) for an in-memory database that lives as long as the process,
or a postgres:// or postgresql:// URL (several servers may share one database).
On a first start without SPOKE_ACCESS_TOKEN it creates an access token with every
scope and prints it once, on standard output, once the server is ready to serve;
spoke tokens create --all-scopes makes another. SIGINT or SIGTERM stops it gracefully.`,
	env: []string{"*"},
}

// ParseFlags reads serve's flags; flag.ErrHelp means --help was shown.
func (m *Main) ParseFlags(args []string) error {
	fs := newFlagSet("serve", serveCommand, m.stdout)
	fs.StringVar(&m.Addr, "addr", m.Addr, "`HOST:PORT` where to listen (port 0 picks a free port, shown in the log)")
	fs.StringVar(&m.DB, "db", m.DB, "`PATH|URL` the database: a SQLite file path, :memory:, or a postgres:// URL")
	fs.BoolVar(&m.NoAdmin, "no-admin", m.NoAdmin, "turn off the test controls under /_spoke/ (reset, seed, export, faults, rate-limit settings)")
	fs.StringVar(&m.LogFormat, "log-format", m.LogFormat, "`text|json` the log format")
	fs.StringVar(&m.LogLevel, "log-level", m.LogLevel, "`LEVEL` what to log: debug (every request), info, warn or error")
	m.rateLimitFlags(fs)
	m.faultsFlag(fs)
	m.poolFlags(fs)
	durationFlag(fs, &m.SearchLag, "search-lag", m.SearchLag, "hide records from search for this long after each write (e.g. 3s), as HubSpot's search index lags; 0 shows them at once")
	durationFlag(fs, &m.ReadTimeout, "read-timeout", m.ReadTimeout, "most time to read a request, body included; slower clients are cut off (0: no limit)")
	durationFlag(fs, &m.WriteTimeout, "write-timeout", m.WriteTimeout, "most time from the end of a request's headers to the end of its answer (0: no limit)")
	durationFlag(fs, &m.IdleTimeout, "idle-timeout", m.IdleTimeout, "how long an idle keep-alive connection is kept open (0: the read timeout)")
	fs.Float64Var(&m.WebhookRetryScale, "webhook-retry-scale", 1, "`FACTOR` multiply the webhook retry delays (HubSpot's ten retries over about a day) by FACTOR, e.g. 0.001 in tests")
	durationFlag(fs, &m.WebhookLogRetention, "webhook-log-retention", webhooks.DefaultLogRetention, "how long the webhook delivery log keeps an attempt; older ones are deleted (0: kept until the per-app cap)")
	fs.IntVar(&m.WebhookLogMaxPerApp, "webhook-log-max-per-app", webhooks.DefaultLogMaxPerApp, "`N` the webhook delivery log keeps each app's newest N attempts at most (0: no cap)")
	// SPOKE_WEBHOOK_ALLOW_HOST, when set, is the first value set; the
	// command line's first --webhook-allow-host replaces its hosts.
	_, envHosts := os.LookupEnv(envName("webhook-allow-host"))
	hostValues := 0
	fs.Func("webhook-allow-host", "`HOST` accept webhook target URLs on HOST over plain http (repeat or separate with commas; loopback addresses always are)", func(v string) error {
		if hostValues++; envHosts && hostValues == 2 {
			m.WebhookAllowHosts = nil
		}
		m.WebhookAllowHosts = append(m.WebhookAllowHosts, splitComma(v)...)
		return nil
	})
	rest, err := parseWithEnv(fs, args, false)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(rest, " "))
	}
	if err := checkDB(m.DB); err != nil {
		return err
	}
	if !(m.WebhookRetryScale > 0) || math.IsInf(m.WebhookRetryScale, 0) {
		return fmt.Errorf("--webhook-retry-scale must be a number above 0, got %v", m.WebhookRetryScale)
	}
	if m.WebhookLogMaxPerApp < 0 {
		return fmt.Errorf("--webhook-log-max-per-app must not be negative, got %d", m.WebhookLogMaxPerApp)
	}
	logger, err := newLogger(m.stderr, m.LogFormat, m.LogLevel)
	if err != nil {
		return err
	}
	m.logger = logger
	return nil
}

// Run checks the configuration, listens, opens the database, makes sure a
// token exists, and starts serving in the background. Close stops it.
// What can fail is done before the first-start token is created, so the
// only copy of the token is never printed next to an error.
func (m *Main) Run(ctx context.Context) error {
	metrics := api.NewMetrics()
	opts := api.Options{NoAdmin: m.NoAdmin, Metrics: metrics}
	rules, err := m.loadFaults()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", m.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another program listens there: stop it or choose another --addr)", err)
	} else if err != nil {
		return err
	}
	m.listener = ln
	store, err := openStore(ctx, m.DB, m.Pool)
	if err != nil {
		return err
	}
	m.store = store
	hooks, err := m.webhooks(store, metrics)
	if err != nil {
		return err
	}
	engine := crm.NewEngine(hooks.Wrap(metrics.Store(store)), m.Now, DefaultPortalID)
	opts.Webhooks, opts.WebhookDelivery = hooks, m.worker
	engine.Shared = isPostgres(m.DB)
	engine.SearchLag = m.SearchLag
	if err := engine.LoadSchemas(ctx); err != nil {
		return redact.Error(err, m.DB)
	}
	auth := &crm.Authenticator{EnvToken: m.EnvToken, Tokens: store.Tokens(), Now: m.Now}
	opts.Web = web.New(engine, auth, web.Options{Now: m.Now, Logger: m.logger})
	if err := m.installRateLimiter(&opts); err != nil {
		return err
	}
	// Faults stand for the backend behind HubSpot's edge: after the limiter.
	if rules != nil {
		opts.AddFaults(rules)
	}
	handler := api.NewServer(engine, auth, m.logger, opts)
	if err := m.ensureToken(ctx); err != nil {
		return redact.Error(err, m.DB)
	}

	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(readHeaderTimeout, nonZero(m.ReadTimeout, readHeaderTimeout)),
		ReadTimeout:       m.ReadTimeout,
		WriteTimeout:      m.WriteTimeout,
		IdleTimeout:       m.IdleTimeout,
	}
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
	m.delivered = make(chan struct{})
	go func() {
		defer close(m.delivered)
		m.worker.Run(m.purgeCtx)
	}()
	// Apps and subscriptions also change through other nodes and through
	// spoke apps delete.
	go hooks.Refresh(m.purgeCtx, webhookRefreshInterval)
	m.logger.Info("spoke listening", slog.String("url", m.URL()), slog.String("db", redact.URL(m.DB)))
	return nil
}

// nonZero is d, or def when d is 0 (no limit).
func nonZero(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
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
	if m.server == nil && m.listener != nil {
		// Run failed after listening: nobody serves the listener.
		errs = append(errs, m.listener.Close())
	}
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		errs = append(errs, m.server.Shutdown(ctx))
		<-m.done
	}
	if m.stopPurge != nil {
		m.stopPurge()
		<-m.purged
		<-m.delivered
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}
