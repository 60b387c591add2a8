package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/spoke-crm/spoke/crm"
)

// Dated API versions served beside /crm/v3 with the same handlers.
var apiVersions = map[string]bool{"2025-09": true, "2026-03": true, "2026-09": true}

// Server is Spoke's HTTP API.
type Server struct {
	Engine *crm.Engine
	Auth   *crm.Authenticator
	Logger *slog.Logger

	opts     Options
	mux      *http.ServeMux
	patterns []string // of route and appRoute, in the order registered
}

// Options configure a Server.
type Options struct {
	// NoAdmin turns off the test controls under /_spoke/ (reset, seed,
	// export, faults, rate-limit settings).
	NoAdmin bool
	// Interceptors run, in order, around every authenticated HubSpot API
	// call (not around Spoke's test controls).
	Interceptors []Interceptor
	// Controls are further test controls (fault rules, rate-limit
	// settings), mounted like the built-in ones: spoke.admin scope, off with NoAdmin.
	Controls []Control
	// ResetHooks restore what Controls change to its state at start, on
	// POST /_spoke/reset.
	ResetHooks []ResetHook
	// Metrics, when set, records requests and is served at /metrics.
	Metrics *Metrics
	// Web, when set, serves the browser pages: GET /, GET /favicon.ico and
	// everything under /ui/. Without it / is a short placeholder page.
	Web http.Handler
	// Webhooks, when set, serves HubSpot's webhooks API and the delivery
	// log; WebhookDelivery serves POST /_spoke/webhooks/flush.
	Webhooks        *crm.Webhooks
	WebhookDelivery WebhookFlusher
}

// Call describes an authenticated API call to interceptors.
type Call struct {
	Principal *crm.Principal
	// Type is the call's object type, nil for routes without one.
	Type *crm.ObjectType
	// Search marks search calls, which HubSpot limits separately.
	Search bool
	// Pattern is the route pattern, e.g. "GET /crm/v3/objects/{type}/{id}".
	Pattern string
}

// Interceptor wraps API calls: rate limits, injected faults. It calls next
// to run the call, or answers itself.
type Interceptor func(w http.ResponseWriter, r *http.Request, c *Call, next func(http.ResponseWriter, *http.Request) error) error

// Control is a test control under /_spoke/ added through Options.Controls.
type Control struct {
	Pattern string // e.g. "GET /_spoke/faults"
	Handler func(w http.ResponseWriter, r *http.Request) error
}

// NewServer builds the routes.
func NewServer(engine *crm.Engine, auth *crm.Authenticator, logger *slog.Logger, opts Options) *Server {
	s := &Server{Engine: engine, Auth: auth, Logger: logger, opts: opts, mux: http.NewServeMux()}
	s.routes()
	return s
}

// handlerFunc is an API handler: it writes a success response or returns an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) routes() {
	if s.opts.Web != nil {
		s.mux.Handle("GET /{$}", s.opts.Web)
		s.mux.Handle("GET /favicon.ico", s.opts.Web)
		s.mux.Handle("/ui/", s.opts.Web)
	} else {
		s.mux.HandleFunc("GET /{$}", s.home)
	}

	// One handler per operation, mounted under the legacy and the dated paths.
	for _, prefix := range []string{"/crm/v3/objects/{type}", "/crm/objects/{version}/{type}"} {
		s.route("POST "+prefix, objectWrite, s.createObject)
		s.route("GET "+prefix, objectRead, s.listObjects)
		s.route("GET "+prefix+"/{$}", objectRead, s.listObjects) // HubSpot's users guide writes the list with a trailing slash
		s.route("GET "+prefix+"/{id}", objectRead, s.getObject)
		s.route("PATCH "+prefix+"/{id}", objectWrite, s.updateObject)
		s.route("DELETE "+prefix+"/{id}", objectWrite, s.archiveObject)
		s.route("POST "+prefix+"/batch/create", objectWrite, s.batchCreate)
		s.route("POST "+prefix+"/batch/read", objectRead, s.batchRead)
		s.route("POST "+prefix+"/batch/update", objectWrite, s.batchUpdate)
		s.route("POST "+prefix+"/batch/upsert", objectWrite, s.batchUpsert)
		s.route("POST "+prefix+"/batch/archive", objectWrite, s.batchArchive)
		s.route("POST "+prefix+"/search", objectSearch, s.search)
		s.route("POST "+prefix+"/merge", objectWrite, s.mergeObjects)
		s.route("POST "+prefix+"/gdpr-delete", objectWrite, s.gdprDelete)
	}
	for _, prefix := range []string{"/crm/v3/properties/{type}", "/crm/properties/{version}/{type}"} {
		s.route("GET "+prefix, schemaRead, s.listProperties)
		s.route("POST "+prefix, schemaWrite, s.createProperty)
		s.route("GET "+prefix+"/{name}", schemaRead, s.getProperty)
		s.route("PATCH "+prefix+"/{name}", schemaWrite, s.updateProperty)
		s.route("DELETE "+prefix+"/{name}", schemaWrite, s.archiveProperty)
		s.route("POST "+prefix+"/batch/create", schemaWrite, s.batchCreateProperties)
		s.route("POST "+prefix+"/batch/read", schemaRead, s.batchReadProperties)
		s.route("POST "+prefix+"/batch/archive", schemaWrite, s.batchArchiveProperties)
		s.route("GET "+prefix+"/groups", schemaRead, s.listGroups)
		s.route("POST "+prefix+"/groups", schemaWrite, s.createGroup)
		s.route("GET "+prefix+"/groups/{name}", schemaRead, s.getGroup)
		s.route("PATCH "+prefix+"/groups/{name}", schemaWrite, s.updateGroup)
		s.route("DELETE "+prefix+"/groups/{name}", schemaWrite, s.archiveGroup)
	}
	s.pipelineRoutes("/crm/v3/pipelines/{type}")
	s.pipelineRoutes("/crm/pipelines/{version}/{type}")
	// Associations: v3 object paths, v4, and the v3 batch API.
	v3 := "/crm/v3/objects/{type}/{id}/associations/{toType}"
	s.route("GET "+v3, objectRead, s.listAssociationsV3)
	s.route("PUT "+v3+"/{toId}/{associationType}", objectWrite, s.putAssociationV3)
	s.route("DELETE "+v3+"/{toId}/{associationType}", objectWrite, s.deleteAssociationV3)
	for _, v4 := range []string{"/crm/v4/objects/{type}/{id}/associations", "/crm/objects/{version}/{type}/{id}/associations"} {
		s.route("GET "+v4+"/{toType}", objectRead, s.listV4)
		s.route("PUT "+v4+"/{toType}/{toId}", objectWrite, s.putLabelsV4)
		s.route("DELETE "+v4+"/{toType}/{toId}", objectWrite, s.deleteV4)
		s.route("PUT "+v4+"/default/{toType}/{toId}", objectWrite, s.putDefaultV4)
	}
	for _, p := range []string{"/crm/v4/associations/{type}/{toType}", "/crm/associations/{version}/{type}/{toType}"} {
		s.route("POST "+p+"/batch/create", objectWrite, s.batchCreateV4)
		s.route("POST "+p+"/batch/associate/default", objectWrite, s.batchDefaultV4)
		s.route("POST "+p+"/batch/read", objectRead, s.batchReadV4)
		s.route("POST "+p+"/batch/archive", objectWrite, s.batchArchiveV4)
		s.route("POST "+p+"/batch/labels/archive", objectWrite, s.batchArchiveLabelsV4)
	}
	// HubSpot's Node client calls the labels under both v4 prefixes; the dated
	// paths have them too.
	for _, p := range []string{"/crm/v4/associations/{type}/{toType}/labels", "/crm/associations/v4/{type}/{toType}/labels", "/crm/associations/{version}/{type}/{toType}/labels"} {
		s.route("GET "+p, schemaRead, s.listLabels)
		s.route("POST "+p, schemaWrite, s.createLabel)
		s.route("PUT "+p, schemaWrite, s.updateLabel)
		s.route("DELETE "+p+"/{typeId}", schemaWrite, s.deleteLabel)
	}
	// Association limits, under both v4 prefixes (HubSpot's Node client
	// calls both) and the dated paths.
	for _, p := range []string{"/crm/associations/v4/definitions/configurations", "/crm/v4/associations/definitions/configurations", "/crm/associations/{version}/definitions/configurations"} {
		s.route("GET "+p+"/all", limitsAnyScope, s.listAllLimits)
		s.route("GET "+p+"/{type}/{toType}", schemaRead, s.listLimits)
		s.route("POST "+p+"/{type}/{toType}/batch/create", schemaWrite, s.createLimits)
		s.route("POST "+p+"/{type}/{toType}/batch/update", schemaWrite, s.updateLimits)
		s.route("POST "+p+"/{type}/{toType}/batch/purge", schemaWrite, s.purgeLimits)
	}
	v3batch := "/crm/v3/associations/{type}/{toType}"
	s.route("POST "+v3batch+"/batch/create", objectWrite, s.batchCreateV3)
	s.route("POST "+v3batch+"/batch/read", objectRead, s.batchReadV3)
	s.route("POST "+v3batch+"/batch/archive", objectWrite, s.batchArchiveV3)
	s.route("GET "+v3batch+"/types", objectRead, s.associationTypesV3)

	s.schemaRoutes()
	s.webhookRoutes()

	// Spoke's own extensions live under /_spoke/.
	s.mux.HandleFunc("GET /_spoke/health", s.health)
	if s.opts.Metrics != nil {
		s.mux.Handle("GET /metrics", s.opts.Metrics.Handler())
	}
	s.control("POST /_spoke/reset", s.resetData)
	s.control("POST /_spoke/seed", s.seedData)
	s.control("GET /_spoke/export", s.exportData)
	for _, c := range s.opts.Controls {
		s.control(c.Pattern, c.Handler)
	}
	s.route("POST /_spoke/objects/{type}/{id}/restore", objectWrite, s.restoreObject)
	s.route("POST /_spoke/objects/{type}/batch/restore", objectWrite, s.batchRestore)

	// HubSpot's Node client calls the owners list with a trailing slash.
	s.route("GET /crm/v3/owners", ownersRead, s.listOwners)
	s.route("GET /crm/v3/owners/{$}", ownersRead, s.listOwners)
	s.route("GET /crm/v3/owners/{id}", ownersRead, s.getOwner)
	s.route("GET /crm/owners/{version}", ownersRead, s.listOwners)
	s.route("GET /crm/owners/{version}/{$}", ownersRead, s.listOwners)
	s.route("GET /crm/owners/{version}/{id}", ownersRead, s.getOwner)
	// The call outcomes a call's hs_call_disposition takes.
	s.route("GET /calling/v1/dispositions", callsRead, s.listCallDispositions)
}

// scopeRule names the scopes an operation needs, one of which the token must
// hold. t is the operation's object type, nil for routes without one.
type scopeRule struct {
	needsType bool
	search    bool
	control   bool
	scopes    func(t *crm.ObjectType) []string
}

var (
	objectRead   = scopeRule{needsType: true, scopes: func(t *crm.ObjectType) []string { return t.ReadScopes }}
	objectWrite  = scopeRule{needsType: true, scopes: func(t *crm.ObjectType) []string { return t.WriteScopes }}
	objectSearch = scopeRule{needsType: true, search: true, scopes: func(t *crm.ObjectType) []string { return t.ReadScopes }}
	schemaRead   = scopeRule{needsType: true, scopes: func(t *crm.ObjectType) []string { return t.SchemaReadScopes }}
	schemaWrite  = scopeRule{needsType: true, scopes: func(t *crm.ObjectType) []string { return t.SchemaWriteScopes }}
	ownersRead   = scopeRule{scopes: func(*crm.ObjectType) []string { return crm.OwnerReadScopes }}
	// adminControl guards Spoke's test controls; interceptors do not run on them.
	adminControl = scopeRule{control: true, scopes: func(*crm.ObjectType) []string { return []string{crm.ScopeAdmin} }}
)

type ctxKey int

const (
	typeKey ctxKey = iota
	toTypeKey
	principalKey
	correlationKey
)

// route mounts an operation: it checks the {version} segment, authenticates,
// resolves the {type} segment, and checks the operation's scopes.
// Routes are the method-and-path patterns of HubSpot's API and the test
// controls the server serves, in the order they were registered (neither
// the web pages, /metrics nor /_spoke/health).
func (s *Server) Routes() []string { return slices.Clone(s.patterns) }

func (s *Server) route(pattern string, rule scopeRule, h handlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := func() error {
			if v := r.PathValue("version"); v != "" && !apiVersions[v] {
				return notFoundRoute(r)
			}
			p, err := Authenticate(s.Auth, r)
			if err != nil {
				return err
			}
			ctx := crm.WithActor(context.WithValue(r.Context(), principalKey, p), p.Actor())
			var t *crm.ObjectType
			if rule.needsType {
				if t, err = s.Engine.Types.Resolve(r.PathValue("type")); err != nil {
					return err
				}
				ctx = context.WithValue(ctx, typeKey, t)
			}
			if name := r.PathValue("toType"); name != "" {
				to, err := s.Engine.Types.Resolve(name)
				if err != nil {
					return err
				}
				ctx = context.WithValue(ctx, toTypeKey, to)
			}
			if err := p.Require(rule.scopes(t)); err != nil {
				return err
			}
			r = r.WithContext(ctx)
			if rule.control {
				return h(w, r)
			}
			return s.intercept(w, r, &Call{Principal: p, Type: t, Search: rule.search, Pattern: pattern}, h)
		}()
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// intercept runs the interceptors around h.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request, c *Call, h handlerFunc) error {
	next := func(w http.ResponseWriter, r *http.Request) error { return h(w, r) }
	for i := len(s.opts.Interceptors) - 1; i >= 0; i-- {
		in, inner := s.opts.Interceptors[i], next
		next = func(w http.ResponseWriter, r *http.Request) error { return in(w, r, c, inner) }
	}
	return next(w, r)
}

// control mounts one of Spoke's test controls, unless they are turned off.
func (s *Server) control(pattern string, h handlerFunc) {
	if !s.opts.NoAdmin {
		s.route(pattern, adminControl, h)
	}
}

func objectType(r *http.Request) *crm.ObjectType { return r.Context().Value(typeKey).(*crm.ObjectType) }

// targetType is the {toType} of an association route.
func targetType(r *http.Request) *crm.ObjectType {
	return r.Context().Value(toTypeKey).(*crm.ObjectType)
}

func principal(r *http.Request) *crm.Principal {
	return r.Context().Value(principalKey).(*crm.Principal)
}

func correlationID(r *http.Request) string {
	id, _ := r.Context().Value(correlationKey).(string)
	return id
}

func notFoundRoute(r *http.Request) error {
	return &crm.Error{Kind: crm.KindNotFound, Message: fmt.Sprintf("No route matches %s %s", r.Method, r.URL.Path)}
}

// ServeHTTP adds the correlation id, bounds the body, recovers panics, and
// turns the mux's own 404 and 405 answers into JSON.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := uuid.NewString()
	w := &statusWriter{ResponseWriter: rw}
	w.Header().Set("X-HubSpot-Correlation-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), correlationKey, id))
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	defer func() {
		// The mux has set r.Pattern to the route template by now.
		d := time.Since(start)
		s.opts.Metrics.observe(r.Pattern, r.Method, w.status, d)
		level := slog.LevelDebug
		if w.status >= 500 {
			level = slog.LevelError
		}
		s.Logger.LogAttrs(r.Context(), level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", r.Pattern), slog.Int("status", w.status), slog.Duration("duration", d), slog.String("correlationId", id))
	}()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.Logger.Error("panic", slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
			s.writeError(w, r, fmt.Errorf("panic: %v", v))
		}
	}()
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		s.unrouted(w, r, h)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// unrouted answers requests no pattern takes: 405 when the path exists for
// other methods, else 404, always with a JSON body.
func (s *Server) unrouted(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		s.writeError(w, r, &httpError{status: http.StatusMethodNotAllowed, message: fmt.Sprintf("Method %s is not allowed on %s", r.Method, r.URL.Path)})
		return
	}
	if rec.status >= 300 && rec.status < 400 { // the mux's redirects for cleaned paths
		w.Header().Set("Location", rec.header.Get("Location"))
		w.WriteHeader(rec.status)
		return
	}
	s.writeError(w, r, notFoundRoute(r))
}

// statusRecorder captures what the mux's fallback handler would answer.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(status int)      { s.status = status }

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, homePage)
}

const homePage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spoke</title></head>
<body><main>
<h1>Spoke</h1>
<p>A HubSpot-compatible CRM v3 API for communications (WhatsApp, LinkedIn and SMS messages) and the contacts, companies, deals and tickets they are logged on.</p>
<p>Point HubSpot's client or curl at <code>/crm/v3/objects/communications</code> with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
</main></body></html>
`

// splitList reads a list-valued query parameter given comma-separated,
// repeated, or both.
func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
