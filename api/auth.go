package api

import (
	"net/http"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// Authenticate returns the principal of the request's bearer token. The
// API reads only the Authorization header; resolving the token and checking
// its scopes is the domain's (crm.Authenticator, crm.Principal).
func Authenticate(a *crm.Authenticator, r *http.Request) (*crm.Principal, error) {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, crm.Unauthenticated()
	}
	return a.AuthenticateSecret(r.Context(), secret)
}
