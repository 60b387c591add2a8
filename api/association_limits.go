package api

import (
	"net/http"

	"github.com/spoke-crm/spoke/crm"
)

// Association limits: /crm/associations/v4/definitions/configurations/...
// (also /crm/v4/associations/definitions/configurations/..., which HubSpot's
// Node client calls, and the dated /crm/associations/{version}/...).

// limitsBatch is what the configuration batches accept.
var limitsBatch = batchRule{max: crm.MaxBatchInputs, required: true, empty: "At least one input is required"}

// limitsAnyScope guards the list of every limit, which names no type: any
// scope that reads or writes an object type or its schema will do, as
// HubSpot's OpenAPI file lists them.
var limitsAnyScope = scopeRule{scopes: func(*crm.ObjectType) []string { return allTypeScopes }}

var allTypeScopes = func() []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range crm.DefaultRegistry().Types() {
		for _, list := range [][]string{t.ReadScopes, t.WriteScopes, t.SchemaReadScopes, t.SchemaWriteScopes} {
			for _, s := range list {
				if !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out
}()

// limitConfigJSON is PublicAssociationDefinitionUserConfiguration (and,
// without label, ...ConfigurationUpdateResult). The list of every limit
// adds the object types of each, which it could not be read without.
type limitConfigJSON struct {
	Category         string `json:"category"`
	TypeID           int64  `json:"typeId"`
	Label            string `json:"label,omitempty"`
	Max              int    `json:"userEnforcedMaxToObjectIds,omitempty"`
	FromObjectTypeID string `json:"fromObjectTypeId,omitempty"`
	ToObjectTypeID   string `json:"toObjectTypeId,omitempty"`
}

func limitConfig(c crm.AssociationConfig) limitConfigJSON {
	return limitConfigJSON{Category: c.Type.Category, TypeID: c.Type.ID, Label: c.Type.Label, Max: c.Max}
}

// listLimits is GET .../definitions/configurations/{type}/{toType}: every
// association type of the pair, with its limit where one is set.
func (s *Server) listLimits(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engine.AssociationLimitsBetween(r.Context(), objectType(r), targetType(r))
	if err != nil {
		return err
	}
	out := make([]limitConfigJSON, len(list))
	for i, c := range list {
		out[i] = limitConfig(c)
	}
	writeJSON(w, http.StatusOK, struct {
		Results []limitConfigJSON `json:"results"`
	}{out})
	return nil
}

// listAllLimits is GET .../definitions/configurations/all: every limit set.
func (s *Server) listAllLimits(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engine.AllAssociationLimits(r.Context())
	if err != nil {
		return err
	}
	out := make([]limitConfigJSON, len(list))
	for i, c := range list {
		out[i] = limitConfig(c)
		out[i].FromObjectTypeID, out[i].ToObjectTypeID = c.Type.From, c.Type.To
	}
	writeJSON(w, http.StatusOK, struct {
		Results []limitConfigJSON `json:"results"`
	}{out})
	return nil
}

// limitInputJSON is PublicAssociationDefinitionConfigurationCreateRequest
// (and ...UpdateRequest): category may be left out, as HubSpot's newer
// documentation does.
type limitInputJSON struct {
	Category       string `json:"category"`
	TypeID         *int64 `json:"typeId"`
	MaxToObjectIDs *int   `json:"maxToObjectIds"`
}

// setLimits answers batch/create (create) and batch/update: each input is
// set on its own; those that fail are the 207's errors.
func (s *Server) setLimits(w http.ResponseWriter, r *http.Request, create bool) error {
	from, to := objectType(r), targetType(r)
	inputs, reply, err := readInputs[limitInputJSON](r, limitsBatch)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if create {
		status = http.StatusCreated
	}
	return answerEach(w, reply, status, inputs, func(_ int, in limitInputJSON) ([]limitConfigJSON, error) {
		if err := requireFields(field{"maxToObjectIds", in.MaxToObjectIDs != nil}, field{"typeId", in.TypeID != nil}); err != nil {
			return nil, err
		}
		c, err := s.Engine.SetAssociationLimit(r.Context(), from, to, crm.LimitInput{Category: in.Category, TypeID: *in.TypeID, Max: *in.MaxToObjectIDs}, create)
		if err != nil {
			return nil, err
		}
		out := limitConfig(c)
		if !create {
			out.Label = "" // ...ConfigurationUpdateResult has no label
		}
		return []limitConfigJSON{out}, nil
	})
}

func (s *Server) createLimits(w http.ResponseWriter, r *http.Request) error {
	return s.setLimits(w, r, true)
}

func (s *Server) updateLimits(w http.ResponseWriter, r *http.Request) error {
	return s.setLimits(w, r, false)
}

// purgeLimits is .../batch/purge (PublicAssociationSpec inputs): 204 on
// the v4 paths, 200 with an empty batch body on the dated ones, as
// HubSpot's OpenAPI files for each say. All inputs or none.
func (s *Server) purgeLimits(w http.ResponseWriter, r *http.Request) error {
	inputs, reply, err := readInputs[struct {
		Category string `json:"category"`
		TypeID   *int64 `json:"typeId"`
	}](r, limitsBatch)
	if err != nil {
		return err
	}
	specs := make([]crm.AssociationSpec, len(inputs))
	for i, in := range inputs {
		if in.TypeID == nil {
			return missingFields("typeId")
		}
		specs[i] = crm.AssociationSpec{Category: in.Category, TypeID: *in.TypeID}
	}
	if err := s.Engine.RemoveAssociationLimits(r.Context(), objectType(r), targetType(r), specs); err != nil {
		return err
	}
	archivedBatch(w, r, reply)
	return nil
}
