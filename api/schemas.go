package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/spoke-crm/spoke/crm"
)

// The custom object schemas API (HubSpot's ObjectSchema, ObjectTypeDefinition
// and AssociationDefinition shapes).

var (
	customSchemaRead  = scopeRule{scopes: func(*crm.ObjectType) []string { return []string{"crm.schemas.custom.read", "crm.objects.custom.read"} }}
	customSchemaWrite = scopeRule{scopes: func(*crm.ObjectType) []string { return []string{"crm.schemas.custom.write"} }}
)

func (s *Server) schemaRoutes() {
	for _, prefix := range []string{"/crm-object-schemas/v3/schemas", "/crm/v3/schemas", "/crm-object-schemas/{version}/schemas"} {
		s.route("GET "+prefix, customSchemaRead, s.listSchemas)
		s.route("GET "+prefix+"/{$}", customSchemaRead, s.listSchemas)
		s.route("POST "+prefix, customSchemaWrite, s.createSchema)
		s.route("POST "+prefix+"/batch/read", customSchemaRead, s.batchReadSchemas)
		s.route("GET "+prefix+"/{objectType}", customSchemaRead, s.getSchema)
		s.route("PATCH "+prefix+"/{objectType}", customSchemaWrite, s.updateSchema)
		s.route("DELETE "+prefix+"/{objectType}", customSchemaWrite, s.archiveSchema)
		// HubSpot's former hard delete, deprecated in 2024: ?archived=true.
		s.route("DELETE "+prefix+"/{objectType}/purge", customSchemaWrite, s.purgeSchema)
		s.route("POST "+prefix+"/{objectType}/associations", customSchemaWrite, s.createSchemaAssociation)
		s.route("DELETE "+prefix+"/{objectType}/associations/{associationIdentifier}", customSchemaWrite, s.deleteSchemaAssociation)
	}
}

type labelsJSON struct {
	Singular *string `json:"singular,omitempty"`
	Plural   *string `json:"plural,omitempty"`
}

type associationDefinitionJSON struct {
	ID               string `json:"id"`
	FromObjectTypeID string `json:"fromObjectTypeId"`
	ToObjectTypeID   string `json:"toObjectTypeId"`
	Name             string `json:"name,omitempty"`
}

// objectTypeDefinitionJSON is HubSpot's ObjectTypeDefinition (the PATCH
// answer); objectSchemaJSON adds properties and associations.
type objectTypeDefinitionJSON struct {
	ID                         string     `json:"id"`
	ObjectTypeID               string     `json:"objectTypeId"`
	FullyQualifiedName         string     `json:"fullyQualifiedName"`
	Name                       string     `json:"name"`
	Labels                     labelsJSON `json:"labels"`
	Description                string     `json:"description,omitempty"`
	RequiredProperties         []string   `json:"requiredProperties"`
	SearchableProperties       []string   `json:"searchableProperties"`
	PrimaryDisplayProperty     string     `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string   `json:"secondaryDisplayProperties"`
	AllowsSensitiveProperties  bool       `json:"allowsSensitiveProperties"`
	Archived                   bool       `json:"archived"`
	MetaType                   string     `json:"metaType"`
	PortalID                   int64      `json:"portalId,omitempty"`
	CreatedAt                  string     `json:"createdAt,omitempty"`
	UpdatedAt                  string     `json:"updatedAt,omitempty"`
}

type objectSchemaJSON struct {
	objectTypeDefinitionJSON
	Properties   []propertyJSON              `json:"properties"`
	Associations []associationDefinitionJSON `json:"associations"`
}

func orEmpty(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func newTypeDefinitionJSON(c *crm.CustomObject, portalID int64, audit bool) objectTypeDefinitionJSON {
	sc := c.Schema
	out := objectTypeDefinitionJSON{
		ID: strconv.FormatInt(sc.Number, 10), ObjectTypeID: sc.TypeID(), FullyQualifiedName: sc.FullyQualifiedName(portalID),
		Name: sc.Name, Labels: labelsJSON{Singular: &sc.Singular, Plural: &sc.Plural}, Description: sc.Description,
		RequiredProperties: orEmpty(sc.RequiredProperties), SearchableProperties: orEmpty(sc.SearchableProperties),
		PrimaryDisplayProperty: sc.PrimaryDisplayProperty, SecondaryDisplayProperties: orEmpty(sc.SecondaryDisplayProperties),
		AllowsSensitiveProperties: sc.AllowsSensitiveProperties, Archived: sc.Archived, MetaType: "PORTAL_SPECIFIC",
	}
	if audit {
		out.CreatedAt, out.UpdatedAt = timeOrEmpty(sc.CreatedAt), timeOrEmpty(sc.UpdatedAt)
	}
	return out
}

// schemaIncludes are the include flags of schema reads (each true unless false).
type schemaIncludes struct{ props, assoc, audit bool }

func newSchemaJSON(c *crm.CustomObject, portalID int64, inc schemaIncludes) objectSchemaJSON {
	out := objectSchemaJSON{objectTypeDefinitionJSON: newTypeDefinitionJSON(c, portalID, inc.audit),
		Properties: []propertyJSON{}, Associations: []associationDefinitionJSON{}}
	if inc.props {
		for _, p := range c.Type.Properties {
			out.Properties = append(out.Properties, newPropertyJSON(p))
		}
	}
	if inc.assoc {
		for _, a := range c.Associations {
			out.Associations = append(out.Associations, newAssociationDefinitionJSON(a))
		}
	}
	return out
}

func newAssociationDefinitionJSON(a *crm.AssociationType) associationDefinitionJSON {
	return associationDefinitionJSON{ID: strconv.FormatInt(a.ID, 10), FromObjectTypeID: a.From, ToObjectTypeID: a.To, Name: a.Name}
}

// schemaParams reads a schema read's query: archived, and what to include
// (all of it by default).
func schemaParams(r *http.Request) (archived bool, inc schemaIncludes, err error) {
	q := r.URL.Query()
	inc = schemaIncludes{true, true, true}
	if archived, err = boolParam(q, "archived"); err != nil {
		return false, inc, err
	}
	for name, dst := range map[string]*bool{"includePropertyDefinitions": &inc.props, "includeAssociationDefinitions": &inc.assoc, "includeAuditMetadata": &inc.audit} {
		if q.Get(name) == "" {
			continue
		}
		if *dst, err = boolParam(q, name); err != nil {
			return false, inc, err
		}
	}
	return archived, inc, nil
}

func (s *Server) listSchemas(w http.ResponseWriter, r *http.Request) error {
	archived, inc, err := schemaParams(r)
	if err != nil {
		return err
	}
	list, err := s.Engine.CustomObjects(r.Context(), archived)
	if err != nil {
		return err
	}
	out := struct {
		Results []objectSchemaJSON `json:"results"`
	}{Results: []objectSchemaJSON{}}
	for _, c := range list {
		out.Results = append(out.Results, newSchemaJSON(c, s.Engine.PortalID, inc))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getSchema(w http.ResponseWriter, r *http.Request) error {
	archived, inc, err := schemaParams(r)
	if err != nil {
		return err
	}
	c, err := s.Engine.CustomObject(r.Context(), r.PathValue("objectType"), archived)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newSchemaJSON(c, s.Engine.PortalID, inc))
	return nil
}

func (s *Server) batchReadSchemas(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Inputs                        []string `json:"inputs"`
		IncludePropertyDefinitions    *bool    `json:"includePropertyDefinitions"`
		IncludeAssociationDefinitions *bool    `json:"includeAssociationDefinitions"`
		IncludeAuditMetadata          *bool    `json:"includeAuditMetadata"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	inc := schemaIncludes{props: valueOr(body.IncludePropertyDefinitions, true), assoc: valueOr(body.IncludeAssociationDefinitions, true),
		audit: valueOr(body.IncludeAuditMetadata, true)}
	list, err := s.Engine.CustomObjects(r.Context(), false)
	if err != nil {
		return err
	}
	// HubSpot answers the collection of the schemas found, as the list does.
	out := struct {
		Results []objectSchemaJSON `json:"results"`
	}{Results: []objectSchemaJSON{}}
	for _, c := range list {
		if slices.ContainsFunc(body.Inputs, func(in string) bool { return schemaNamed(c, in, s.Engine.PortalID) }) {
			out.Results = append(out.Results, newSchemaJSON(c, s.Engine.PortalID, inc))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// schemaNamed reports whether in names c in any accepted form.
func schemaNamed(c *crm.CustomObject, in string, portalID int64) bool {
	n := strings.ToLower(in)
	sc := c.Schema
	return n == sc.TypeID() || n == strconv.FormatInt(sc.Number, 10) ||
		n == strings.ToLower(sc.FullyQualifiedName(portalID)) || n == "p_"+strings.ToLower(sc.Name)
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// schemaPropertyBody is ObjectTypePropertyCreate.
type schemaPropertyBody struct {
	propertyBody
	IsPrimaryDisplayLabel bool `json:"isPrimaryDisplayLabel"`
}

// schemaBody is ObjectSchemaEgg and ObjectTypeDefinitionPatch.
type schemaBody struct {
	Name                       *string              `json:"name"`
	Labels                     *labelsJSON          `json:"labels"`
	Description                *string              `json:"description"`
	ClearDescription           bool                 `json:"clearDescription"`
	Properties                 []schemaPropertyBody `json:"properties"`
	RequiredProperties         *[]string            `json:"requiredProperties"`
	SearchableProperties       *[]string            `json:"searchableProperties"`
	PrimaryDisplayProperty     *string              `json:"primaryDisplayProperty"`
	SecondaryDisplayProperties *[]string            `json:"secondaryDisplayProperties"`
	AssociatedObjects          []string             `json:"associatedObjects"`
	AllowsSensitiveProperties  *bool                `json:"allowsSensitiveProperties"`
	AllowSensitiveProperties   *bool                `json:"allowSensitiveProperties"`
	// ShouldCreateSameObjectAssociation associates the new type with itself.
	ShouldCreateSameObjectAssociation bool `json:"shouldCreateSameObjectAssociation"`
}

func (b schemaBody) input() crm.CustomSchemaInput {
	in := crm.CustomSchemaInput{Name: b.Name, Description: b.Description, ClearDescription: b.ClearDescription,
		RequiredProperties: b.RequiredProperties, SearchableProperties: b.SearchableProperties,
		PrimaryDisplayProperty: b.PrimaryDisplayProperty, SecondaryDisplayProperties: b.SecondaryDisplayProperties,
		AssociatedObjects: b.AssociatedObjects, AllowsSensitiveProperties: b.AllowsSensitiveProperties,
		SameObjectAssociation: b.ShouldCreateSameObjectAssociation}
	if in.AllowsSensitiveProperties == nil {
		in.AllowsSensitiveProperties = b.AllowSensitiveProperties
	}
	if b.Labels != nil {
		in.Singular, in.Plural = b.Labels.Singular, b.Labels.Plural
	}
	for _, p := range b.Properties {
		in.Properties = append(in.Properties, p.change())
		if p.IsPrimaryDisplayLabel && in.PrimaryDisplayProperty == nil && p.Name != nil {
			in.PrimaryDisplayProperty = p.Name
		}
	}
	return in
}

func (s *Server) createSchema(w http.ResponseWriter, r *http.Request) error {
	var body schemaBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireFields(field{"name", body.Name != nil}, field{"labels", body.Labels != nil}); err != nil {
		return err
	}
	for i, p := range body.Properties {
		if p.Name == nil || p.Label == nil {
			return crm.Invalidf("properties[%d] needs a name and a label", i)
		}
	}
	c, err := s.Engine.CreateCustomObject(r.Context(), body.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+c.Schema.TypeID())
	writeJSON(w, http.StatusCreated, newSchemaJSON(c, s.Engine.PortalID, schemaIncludes{true, true, true}))
	return nil
}

func (s *Server) updateSchema(w http.ResponseWriter, r *http.Request) error {
	var body schemaBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if len(body.Properties) > 0 || body.AssociatedObjects != nil {
		return crm.Invalidf("properties and associatedObjects cannot be changed here: use the properties API and the schema's associations")
	}
	c, err := s.Engine.UpdateCustomObject(r.Context(), r.PathValue("objectType"), body.input())
	if err != nil {
		return err
	}
	out := newTypeDefinitionJSON(c, s.Engine.PortalID, true)
	out.PortalID = s.Engine.PortalID
	writeJSON(w, http.StatusOK, out)
	return nil
}

// archiveSchema archives a schema, or with ?archived=true deletes it for good.
func (s *Server) archiveSchema(w http.ResponseWriter, r *http.Request) error {
	purge, err := boolParam(r.URL.Query(), "archived")
	if err != nil {
		return err
	}
	return s.deleteSchema(w, r, purge)
}

// purgeSchema is HubSpot's former DELETE .../{objectType}/purge: a hard delete.
func (s *Server) purgeSchema(w http.ResponseWriter, r *http.Request) error {
	return s.deleteSchema(w, r, true)
}

func (s *Server) deleteSchema(w http.ResponseWriter, r *http.Request, purge bool) error {
	if err := s.Engine.ArchiveCustomObject(r.Context(), r.PathValue("objectType"), purge); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) createSchemaAssociation(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		FromObjectTypeID *string `json:"fromObjectTypeId"`
		ToObjectTypeID   *string `json:"toObjectTypeId"`
		Name             string  `json:"name"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if err := requireFields(field{"fromObjectTypeId", body.FromObjectTypeID != nil}, field{"toObjectTypeId", body.ToObjectTypeID != nil}); err != nil {
		return err
	}
	a, err := s.Engine.CreateCustomAssociation(r.Context(), r.PathValue("objectType"), *body.FromObjectTypeID, *body.ToObjectTypeID, body.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newAssociationDefinitionJSON(a))
	return nil
}

func (s *Server) deleteSchemaAssociation(w http.ResponseWriter, r *http.Request) error {
	if err := s.Engine.DeleteCustomAssociation(r.Context(), r.PathValue("objectType"), r.PathValue("associationIdentifier")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
