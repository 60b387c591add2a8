// Package web serves Spoke's browser pages: sign-in with an access token,
// lists of contacts, companies, deals and tickets, and each record's
// timeline of its engagements (WhatsApp, LinkedIn and SMS messages, notes,
// calls, emails, meetings, tasks and postal mail), where a person logs
// messages, adds notes, and pins, deletes and restores any engagement.
//
// Pages are rendered on the server with html/template; the stylesheet and a
// small script are embedded. Every action is an HTML form that works without
// JavaScript and goes through the same crm.Engine calls as the HTTP API, with
// the signed-in token's scopes. The package depends on crm (which resolves
// tokens and checks scopes), never on api or storage.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/httpstatus"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where every page but the home page lives.
const Prefix = "/ui/"

// Options configure a Handler.
type Options struct {
	// Now is the clock (sessions, the default time of a new message).
	Now func() time.Time
	// Logger receives unexpected errors; nil discards them.
	Logger *slog.Logger
	// SessionIdle is how long a session lasts without use (default 12 hours).
	SessionIdle time.Duration
}

// Handler serves the pages. Mount it at GET /, GET /favicon.ico and under
// Prefix (api.Options.Web).
type Handler struct {
	engine   *crm.Engine
	auth     *crm.Authenticator
	now      func() time.Time
	logger   *slog.Logger
	sessions *sessions
	mux      *http.ServeMux
	pages    map[string]*template.Template
	static   map[string]staticFile
	patterns []string // of handle, in the order registered
}

type staticFile struct {
	body        []byte
	contentType string
	version     string
}

// New returns the pages of engine, signing people in through auth.
func New(engine *crm.Engine, auth *crm.Authenticator, opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 12 * time.Hour
	}
	h := &Handler{
		engine:   engine,
		auth:     auth,
		now:      opts.Now,
		logger:   opts.Logger,
		sessions: newSessions(engine.Store.Sessions(), opts.Now, opts.SessionIdle),
		mux:      http.NewServeMux(),
		static:   loadStatic(),
	}
	h.pages = parsePages(h.staticURL)
	h.routes()
	return h
}

// handle serves pattern with fn and adds it to Routes.
func (h *Handler) handle(pattern string, fn http.HandlerFunc) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, fn)
}

// Routes are the method-and-path patterns of the pages, in the order they
// were registered.
func (h *Handler) Routes() []string { return slices.Clone(h.patterns) }

func (h *Handler) routes() {
	h.handle("GET /{$}", h.signedIn(h.home))
	h.handle("GET /ui/{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/", http.StatusSeeOther) })
	for name := range h.static {
		h.handle("GET "+Prefix+"static/"+name, h.serveStatic(name))
	}
	h.handle("GET /favicon.ico", h.serveFavicon)
	h.handle("GET /ui/sign-in", h.signInPage)
	h.handle("POST /ui/sign-in", h.signIn)
	h.handle("POST /ui/sign-out", h.signedIn(h.signOut))
	h.webhookRoutes()

	h.handle("GET /ui/{type}", h.signedIn(h.list))
	h.handle("GET /ui/{type}/recycle-bin", h.signedIn(h.typeRecycleBin))
	h.handle("POST /ui/{type}/recycle-bin/{id}/restore", h.signedIn(h.restoreFromTypeBin))
	h.handle("GET /ui/{type}/{id}", h.signedIn(h.record))
	h.handle("POST /ui/{type}/{id}/messages", h.signedIn(h.logMessage))
	h.handle("POST /ui/{type}/{id}/notes", h.signedIn(h.addNote))
	h.handle("POST /ui/{type}/{id}/pin", h.signedIn(h.pin))
	h.handle("POST /ui/{type}/{id}/unpin", h.signedIn(h.unpin))
	// {kind} is an engagement type as the record page names it: messages, notes, calls ...
	h.handle("GET /ui/{type}/{id}/{kind}/{mid}/delete", h.signedIn(h.confirmDelete))
	h.handle("POST /ui/{type}/{id}/{kind}/{mid}/delete", h.signedIn(h.deleteEntry))
	h.handle("GET /ui/{type}/{id}/recycle-bin", h.signedIn(h.recordRecycleBin))
	h.handle("GET /ui/{type}/{id}/associated/{other}", h.signedIn(h.associatedList))
	h.handle("POST /ui/{type}/{id}/recycle-bin/{kind}/{mid}/restore", h.signedIn(h.restoreFromRecordBin))
}

// ServeHTTP sets the headers every page carries and answers paths without a
// page with an HTML 404 or 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	_, pattern := h.mux.Handler(r)
	if pattern == "" {
		rec := &statusOnly{header: http.Header{}}
		h.mux.ServeHTTP(rec, r)
		if rec.status == http.StatusMethodNotAllowed {
			hd.Set("Allow", rec.header.Get("Allow"))
			h.renderError(w, r, nil, &pageError{Status: http.StatusMethodNotAllowed, Title: "Not allowed",
				Message: "This page cannot be used that way. Follow a link or a button instead of typing the address."})
			return
		}
		if loc := rec.header.Get("Location"); rec.status >= 300 && rec.status < 400 && loc != "" {
			http.Redirect(w, r, loc, rec.status)
			return
		}
		h.renderError(w, r, nil, notFound("There is no page at this address."))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// statusOnly captures what the mux would answer for an unknown path.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(status int)      { s.status = status }

// pageError is an error shown to the person as a page, in words.
type pageError struct {
	Status  int
	Title   string
	Message string
	Details []string
	// Back links to where the person came from.
	Back, BackLabel string
}

func (e *pageError) Error() string { return e.Message }

func notFound(msg string) *pageError {
	return &pageError{Status: http.StatusNotFound, Title: "Not found", Message: msg}
}

func forbidden(what string, scopes []string) *pageError {
	return &pageError{Status: http.StatusForbidden, Title: "Not allowed",
		Message: "Your access token may not " + what + ". It needs one of these scopes: " + strings.Join(scopes, ", ") + "."}
}

// fromEngine turns an engine error into words for a person: the message,
// and the "errors" details of validation failures with property labels.
func fromEngine(err error, t *crm.ObjectType) *pageError {
	var pe *pageError
	if errors.As(err, &pe) {
		return pe
	}
	e := crm.AsError(err)
	status, _ := httpstatus.Of(e.Kind)
	out := &pageError{Status: status, Title: titleOf(e), Message: e.Message}
	if e.Kind == crm.KindInternal {
		out.Message = "Something went wrong on the server. Try again; if it keeps happening, the server's log says more."
		return out
	}
	label := func(name string) string {
		if t != nil {
			if p := t.Property(name); p != nil {
				return p.Label
			}
		}
		return name
	}
	if len(e.Details) > 0 && e.Category == crm.CategoryValidation && strings.HasPrefix(e.Message, "Property values were not valid") {
		out.Message = "Some values were not valid."
	}
	for _, d := range e.Details {
		msg := d.Message
		if names := d.Context["propertyName"]; len(names) == 1 {
			msg = label(names[0]) + ": " + msg
		}
		out.Details = append(out.Details, msg)
	}
	if names := e.Context["properties"]; len(names) > 0 && len(e.Details) == 0 {
		for _, n := range names {
			out.Details = append(out.Details, label(n)+" is required.")
		}
	}
	return out
}

func titleOf(e *crm.Error) string {
	switch e.Kind {
	case crm.KindInvalid:
		return "That did not work"
	case crm.KindNotFound:
		return "Not found"
	case crm.KindForbidden:
		return "Not allowed"
	case crm.KindConflict:
		return "Conflict"
	}
	return "Something went wrong"
}

// loadStatic reads the embedded stylesheet and script once, with a content
// hash for cache-busting URLs.
func loadStatic() map[string]staticFile {
	out := map[string]staticFile{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		body, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(body)
		ct := "application/octet-stream"
		switch path.Ext(e.Name()) {
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		out[e.Name()] = staticFile{body: body, contentType: ct, version: hex.EncodeToString(sum[:6])}
	}
	return out
}

func (h *Handler) staticURL(name string) string {
	f, ok := h.static[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return Prefix + "static/" + name + "?v=" + f.version
}

func (h *Handler) serveStatic(name string) http.HandlerFunc {
	f := h.static[name]
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(f.body)
	}
}
