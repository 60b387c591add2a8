package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Cookie names.
const (
	sessionCookie = "spoke_session"
	// signInCookie carries the CSRF token of the sign-in form, before any
	// session exists (double-submit).
	signInCookie = "spoke_signin"
)

// session is one signed-in browser. Sessions are stored (crm.SessionStore),
// so every node of a cluster knows them and a restart keeps them; the
// cookie holds a random value of which only the hash is stored.
type session struct {
	id        string // hash of the cookie value
	tokenHash string // of the access token, re-checked on every request
	csrf      string
	flash     string // as stored: JSON, or ""
}

// flash is a one-time notice shown on the next page.
type flash struct {
	Text     string
	LinkText string
	LinkURL  string
}

type sessions struct {
	store crm.SessionStore
	now   func() time.Time
	idle  time.Duration
}

// touchEvery is how stale a session's last use may be before a request
// records it again: a page view then writes to storage at most once a
// minute, and idle sessions end within a minute of the idle time.
const touchEvery = time.Minute

func newSessions(store crm.SessionStore, now func() time.Time, idle time.Duration) *sessions {
	return &sessions{store: store, now: now, idle: idle}
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create stores a new session for the token with that hash and returns the
// value for its cookie. Sessions idle for too long are removed first.
func (s *sessions) create(ctx context.Context, tokenHash string) (string, error) {
	now := s.now()
	if err := s.store.DeleteSessionsSeenBefore(ctx, now.Add(-s.idle)); err != nil {
		return "", err
	}
	value := randomToken()
	err := s.store.CreateSession(ctx, &crm.WebSession{IDHash: crm.HashToken(value), TokenHash: tokenHash, CSRF: randomToken(), SeenAt: now})
	return value, err
}

// get returns the live session a cookie value names, or nil, and records
// its use.
func (s *sessions) get(ctx context.Context, value string) (*session, error) {
	ws, err := s.store.Session(ctx, crm.HashToken(value))
	if errors.Is(err, crm.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if now.Sub(ws.SeenAt) > s.idle {
		return nil, s.store.DeleteSession(ctx, ws.IDHash)
	}
	if now.Sub(ws.SeenAt) >= touchEvery {
		if err := s.store.TouchSession(ctx, ws.IDHash, now); err != nil {
			return nil, err
		}
	}
	return &session{id: ws.IDHash, tokenHash: ws.TokenHash, csrf: ws.CSRF, flash: ws.Flash}, nil
}

func (s *sessions) delete(ctx context.Context, ss *session) error {
	return s.store.DeleteSession(ctx, ss.id)
}

// setFlash keeps f for the session's next page.
func (s *sessions) setFlash(ctx context.Context, ss *session, f *flash) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = s.store.SwapSessionFlash(ctx, ss.id, string(data))
	return err
}

// takeFlash returns the session's notice, if it has one, and removes it.
func (s *sessions) takeFlash(ctx context.Context, ss *session) (*flash, error) {
	if ss.flash == "" {
		return nil, nil // as read with the session: nothing to remove
	}
	data, err := s.store.SwapSessionFlash(ctx, ss.id, "")
	if err != nil || data == "" {
		return nil, err
	}
	var f flash
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int, mode http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"), SameSite: mode})
}

// call is one request of a signed-in person.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	sess *session
	p    *crm.Principal
}

func (c *call) actor() crm.Actor { return c.p.Actor() }

func (c *call) canRead(t *crm.ObjectType) bool  { return c.p.Can(t.ReadScopes) }
func (c *call) canWrite(t *crm.ObjectType) bool { return c.p.Can(t.WriteScopes) }

// signedIn runs fn for a person with a live session and a still valid
// token; others are sent to the sign-in page. Forms must carry the
// session's CSRF token.
func (h *Handler) signedIn(fn func(c *call) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ss *session
		if ck, err := r.Cookie(sessionCookie); err == nil {
			if ss, err = h.sessions.get(r.Context(), ck.Value); err != nil {
				h.renderError(w, r, nil, fromEngine(err, nil))
				return
			}
		}
		if ss == nil {
			h.toSignIn(w, r, "")
			return
		}
		p, err := h.auth.AuthenticateHash(r.Context(), ss.tokenHash)
		if err != nil {
			if crm.AsError(err).Kind == crm.KindUnauthenticated {
				if err := h.sessions.delete(r.Context(), ss); err != nil {
					h.renderError(w, r, nil, fromEngine(err, nil))
					return
				}
				setCookie(w, r, sessionCookie, "", -1, http.SameSiteLaxMode)
				h.toSignIn(w, r, "revoked")
				return
			}
			h.renderError(w, r, nil, fromEngine(err, nil))
			return
		}
		// The pages show every write at once, whatever --search-lag says.
		r = r.WithContext(crm.WithoutSearchLag(crm.WithActor(r.Context(), p.Actor())))
		c := &call{w: w, r: r, sess: ss, p: p}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				h.renderError(w, r, c, &pageError{Status: http.StatusBadRequest, Title: "That did not work", Message: "The form could not be read."})
				return
			}
			if !sameToken(r.PostFormValue("csrf"), ss.csrf) {
				h.renderError(w, r, c, badCSRF())
				return
			}
		}
		if err := fn(c); err != nil {
			h.renderError(w, r, c, err)
		}
	}
}

func badCSRF() *pageError {
	return &pageError{Status: http.StatusForbidden, Title: "Form expired",
		Message: "This form was out of date or did not come from this site, so nothing was changed. Go back, reload the page and try again."}
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// toSignIn redirects to the sign-in page, which sends the person back here
// once signed in: to this page for GET requests, and for a form to the
// page of this site it was sent from (its Referer).
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, reason string) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	}
	if ref, err := url.Parse(r.Referer()); r.Method == http.MethodPost && err == nil && ref.Host == r.Host && (ref.Scheme == "http" || ref.Scheme == "https") {
		if next := localPath(ref.RequestURI()); next != "/" && !strings.HasPrefix(ref.Path, Prefix+"sign-in") {
			q.Set("next", next)
		}
	}
	if reason != "" {
		q.Set("reason", reason)
	}
	target := Prefix + "sign-in"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath accepts only paths on this site as a place to return to:
// nothing a browser could read as another host ("//host", "/\host", or
// with tabs and newlines it drops).
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\t\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

type signInData struct {
	base
	Next   string
	Reason string
	Error  string
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	// Someone already signed in goes on.
	if ck, err := r.Cookie(sessionCookie); err == nil {
		ss, err := h.sessions.get(r.Context(), ck.Value)
		if err != nil {
			h.renderError(w, r, nil, fromEngine(err, nil))
			return
		}
		if ss != nil {
			http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
			return
		}
	}
	data := &signInData{Next: localPath(r.URL.Query().Get("next"))}
	switch r.URL.Query().Get("reason") {
	case "revoked":
		data.Reason = "Your access token is no longer valid. Sign in with another one."
	case "signed-out":
		data.Reason = "You are signed out."
	}
	h.renderSignIn(w, r, http.StatusOK, data)
}

func (h *Handler) renderSignIn(w http.ResponseWriter, r *http.Request, status int, data *signInData) {
	// One token per browser, so two open sign-in tabs both work.
	token := randomToken()
	if ck, err := r.Cookie(signInCookie); err == nil && len(ck.Value) == len(token) {
		token = ck.Value
	}
	setCookie(w, r, signInCookie, token, 3600, http.SameSiteStrictMode)
	data.Title = "Sign in"
	data.CSRF = token
	h.render(w, r, status, "signin", data)
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, nil, &pageError{Status: http.StatusBadRequest, Title: "That did not work", Message: "The form could not be read."})
		return
	}
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		h.renderError(w, r, nil, badCSRF())
		return
	}
	next := localPath(r.PostFormValue("next"))
	secret := strings.TrimSpace(r.PostFormValue("token"))
	if _, err := h.auth.AuthenticateSecret(r.Context(), secret); err != nil {
		msg := "That access token is not valid. Use the token spoke serve printed on its first start, SPOKE_ACCESS_TOKEN, or one made with spoke tokens create."
		if crm.AsError(err).Kind != crm.KindUnauthenticated {
			msg = fromEngine(err, nil).Message
		}
		h.renderSignIn(w, r, http.StatusUnauthorized, &signInData{Next: next, Error: msg})
		return
	}
	value, err := h.sessions.create(r.Context(), crm.HashToken(secret))
	if err != nil {
		h.renderError(w, r, nil, fromEngine(err, nil))
		return
	}
	setCookie(w, r, signInCookie, "", -1, http.SameSiteStrictMode)
	setCookie(w, r, sessionCookie, value, 0, http.SameSiteLaxMode)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) signOut(c *call) error {
	if err := h.sessions.delete(c.r.Context(), c.sess); err != nil {
		return err
	}
	setCookie(c.w, c.r, sessionCookie, "", -1, http.SameSiteLaxMode)
	http.Redirect(c.w, c.r, Prefix+"sign-in?reason=signed-out", http.StatusSeeOther)
	return nil
}
