package api

import (
	"net/http"

	"github.com/spoke-crm/spoke/crm"
)

// Batch endpoints of the objects API: /crm/v3/objects/{type}/batch/...

// perInputErrors reports whether every input carries a unique
// objectWriteTraceId, in which case HubSpot reports failures per input.
func perInputErrors(traceIDs []string) bool {
	seen := map[string]bool{}
	for _, id := range traceIDs {
		if id == "" || seen[id] {
			return false
		}
		seen[id] = true
	}
	return len(traceIDs) > 0
}

// addTraced records the error of one input with its objectWriteTraceId, or
// returns it when it is internal (see inputError).
func (b *batchErrors) addTraced(err error, traceID string) error {
	e, err := inputError(err)
	if err != nil {
		return err
	}
	if traceID != "" {
		ctx := map[string][]string{"objectWriteTraceId": {traceID}}
		for k, v := range e.Context {
			ctx[k] = v
		}
		e.Context = ctx
	}
	*b = append(*b, e)
	return nil
}

// tracedJSON is a record of a batch write with its input's objectWriteTraceId.
func tracedJSON(t *crm.ObjectType, obj *crm.Object, traceID string) objectJSON {
	o := newObjectJSON(obj, crm.AllProperties(t, obj))
	o.ObjectWriteTraceID = traceID
	return o
}

type batchCreateInput struct {
	createBody
	ObjectWriteTraceID string `json:"objectWriteTraceId"`
}

func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request) error {
	inputs, reply, err := readInputs[batchCreateInput](r, objectsBatch)
	if err != nil {
		return err
	}
	in := make([]crm.CreateInput, len(inputs))
	traces := make([]string, len(inputs))
	for i, x := range inputs {
		if err := requireProperties(x.Properties); err != nil {
			return err
		}
		in[i] = x.input()
		in[i].TraceID = x.ObjectWriteTraceID
		traces[i] = x.ObjectWriteTraceID
	}
	t := objectType(r)
	results, err := s.Engine.CreateBatch(r.Context(), principal(r).Actor(), t, in, perInputErrors(traces))
	if err != nil {
		return err
	}
	out := make([]writtenJSON, 0, len(results))
	for i, res := range results {
		if res.Err != nil {
			if err := reply.errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
			continue
		}
		out = append(out, writtenJSON{t: t, obj: res.Object, traceID: traces[i]})
	}
	reply.write(w, http.StatusCreated, out)
	return nil
}

// inputIDs returns the ids of inputs as sent.
func inputIDs(inputs []idJSON) []string {
	out := make([]string, len(inputs))
	for i, in := range inputs {
		out[i] = string(in.ID)
	}
	return out
}

type batchReadBody struct {
	Inputs                []idJSON `json:"inputs"`
	Properties            []string `json:"properties"`
	PropertiesWithHistory []string `json:"propertiesWithHistory"`
	IDProperty            string   `json:"idProperty"`
}

func (b *batchReadBody) withHistory() bool { return len(b.PropertiesWithHistory) > 0 }

func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) error {
	var body batchReadBody
	reply, err := readBatch(r, &body, &body.Inputs, objectsBatch)
	if err != nil {
		return err
	}
	archived, err := boolParam(r.URL.Query(), "archived")
	if err != nil {
		return err
	}
	t := objectType(r)
	opts := crm.ReadOptions{Properties: body.Properties, PropertiesWithHistory: body.PropertiesWithHistory, Archived: archived, IDProperty: body.IDProperty}
	recs, missing, err := s.Engine.BatchRead(r.Context(), t, inputIDs(body.Inputs), opts)
	if err != nil {
		return err
	}
	out := make([]objectJSON, len(recs))
	for i, rec := range recs {
		out[i] = recordJSON(r, rec, body.Properties)
	}
	if len(missing) > 0 {
		reply.errs = append(reply.errs, standardError(notFoundInBatch(t, missing)))
	}
	reply.write(w, http.StatusOK, out)
	return nil
}

// notFoundInBatch is HubSpot's batch error for ids that name no record.
func notFoundInBatch(t *crm.ObjectType, ids []string) *crm.Error {
	return &crm.Error{Kind: crm.KindNotFound, Category: crm.CategoryNotFound,
		Message: "Could not get some " + t.Label + " objects, they may be deleted or not exist. Check that ids are valid.",
		Context: map[string][]string{"ids": ids}}
}

type batchUpdateInput struct {
	ID                 flexString  `json:"id"`
	IDProperty         string      `json:"idProperty"`
	Properties         propertyMap `json:"properties"`
	ObjectWriteTraceID string      `json:"objectWriteTraceId"`
}

// updateInputs converts the inputs of a batch update or upsert and returns
// their objectWriteTraceIds; an input without idProperty takes idProperty.
func updateInputs(inputs []batchUpdateInput, idProperty string) ([]crm.UpdateInput, []string, error) {
	in := make([]crm.UpdateInput, len(inputs))
	traces := make([]string, len(inputs))
	for i, x := range inputs {
		if err := requireProperties(x.Properties); err != nil {
			return nil, nil, err
		}
		idProp := x.IDProperty
		if idProp == "" {
			idProp = idProperty
		}
		in[i] = crm.UpdateInput{ID: string(x.ID), IDProperty: idProp, Properties: x.Properties.strings(), TraceID: x.ObjectWriteTraceID}
		traces[i] = x.ObjectWriteTraceID
	}
	return in, traces, nil
}

func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Inputs     []batchUpdateInput `json:"inputs"`
		IDProperty string             `json:"idProperty"`
	}
	reply, err := readBatch(r, &body, &body.Inputs, objectsBatch)
	if err != nil {
		return err
	}
	in, traces, err := updateInputs(body.Inputs, body.IDProperty)
	if err != nil {
		return err
	}
	t := objectType(r)
	results, missing, err := s.Engine.UpdateBatch(r.Context(), principal(r).Actor(), t, in, perInputErrors(traces))
	if err != nil {
		return err
	}
	out := make([]writtenJSON, 0, len(results))
	for i, res := range results {
		switch {
		case res.Err != nil:
			if err := reply.errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
		case res.Object != nil:
			out = append(out, writtenJSON{t: t, obj: res.Object, traceID: traces[i]})
		}
	}
	if len(missing) > 0 {
		reply.errs = append(reply.errs, standardError(notFoundInBatch(t, missing)))
	}
	reply.write(w, http.StatusOK, out)
	return nil
}

func (s *Server) batchUpsert(w http.ResponseWriter, r *http.Request) error {
	inputs, reply, err := readInputs[batchUpdateInput](r, objectsBatch)
	if err != nil {
		return err
	}
	updates, traces, err := updateInputs(inputs, r.URL.Query().Get("idProperty"))
	if err != nil {
		return err
	}
	in := make([]crm.UpsertInput, len(updates))
	for i, u := range updates {
		in[i] = crm.UpsertInput(u)
	}
	t := objectType(r)
	results, err := s.Engine.UpsertBatch(r.Context(), principal(r).Actor(), t, in, perInputErrors(traces))
	if err != nil {
		return err
	}
	out := make([]writtenJSON, 0, len(results))
	for i, res := range results {
		if res.Err != nil {
			if err := reply.errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
			continue
		}
		out = append(out, writtenJSON{t: t, obj: res.Object, traceID: traces[i], upsert: true, isNew: res.New})
	}
	reply.write(w, http.StatusOK, out)
	return nil
}

func (s *Server) batchArchive(w http.ResponseWriter, r *http.Request) error {
	inputs, _, err := readInputs[idJSON](r, objectsBatch)
	if err != nil {
		return err
	}
	if err := s.Engine.ArchiveBatch(r.Context(), objectType(r), inputIDs(inputs)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
