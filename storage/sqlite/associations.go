package sqlite

import (
	"context"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

func (t *txn) AssociationsFrom(ctx context.Context, fromID int64, toType string, afterToID int64, maxTargets int) ([]crm.AssociationRow, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT a.to_id, a.to_type, a.type_id, a.category, a.from_type
		FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = 0
		WHERE a.from_id = ? AND (? = '' OR a.to_type = ?) AND a.to_id >= ?
		ORDER BY a.to_id, a.category, a.type_id`, fromID, toType, toType, afterToID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.AssociationRow
	targets := 0
	for rows.Next() {
		r := crm.AssociationRow{FromID: fromID}
		if err := rows.Scan(&r.ToID, &r.ToType, &r.TypeID, &r.Category, &r.FromType); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ToID != r.ToID {
			if targets == maxTargets {
				break
			}
			targets++
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// associationsBetween reads the associations from one record to another.
// The target's type completes the key prefix (from_id, to_type, to_id):
// without it the query would read every association of the first record,
// all the messages of a busy contact.
const associationsBetween = `SELECT to_type, type_id, category, from_type FROM associations
	WHERE from_id = ?1 AND to_type = (SELECT type_id FROM objects WHERE id = ?2) AND to_id = ?2
	ORDER BY category, type_id`

func (t *txn) AssociationsBetween(ctx context.Context, fromID, toID int64) ([]crm.AssociationRow, error) {
	rows, err := t.tx.QueryContext(ctx, associationsBetween, fromID, toID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []crm.AssociationRow
	for rows.Next() {
		r := crm.AssociationRow{FromID: fromID, ToID: toID}
		if err := rows.Scan(&r.ToType, &r.TypeID, &r.Category, &r.FromType); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *txn) AssociationLabels(ctx context.Context) ([]*crm.AssociationLabel, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT type_id, inverse_id, from_type, to_type, label, name FROM association_labels ORDER BY type_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*crm.AssociationLabel
	for rows.Next() {
		var l crm.AssociationLabel
		if err := rows.Scan(&l.TypeID, &l.InverseID, &l.From, &l.To, &l.Label, &l.Name); err != nil {
			return nil, err
		}
		out = append(out, &l)
	}
	return out, rows.Err()
}

func (t *txn) AddAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	return t.rowsInChunks(ctx, len(rows), 6, `INSERT INTO associations (from_id, to_type, to_id, category, type_id, from_type) VALUES `,
		` ON CONFLICT DO NOTHING`, func(i int) []any {
			r := rows[i]
			return []any{r.FromID, r.ToType, r.ToID, r.Category, r.TypeID, r.FromType}
		})
}

func (t *txn) RemoveAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	for _, r := range rows {
		if _, err := t.tx.ExecContext(ctx, `DELETE FROM associations WHERE from_id = ? AND to_type = ? AND to_id = ? AND category = ? AND type_id = ?`,
			r.FromID, r.ToType, r.ToID, r.Category, r.TypeID); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) NextLabelIDs(ctx context.Context, n int) ([]int64, error) {
	ids := make([]int64, n)
	for i := range ids {
		var err error
		if ids[i], err = t.next(ctx, "association_labels"); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func (t *txn) PutAssociationLabel(ctx context.Context, l *crm.AssociationLabel) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO association_labels (type_id, inverse_id, from_type, to_type, label, name)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (type_id) DO UPDATE SET label = excluded.label, name = excluded.name`,
		l.TypeID, l.InverseID, l.From, l.To, l.Label, l.Name)
	return err
}

func (t *txn) DeleteAssociationLabel(ctx context.Context, typeID int64) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM associations WHERE category = ? AND type_id = ?`, crm.CategoryUserDefined, typeID); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `DELETE FROM association_labels WHERE type_id = ?`, typeID)
	return err
}

func (t *txn) ArchivedBefore(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT id FROM objects WHERE archived = 1 AND archived_at < ? ORDER BY archived_at LIMIT ?`, cutoff.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// deleteAssociationsTo deletes the associations leading to a record. Every
// association is stored in both directions, so they start at the targets of
// those leaving it, and the record's type completes their key prefix.
const deleteAssociationsTo = `DELETE FROM associations WHERE from_id IN (SELECT to_id FROM associations WHERE from_id = ?1)
	AND to_type = (SELECT type_id FROM objects WHERE id = ?1) AND to_id = ?1`

func (t *txn) PurgeObjects(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		for _, q := range []string{
			deleteAssociationsTo, // before the record: it reads the record's type
			`DELETE FROM associations WHERE from_id = ?`,
			`DELETE FROM object_writes WHERE object_id = ?`,
			`DELETE FROM unique_values WHERE object_id = ?`,
			`DELETE FROM search_values WHERE object_id = ?`,
			`DELETE FROM search_text WHERE rowid = ?`,
			`DELETE FROM objects WHERE id = ?`,
		} {
			if _, err := t.tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
	}
	return nil
}
