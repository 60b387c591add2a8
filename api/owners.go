package api

import (
	"net/http"
	"strconv"

	"github.com/spoke-crm/spoke/crm"
)

const (
	defaultOwnersLimit = 100
	maxOwnersLimit     = 500
)

// ownerJSON is HubSpot's PublicOwner. Archived owners have userId null.
type ownerJSON struct {
	ID                      string `json:"id"`
	Email                   string `json:"email"`
	Type                    string `json:"type"`
	FirstName               string `json:"firstName"`
	LastName                string `json:"lastName"`
	UserID                  *int64 `json:"userId"`
	UserIDIncludingInactive int64  `json:"userIdIncludingInactive"`
	CreatedAt               string `json:"createdAt"`
	UpdatedAt               string `json:"updatedAt"`
	Archived                bool   `json:"archived"`
}

// NewOwnerJSON renders an owner as HubSpot does; the CLI prints the same shape.
func NewOwnerJSON(o *crm.Owner) any {
	out := ownerJSON{ID: strconv.FormatInt(o.ID, 10), Email: o.Email, Type: o.Type, FirstName: o.FirstName, LastName: o.LastName,
		UserIDIncludingInactive: o.UserID, CreatedAt: crm.FormatTime(o.CreatedAt), UpdatedAt: crm.FormatTime(o.UpdatedAt), Archived: o.Archived}
	if !o.Archived {
		out.UserID = &o.UserID
	}
	return out
}

func (s *Server) listOwners(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	archived, err := boolParam(q, "archived")
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", defaultOwnersLimit)
	if err != nil {
		return err
	}
	var after int64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil {
			return crm.Invalidf("Invalid value for query parameter after: %q", v)
		}
	}
	owners, next, err := s.Engine.ListOwners(r.Context(), crm.OwnerQuery{Email: q.Get("email"), Archived: archived, AfterID: after, Limit: min(limit, maxOwnersLimit)})
	if err != nil {
		return err
	}
	out := struct {
		Results []any       `json:"results"`
		Paging  *pagingJSON `json:"paging,omitempty"`
	}{Results: []any{}}
	for _, o := range owners {
		out.Results = append(out.Results, NewOwnerJSON(o))
	}
	if next != 0 {
		n := strconv.FormatInt(next, 10)
		out.Paging = &pagingJSON{Next: &nextPageJSON{After: n, Link: pageLink(r, n)}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getOwner(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	archived, err := boolParam(q, "archived")
	if err != nil {
		return err
	}
	var byUserID bool
	switch q.Get("idProperty") {
	case "", "id":
	case "userId":
		byUserID = true
	default:
		return crm.Invalidf("idProperty must be id or userId, not %q", q.Get("idProperty"))
	}
	o, err := s.Engine.GetOwner(r.Context(), r.PathValue("id"), byUserID, archived)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NewOwnerJSON(o))
	return nil
}
