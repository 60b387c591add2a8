// Package httpstatus is the one table from the kinds of domain errors
// (crm.Kind) to HTTP status codes, shared by the API and the web pages.
package httpstatus

import (
	"net/http"

	"github.com/spoke-crm/spoke/crm"
)

var byKind = map[crm.Kind]int{
	crm.KindInvalid:         http.StatusBadRequest,
	crm.KindUnauthenticated: http.StatusUnauthorized,
	crm.KindForbidden:       http.StatusForbidden,
	crm.KindNotFound:        http.StatusNotFound,
	crm.KindConflict:        http.StatusConflict,
	crm.KindRateLimited:     http.StatusTooManyRequests,
}

// Of returns the status code of an error of kind k, and false for
// KindInternal and any kind without one (500: a fault of the server, not
// of the request).
func Of(k crm.Kind) (int, bool) {
	status, ok := byKind[k]
	if !ok {
		return http.StatusInternalServerError, false
	}
	return status, true
}
