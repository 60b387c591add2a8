package api

import (
	"context"
	"net/http"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Spoke's test controls and operations endpoints under /_spoke/.

// resetData is POST /_spoke/reset: empties CRM data, keeping tokens, owners
// and custom properties unless the body asks otherwise.
func (s *Server) resetData(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Owners bool `json:"owners"`
		Tokens bool `json:"tokens"`
		Schema bool `json:"schema"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(r, &body); err != nil {
			return err
		}
	}
	if err := s.Engine.ResetData(r.Context(), crm.ResetScope{Owners: body.Owners, Tokens: body.Tokens, Schema: body.Schema}); err != nil {
		return err
	}
	if body.Tokens {
		s.Auth.Forget()
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// seedData is POST /_spoke/seed: loads a fixture, all or nothing.
func (s *Server) seedData(w http.ResponseWriter, r *http.Request) error {
	var f crm.Fixture
	if err := decodeBody(r, &f); err != nil {
		return err
	}
	if err := s.Engine.Seed(r.Context(), &f); err != nil {
		return err
	}
	counts := map[string]int{"owners": len(f.Owners), "associations": len(f.Associations)}
	for typ, list := range f.Objects {
		counts[typ] = len(list)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "loaded": counts})
	return nil
}

// exportData is GET /_spoke/export.
func (s *Server) exportData(w http.ResponseWriter, r *http.Request) error {
	f, err := s.Engine.Export(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

// health is GET /_spoke/health: 200 when the database answers. It needs no
// token, so load balancers can call it.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.Engine.Store.Read(ctx, func(tx crm.ReadTx) error {
		_, err := tx.ListObjects(ctx, crm.ListQuery{TypeID: "0-18", Limit: 1})
		return err
	})
	if err != nil {
		s.Logger.Error("health check", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "database": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
