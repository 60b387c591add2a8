package sqlite

import (
	"context"

	"github.com/spoke-crm/spoke/crm"
)

// Initial values of the id sequences, as the migrations set them.
var sequenceStarts = map[string]int64{
	"objects":            10000000000,
	"owners":             80000000,
	"users":              9000000,
	"association_labels": 2000,
}

func (t *txn) exec(ctx context.Context, statements ...string) error {
	for _, q := range statements {
		if _, err := t.tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) restart(ctx context.Context, sequences ...string) error {
	for _, name := range sequences {
		if _, err := t.tx.ExecContext(ctx, `UPDATE id_sequence SET value = ? WHERE name = ?`, sequenceStarts[name], name); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) Reset(ctx context.Context, what crm.ResetScope) error {
	if err := t.exec(ctx, `DELETE FROM objects`, `DELETE FROM object_writes`, `DELETE FROM unique_values`,
		`DELETE FROM associations`, `DELETE FROM search_values`, `DELETE FROM search_text`); err != nil {
		return err
	}
	if err := t.restart(ctx, "objects"); err != nil {
		return err
	}
	if what.Owners {
		if err := t.exec(ctx, `DELETE FROM owners`); err != nil {
			return err
		}
		if err := t.restart(ctx, "owners", "users"); err != nil {
			return err
		}
	}
	if what.Tokens {
		if err := t.exec(ctx, `DELETE FROM tokens`); err != nil {
			return err
		}
	}
	if what.Schema {
		if err := t.exec(ctx, `DELETE FROM custom_properties`, `DELETE FROM property_groups`, `DELETE FROM association_labels`); err != nil {
			return err
		}
		if err := t.restart(ctx, "association_labels"); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) SyncSequences(ctx context.Context) error {
	return t.exec(ctx,
		`UPDATE id_sequence SET value = max(value, (SELECT coalesce(max(id), 0) FROM objects)) WHERE name = 'objects'`,
		`UPDATE id_sequence SET value = max(value, (SELECT coalesce(max(id), 0) FROM owners)) WHERE name = 'owners'`,
		`UPDATE id_sequence SET value = max(value, (SELECT coalesce(max(user_id), 0) FROM owners)) WHERE name = 'users'`,
		`UPDATE id_sequence SET value = max(value, (SELECT coalesce(max(type_id), 0) FROM association_labels)) WHERE name = 'association_labels'`)
}

func (t *txn) AllAssociations(ctx context.Context) ([]crm.AssociationRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT from_id, from_type, to_id, to_type, type_id, category FROM associations
		WHERE from_id < to_id OR (from_id = to_id) ORDER BY from_id, to_id, category, type_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.AssociationRow
	for rows.Next() {
		var r crm.AssociationRow
		if err := rows.Scan(&r.FromID, &r.FromType, &r.ToID, &r.ToType, &r.TypeID, &r.Category); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
