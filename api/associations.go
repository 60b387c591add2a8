package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Association paging limits.
const (
	inlineAssociationsLimit = 100 // ?associations= on GET and list
	v3AssociationsLimit     = 500
	v4AssociationsLimit     = 500
)

// associatedIDJSON is v3's AssociatedId.
type associatedIDJSON struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type associationsPageJSON struct {
	Results []associatedIDJSON `json:"results"`
	Paging  *pagingJSON        `json:"paging,omitempty"`
}

func v3Results(list []crm.Associated) []associatedIDJSON {
	out := []associatedIDJSON{}
	for _, a := range list {
		for _, t := range a.Types {
			out = append(out, associatedIDJSON{ID: strconv.FormatInt(a.ToID, 10), Type: t.Name})
		}
	}
	return out
}

// associationsParam resolves ?associations= (comma-separated or repeated).
func (s *Server) associationsParam(r *http.Request) ([]*crm.ObjectType, error) {
	var out []*crm.ObjectType
	for _, name := range splitList(r.URL.Query()["associations"]) {
		t, err := s.Engine.Types.Resolve(name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// associationsJSON renders a record's association pages keyed by plural type name.
func associationsJSON(r *http.Request, rec *crm.Record) map[string]associationsPageJSON {
	if len(rec.Associations) == 0 {
		return nil
	}
	out := map[string]associationsPageJSON{}
	for _, page := range rec.Associations {
		p := associationsPageJSON{Results: v3Results(page.Results)}
		if page.NextAfter != 0 {
			after := strconv.FormatInt(page.NextAfter, 10)
			link := baseURL(r) + "/crm/v3/objects/" + rec.Type.Name + "/" + strconv.FormatInt(rec.ID, 10) + "/associations/" + page.Type.Name + "?after=" + after
			p.Paging = &pagingJSON{Next: &nextPageJSON{After: after, Link: link}}
		}
		out[page.Type.Name] = p
	}
	return out
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// parseCursor reads an association paging cursor: empty (or 0) for the
// first page, else the record id a paging.next gave.
func parseCursor(v string) (int64, bool) {
	if v == "" || v == "0" {
		return 0, true
	}
	return crm.ParseID(v)
}

// afterParam reads the ?after= cursor of an association list.
func afterParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("after")
	after, ok := parseCursor(v)
	if !ok {
		return 0, crm.Invalidf("Invalid value for query parameter after: %q", v)
	}
	return after, nil
}

func limitParam(r *http.Request, def, max int) (int, error) {
	n, err := intParam(r.URL.Query(), "limit", def)
	return min(n, max), err
}

// putAssociationV3 is PUT /crm/v3/objects/{type}/{id}/associations/{toType}/{toId}/{associationType}.
func (s *Server) putAssociationV3(w http.ResponseWriter, r *http.Request) error {
	from := objectType(r)
	to := targetType(r)
	at := s.Engine.Assoc.ByNameOrID(from.ID, to.ID, r.PathValue("associationType"))
	if at == nil {
		return crm.Invalidf("%s is not a valid association type from %s to %s", r.PathValue("associationType"), from.Singular, to.Singular)
	}
	if _, err := s.Engine.Associate(r.Context(), principal(r).Actor(), from, r.PathValue("id"), to, r.PathValue("toId"), []crm.AssociationSpec{at.Spec()}, false); err != nil {
		return err
	}
	rec, err := s.Engine.Get(r.Context(), from, r.PathValue("id"), crm.ReadOptions{})
	if err != nil {
		return err
	}
	if err := s.Engine.WithAssociations(r.Context(), []*crm.Record{rec}, []*crm.ObjectType{to}, inlineAssociationsLimit); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, recordJSON(r, rec, nil))
	return nil
}

// deleteAssociationV3 is DELETE .../associations/{toType}/{toId}/{associationType}.
func (s *Server) deleteAssociationV3(w http.ResponseWriter, r *http.Request) error {
	from := objectType(r)
	to := targetType(r)
	at := s.Engine.Assoc.ByNameOrID(from.ID, to.ID, r.PathValue("associationType"))
	if at == nil {
		return crm.Invalidf("%s is not a valid association type from %s to %s", r.PathValue("associationType"), from.Singular, to.Singular)
	}
	if err := s.Engine.Disassociate(r.Context(), principal(r).Actor(), from, r.PathValue("id"), to, r.PathValue("toId"), []crm.AssociationSpec{at.Spec()}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// associationPage reads the page of a record's associations that a list
// request asks for (toType, after, limit), with the paging to the next one.
func (s *Server) associationPage(r *http.Request, limitDefault, limitMax int) ([]crm.Associated, *pagingJSON, error) {
	to := targetType(r)
	after, err := afterParam(r)
	if err != nil {
		return nil, nil, err
	}
	limit, err := limitParam(r, limitDefault, limitMax)
	if err != nil {
		return nil, nil, err
	}
	list, next, err := s.Engine.ListAssociations(r.Context(), objectType(r), r.PathValue("id"), to, after, limit)
	if err != nil || next == 0 {
		return list, nil, err
	}
	n := strconv.FormatInt(next, 10)
	return list, &pagingJSON{Next: &nextPageJSON{After: n, Link: pageLink(r, n)}}, nil
}

// listAssociationsV3 is GET /crm/v3/objects/{type}/{id}/associations/{toType}.
func (s *Server) listAssociationsV3(w http.ResponseWriter, r *http.Request) error {
	list, paging, err := s.associationPage(r, v3AssociationsLimit, v3AssociationsLimit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, associationsPageJSON{Results: v3Results(list), Paging: paging})
	return nil
}

// v4 shapes.

type specJSON struct {
	AssociationCategory string `json:"associationCategory"`
	AssociationTypeID   int64  `json:"associationTypeId"`
}

func (s specJSON) spec() crm.AssociationSpec {
	return crm.AssociationSpec{Category: s.AssociationCategory, TypeID: s.AssociationTypeID}
}

func specs(list []specJSON) []crm.AssociationSpec {
	out := make([]crm.AssociationSpec, len(list))
	for i, s := range list {
		out[i] = s.spec()
	}
	return out
}

type v4TypeJSON struct {
	Category string  `json:"category"`
	TypeID   int64   `json:"typeId"`
	Label    *string `json:"label"`
}

func v4Types(types []*crm.AssociationType) []v4TypeJSON {
	out := make([]v4TypeJSON, len(types))
	for i, t := range types {
		out[i] = v4TypeJSON{Category: t.Category, TypeID: t.ID}
		if t.Label != "" {
			label := t.Label
			out[i].Label = &label
		}
	}
	return out
}

type v4AssociatedJSON struct {
	ToObjectID       int64        `json:"toObjectId"`
	AssociationTypes []v4TypeJSON `json:"associationTypes"`
}

func v4Results(list []crm.Associated) []v4AssociatedJSON {
	out := []v4AssociatedJSON{}
	for _, a := range list {
		out = append(out, v4AssociatedJSON{ToObjectID: a.ToID, AssociationTypes: v4Types(a.Types)})
	}
	return out
}

// labelsBetweenJSON is LabelsBetweenObjectPair: ids are JSON numbers.
type labelsBetweenJSON struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     int64    `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       int64    `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

// labelsBetween renders the types between two records; the ids named
// records, since the association was just made.
func labelsBetween(from, to *crm.ObjectType, fromID, toID string, types []*crm.AssociationType) labelsBetweenJSON {
	a, _ := crm.ParseID(fromID)
	b, _ := crm.ParseID(toID)
	out := labelsBetweenJSON{FromObjectTypeID: from.ID, FromObjectID: a, ToObjectTypeID: to.ID, ToObjectID: b, Labels: []string{}}
	for _, t := range types {
		if t.Label != "" {
			out.Labels = append(out.Labels, t.Label)
		}
	}
	return out
}

type idJSON struct {
	ID flexString `json:"id"`
}

type defaultAssociationJSON struct {
	From            idOutJSON `json:"from"`
	To              idOutJSON `json:"to"`
	AssociationSpec specJSON  `json:"associationSpec"`
}

type idOutJSON struct {
	ID string `json:"id"`
}

// defaultPair renders a default association in both directions.
func (s *Server) defaultPair(from, to *crm.ObjectType, fromID, toID string) []defaultAssociationJSON {
	d := s.Engine.Assoc.Default(from.ID, to.ID)
	inv := s.Engine.Assoc.Default(to.ID, from.ID)
	return []defaultAssociationJSON{
		{From: idOutJSON{fromID}, To: idOutJSON{toID}, AssociationSpec: specJSON{d.Category, d.ID}},
		{From: idOutJSON{toID}, To: idOutJSON{fromID}, AssociationSpec: specJSON{inv.Category, inv.ID}},
	}
}

// putDefaultV4 is PUT /crm/v4/objects/{type}/{id}/associations/default/{toType}/{toId}.
func (s *Server) putDefaultV4(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	from := objectType(r)
	to := targetType(r)
	if _, err := s.Engine.AssociateDefault(r.Context(), principal(r).Actor(), from, r.PathValue("id"), to, r.PathValue("toId")); err != nil {
		return err
	}
	writeBatch(w, http.StatusOK, started, s.defaultPair(from, to, r.PathValue("id"), r.PathValue("toId")), nil)
	return nil
}

// putLabelsV4 is PUT /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}
// with an AssociationSpec array: the pair's labels become exactly those given.
func (s *Server) putLabelsV4(w http.ResponseWriter, r *http.Request) error {
	from := objectType(r)
	to := targetType(r)
	var body []specJSON
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if len(body) == 0 {
		return crm.Invalidf("At least one association type is required")
	}
	types, err := s.Engine.Associate(r.Context(), principal(r).Actor(), from, r.PathValue("id"), to, r.PathValue("toId"), specs(body), true)
	if err != nil {
		return err
	}
	w.Header().Set("Location", r.URL.Path)
	writeJSON(w, http.StatusCreated, labelsBetween(from, to, r.PathValue("id"), r.PathValue("toId"), types))
	return nil
}

// deleteV4 is DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}.
func (s *Server) deleteV4(w http.ResponseWriter, r *http.Request) error {
	to := targetType(r)
	if err := s.Engine.Disassociate(r.Context(), principal(r).Actor(), objectType(r), r.PathValue("id"), to, r.PathValue("toId"), nil); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listV4 is GET /crm/v4/objects/{type}/{id}/associations/{toType}.
func (s *Server) listV4(w http.ResponseWriter, r *http.Request) error {
	list, paging, err := s.associationPage(r, v4AssociationsLimit, v4AssociationsLimit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Results []v4AssociatedJSON `json:"results"`
		Paging  *pagingJSON        `json:"paging,omitempty"`
	}{v4Results(list), paging})
	return nil
}

// v4PairInput is an input of v4 batch associate default: a pair of records.
type v4PairInput struct {
	From idJSON `json:"from"`
	To   idJSON `json:"to"`
}

// v4LabelsInput is an input of v4 batch create and labels archive: a pair
// of records and association types.
type v4LabelsInput struct {
	From  idJSON     `json:"from"`
	To    idJSON     `json:"to"`
	Types []specJSON `json:"types"`
}

// batchCreateV4 is POST /crm/v4/associations/{type}/{toType}/batch/create.
func (s *Server) batchCreateV4(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[v4LabelsInput](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	return answerEach(w, reply, http.StatusCreated, inputs, func(_ int, in v4LabelsInput) ([]labelsBetweenJSON, error) {
		types, err := s.Engine.Associate(r.Context(), principal(r).Actor(), from, string(in.From.ID), to, string(in.To.ID), specs(in.Types), false)
		if err != nil {
			return nil, err
		}
		return []labelsBetweenJSON{labelsBetween(from, to, string(in.From.ID), string(in.To.ID), types)}, nil
	})
}

// batchDefaultV4 is POST /crm/v4/associations/{type}/{toType}/batch/associate/default.
func (s *Server) batchDefaultV4(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[v4PairInput](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	// HubSpot's spec answers only 200, its body carrying the errors.
	reply.noMultiStatus = true
	return answerEach(w, reply, http.StatusOK, inputs, func(_ int, in v4PairInput) ([]defaultAssociationJSON, error) {
		if _, err := s.Engine.AssociateDefault(r.Context(), principal(r).Actor(), from, string(in.From.ID), to, string(in.To.ID)); err != nil {
			return nil, err
		}
		return s.defaultPair(from, to, string(in.From.ID), string(in.To.ID)), nil
	})
}

// associatedOf is a page of the records of type to associated with record
// id of type from, for a batch read: a record with none is an error of
// that input.
func (s *Server) associatedOf(r *http.Request, from, to *crm.ObjectType, id string, afterID int64, limit int) ([]crm.Associated, int64, error) {
	list, next, err := s.Engine.ListAssociations(r.Context(), from, id, to, afterID, limit)
	if err == nil && len(list) == 0 {
		err = &crm.Error{Kind: crm.KindNotFound, Category: crm.CategoryNotFound, SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
			Message: "No " + to.Singular + " is associated with " + from.Singular + " " + id + ".",
			Context: map[string][]string{"fromObjectId": {id}, "fromObjectType": {from.Singular}, "toObjectType": {to.Singular}}}
	}
	return list, next, err
}

// v4ReadInput is an input of v4 batch reads: a record and, for a page after
// the first, the cursor of the page.
type v4ReadInput struct {
	ID    flexString `json:"id"`
	After flexString `json:"after"`
}

// batchReadV4 is POST /crm/v4/associations/{type}/{toType}/batch/read.
func (s *Server) batchReadV4(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[v4ReadInput](r, associationsReadBatch)
	if err != nil {
		return err
	}
	type resultJSON struct {
		From   idOutJSON          `json:"from"`
		To     []v4AssociatedJSON `json:"to"`
		Paging *pagingJSON        `json:"paging,omitempty"`
	}
	afters := make([]int64, len(inputs))
	for i, in := range inputs {
		var ok bool
		if afters[i], ok = parseCursor(string(in.After)); !ok {
			return crm.Invalidf("Invalid value for after of input %d: %q", i+1, in.After)
		}
	}
	return answerEach(w, reply, http.StatusOK, inputs, func(i int, in v4ReadInput) ([]resultJSON, error) {
		list, next, err := s.associatedOf(r, from, to, string(in.ID), afters[i], v4AssociationsLimit)
		if err != nil {
			return nil, err
		}
		res := resultJSON{From: idOutJSON{string(in.ID)}, To: v4Results(list)}
		if next != 0 {
			res.Paging = &pagingJSON{Next: &nextPageJSON{After: strconv.FormatInt(next, 10)}}
		}
		return []resultJSON{res}, nil
	})
}

// archivedBatch answers a batch archive of associations: 204 on the v4
// paths, 200 with an empty batch body on the dated ones, as HubSpot's
// OpenAPI files for each say.
func archivedBatch(w http.ResponseWriter, r *http.Request, reply *batchReply) {
	if r.PathValue("version") == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	reply.write(w, http.StatusOK, []struct{}{})
}

// batchArchiveV4 is POST /crm/v4/associations/{type}/{toType}/batch/archive.
func (s *Server) batchArchiveV4(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[struct {
		From idJSON   `json:"from"`
		To   []idJSON `json:"to"`
	}](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	var pairs []crm.Unlink
	for _, in := range inputs {
		for _, t := range in.To {
			pairs = append(pairs, crm.Unlink{FromID: string(in.From.ID), ToID: string(t.ID)})
		}
	}
	if err := s.Engine.DisassociateMany(r.Context(), principal(r).Actor(), from, to, pairs); err != nil {
		return err
	}
	archivedBatch(w, r, reply)
	return nil
}

// batchArchiveLabelsV4 is POST /crm/v4/associations/{type}/{toType}/batch/labels/archive.
func (s *Server) batchArchiveLabelsV4(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[v4LabelsInput](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	pairs := make([]crm.Unlink, len(inputs))
	for i, in := range inputs {
		pairs[i] = crm.Unlink{FromID: string(in.From.ID), ToID: string(in.To.ID), Specs: specs(in.Types)}
	}
	if err := s.Engine.DisassociateMany(r.Context(), principal(r).Actor(), from, to, pairs); err != nil {
		return err
	}
	archivedBatch(w, r, reply)
	return nil
}

// Labels.

// labelJSON is an item of the labels collection: AssociationSpecWithLabel
// with the object types it leads from and to.
type labelJSON struct {
	v4TypeJSON
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
}

func (s *Server) labelsJSON(from, to *crm.ObjectType) any {
	types := s.Engine.Assoc.Between(from.ID, to.ID)
	out := struct {
		Results []labelJSON `json:"results"`
	}{Results: make([]labelJSON, len(types))}
	for i, t := range v4Types(types) {
		out.Results[i] = labelJSON{v4TypeJSON: t, FromObjectTypeID: types[i].From, ToObjectTypeID: types[i].To}
	}
	return out
}

func (s *Server) listLabels(w http.ResponseWriter, r *http.Request) error {
	to := targetType(r)
	writeJSON(w, http.StatusOK, s.labelsJSON(objectType(r), to))
	return nil
}

func (s *Server) createLabel(w http.ResponseWriter, r *http.Request) error {
	from := objectType(r)
	to := targetType(r)
	var body struct {
		Label        *string `json:"label"`
		Name         *string `json:"name"`
		InverseLabel string  `json:"inverseLabel"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.Label == nil || body.Name == nil {
		return missingFields("label", "name")
	}
	if err := s.Engine.CreateLabel(r.Context(), from, to, *body.Label, *body.Name, body.InverseLabel); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.labelsJSON(from, to))
	return nil
}

func (s *Server) updateLabel(w http.ResponseWriter, r *http.Request) error {
	to := targetType(r)
	var body struct {
		AssociationTypeID *int64  `json:"associationTypeId"`
		Label             *string `json:"label"`
		InverseLabel      string  `json:"inverseLabel"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.AssociationTypeID == nil || body.Label == nil {
		return missingFields("associationTypeId", "label")
	}
	if err := s.Engine.UpdateLabel(r.Context(), objectType(r), to, *body.AssociationTypeID, *body.Label, body.InverseLabel); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteLabel(w http.ResponseWriter, r *http.Request) error {
	to := targetType(r)
	id, err := strconv.ParseInt(r.PathValue("typeId"), 10, 64)
	if err != nil {
		return crm.Invalidf("%q is not an association type id", r.PathValue("typeId"))
	}
	if err := s.Engine.DeleteLabel(r.Context(), objectType(r), to, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
