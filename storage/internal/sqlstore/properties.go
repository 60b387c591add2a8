package sqlstore

import (
	"context"
	"encoding/json"

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
