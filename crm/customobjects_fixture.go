package crm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// FixtureSchema is a custom object schema. Its properties and groups are
// under the fixture's properties and propertyGroups, keyed by its fully
// qualified name like its records; the association types of its pairs are
// association labels without a label.
type FixtureSchema struct {
	ObjectTypeID               string              `json:"objectTypeId"`
	Name                       string              `json:"name"`
	Labels                     FixtureSchemaLabels `json:"labels"`
	Description                string              `json:"description,omitempty"`
	RequiredProperties         []string            `json:"requiredProperties,omitempty"`
	SearchableProperties       []string            `json:"searchableProperties,omitempty"`
	PrimaryDisplayProperty     string              `json:"primaryDisplayProperty,omitempty"`
	SecondaryDisplayProperties []string            `json:"secondaryDisplayProperties,omitempty"`
	CreatedAt                  string              `json:"createdAt,omitempty"`
	UpdatedAt                  string              `json:"updatedAt,omitempty"`
	Archived                   bool                `json:"archived,omitempty"`
}

// FixtureSchemaLabels are a schema's labels.
type FixtureSchemaLabels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

// exportSchemas lists the live and archived schemas. An archived one
// comes without its records, properties and associations (its type serves
// nothing); it keeps its name and type id taken where the export is seeded,
// as they are here until it is deleted for good.
func exportSchemas(ctx context.Context, tx ReadTx) ([]FixtureSchema, error) {
	list, err := tx.CustomSchemas(ctx)
	if err != nil {
		return nil, err
	}
	var out []FixtureSchema
	for _, s := range list {
		if s.Deleted {
			continue
		}
		out = append(out, FixtureSchema{ObjectTypeID: s.TypeID(), Name: s.Name, Labels: FixtureSchemaLabels{s.Singular, s.Plural},
			Description: s.Description, RequiredProperties: s.RequiredProperties, SearchableProperties: s.SearchableProperties,
			PrimaryDisplayProperty: s.PrimaryDisplayProperty, SecondaryDisplayProperties: s.SecondaryDisplayProperties,
			CreatedAt: FormatTime(s.CreatedAt), UpdatedAt: FormatTime(s.UpdatedAt), Archived: s.Archived})
	}
	return out, nil
}

// seedCustomSchemas stores a fixture's schemas, replacing stored ones with
// the same objectTypeId, and declares their types for the rest of the seed.
// The properties they name are checked once the fixture's properties are in.
func (e *Engine) seedCustomSchemas(ctx context.Context, tx Tx, schemas []FixtureSchema) error {
	if len(schemas) == 0 {
		return nil
	}
	stored, err := tx.CustomSchemas(ctx)
	if err != nil {
		return err
	}
	for i, fs := range schemas {
		where := fmt.Sprintf("schemas[%d]", i)
		n, err := strconv.ParseInt(strings.TrimPrefix(fs.ObjectTypeID, "2-"), 10, 64)
		if !strings.HasPrefix(fs.ObjectTypeID, "2-") || err != nil || n <= 0 {
			return Invalidf("%s: objectTypeId %q is not a custom object type id (2-NNN)", where, fs.ObjectTypeID)
		}
		if !customName.MatchString(fs.Name) || len(fs.Name) > 100 {
			return Invalidf("%s: name %q is invalid: use letters, digits and underscores, starting with a letter", where, fs.Name)
		}
		if t, err := e.Types.Resolve(fs.Name); err == nil && t.Schema == nil {
			return Invalidf("%s: name %q is taken by HubSpot's object type %s", where, fs.Name, t.ID)
		}
		s := &CustomSchema{Number: n, Name: fs.Name}
		in := CustomSchemaInput{Singular: &fs.Labels.Singular, Plural: &fs.Labels.Plural, Description: &fs.Description,
			RequiredProperties: &fs.RequiredProperties, SearchableProperties: &fs.SearchableProperties,
			PrimaryDisplayProperty: &fs.PrimaryDisplayProperty, SecondaryDisplayProperties: &fs.SecondaryDisplayProperties}
		if err := applySchemaInput(s, in); err != nil {
			return fixtureError(where, err)
		}
		now := e.now()
		if s.CreatedAt, err = parseFixtureTime(fs.CreatedAt, now); err != nil {
			return fixtureError(where, err)
		}
		if s.UpdatedAt, err = parseFixtureTime(fs.UpdatedAt, now); err != nil {
			return fixtureError(where, err)
		}
		if fs.Archived {
			s.Archived, s.ArchivedAt = true, s.UpdatedAt
		}
		for _, old := range stored {
			if old.Deleted {
				continue
			}
			if old.Number == n && !strings.EqualFold(old.Name, s.Name) {
				return fixtureConflict(where, "objectTypeId %s is the object type %s", fs.ObjectTypeID, old.Name)
			}
			if old.Number != n && strings.EqualFold(old.Name, s.Name) {
				return fixtureConflict(where, "the name %s is the object type %s", s.Name, old.TypeID())
			}
			// Archiving a live schema by seed is held to the API's rule.
			if old.Number == n && s.Archived && !old.Archived {
				if err := e.schemaRemains(ctx, tx, old); err != nil {
					return fixtureError(where, err)
				}
			}
		}
		if err := tx.PutCustomSchema(ctx, s); err != nil {
			return err
		}
		stored = append(stored, s)
	}
	return e.loadSchemas(ctx, tx)
}

// checkSeededSchemas checks that the properties each seeded schema names
// exist, once the fixture's properties are stored.
func (e *Engine) checkSeededSchemas(schemas []FixtureSchema) error {
	for i, fs := range schemas {
		if fs.Archived {
			continue
		}
		t, err := e.Types.Resolve(fs.ObjectTypeID)
		if err != nil {
			return fixtureError(fmt.Sprintf("schemas[%d]", i), err)
		}
		if err := checkSchemaNames(t, t.Schema); err != nil {
			return fixtureError(fmt.Sprintf("schemas[%d]", i), err)
		}
	}
	return nil
}
