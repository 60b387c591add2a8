package sqlite

import (
	"context"
	"encoding/json"

	"github.com/spoke-crm/spoke/crm"
)

// Custom property definitions and groups are stored as JSON documents; seq
// keeps creation order.

func loadDocs[T any](ctx context.Context, t *txn, table, typeID string) ([]*T, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT definition FROM `+table+` WHERE type_id = ? ORDER BY seq`, typeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal([]byte(doc), v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func putDoc(ctx context.Context, t *txn, table, typeID, name string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO `+table+` (type_id, name, seq, definition)
		VALUES (?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM `+table+`), ?)
		ON CONFLICT (type_id, name) DO UPDATE SET definition = excluded.definition`, typeID, name, string(doc))
	return err
}

func (t *txn) CustomProperties(ctx context.Context, typeID string) ([]*crm.PropertyDefinition, error) {
	return loadDocs[crm.PropertyDefinition](ctx, t, "custom_properties", typeID)
}

func (t *txn) PropertyGroups(ctx context.Context, typeID string) ([]*crm.PropertyGroup, error) {
	return loadDocs[crm.PropertyGroup](ctx, t, "property_groups", typeID)
}

func (t *txn) PutCustomProperty(ctx context.Context, typeID string, p *crm.PropertyDefinition) error {
	return putDoc(ctx, t, "custom_properties", typeID, p.Name, p)
}

func (t *txn) PutPropertyGroup(ctx context.Context, typeID string, g *crm.PropertyGroup) error {
	return putDoc(ctx, t, "property_groups", typeID, g.Name, g)
}
