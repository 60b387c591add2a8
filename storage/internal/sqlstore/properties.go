package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"github.com/spoke-crm/spoke/crm"
)

// Custom property definitions and groups are stored as JSON documents; seq
// keeps creation order.

func loadDocs[T any](ctx context.Context, t *Tx, table, typeID string) ([]*T, error) {
	return query(ctx, t.q, func(row Row) (*T, error) {
		var doc []byte
		if err := row.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		return v, json.Unmarshal(doc, v)
	}, `SELECT definition FROM `+table+` WHERE type_id = ? ORDER BY seq`, typeID)
}

func putDoc(ctx context.Context, t *Tx, table, typeID, name string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.q.Exec(ctx, `INSERT INTO `+table+` (type_id, name, seq, definition) VALUES (?, ?, `+t.d.Serial(table, "seq")+`, ?)
		ON CONFLICT (type_id, name) DO UPDATE SET definition = excluded.definition`, typeID, name, string(doc))
	return err
}

func (t *Tx) CustomProperties(ctx context.Context, typeID string) ([]*crm.PropertyDefinition, error) {
	return loadDocs[crm.PropertyDefinition](ctx, t, "custom_properties", typeID)
}

func (t *Tx) PropertyGroups(ctx context.Context, typeID string) ([]*crm.PropertyGroup, error) {
	return loadDocs[crm.PropertyGroup](ctx, t, "property_groups", typeID)
}

func (t *Tx) PutCustomProperty(ctx context.Context, typeID string, p *crm.PropertyDefinition) error {
	return putDoc(ctx, t, "custom_properties", typeID, p.Name, p)
}

func (t *Tx) PutPropertyGroup(ctx context.Context, typeID string, g *crm.PropertyGroup) error {
	return putDoc(ctx, t, "property_groups", typeID, g.Name, g)
}

// Custom object schemas are JSON documents keyed by type id; the name is a
// column of its own so that two schemas cannot share it.

func (t *Tx) CustomSchemas(ctx context.Context) ([]*crm.CustomSchema, error) {
	list, err := query(ctx, t.q, func(row Row) (*crm.CustomSchema, error) {
		var doc []byte
		if err := row.Scan(&doc); err != nil {
			return nil, err
		}
		s := new(crm.CustomSchema)
		return s, json.Unmarshal(doc, s)
	}, `SELECT definition FROM custom_object_schemas`)
	slices.SortFunc(list, func(a, b *crm.CustomSchema) int { return cmp.Compare(a.Number, b.Number) })
	return list, err
}

func (t *Tx) CustomSchema(ctx context.Context, typeID string) (*crm.CustomSchema, error) {
	lock := ""
	if t.write {
		lock = t.d.ForShare()
	}
	return t.customSchema(ctx, typeID, lock)
}

func (t *Tx) LockCustomSchema(ctx context.Context, typeID string) (*crm.CustomSchema, error) {
	return t.customSchema(ctx, typeID, t.d.ForUpdate())
}

func (t *Tx) customSchema(ctx context.Context, typeID, lock string) (*crm.CustomSchema, error) {
	var doc []byte
	err := t.q.QueryRow(ctx, `SELECT definition FROM custom_object_schemas WHERE type_id = ?`+lock, typeID).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := new(crm.CustomSchema)
	return s, json.Unmarshal(doc, s)
}

func (t *Tx) PutCustomSchema(ctx context.Context, s *crm.CustomSchema) error {
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = t.q.Exec(ctx, `INSERT INTO custom_object_schemas (type_id, name, definition) VALUES (?, ?, ?)
		ON CONFLICT (type_id) DO UPDATE SET name = excluded.name, definition = excluded.definition`, s.TypeID(), s.Name, string(doc))
	return err
}

func (t *Tx) DeleteCustomSchema(ctx context.Context, typeID string) error {
	for _, q := range []string{
		`DELETE FROM associations WHERE category = '` + crm.CategoryUserDefined + `' AND type_id IN
			(SELECT type_id FROM association_labels WHERE from_type = ?1 OR to_type = ?1)`,
		`DELETE FROM association_labels WHERE from_type = ?1 OR to_type = ?1`,
		`DELETE FROM custom_properties WHERE type_id = ?1`,
		`DELETE FROM property_groups WHERE type_id = ?1`,
		`DELETE FROM custom_object_schemas WHERE type_id = ?1`,
	} {
		if _, err := t.q.Exec(ctx, q, typeID); err != nil {
			return err
		}
	}
	return nil
}
