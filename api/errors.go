package api

import (
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

// writeError is the one place where errors become HubSpot's JSON error body.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := crm.AsError(err)
	status, ok := httpstatus.Of(e.Kind)
	if e.Status != 0 {
		status, ok = e.Status, true
	}
	if !ok {
		s.Logger.Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("correlationId", correlationID(r)), slog.Any("err", err))
	}
	if e.Kind == crm.KindUnauthenticated {
		w.Header().Set("X-HubSpot-Auth-Failure", "401 Unauthorized")
	}
	writeJSON(w, status, errorBody{
		Status:        "error",
		Message:       e.Message,
		ErrorType:     e.ErrorType,
		CorrelationID: correlationID(r),
		PolicyName:    e.PolicyName,
		Context:       e.Context,
		Errors:        e.Details,
		Links:         e.Links,
		Category:      e.Category,
		SubCategory:   e.SubCategory,
	})
}
