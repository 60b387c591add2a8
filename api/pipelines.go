package api

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// The pipelines API of deals and tickets: /crm/v3/pipelines/{type} and the
// dated /crm/pipelines/{version}/{type}.

var (
	pipelineRead  = scopeRule{needsType: true, scopes: func(*crm.ObjectType) []string { return crm.PipelineReadScopes }}
	pipelineWrite = scopeRule{needsType: true, scopes: func(*crm.ObjectType) []string { return crm.PipelineWriteScopes }}
)

// pipelineRoutes mounts the pipelines API under one prefix.
func (s *Server) pipelineRoutes(prefix string) {
	s.route("GET "+prefix, pipelineRead, s.listPipelines)
	s.route("POST "+prefix, pipelineWrite, s.createPipeline)
	s.route("GET "+prefix+"/{pipelineId}", pipelineRead, s.getPipeline)
	s.route("PUT "+prefix+"/{pipelineId}", pipelineWrite, s.replacePipeline)
	s.route("PATCH "+prefix+"/{pipelineId}", pipelineWrite, s.updatePipeline)
	s.route("DELETE "+prefix+"/{pipelineId}", pipelineWrite, s.archivePipeline)
	s.route("GET "+prefix+"/{pipelineId}/stages", pipelineRead, s.listStages)
	s.route("POST "+prefix+"/{pipelineId}/stages", pipelineWrite, s.createStage)
	s.route("GET "+prefix+"/{pipelineId}/stages/{stageId}", pipelineRead, s.getStage)
	s.route("PUT "+prefix+"/{pipelineId}/stages/{stageId}", pipelineWrite, s.replaceStage)
	s.route("PATCH "+prefix+"/{pipelineId}/stages/{stageId}", pipelineWrite, s.updateStage)
	s.route("DELETE "+prefix+"/{pipelineId}/stages/{stageId}", pipelineWrite, s.archiveStage)
}

// pipelineJSON is HubSpot's Pipeline.
type pipelineJSON struct {
	ID           string      `json:"id"`
	Label        string      `json:"label"`
	DisplayOrder int         `json:"displayOrder"`
	Stages       []stageJSON `json:"stages"`
	CreatedAt    string      `json:"createdAt"`
	UpdatedAt    string      `json:"updatedAt"`
	Archived     bool        `json:"archived"`
	ArchivedAt   string      `json:"archivedAt,omitempty"`
}

// stageJSON is HubSpot's PipelineStage.
type stageJSON struct {
	ID               string            `json:"id"`
	Label            string            `json:"label"`
	DisplayOrder     int               `json:"displayOrder"`
	Metadata         map[string]string `json:"metadata"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
	Archived         bool              `json:"archived"`
	ArchivedAt       string            `json:"archivedAt,omitempty"`
	WritePermissions string            `json:"writePermissions"`
}

func newStageJSON(st *crm.PipelineStage) stageJSON {
	out := stageJSON{ID: st.ID, Label: st.Label, DisplayOrder: st.DisplayOrder, Metadata: st.Metadata,
		CreatedAt: crm.FormatTime(st.CreatedAt), UpdatedAt: crm.FormatTime(st.UpdatedAt), Archived: st.Archived,
		WritePermissions: crm.WritePermissions}
	if out.Metadata == nil {
		out.Metadata = map[string]string{}
	}
	if st.Archived {
		out.ArchivedAt = crm.FormatTime(st.ArchivedAt)
	}
	return out
}

// newPipelineJSON shows a pipeline with its live stages in display order.
func newPipelineJSON(p *crm.Pipeline) pipelineJSON {
	out := pipelineJSON{ID: p.ID, Label: p.Label, DisplayOrder: p.DisplayOrder, Stages: []stageJSON{},
		CreatedAt: crm.FormatTime(p.CreatedAt), UpdatedAt: crm.FormatTime(p.UpdatedAt), Archived: p.Archived}
	if p.Archived {
		out.ArchivedAt = crm.FormatTime(p.ArchivedAt)
	}
	for _, st := range p.LiveStages() {
		out.Stages = append(out.Stages, newStageJSON(st))
	}
	return out
}

// pipelineBody is PipelineInput, PipelineReplaceInput and PipelinePatchInput.
type pipelineBody struct {
	PipelineID   *flexString  `json:"pipelineId"`
	Label        *string      `json:"label"`
	DisplayOrder *int         `json:"displayOrder"`
	Stages       *[]stageBody `json:"stages"`
	Archived     *bool        `json:"archived"`
}

// stageBody is PipelineStageInput and its replace and patch forms.
type stageBody struct {
	StageID      *flexString `json:"stageId"`
	Label        *string     `json:"label"`
	DisplayOrder *int        `json:"displayOrder"`
	Metadata     propertyMap `json:"metadata"`
	Archived     *bool       `json:"archived"`
}

func (b stageBody) input() crm.StageInput {
	in := crm.StageInput{Label: b.Label, DisplayOrder: b.DisplayOrder, Archived: b.Archived}
	if b.StageID != nil {
		in.ID = string(*b.StageID)
	}
	if b.Metadata != nil {
		in.Metadata = b.Metadata.strings()
	}
	return in
}

// stageRequired lists the required fields a stage input lacks.
func stageRequired(b stageBody) []string {
	return unset(field{"displayOrder", b.DisplayOrder != nil}, field{"label", b.Label != nil})
}

// decodePipeline reads a create or replacement body, which needs label,
// displayOrder and stages, each stage its label and displayOrder.
func decodePipeline(r *http.Request) (crm.PipelineInput, error) {
	var b pipelineBody
	if err := decodeBody(r, &b); err != nil {
		return crm.PipelineInput{}, err
	}
	missing := unset(field{"displayOrder", b.DisplayOrder != nil}, field{"label", b.Label != nil}, field{"stages", b.Stages != nil})
	in := crm.PipelineInput{Label: b.Label, DisplayOrder: b.DisplayOrder}
	if b.PipelineID != nil {
		in.ID = string(*b.PipelineID)
	}
	if b.Stages != nil {
		for _, sb := range *b.Stages {
			for _, m := range stageRequired(sb) {
				if !contains(missing, m) {
					missing = append(missing, m)
				}
			}
			in.Stages = append(in.Stages, sb.input())
		}
	}
	return in, missingFields(missing...)
}

// deleteFlags reads validateReferencesBeforeDelete and
// validateDealStageUsagesBeforeDelete: booleans, which Spoke takes as
// always true (stages records are in are never archived).
func deleteFlags(q url.Values) error {
	for _, name := range []string{"validateReferencesBeforeDelete", "validateDealStageUsagesBeforeDelete"} {
		if _, err := boolParam(q, name); err != nil {
			return err
		}
	}
	return nil
}

type pipelinesJSON struct {
	Results []pipelineJSON `json:"results"`
}

type stagesJSON struct {
	Results []stageJSON `json:"results"`
}

func (s *Server) listPipelines(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engine.Pipelines(r.Context(), objectType(r))
	if err != nil {
		return err
	}
	out := pipelinesJSON{Results: []pipelineJSON{}}
	for _, p := range list {
		out.Results = append(out.Results, newPipelineJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getPipeline(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Engine.GetPipeline(r.Context(), objectType(r), r.PathValue("pipelineId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPipelineJSON(p))
	return nil
}

func (s *Server) createPipeline(w http.ResponseWriter, r *http.Request) error {
	in, err := decodePipeline(r)
	if err != nil {
		return err
	}
	p, err := s.Engine.CreatePipeline(r.Context(), objectType(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+url.PathEscape(p.ID))
	writeJSON(w, http.StatusCreated, newPipelineJSON(p))
	return nil
}

func (s *Server) replacePipeline(w http.ResponseWriter, r *http.Request) error {
	if err := deleteFlags(r.URL.Query()); err != nil {
		return err
	}
	in, err := decodePipeline(r)
	if err != nil {
		return err
	}
	p, err := s.Engine.ReplacePipeline(r.Context(), objectType(r), r.PathValue("pipelineId"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPipelineJSON(p))
	return nil
}

func (s *Server) updatePipeline(w http.ResponseWriter, r *http.Request) error {
	if err := deleteFlags(r.URL.Query()); err != nil {
		return err
	}
	var b pipelineBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	p, err := s.Engine.UpdatePipeline(r.Context(), objectType(r), r.PathValue("pipelineId"),
		crm.PipelineInput{Label: b.Label, DisplayOrder: b.DisplayOrder, Archived: b.Archived})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPipelineJSON(p))
	return nil
}

func (s *Server) archivePipeline(w http.ResponseWriter, r *http.Request) error {
	if err := deleteFlags(r.URL.Query()); err != nil {
		return err
	}
	if err := s.Engine.ArchivePipeline(r.Context(), objectType(r), r.PathValue("pipelineId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listStages(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Engine.Stages(r.Context(), objectType(r), r.PathValue("pipelineId"))
	if err != nil {
		return err
	}
	out := stagesJSON{Results: []stageJSON{}}
	for _, st := range list {
		out.Results = append(out.Results, newStageJSON(st))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getStage(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Engine.GetStage(r.Context(), objectType(r), r.PathValue("pipelineId"), r.PathValue("stageId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newStageJSON(st))
	return nil
}

// decodeStage reads a stage create or replacement body.
func decodeStage(r *http.Request) (crm.StageInput, error) {
	var b stageBody
	if err := decodeBody(r, &b); err != nil {
		return crm.StageInput{}, err
	}
	return b.input(), missingFields(stageRequired(b)...)
}

func (s *Server) createStage(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeStage(r)
	if err != nil {
		return err
	}
	st, err := s.Engine.CreateStage(r.Context(), objectType(r), r.PathValue("pipelineId"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+url.PathEscape(st.ID))
	writeJSON(w, http.StatusCreated, newStageJSON(st))
	return nil
}

func (s *Server) replaceStage(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeStage(r)
	if err != nil {
		return err
	}
	in.ID = "" // a replacement keeps the stage's id
	st, err := s.Engine.ReplaceStage(r.Context(), objectType(r), r.PathValue("pipelineId"), r.PathValue("stageId"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newStageJSON(st))
	return nil
}

func (s *Server) updateStage(w http.ResponseWriter, r *http.Request) error {
	var b stageBody
	if err := decodeBody(r, &b); err != nil {
		return err
	}
	in := b.input()
	in.ID = ""
	st, err := s.Engine.UpdateStage(r.Context(), objectType(r), r.PathValue("pipelineId"), r.PathValue("stageId"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newStageJSON(st))
	return nil
}

func (s *Server) archiveStage(w http.ResponseWriter, r *http.Request) error {
	if err := deleteFlags(r.URL.Query()); err != nil {
		return err
	}
	if err := s.Engine.ArchiveStage(r.Context(), objectType(r), r.PathValue("pipelineId"), r.PathValue("stageId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
