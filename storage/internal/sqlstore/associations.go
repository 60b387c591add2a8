package sqlstore

import (
	"context"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

func (t *Tx) AssociationsFrom(ctx context.Context, fromID int64, toType string, afterToID int64, maxTargets int) ([]crm.AssociationRow, error) {
	rows, err := t.q.Query(ctx, `SELECT a.to_id, a.to_type, a.type_id, a.category, a.from_type
		FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = `+t.d.False()+`
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

// AssociationsBetweenSQL reads the associations from one record to another.
// The target's type completes the key prefix (from_id, to_type, to_id):
// without it the query would read every association of the first record,
// all the messages of a busy contact.
const AssociationsBetweenSQL = `SELECT to_type, type_id, category, from_type FROM associations
	WHERE from_id = ?1 AND to_type = (SELECT type_id FROM objects WHERE id = ?2) AND to_id = ?2
	ORDER BY category, type_id`

func (t *Tx) AssociationsBetween(ctx context.Context, fromID, toID int64) ([]crm.AssociationRow, error) {
	return query(ctx, t.q, func(row Row) (crm.AssociationRow, error) {
		r := crm.AssociationRow{FromID: fromID, ToID: toID}
		err := row.Scan(&r.ToType, &r.TypeID, &r.Category, &r.FromType)
		return r, err
	}, AssociationsBetweenSQL, fromID, toID)
}

func (t *Tx) AssociationLabels(ctx context.Context) ([]*crm.AssociationLabel, error) {
	return query(ctx, t.q, func(row Row) (*crm.AssociationLabel, error) {
		var l crm.AssociationLabel
		err := row.Scan(&l.TypeID, &l.InverseID, &l.From, &l.To, &l.Label, &l.Name)
		return &l, err
	}, `SELECT type_id, inverse_id, from_type, to_type, label, name FROM association_labels ORDER BY type_id`)
}

// AllAssociations reads each association from the end with the lower id.
func (t *Tx) AllAssociations(ctx context.Context) ([]crm.AssociationRow, error) {
	return query(ctx, t.q, func(row Row) (crm.AssociationRow, error) {
		var r crm.AssociationRow
		err := row.Scan(&r.FromID, &r.FromType, &r.ToID, &r.ToType, &r.TypeID, &r.Category)
		return r, err
	}, `SELECT from_id, from_type, to_id, to_type, type_id, category FROM associations
		WHERE from_id <= to_id ORDER BY from_id, to_id, category, type_id`)
}

func (t *Tx) AddAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	return t.insertRows(ctx, len(rows), 6, `INSERT INTO associations (from_id, to_type, to_id, category, type_id, from_type) VALUES `,
		`(?, ?, ?, ?, ?, ?)`, ` ON CONFLICT DO NOTHING`, func(i int) []any {
			r := rows[i]
			return []any{r.FromID, r.ToType, r.ToID, r.Category, r.TypeID, r.FromType}
		})
}

func (t *Tx) RemoveAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	for _, r := range rows {
		if _, err := t.q.Exec(ctx, `DELETE FROM associations WHERE from_id = ? AND to_type = ? AND to_id = ? AND category = ? AND type_id = ?`,
			r.FromID, r.ToType, r.ToID, r.Category, r.TypeID); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) NextLabelIDs(ctx context.Context, n int) ([]int64, error) {
	return t.d.NextIDs(ctx, t.q, LabelIDs, n)
}

func (t *Tx) PutAssociationLabel(ctx context.Context, l *crm.AssociationLabel) error {
	_, err := t.q.Exec(ctx, `INSERT INTO association_labels (type_id, inverse_id, from_type, to_type, label, name)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (type_id) DO UPDATE SET label = excluded.label, name = excluded.name`,
		l.TypeID, l.InverseID, l.From, l.To, l.Label, l.Name)
	return err
}

func (t *Tx) DeleteAssociationLabel(ctx context.Context, typeID int64) error {
	if _, err := t.q.Exec(ctx, `DELETE FROM associations WHERE category = ? AND type_id = ?`, crm.CategoryUserDefined, typeID); err != nil {
		return err
	}
	if _, err := t.q.Exec(ctx, `DELETE FROM association_limits WHERE category = ? AND type_id = ?`, crm.CategoryUserDefined, typeID); err != nil {
		return err
	}
	_, err := t.q.Exec(ctx, `DELETE FROM association_labels WHERE type_id = ?`, typeID)
	return err
}

func (t *Tx) ArchivedBefore(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	return query(ctx, t.q, scanInt64, `SELECT id FROM objects WHERE archived = `+t.d.True()+` AND archived_at < ? ORDER BY archived_at LIMIT ?`,
		cutoff.UnixMilli(), limit)
}

// DeleteAssociationsToSQL deletes the associations leading to a record.
// Every association is stored in both directions, so they start at the
// targets of those leaving it, and the record's type completes their key
// prefix: no index on to_id is needed.
const DeleteAssociationsToSQL = `DELETE FROM associations WHERE from_id IN (SELECT to_id FROM associations WHERE from_id = ?1)
	AND to_type = (SELECT type_id FROM objects WHERE id = ?1) AND to_id = ?1`

func (t *Tx) PurgeObjects(ctx context.Context, ids []int64) error {
	// Before the records and the associations leaving them: it reads both.
	for _, id := range ids {
		if _, err := t.q.Exec(ctx, DeleteAssociationsToSQL, id); err != nil {
			return err
		}
	}
	if err := t.UnindexObjects(ctx, ids); err != nil {
		return err
	}
	for _, tc := range [][2]string{{"associations", "from_id"}, {"object_writes", "object_id"}, {"unique_values", "object_id"}, {"merged_ids", "merged_into"}, {"objects", "id"}} {
		err := forIDs(t.d, tc[1], ids, func(in string, args []any) error {
			_, err := t.q.Exec(ctx, `DELETE FROM `+tc[0]+` WHERE `+in, args...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
