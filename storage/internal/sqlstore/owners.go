package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

const ownerColumns = `id, email, type, first_name, last_name, user_id, created_at, updated_at, archived, archived_at`

func scanOwner(row Row) (*crm.Owner, error) {
	var (
		o                crm.Owner
		created, updated int64
		archivedAt       sql.NullInt64
	)
	if err := row.Scan(&o.ID, &o.Email, &o.Type, &o.FirstName, &o.LastName, &o.UserID, &created, &updated, &o.Archived, &archivedAt); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if archivedAt.Valid {
		o.ArchivedAt = time.UnixMilli(archivedAt.Int64).UTC()
	}
	return &o, nil
}

// nullMillis is t in epoch milliseconds, or NULL for the zero time.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func (t *Tx) ownerWhere(ctx context.Context, where string, arg any) (*crm.Owner, error) {
	o, err := scanOwner(t.q.QueryRow(ctx, `SELECT `+ownerColumns+` FROM owners WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

func (t *Tx) Owner(ctx context.Context, id int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `id = ?`, id)
}

func (t *Tx) OwnerByUserID(ctx context.Context, userID int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `user_id = ?`, userID)
}

func (t *Tx) ListOwners(ctx context.Context, q crm.OwnerQuery) ([]*crm.Owner, error) {
	return query(ctx, t.q, scanOwner, `SELECT `+ownerColumns+` FROM owners
		WHERE archived = ? AND id >= ? AND (? = '' OR lower(email) = lower(?)) ORDER BY id LIMIT ?`,
		q.Archived, q.AfterID, q.Email, q.Email, q.Limit)
}

func (t *Tx) next(ctx context.Context, seq Sequence) (int64, error) {
	ids, err := t.d.NextIDs(ctx, t.q, seq, 1)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

func (t *Tx) InsertOwner(ctx context.Context, o *crm.Owner) error {
	var err error
	if o.ID == 0 {
		if o.ID, err = t.next(ctx, OwnerIDs); err != nil {
			return err
		}
	}
	if o.UserID == 0 {
		if o.UserID, err = t.next(ctx, UserIDs); err != nil {
			return err
		}
	}
	_, err = t.q.Exec(ctx, `INSERT INTO owners (`+ownerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt))
	return err
}

func (t *Tx) UpdateOwner(ctx context.Context, o *crm.Owner) error {
	_, err := t.q.Exec(ctx, `UPDATE owners SET email = ?, type = ?, first_name = ?, last_name = ?, user_id = ?, updated_at = ?, archived = ?, archived_at = ? WHERE id = ?`,
		o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt), o.ID)
	return err
}
