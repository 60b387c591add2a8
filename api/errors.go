package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/httpstatus"
)

// errorBody is HubSpot's error shape, fields in the order HubSpot writes them.
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	ErrorType     string              `json:"errorType,omitempty"`
	CorrelationID string              `json:"correlationId"`
	PolicyName    string              `json:"policyName,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []crm.ErrorDetail   `json:"errors,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
	Category      string              `json:"category,omitempty"`
	SubCategory   string              `json:"subCategory,omitempty"`
}

// httpError is a failure of the HTTP exchange rather than of the domain (a
// method the path does not take, a body over the limit) or an injected
// fault: it is answered with its own status code.
type httpError struct {
	status   int
	category string
	message  string
}

func (e *httpError) Error() string { return e.message }

// scopesLink is the link HubSpot's MISSING_SCOPES bodies carry.
var scopesLink = map[string]string{"scopes": "https://developers.hubspot.com/scopes"}

// writeError is the one place where errors become HubSpot's JSON error
// body: the status code of the error's kind, and the fields only HubSpot's
// wire has (the 429 bodies' errorType and policyName, the scopes link).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	body := errorBody{Status: "error", CorrelationID: correlationID(r)}
	var status int
	if he := (*httpError)(nil); errors.As(err, &he) {
		status, body.Message, body.Category = he.status, he.message, he.category
	} else {
		e := crm.AsError(err)
		var ok bool
		if status, ok = httpstatus.Of(e.Kind); !ok {
			s.Logger.Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("correlationId", body.CorrelationID), slog.Any("err", err))
		}
		body.Message, body.Context, body.Errors = e.Message, e.Context, e.Details
		body.Category, body.SubCategory = e.Category, e.SubCategory
		switch {
		case e.Kind == crm.KindRateLimited && e.Limit != crm.RateSecondly:
			// Search's limit answers with a category instead (crm.RateLimited).
			body.ErrorType, body.PolicyName = "RATE_LIMIT", e.Limit.String()
		case e.Category == crm.CategoryMissingScopes:
			body.Links = scopesLink
		case e.Kind == crm.KindUnauthenticated:
			w.Header().Set("X-HubSpot-Auth-Failure", "401 Unauthorized")
		}
	}
	writeJSON(w, status, body)
}
