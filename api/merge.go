package api

import (
	"fmt"
	"net/http"

	"github.com/spoke-crm/spoke/crm"
)

// notMergeable answers a merge or GDPR delete of a type that has none, as
// the path answered before they were served: the {id} routes take it.
func notMergeable(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Allow", "DELETE, GET, HEAD, PATCH")
	return &httpError{status: http.StatusMethodNotAllowed, message: fmt.Sprintf("Method %s is not allowed on %s", r.Method, r.URL.Path)}
}

// mergeObjects is POST /crm/v3/objects/{type}/merge (PublicMergeInput): 200
// with the new record the two became.
func (s *Server) mergeObjects(w http.ResponseWriter, r *http.Request) error {
	t := objectType(r)
	if !crm.Mergeable(t) {
		return notMergeable(w, r)
	}
	var body struct {
		PrimaryObjectID *flexString `json:"primaryObjectId"`
		ObjectIDToMerge *flexString `json:"objectIdToMerge"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireFields(field{"objectIdToMerge", body.ObjectIDToMerge != nil}, field{"primaryObjectId", body.PrimaryObjectID != nil}); err != nil {
		return err
	}
	obj, err := s.Engine.Merge(r.Context(), principal(r).Actor(), t, string(*body.PrimaryObjectID), string(*body.ObjectIDToMerge))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newObjectJSON(obj, crm.AllProperties(t, obj)))
	return nil
}

// gdprDelete is POST /crm/v3/objects/contacts/gdpr-delete
// (PublicGdprDeleteInput): 204.
func (s *Server) gdprDelete(w http.ResponseWriter, r *http.Request) error {
	t := objectType(r)
	if t.ID != "0-1" {
		return notMergeable(w, r)
	}
	var body struct {
		ObjectID   *flexString `json:"objectId"`
		IDProperty string      `json:"idProperty"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.ObjectID == nil {
		return missingFields("objectId")
	}
	if err := s.Engine.GDPRDelete(r.Context(), t, string(*body.ObjectID), body.IDProperty); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
