package sqlstore

import (
	"context"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// MergedInto reads the merged ids among ids.
func (t *Tx) MergedInto(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	err := forIDs(t.d, "id", ids, func(in string, args []any) error {
		rows, err := t.q.Query(ctx, `SELECT id, merged_into FROM merged_ids WHERE `+in, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, into int64
			if err := rows.Scan(&id, &into); err != nil {
				return err
			}
			out[id] = into
		}
		return rows.Err()
	})
	return out, err
}

// MergeIDs points the ids that resolved to one of ids at into, then adds
// ids themselves.
func (t *Tx) MergeIDs(ctx context.Context, ids []int64, into int64) error {
	err := forIDs(t.d, "merged_into", ids, func(in string, args []any) error {
		_, err := t.q.Exec(ctx, `UPDATE merged_ids SET merged_into = ? WHERE `+in, append([]any{into}, args...)...)
		return err
	})
	if err != nil {
		return err
	}
	return t.insertRows(ctx, len(ids), 2, `INSERT INTO merged_ids (id, merged_into) VALUES `, `(?, ?)`,
		` ON CONFLICT (id) DO UPDATE SET merged_into = excluded.merged_into`,
		func(i int) []any { return []any{ids[i], into} })
}

// BlockEmails adds addresses to the blocked ones.
func (t *Tx) BlockEmails(ctx context.Context, emails []string, at time.Time) error {
	return t.insertRows(ctx, len(emails), 2, `INSERT INTO blocked_emails (email, blocked_at) VALUES `, `(?, ?)`,
		` ON CONFLICT (email) DO NOTHING`, func(i int) []any { return []any{emails[i], at.UnixMilli()} })
}

func (t *Tx) BlockedEmails(ctx context.Context) ([]string, error) {
	return query(ctx, t.q, func(row Row) (string, error) {
		var s string
		err := row.Scan(&s)
		return s, err
	}, `SELECT email FROM blocked_emails ORDER BY email`)
}

// AssociationRows reads every association leaving fromID.
func (t *Tx) AssociationRows(ctx context.Context, fromID int64) ([]crm.AssociationRow, error) {
	return query(ctx, t.q, func(row Row) (crm.AssociationRow, error) {
		r := crm.AssociationRow{FromID: fromID}
		err := row.Scan(&r.FromType, &r.ToID, &r.ToType, &r.TypeID, &r.Category)
		return r, err
	}, `SELECT from_type, to_id, to_type, type_id, category FROM associations WHERE from_id = ? ORDER BY to_id, category, type_id`, fromID)
}

// CountAssociations counts within the key prefix (from_id, to_type).
func (t *Tx) CountAssociations(ctx context.Context, fromID int64, toType, category string, typeID int64) (int, error) {
	var n int
	err := t.q.QueryRow(ctx, `SELECT count(*) FROM associations a JOIN objects o ON o.id = a.to_id AND o.archived = `+t.d.False()+`
		WHERE a.from_id = ? AND a.to_type = ? AND a.category = ? AND a.type_id = ?`, fromID, toType, category, typeID).Scan(&n)
	return n, err
}

func (t *Tx) AssociationLimits(ctx context.Context) ([]*crm.AssociationLimit, error) {
	return query(ctx, t.q, func(row Row) (*crm.AssociationLimit, error) {
		var l crm.AssociationLimit
		err := row.Scan(&l.From, &l.To, &l.Category, &l.TypeID, &l.Max)
		return &l, err
	}, `SELECT from_type, to_type, category, type_id, max_to_ids FROM association_limits ORDER BY from_type, to_type, category, type_id`)
}

func (t *Tx) PutAssociationLimit(ctx context.Context, l *crm.AssociationLimit) error {
	_, err := t.q.Exec(ctx, `INSERT INTO association_limits (from_type, to_type, category, type_id, max_to_ids) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (from_type, to_type, category, type_id) DO UPDATE SET max_to_ids = excluded.max_to_ids`,
		l.From, l.To, l.Category, l.TypeID, l.Max)
	return err
}

func (t *Tx) DeleteAssociationLimit(ctx context.Context, l *crm.AssociationLimit) error {
	_, err := t.q.Exec(ctx, `DELETE FROM association_limits WHERE from_type = ? AND to_type = ? AND category = ? AND type_id = ?`,
		l.From, l.To, l.Category, l.TypeID)
	return err
}
