package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/spoke-crm/spoke/api"
	"github.com/spoke-crm/spoke/crm"
)

// Cookie names.
const (
	sessionCookie = "spoke_session"
	// signInCookie carries the CSRF token of the sign-in form, before any
	// session exists (double-submit).
	signInCookie = "spoke_signin"
)

// session is one signed-in browser. Sessions live in this process's memory:
// a restart signs everyone out, and nodes behind a load balancer need sticky
// sessions.
type session struct {
	id     string
	secret string // the access token, re-checked on every request
	csrf   string
	seen   time.Time
	flash  *flash
}

// flash is a one-time notice shown on the next page.
type flash struct {
	Text     string
	LinkText string
	LinkURL  string
}

type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	now  func() time.Time
	idle time.Duration
}

func newSessions(now func() time.Time, idle time.Duration) *sessions {
	return &sessions{byID: map[string]*session{}, now: now, idle: idle}
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *sessions) create(secret string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for id, old := range s.byID {
		if now.Sub(old.seen) > s.idle {
			delete(s.byID, id)
		}
	}
	ss := &session{id: randomToken(), secret: secret, csrf: randomToken(), seen: now}
	s.byID[ss.id] = ss
	return ss
}

// get returns the live session with that id and marks it used.
func (s *sessions) get(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byID[id]
	if !ok {
		return nil
	}
	now := s.now()
	if now.Sub(ss.seen) > s.idle {
		delete(s.byID, id)
		return nil
	}
	ss.seen = now
	return ss
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	delete(s.byID, id)
	s.mu.Unlock()
}

func (s *sessions) setFlash(ss *session, f *flash) {
	s.mu.Lock()
	ss.flash = f
	s.mu.Unlock()
}

func (s *sessions) takeFlash(ss *session) *flash {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := ss.flash
	ss.flash = nil
	return f
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
	p    *api.Principal
}

func (c *call) actor() crm.Actor { return c.p.Actor() }

func (c *call) can(scopes []string) bool {
	for _, s := range scopes {
		if c.p.Scopes[s] {
			return true
		}
	}
	return false
}

func (c *call) canRead(t *crm.ObjectType) bool  { return c.can(t.ReadScopes) }
func (c *call) canWrite(t *crm.ObjectType) bool { return c.can(t.WriteScopes) }

// signedIn runs fn for a person with a live session and a still valid
// token; others are sent to the sign-in page. Forms must carry the
// session's CSRF token.
func (h *Handler) signedIn(fn func(c *call) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ss *session
		if ck, err := r.Cookie(sessionCookie); err == nil {
			ss = h.sessions.get(ck.Value)
		}
		if ss == nil {
			h.toSignIn(w, r, "")
			return
		}
		p, err := h.auth.AuthenticateSecret(r.Context(), ss.secret)
		if err != nil {
			if crm.AsError(err).Kind == crm.KindUnauthenticated {
				h.sessions.delete(ss.id)
				setCookie(w, r, sessionCookie, "", -1, http.SameSiteLaxMode)
				h.toSignIn(w, r, "revoked")
				return
			}
			h.renderError(w, r, nil, fromEngine(err, nil))
			return
		}
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
// (for GET requests) once signed in.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, reason string) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
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
	if ck, err := r.Cookie(sessionCookie); err == nil && h.sessions.get(ck.Value) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
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
	ss := h.sessions.create(secret)
	setCookie(w, r, signInCookie, "", -1, http.SameSiteStrictMode)
	setCookie(w, r, sessionCookie, ss.id, 0, http.SameSiteLaxMode)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) signOut(c *call) error {
	h.sessions.delete(c.sess.id)
	setCookie(c.w, c.r, sessionCookie, "", -1, http.SameSiteLaxMode)
	http.Redirect(c.w, c.r, Prefix+"sign-in?reason=signed-out", http.StatusSeeOther)
	return nil
}
