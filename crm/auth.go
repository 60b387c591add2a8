package crm

import (
	"context"
	"crypto/subtle"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Principal is an authenticated caller: a stored token, or the
// SPOKE_ACCESS_TOKEN value. The API finds it from a bearer header, the web
// pages from a session; both check its scopes here.
type Principal struct {
	TokenID int64 // 0 for the SPOKE_ACCESS_TOKEN token
	Name    string
	Scopes  map[string]bool
}

// Actor is the source recorded on values this principal writes.
func (p *Principal) Actor() Actor {
	return Actor{SourceType: SourceIntegration, SourceID: strconv.FormatInt(p.TokenID, 10)}
}

// Can reports whether the principal holds at least one of scopes.
func (p *Principal) Can(scopes []string) bool {
	for _, s := range scopes {
		if p.Scopes[s] {
			return true
		}
	}
	return false
}

// Require is Can as an error: HubSpot's MISSING_SCOPES refusal, naming the
// scopes one of which is required.
func (p *Principal) Require(scopes []string) error {
	if p.Can(scopes) {
		return nil
	}
	return &Error{
		Kind:     KindForbidden,
		Category: CategoryMissingScopes,
		Message:  "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
		Details: []ErrorDetail{{
			Message: "One or more of the following scopes are required.",
			Context: map[string][]string{"requiredGranularScopes": scopes},
		}},
	}
}

// Unauthenticated is HubSpot's refusal of a call without a valid token.
func Unauthenticated() *Error {
	return &Error{
		Kind:     KindUnauthenticated,
		Category: CategoryInvalidAuth,
		Message:  "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
	}
}

func scopeSet(scopes []string) map[string]bool {
	m := make(map[string]bool, len(scopes))
	for _, s := range scopes {
		m[s] = true
	}
	return m
}

// tokenCacheTTL bounds how long a token found in storage is trusted without
// looking again, so a revocation made elsewhere takes effect quickly.
const tokenCacheTTL = 2 * time.Second

// Authenticator resolves access tokens: the SPOKE_ACCESS_TOKEN value, or a
// stored token found by the hash of the presented secret. Lookups are
// cached for a short while.
type Authenticator struct {
	EnvToken string
	Tokens   TokenStore
	Now      func() time.Time

	mu    sync.Mutex
	cache map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       *Principal
	expires time.Time
}

// AuthenticateSecret returns the principal for a token secret (a bearer
// header's, or one typed into the web pages' sign-in form).
func (a *Authenticator) AuthenticateSecret(ctx context.Context, secret string) (*Principal, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return nil, Unauthenticated()
	}
	if a.EnvToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(a.EnvToken)) == 1 {
		return envPrincipal(), nil
	}
	return a.lookup(ctx, HashToken(secret))
}

// AuthenticateHash returns the principal for the token whose secret has
// that hash (HashToken): web sessions keep only the hash.
func (a *Authenticator) AuthenticateHash(ctx context.Context, hash string) (*Principal, error) {
	if hash == "" {
		return nil, Unauthenticated()
	}
	if a.EnvToken != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(HashToken(a.EnvToken))) == 1 {
		return envPrincipal(), nil
	}
	return a.lookup(ctx, hash)
}

func envPrincipal() *Principal {
	return &Principal{Name: "SPOKE_ACCESS_TOKEN", Scopes: scopeSet(AllScopes)}
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
	if errors.Is(err, ErrNotFound) {
		a.forget(hash)
		return nil, Unauthenticated()
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
	a.cache[hash] = cachedPrincipal{p: p, expires: now.Add(tokenCacheTTL)}
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
