package api

import (
	"net/http"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Batch endpoints of the objects API: /crm/v3/objects/{type}/batch/...

// checkObjectBatch applies HubSpot's limits on batch inputs.
func checkObjectBatch(n int, withHistory bool) error {
	if n == 0 {
		return crm.Invalidf("At least one input is required in a batch request")
	}
	if withHistory && n > crm.MaxBatchHistoryInputs {
		return crm.Invalidf("The maximum number of inputs supported in a batch request for property histories is %d. Please reduce the number of items and try again", crm.MaxBatchHistoryInputs)
	}
	if n > crm.MaxBatchInputs {
		return crm.Invalidf("The maximum number of inputs supported in a batch is %d. Please reduce the number of items and try again", crm.MaxBatchInputs)
	}
	return nil
}

// requireInputs refuses a body that is not a batch (no "inputs" array).
func requireInputs(present bool) error {
	if !present {
		return crm.BadInput("Invalid input JSON on line 1, column 2: Some required fields were not set: [inputs]")
	}
	return nil
}

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

type batchCreateBody struct {
	Inputs *[]struct {
		createBody
		ObjectWriteTraceID string `json:"objectWriteTraceId"`
	} `json:"inputs"`
}

func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	var body batchCreateBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireInputs(body.Inputs != nil); err != nil {
		return err
	}
	inputs := *body.Inputs
	if err := checkObjectBatch(len(inputs), false); err != nil {
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
	out := []objectJSON{}
	var errs batchErrors
	for i, res := range results {
		if res.Err != nil {
			if err := errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
			continue
		}
		o := newObjectJSON(res.Object, crm.AllProperties(t, res.Object))
		o.ObjectWriteTraceID = traces[i]
		out = append(out, o)
	}
	writeBatch(w, http.StatusCreated, started, out, errs)
	return nil
}

func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	var body struct {
		Inputs *[]struct {
			ID flexString `json:"id"`
		} `json:"inputs"`
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory"`
		IDProperty            string   `json:"idProperty"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireInputs(body.Inputs != nil); err != nil {
		return err
	}
	if err := checkObjectBatch(len(*body.Inputs), len(body.PropertiesWithHistory) > 0); err != nil {
		return err
	}
	archived, err := boolParam(r.URL.Query(), "archived")
	if err != nil {
		return err
	}
	ids := make([]string, len(*body.Inputs))
	for i, in := range *body.Inputs {
		ids[i] = string(in.ID)
	}
	t := objectType(r)
	opts := crm.ReadOptions{Properties: body.Properties, PropertiesWithHistory: body.PropertiesWithHistory, Archived: archived, IDProperty: body.IDProperty}
	recs, missing, err := s.Engine.BatchRead(r.Context(), t, ids, opts)
	if err != nil {
		return err
	}
	out := make([]objectJSON, len(recs))
	for i, rec := range recs {
		out[i] = recordJSON(r, rec, body.Properties)
	}
	var errs batchErrors
	if len(missing) > 0 {
		errs = append(errs, standardError(notFoundInBatch(t, missing)))
	}
	writeBatch(w, http.StatusOK, started, out, errs)
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

func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	var body struct {
		Inputs     *[]batchUpdateInput `json:"inputs"`
		IDProperty string              `json:"idProperty"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireInputs(body.Inputs != nil); err != nil {
		return err
	}
	inputs := *body.Inputs
	if err := checkObjectBatch(len(inputs), false); err != nil {
		return err
	}
	in := make([]crm.UpdateInput, len(inputs))
	traces := make([]string, len(inputs))
	for i, x := range inputs {
		if err := requireProperties(x.Properties); err != nil {
			return err
		}
		idProp := x.IDProperty
		if idProp == "" {
			idProp = body.IDProperty
		}
		in[i] = crm.UpdateInput{ID: string(x.ID), IDProperty: idProp, Properties: x.Properties.strings(), TraceID: x.ObjectWriteTraceID}
		traces[i] = x.ObjectWriteTraceID
	}
	t := objectType(r)
	results, missing, err := s.Engine.UpdateBatch(r.Context(), principal(r).Actor(), t, in, perInputErrors(traces))
	if err != nil {
		return err
	}
	out := []objectJSON{}
	var errs batchErrors
	for i, res := range results {
		switch {
		case res.Err != nil:
			if err := errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
		case res.Object != nil:
			o := newObjectJSON(res.Object, crm.AllProperties(t, res.Object))
			o.ObjectWriteTraceID = traces[i]
			out = append(out, o)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, standardError(notFoundInBatch(t, missing)))
	}
	writeBatch(w, http.StatusOK, started, out, errs)
	return nil
}

func (s *Server) batchUpsert(w http.ResponseWriter, r *http.Request) error {
	started := time.Now()
	var body struct {
		Inputs *[]batchUpdateInput `json:"inputs"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireInputs(body.Inputs != nil); err != nil {
		return err
	}
	inputs := *body.Inputs
	if err := checkObjectBatch(len(inputs), false); err != nil {
		return err
	}
	idProperty := r.URL.Query().Get("idProperty")
	in := make([]crm.UpsertInput, len(inputs))
	traces := make([]string, len(inputs))
	for i, x := range inputs {
		if err := requireProperties(x.Properties); err != nil {
			return err
		}
		idProp := x.IDProperty
		if idProp == "" {
			idProp = idProperty
		}
		in[i] = crm.UpsertInput{ID: string(x.ID), IDProperty: idProp, Properties: x.Properties.strings(), TraceID: x.ObjectWriteTraceID}
		traces[i] = x.ObjectWriteTraceID
	}
	t := objectType(r)
	results, err := s.Engine.UpsertBatch(r.Context(), principal(r).Actor(), t, in, perInputErrors(traces))
	if err != nil {
		return err
	}
	type upsertJSON struct {
		objectJSON
		New bool `json:"new"`
	}
	out := []upsertJSON{}
	var errs batchErrors
	for i, res := range results {
		if res.Err != nil {
			if err := errs.addTraced(res.Err, traces[i]); err != nil {
				return err
			}
			continue
		}
		o := newObjectJSON(res.Object, crm.AllProperties(t, res.Object))
		o.ObjectWriteTraceID = traces[i]
		out = append(out, upsertJSON{objectJSON: o, New: res.New})
	}
	writeBatch(w, http.StatusOK, started, out, errs)
	return nil
}

func (s *Server) batchArchive(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Inputs *[]struct {
			ID flexString `json:"id"`
		} `json:"inputs"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireInputs(body.Inputs != nil); err != nil {
		return err
	}
	if err := checkObjectBatch(len(*body.Inputs), false); err != nil {
		return err
	}
	ids := make([]string, len(*body.Inputs))
	for i, in := range *body.Inputs {
		ids[i] = string(in.ID)
	}
	if err := s.Engine.ArchiveBatch(r.Context(), objectType(r), ids); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
