package api

import (
	"net/http"
	"strconv"

	"github.com/spoke-crm/spoke/crm"
)

// v3 associations batch API: /crm/v3/associations/{type}/{toType}/...

type v3PairInput struct {
	From idJSON `json:"from"`
	To   idJSON `json:"to"`
	Type string `json:"type"`
}

type v3PairJSON struct {
	From idOutJSON `json:"from"`
	To   idOutJSON `json:"to"`
	Type string    `json:"type"`
}

// v3Type resolves the "type" of a v3 batch input (a v3 name or an id);
// empty means the pair's unlabelled type.
func (s *Server) v3Type(from, to *crm.ObjectType, name string) (*crm.AssociationType, error) {
	var at *crm.AssociationType
	if name == "" {
		at = s.Engine.Assoc.Default(from.ID, to.ID)
	} else {
		at = s.Engine.Assoc.ByNameOrID(from.ID, to.ID, name)
	}
	if at == nil {
		return nil, crm.Invalidf("%s is not a valid association type from %s to %s", name, from.Singular, to.Singular)
	}
	return at, nil
}

func (s *Server) batchCreateV3(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[v3PairInput](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	return answerEach(w, reply, http.StatusCreated, inputs, func(_ int, in v3PairInput) ([]v3PairJSON, error) {
		at, err := s.v3Type(from, to, in.Type)
		if err == nil {
			_, err = s.Engine.Associate(r.Context(), principal(r).Actor(), from, string(in.From.ID), to, string(in.To.ID), []crm.AssociationSpec{at.Spec()}, false)
		}
		if err != nil {
			return nil, err
		}
		return []v3PairJSON{{From: idOutJSON{string(in.From.ID)}, To: idOutJSON{string(in.To.ID)}, Type: at.Name}}, nil
	})
}

func (s *Server) batchArchiveV3(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, _, err := readInputs[v3PairInput](r, associationsWriteBatch)
	if err != nil {
		return err
	}
	pairs := make([]crm.Unlink, len(inputs))
	for i, in := range inputs {
		at, err := s.v3Type(from, to, in.Type)
		if err != nil {
			return err
		}
		pairs[i] = crm.Unlink{FromID: string(in.From.ID), ToID: string(in.To.ID), Specs: []crm.AssociationSpec{at.Spec()}}
	}
	if err := s.Engine.DisassociateMany(r.Context(), principal(r).Actor(), from, to, pairs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) batchReadV3(w http.ResponseWriter, r *http.Request) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[idJSON](r, associationsReadBatch)
	if err != nil {
		return err
	}
	type resultJSON struct {
		From   idOutJSON          `json:"from"`
		To     []associatedIDJSON `json:"to"`
		Paging *pagingJSON        `json:"paging,omitempty"`
	}
	return answerEach(w, reply, http.StatusOK, inputs, func(_ int, in idJSON) ([]resultJSON, error) {
		list, next, err := s.associatedOf(r, from, to, string(in.ID), 0, inlineAssociationsLimit)
		if err != nil {
			return nil, err
		}
		res := resultJSON{From: idOutJSON{string(in.ID)}, To: v3Results(list)}
		if next != 0 {
			n := strconv.FormatInt(next, 10)
			res.Paging = &pagingJSON{Next: &nextPageJSON{After: n,
				Link: baseURL(r) + "/crm/v3/objects/" + from.Name + "/" + string(in.ID) + "/associations/" + to.Name + "?after=" + n}}
		}
		return []resultJSON{res}, nil
	})
}

// associationTypesV3 is GET /crm/v3/associations/{type}/{toType}/types.
func (s *Server) associationTypesV3(w http.ResponseWriter, r *http.Request) error {
	to := targetType(r)
	type typeJSON struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	out := struct {
		Results []typeJSON `json:"results"`
	}{Results: []typeJSON{}}
	for _, t := range s.Engine.Assoc.Between(objectType(r).ID, to.ID) {
		out.Results = append(out.Results, typeJSON{ID: strconv.FormatInt(t.ID, 10), Name: t.Name})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// Spoke's recycle-bin extension: restore archived records.

func (s *Server) restoreObject(w http.ResponseWriter, r *http.Request) error {
	t := objectType(r)
	obj, err := s.Engine.Restore(r.Context(), principal(r).Actor(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newObjectJSON(obj, crm.AllProperties(t, obj)))
	return nil
}

func (s *Server) batchRestore(w http.ResponseWriter, r *http.Request) error {
	t := objectType(r)
	inputs, reply, err := readInputs[idJSON](r, restoreBatch)
	if err != nil {
		return err
	}
	objs, err := s.Engine.RestoreBatch(r.Context(), principal(r).Actor(), t, inputIDs(inputs))
	if err != nil {
		return err
	}
	results := make([]objectJSON, len(objs))
	for i, o := range objs {
		results[i] = newObjectJSON(o, crm.AllProperties(t, o))
	}
	reply.write(w, http.StatusOK, results)
	return nil
}
