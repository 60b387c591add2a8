package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
)

func (t *txn) AssociationsFrom(ctx context.Context, fromID int64, toType string, afterToID int64, maxTargets int) ([]crm.AssociationRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT a.to_id, a.to_type, a.type_id, a.category, a.from_type
		FROM associations a JOIN objects o ON o.id = a.to_id AND NOT o.archived
		WHERE a.from_id = $1 AND ($2 = '' OR a.to_type = $2) AND a.to_id >= $3
		ORDER BY a.to_id, a.category, a.type_id`, fromID, toType, afterToID)
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

func scanRows(rows pgx.Rows) ([]crm.AssociationRow, error) {
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

func (t *txn) AssociationsBetween(ctx context.Context, fromID, toID int64) ([]crm.AssociationRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT from_id, from_type, to_id, to_type, type_id, category FROM associations
		WHERE from_id = $1 AND to_id = $2 ORDER BY category, type_id`, fromID, toID)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

func (t *txn) AllAssociations(ctx context.Context) ([]crm.AssociationRow, error) {
	rows, err := t.tx.Query(ctx, `SELECT from_id, from_type, to_id, to_type, type_id, category FROM associations
		WHERE from_id <= to_id ORDER BY from_id, to_id, category, type_id`)
	if err != nil {
		return nil, err
	}
	return scanRows(rows)
}

func (t *txn) AssociationLabels(ctx context.Context) ([]*crm.AssociationLabel, error) {
	rows, err := t.tx.Query(ctx, `SELECT type_id, inverse_id, from_type, to_type, label, name FROM association_labels ORDER BY type_id`)
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
	return t.rows(ctx, len(rows), 6, `INSERT INTO associations (from_id, to_type, to_id, category, type_id, from_type) VALUES `,
		` ON CONFLICT DO NOTHING`, func(i int) []any {
			r := rows[i]
			return []any{r.FromID, r.ToType, r.ToID, r.Category, r.TypeID, r.FromType}
		})
}

func (t *txn) RemoveAssociations(ctx context.Context, rows []crm.AssociationRow) error {
	for _, r := range rows {
		if _, err := t.tx.Exec(ctx, `DELETE FROM associations WHERE from_id = $1 AND to_type = $2 AND to_id = $3 AND category = $4 AND type_id = $5`,
			r.FromID, r.ToType, r.ToID, r.Category, r.TypeID); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) NextLabelIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT nextval('label_ids') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (t *txn) PutAssociationLabel(ctx context.Context, l *crm.AssociationLabel) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO association_labels (type_id, inverse_id, from_type, to_type, label, name)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (type_id) DO UPDATE SET label = excluded.label, name = excluded.name`,
		l.TypeID, l.InverseID, l.From, l.To, l.Label, l.Name)
	return err
}

func (t *txn) DeleteAssociationLabel(ctx context.Context, typeID int64) error {
	if _, err := t.tx.Exec(ctx, `DELETE FROM associations WHERE category = $1 AND type_id = $2`, crm.CategoryUserDefined, typeID); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, `DELETE FROM association_labels WHERE type_id = $1`, typeID)
	return err
}

func (t *txn) ArchivedBefore(ctx context.Context, cutoff time.Time, limit int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM objects WHERE archived AND archived_at < $1 ORDER BY archived_at LIMIT $2`, cutoff.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func (t *txn) PurgeObjects(ctx context.Context, ids []int64) error {
	for _, q := range []string{
		`DELETE FROM associations WHERE from_id = ANY($1)`,
		`DELETE FROM associations WHERE to_id = ANY($1)`,
		`DELETE FROM object_writes WHERE object_id = ANY($1)`,
		`DELETE FROM unique_values WHERE object_id = ANY($1)`,
		`DELETE FROM search_values WHERE object_id = ANY($1)`,
		`DELETE FROM search_text WHERE object_id = ANY($1)`,
		`DELETE FROM objects WHERE id = ANY($1)`,
	} {
		if _, err := t.tx.Exec(ctx, q, ids); err != nil {
			return err
		}
	}
	return nil
}

var sequenceStarts = map[string]int64{"object_ids": 10000000001, "owner_ids": 80000001, "user_ids": 9000001, "label_ids": 2001}

func (t *txn) exec(ctx context.Context, statements ...string) error {
	for _, q := range statements {
		if _, err := t.tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) restart(ctx context.Context, sequences ...string) error {
	for _, s := range sequences {
		if _, err := t.tx.Exec(ctx, `SELECT setval($1::regclass, $2, false)`, s, sequenceStarts[s]); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) Reset(ctx context.Context, what crm.ResetScope) error {
	if err := t.exec(ctx, `TRUNCATE objects, object_writes, unique_values, associations, search_values, search_text`); err != nil {
		return err
	}
	if err := t.restart(ctx, "object_ids"); err != nil {
		return err
	}
	if what.Owners {
		if err := t.exec(ctx, `TRUNCATE owners`); err != nil {
			return err
		}
		if err := t.restart(ctx, "owner_ids", "user_ids"); err != nil {
			return err
		}
	}
	if what.Tokens {
		if err := t.exec(ctx, `TRUNCATE tokens`); err != nil {
			return err
		}
	}
	if what.Schema {
		if err := t.exec(ctx, `TRUNCATE custom_properties, property_groups, association_labels`); err != nil {
			return err
		}
		if err := t.restart(ctx, "label_ids"); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) SyncSequences(ctx context.Context) error {
	for seq, q := range map[string]string{
		"object_ids": `SELECT max(id) FROM objects`,
		"owner_ids":  `SELECT max(id) FROM owners`,
		"user_ids":   `SELECT max(user_id) FROM owners`,
		"label_ids":  `SELECT max(type_id) FROM association_labels`,
	} {
		var top *int64
		if err := t.tx.QueryRow(ctx, q).Scan(&top); err != nil {
			return err
		}
		if top == nil {
			continue
		}
		// Move the sequence forward only: never hand out an id twice.
		if _, err := t.tx.Exec(ctx, `SELECT setval($1::regclass, greatest($2, (SELECT last_value FROM `+seq+`)))`, seq, *top); err != nil {
			return err
		}
	}
	return nil
}
