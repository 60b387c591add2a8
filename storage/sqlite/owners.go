package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

const ownerColumns = `id, email, type, first_name, last_name, user_id, created_at, updated_at, archived, archived_at`

func scanOwner(row interface{ Scan(...any) error }) (*crm.Owner, error) {
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

func (t *txn) ownerWhere(ctx context.Context, where string, arg any) (*crm.Owner, error) {
	o, err := scanOwner(t.tx.QueryRowContext(ctx, `SELECT `+ownerColumns+` FROM owners WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

func (t *txn) Owner(ctx context.Context, id int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `id = ?`, id)
}

func (t *txn) OwnerByUserID(ctx context.Context, userID int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `user_id = ?`, userID)
}

func (t *txn) ListOwners(ctx context.Context, q crm.OwnerQuery) ([]*crm.Owner, error) {
	rows, err := t.tx.QueryContext(ctx, `SELECT `+ownerColumns+` FROM owners
		WHERE archived = ? AND id >= ? AND (? = '' OR lower(email) = lower(?)) ORDER BY id LIMIT ?`,
		q.Archived, q.AfterID, q.Email, q.Email, q.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*crm.Owner
	for rows.Next() {
		o, err := scanOwner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (t *txn) next(ctx context.Context, sequence string) (int64, error) {
	var v int64
	err := t.tx.QueryRowContext(ctx, `UPDATE id_sequence SET value = value + 1 WHERE name = ? RETURNING value`, sequence).Scan(&v)
	return v, err
}

func (t *txn) InsertOwner(ctx context.Context, o *crm.Owner) error {
	var err error
	if o.ID == 0 {
		if o.ID, err = t.next(ctx, "owners"); err != nil {
			return err
		}
	}
	if o.UserID == 0 {
		if o.UserID, err = t.next(ctx, "users"); err != nil {
			return err
		}
	}
	_, err = t.tx.ExecContext(ctx, `INSERT INTO owners (`+ownerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt))
	return err
}

func (t *txn) UpdateOwner(ctx context.Context, o *crm.Owner) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE owners SET email = ?, type = ?, first_name = ?, last_name = ?, user_id = ?, updated_at = ?, archived = ?, archived_at = ? WHERE id = ?`,
		o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt), o.ID)
	return err
}
