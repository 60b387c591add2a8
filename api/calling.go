package api

import (
	"net/http"

	"github.com/spoke-crm/spoke/crm"
)

// callsRead is the scope rule of the calling API's reads: the calls' own
// read scopes.
var callsRead = scopeRule{scopes: func(*crm.ObjectType) []string { return crm.Calls().ReadScopes }}

// dispositionJSON is one call outcome of HubSpot's calling API.
type dispositionJSON struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Deleted bool   `json:"deleted"`
}

// listCallDispositions answers GET /calling/v1/dispositions: the options of
// hs_call_disposition, as a bare array.
func (s *Server) listCallDispositions(w http.ResponseWriter, r *http.Request) error {
	calls, err := s.Engine.Types.Resolve("calls")
	if err != nil {
		return err
	}
	out := []dispositionJSON{}
	if p := calls.Property("hs_call_disposition"); p != nil {
		for _, o := range p.Options {
			out = append(out, dispositionJSON{ID: o.Value, Label: o.Label, Deleted: false})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
