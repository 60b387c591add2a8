package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Principal is an authenticated caller.
type Principal struct {
	TokenID int64 // 0 for the SPOKE_ACCESS_TOKEN token
	Name    string
	Scopes  map[string]bool
}

// Actor is the source recorded on values this principal writes.
func (p *Principal) Actor() crm.Actor {
	return crm.Actor{SourceType: crm.SourceIntegration, SourceID: strconv.FormatInt(p.TokenID, 10)}
}

// require checks that the principal holds at least one of scopes.
func (p *Principal) require(scopes []string) error {
	for _, s := range scopes {
		if p.Scopes[s] {
			return nil
		}
	}
	return &crm.Error{
		Kind:     crm.KindForbidden,
		Category: crm.CategoryMissingScopes,
		Message:  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
		Details: []crm.ErrorDetail{{
			Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredGranularScopes": scopes},
		}},
		Links: map[string]string{"scopes": "https://developers.hubspot.com/scopes"},
	}
}

func scopeSet(scopes []string) map[string]bool {
	m := make(map[string]bool, len(scopes))
	for _, s := range scopes {
		m[s] = true
	}
	return m
}

// cacheTTL bounds how long a token found in storage is trusted without
// looking again, so a revocation made elsewhere takes effect quickly.
const cacheTTL = 2 * time.Second

// Authenticator checks bearer tokens: the SPOKE_ACCESS_TOKEN value, or a
// stored token found by the hash of the presented secret. Lookups are cached.
type Authenticator struct {
	EnvToken string
	Tokens   crm.TokenStore
	Now      func() time.Time

	mu    sync.Mutex
	cache map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       *Principal
	expires time.Time
}

var errUnauthenticated = &crm.Error{
	Kind:     crm.KindUnauthenticated,
	Category: crm.CategoryInvalidAuth,
	Message:  "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
}

// Authenticate returns the principal for the request's bearer token.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errUnauthenticated
	}
	return a.AuthenticateSecret(r.Context(), secret)
}

// AuthenticateSecret returns the principal for a token secret presented
// other than as a bearer header (the web pages' sign-in form).
func (a *Authenticator) AuthenticateSecret(ctx context.Context, secret string) (*Principal, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, errUnauthenticated
	}
	if a.EnvToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(a.EnvToken)) == 1 {
		return envPrincipal(), nil
	}
	return a.lookup(ctx, crm.HashToken(secret))
}

// AuthenticateHash returns the principal for the token whose secret has
// that hash (crm.HashToken): web sessions keep only the hash.
func (a *Authenticator) AuthenticateHash(ctx context.Context, hash string) (*Principal, error) {
	if hash == "" {
		return nil, errUnauthenticated
	}
	if a.EnvToken != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(crm.HashToken(a.EnvToken))) == 1 {
		return envPrincipal(), nil
	}
	return a.lookup(ctx, hash)
}

func envPrincipal() *Principal {
	return &Principal{Name: "SPOKE_ACCESS_TOKEN", Scopes: scopeSet(crm.AllScopes)}
}

func (a *Authenticator) lookup(ctx context.Context, hash string) (*Principal, error) {
	now := a.Now()
	a.mu.Lock()
	c, ok := a.cache[hash]
	a.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.p, nil
	}
	t, err := a.Tokens.TokenByHash(ctx, hash)
	if errors.Is(err, crm.ErrNotFound) {
		a.forget(hash)
		return nil, errUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	// Last use is recorded when the cache is refreshed, off the request path.
	go a.Tokens.TouchToken(context.Background(), t.ID, now)
	p := &Principal{TokenID: t.ID, Name: t.Name, Scopes: scopeSet(t.Scopes)}
	a.mu.Lock()
	if a.cache == nil {
		a.cache = map[string]cachedPrincipal{}
	}
	a.cache[hash] = cachedPrincipal{p: p, expires: now.Add(cacheTTL)}
	a.mu.Unlock()
	return p, nil
}

func (a *Authenticator) forget(hash string) {
	a.mu.Lock()
	delete(a.cache, hash)
	a.mu.Unlock()
}

// Forget drops every cached token lookup (after tokens were deleted).
func (a *Authenticator) Forget() {
	a.mu.Lock()
	a.cache = nil
	a.mu.Unlock()
}
