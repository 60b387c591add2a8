package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// List paging limits.
const (
	defaultListLimit = 10
	maxListLimit     = 100
	// maxHistoryListLimit caps list pages that carry property history, as
	// HubSpot caps batch reads with history.
	maxHistoryListLimit = 50
)

// objectJSON is SimplePublicObject (and ...WithAssociations).
type objectJSON struct {
	ID                    string                   `json:"id"`
	Properties            map[string]*string       `json:"properties"`
	PropertiesWithHistory map[string][]historyJSON `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                   `json:"createdAt"`
	UpdatedAt             string                   `json:"updatedAt"`
	Archived              bool                     `json:"archived"`
	ArchivedAt            string                   `json:"archivedAt,omitempty"`
	ObjectWriteTraceID    string                   `json:"objectWriteTraceId,omitempty"`
	// Associations is set on reads that ask for them (SimplePublicObjectWithAssociations).
	Associations map[string]associationsPageJSON `json:"associations,omitempty"`
}

// historyJSON is ValueWithTimestamp.
type historyJSON struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
	SourceID   string `json:"sourceId,omitempty"`
}

func newObjectJSON(o *crm.Object, props map[string]*string) objectJSON {
	out := objectJSON{
		ID:         strconv.FormatInt(o.ID, 10),
		Properties: props,
		CreatedAt:  crm.FormatTime(o.CreatedAt),
		UpdatedAt:  crm.FormatTime(o.UpdatedAt),
		Archived:   o.Archived,
	}
	if o.Archived {
		out.ArchivedAt = crm.FormatTime(o.ArchivedAt)
	}
	return out
}

func recordJSON(r *http.Request, rec *crm.Record, requested []string) objectJSON {
	out := newObjectJSON(rec.Object, crm.SelectProperties(rec.Type, rec.Object, requested))
	out.Associations = associationsJSON(r, rec)
	if rec.History != nil {
		out.PropertiesWithHistory = make(map[string][]historyJSON, len(rec.History))
		for name, entries := range rec.History {
			list := make([]historyJSON, len(entries))
			for i, h := range entries {
				list[i] = historyJSON{Value: h.Value, Timestamp: crm.FormatTime(h.Timestamp), SourceType: h.SourceType, SourceID: h.SourceID}
			}
			out.PropertiesWithHistory[name] = list
		}
	}
	return out
}

// readOptions parses the query parameters shared by GET and list.
func readOptions(r *http.Request) (crm.ReadOptions, error) {
	q := r.URL.Query()
	archived, err := boolParam(q, "archived")
	if err != nil {
		return crm.ReadOptions{}, err
	}
	return crm.ReadOptions{
		Properties:            splitList(q["properties"]),
		PropertiesWithHistory: splitList(q["propertiesWithHistory"]),
		Archived:              archived,
		IDProperty:            q.Get("idProperty"),
	}, nil
}

func boolParam(q url.Values, name string) (bool, error) {
	switch v := strings.ToLower(q.Get(name)); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, crm.BadInput("Invalid value for query parameter %s: %q is not a boolean", name, q.Get(name))
	}
}

type createBody struct {
	Properties   propertyMap       `json:"properties"`
	Associations []associationBody `json:"associations"`
}

type associationBody struct {
	To struct {
		ID flexString `json:"id"`
	} `json:"to"`
	Types []struct {
		AssociationCategory string `json:"associationCategory"`
		AssociationTypeID   int64  `json:"associationTypeId"`
	} `json:"types"`
}

func (b createBody) input() crm.CreateInput {
	in := crm.CreateInput{Properties: b.Properties.strings()}
	for _, a := range b.Associations {
		ai := crm.AssociationInput{ToID: string(a.To.ID)}
		for _, t := range a.Types {
			ai.Types = append(ai.Types, crm.AssociationSpec{Category: t.AssociationCategory, TypeID: t.AssociationTypeID})
		}
		in.Associations = append(in.Associations, ai)
	}
	return in
}

func requireProperties(p propertyMap) error {
	if p == nil {
		return missingFields("properties")
	}
	return nil
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request) error {
	var body createBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireProperties(body.Properties); err != nil {
		return err
	}
	obj, err := s.Engine.Create(r.Context(), principal(r).Actor(), objectType(r), body.input())
	if err != nil {
		return err
	}
	writeRecord(w, http.StatusCreated, writtenJSON{t: objectType(r), obj: obj})
	return nil
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request) error {
	opts, err := readOptions(r)
	if err != nil {
		return err
	}
	assoc, err := s.associationsParam(r)
	if err != nil {
		return err
	}
	rec, err := s.Engine.Get(r.Context(), objectType(r), r.PathValue("id"), opts)
	if err != nil {
		return err
	}
	if err := s.Engine.WithAssociations(r.Context(), []*crm.Record{rec}, assoc, inlineAssociationsLimit); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, recordJSON(r, rec, opts.Properties))
	return nil
}

type pagingJSON struct {
	Next *nextPageJSON `json:"next,omitempty"`
}

type nextPageJSON struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

type listJSON struct {
	Results []objectJSON `json:"results"`
	Paging  *pagingJSON  `json:"paging,omitempty"`
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) error {
	opts, err := readOptions(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, err := intParam(q, "limit", defaultListLimit)
	if err != nil {
		return err
	}
	maxLimit := maxListLimit
	if len(opts.PropertiesWithHistory) > 0 {
		maxLimit = maxHistoryListLimit
	}
	limit = min(limit, maxLimit)
	var after int64
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return crm.Invalidf("Invalid value for query parameter after: %q is not a record id", v)
		}
	}
	assoc, err := s.associationsParam(r)
	if err != nil {
		return err
	}
	page, err := s.Engine.List(r.Context(), objectType(r), after, limit, opts)
	if err != nil {
		return err
	}
	if err := s.Engine.WithAssociations(r.Context(), page.Records, assoc, inlineAssociationsLimit); err != nil {
		return err
	}
	out := listJSON{Results: make([]objectJSON, len(page.Records))}
	for i, rec := range page.Records {
		out.Results[i] = recordJSON(r, rec, opts.Properties)
	}
	if page.NextAfter != 0 {
		next := strconv.FormatInt(page.NextAfter, 10)
		out.Paging = &pagingJSON{Next: &nextPageJSON{After: next, Link: pageLink(r, next)}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pageLink is the request's own URL with the after parameter moved on.
func pageLink(r *http.Request, after string) string {
	q := r.URL.Query()
	q.Set("after", after)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
}

func intParam(q url.Values, name string, def int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, crm.Invalidf("Invalid value for query parameter %s: %q is not a positive integer", name, v)
	}
	return n, nil
}

type updateBody struct {
	Properties propertyMap `json:"properties"`
}

func (s *Server) updateObject(w http.ResponseWriter, r *http.Request) error {
	var body updateBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireProperties(body.Properties); err != nil {
		return err
	}
	obj, err := s.Engine.Update(r.Context(), principal(r).Actor(), objectType(r), r.PathValue("id"),
		r.URL.Query().Get("idProperty"), body.Properties.strings())
	if err != nil {
		return err
	}
	writeRecord(w, http.StatusOK, writtenJSON{t: objectType(r), obj: obj})
	return nil
}

func (s *Server) archiveObject(w http.ResponseWriter, r *http.Request) error {
	if err := s.Engine.Archive(r.Context(), objectType(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
