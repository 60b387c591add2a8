package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// propertyJSON is HubSpot's Property.
type propertyJSON struct {
	UpdatedAt            string               `json:"updatedAt,omitempty"`
	CreatedAt            string               `json:"createdAt,omitempty"`
	ArchivedAt           string               `json:"archivedAt,omitempty"`
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	Description          string               `json:"description"`
	GroupName            string               `json:"groupName"`
	Options              []optionJSON         `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Hidden               bool                 `json:"hidden"`
	HubspotDefined       bool                 `json:"hubspotDefined"`
	ReferencedObjectType string               `json:"referencedObjectType,omitempty"`
	ModificationMetadata modificationMetadata `json:"modificationMetadata"`
	FormField            bool                 `json:"formField"`
	DataSensitivity      string               `json:"dataSensitivity"`
	Archived             bool                 `json:"archived"`
}

type optionJSON struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

type modificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyOptions    bool `json:"readOnlyOptions"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return crm.FormatTime(t)
}

func newPropertyJSON(p *crm.PropertyDefinition) propertyJSON {
	out := propertyJSON{
		UpdatedAt: timeOrEmpty(p.UpdatedAt), CreatedAt: timeOrEmpty(p.CreatedAt), ArchivedAt: timeOrEmpty(p.ArchivedAt),
		Name: p.Name, Label: p.Label, Type: p.Type, FieldType: p.FieldType, Description: p.Description,
		GroupName: p.GroupName, Options: []optionJSON{}, DisplayOrder: p.DisplayOrder, Calculated: p.ReadOnly,
		ExternalOptions: p.ReferencedObjectType != "", HasUniqueValue: p.Unique, Hidden: p.Hidden,
		HubspotDefined: p.HubSpotDefined, ReferencedObjectType: p.ReferencedObjectType,
		ModificationMetadata: modificationMetadata{
			Archivable: !p.HubSpotDefined, ReadOnlyDefinition: p.HubSpotDefined,
			ReadOnlyOptions: p.HubSpotDefined, ReadOnlyValue: p.ReadOnly,
		},
		FormField: p.FormField, DataSensitivity: "non_sensitive", Archived: p.Archived,
	}
	for _, o := range p.Options {
		out.Options = append(out.Options, optionJSON{Label: o.Label, Value: o.Value, DisplayOrder: o.DisplayOrder, Hidden: o.Hidden})
	}
	return out
}

// propertyBody is PropertyCreate / PropertyUpdate.
type propertyBody struct {
	Name           *string       `json:"name"`
	Label          *string       `json:"label"`
	Type           *string       `json:"type"`
	FieldType      *string       `json:"fieldType"`
	GroupName      *string       `json:"groupName"`
	Description    *string       `json:"description"`
	Options        *[]optionJSON `json:"options"`
	DisplayOrder   *int          `json:"displayOrder"`
	HasUniqueValue *bool         `json:"hasUniqueValue"`
	Hidden         *bool         `json:"hidden"`
	FormField      *bool         `json:"formField"`
}

func (b propertyBody) change() crm.PropertyChange {
	c := crm.PropertyChange{Name: b.Name, Label: b.Label, Type: b.Type, FieldType: b.FieldType, GroupName: b.GroupName,
		Description: b.Description, DisplayOrder: b.DisplayOrder, HasUniqueValue: b.HasUniqueValue, Hidden: b.Hidden, FormField: b.FormField}
	if b.Options != nil {
		opts := make([]crm.PropertyOption, len(*b.Options))
		for i, o := range *b.Options {
			opts[i] = crm.PropertyOption{Label: o.Label, Value: o.Value, DisplayOrder: o.DisplayOrder, Hidden: o.Hidden}
		}
		c.Options = &opts
	}
	return c
}

// missingFields reports required fields absent from a create body, worded as
// HubSpot's JSON binding does.
func (b propertyBody) missingFields() error {
	return requireFields(field{"name", b.Name != nil}, field{"label", b.Label != nil}, field{"type", b.Type != nil},
		field{"fieldType", b.FieldType != nil}, field{"groupName", b.GroupName != nil})
}

type propertyList struct {
	Results []propertyJSON `json:"results"`
}

func (s *Server) listProperties(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Engine.WithPipelineOptions(r.Context(), objectType(r), false)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	archived, err := boolParam(q, "archived")
	if err != nil {
		return err
	}
	out := propertyList{Results: []propertyJSON{}}
	switch q.Get("dataSensitivity") {
	case "", "non_sensitive":
	case "sensitive", "highly_sensitive":
		writeJSON(w, http.StatusOK, out) // Spoke holds no sensitive properties
		return nil
	default:
		return crm.BadInput("Invalid value for query parameter dataSensitivity: %q", q.Get("dataSensitivity"))
	}
	props := t.Properties
	if archived {
		props = t.ArchivedProperties
	}
	only := splitList(q["properties"])
	for _, p := range props {
		if len(only) == 0 || contains(only, p.Name) {
			out.Results = append(out.Results, newPropertyJSON(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) getProperty(w http.ResponseWriter, r *http.Request) error {
	archived, err := boolParam(r.URL.Query(), "archived")
	if err != nil {
		return err
	}
	t, err := s.Engine.WithPipelineOptions(r.Context(), s.Engine.Known(r.Context(), objectType(r), archived, r.PathValue("name")), false)
	if err != nil {
		return err
	}
	p, err := s.Engine.FindProperty(t, r.PathValue("name"), archived)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPropertyJSON(p))
	return nil
}

func (s *Server) createProperty(w http.ResponseWriter, r *http.Request) error {
	var body propertyBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := body.missingFields(); err != nil {
		return err
	}
	p, err := s.Engine.CreateProperty(r.Context(), objectType(r), body.change())
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+p.Name)
	writeJSON(w, http.StatusCreated, newPropertyJSON(p))
	return nil
}

func (s *Server) updateProperty(w http.ResponseWriter, r *http.Request) error {
	var body propertyBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	p, err := s.Engine.UpdateProperty(r.Context(), objectType(r), r.PathValue("name"), body.change())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newPropertyJSON(p))
	return nil
}

func (s *Server) archiveProperty(w http.ResponseWriter, r *http.Request) error {
	if err := s.Engine.ArchiveProperty(r.Context(), objectType(r), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) batchCreateProperties(w http.ResponseWriter, r *http.Request) error {
	inputs, reply, err := readInputs[propertyBody](r, propertiesBatch)
	if err != nil {
		return err
	}
	results := []propertyJSON{}
	for _, in := range inputs {
		err := in.missingFields()
		var p *crm.PropertyDefinition
		if err == nil {
			// Each input is its own write: HubSpot reports failures per input.
			p, err = s.Engine.CreateProperty(r.Context(), s.mustType(r), in.change())
		}
		if err != nil {
			e, err := inputError(err)
			if err != nil {
				return err
			}
			if in.Name != nil {
				e.Context = map[string][]string{"name": {*in.Name}}
			}
			reply.errs = append(reply.errs, e)
			continue
		}
		results = append(results, newPropertyJSON(p))
	}
	reply.write(w, http.StatusCreated, results)
	return nil
}

// mustType re-resolves the request's type so that each input of a batch sees
// the properties created by the inputs before it.
func (s *Server) mustType(r *http.Request) *crm.ObjectType {
	t, err := s.Engine.Types.Resolve(objectType(r).ID)
	if err != nil {
		panic(err) // the type resolved a moment ago
	}
	return t
}

func (s *Server) batchReadProperties(w http.ResponseWriter, r *http.Request) error {
	var body nameInputs
	reply, err := readBatch(r, &body, &body.Inputs, propertiesBatch)
	if err != nil {
		return err
	}
	names := make([]string, len(body.Inputs))
	for i, in := range body.Inputs {
		names[i] = in.Name
	}
	t, err := s.Engine.WithPipelineOptions(r.Context(), s.Engine.Known(r.Context(), objectType(r), body.Archived, names...), false)
	if err != nil {
		return err
	}
	results := []propertyJSON{}
	var missing []string
	for _, in := range body.Inputs {
		p, err := s.Engine.FindProperty(t, in.Name, body.Archived)
		if err != nil {
			missing = append(missing, in.Name)
			continue
		}
		results = append(results, newPropertyJSON(p))
	}
	if len(missing) > 0 {
		reply.errs = append(reply.errs, standardErrorJSON{Status: "error", Category: crm.CategoryNotFound,
			Message: "Could not get some properties, they may be archived or not exist.", Context: map[string][]string{"names": missing}})
	}
	reply.write(w, http.StatusOK, results)
	return nil
}

func (s *Server) batchArchiveProperties(w http.ResponseWriter, r *http.Request) error {
	var body nameInputs
	if _, err := readBatch(r, &body, &body.Inputs, propertiesBatch); err != nil {
		return err
	}
	names := make([]string, len(body.Inputs))
	for i, in := range body.Inputs {
		names[i] = in.Name
	}
	if err := s.Engine.ArchivableProperties(r.Context(), objectType(r), names...); err != nil {
		return err
	}
	for _, in := range body.Inputs {
		err := s.Engine.ArchiveProperty(r.Context(), s.mustType(r), in.Name)
		if err != nil && crm.AsError(err).Kind != crm.KindNotFound {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// groupJSON is HubSpot's PropertyGroup.
type groupJSON struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

func newGroupJSON(g *crm.PropertyGroup) groupJSON {
	return groupJSON{Name: g.Name, Label: g.Label, DisplayOrder: g.DisplayOrder, Archived: g.Archived}
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) error {
	out := struct {
		Results []groupJSON `json:"results"`
	}{Results: []groupJSON{}}
	for _, g := range objectType(r).Groups {
		if !g.Archived {
			out.Results = append(out.Results, newGroupJSON(g))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := s.Engine.FindGroup(objectType(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newGroupJSON(g))
	return nil
}

type groupBody struct {
	Name         *string `json:"name"`
	Label        *string `json:"label"`
	DisplayOrder *int    `json:"displayOrder"`
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	var body groupBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.Name == nil || body.Label == nil {
		return missingFields("name", "label")
	}
	g, err := s.Engine.PutGroup(r.Context(), objectType(r), *body.Name, body.Label, body.DisplayOrder, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newGroupJSON(g))
	return nil
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	var body groupBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	g, err := s.Engine.PutGroup(r.Context(), objectType(r), r.PathValue("name"), body.Label, body.DisplayOrder, false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newGroupJSON(g))
	return nil
}

func (s *Server) archiveGroup(w http.ResponseWriter, r *http.Request) error {
	if err := s.Engine.ArchiveGroup(r.Context(), objectType(r), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
