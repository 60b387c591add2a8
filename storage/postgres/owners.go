package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
)

const ownerColumns = `id, email, type, first_name, last_name, user_id, created_at, updated_at, archived, archived_at`

func scanOwner(row pgx.Row) (*crm.Owner, error) {
	var (
		o                crm.Owner
		created, updated int64
		archivedAt       *int64
	)
	if err := row.Scan(&o.ID, &o.Email, &o.Type, &o.FirstName, &o.LastName, &o.UserID, &created, &updated, &o.Archived, &archivedAt); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if archivedAt != nil {
		o.ArchivedAt = time.UnixMilli(*archivedAt).UTC()
	}
	return &o, nil
}

func (t *txn) ownerWhere(ctx context.Context, where string, arg any) (*crm.Owner, error) {
	o, err := scanOwner(t.tx.QueryRow(ctx, `SELECT `+ownerColumns+` FROM owners WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return o, err
}

func (t *txn) Owner(ctx context.Context, id int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `id = $1`, id)
}

func (t *txn) OwnerByUserID(ctx context.Context, userID int64) (*crm.Owner, error) {
	return t.ownerWhere(ctx, `user_id = $1`, userID)
}

func (t *txn) ListOwners(ctx context.Context, q crm.OwnerQuery) ([]*crm.Owner, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+ownerColumns+` FROM owners
		WHERE archived = $1 AND id >= $2 AND ($3 = '' OR lower(email) = lower($3)) ORDER BY id LIMIT $4`,
		q.Archived, q.AfterID, q.Email, q.Limit)
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

func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func (t *txn) next(ctx context.Context, sequence string) (int64, error) {
	var v int64
	err := t.tx.QueryRow(ctx, `SELECT nextval($1::regclass)`, sequence).Scan(&v)
	return v, err
}

func (t *txn) InsertOwner(ctx context.Context, o *crm.Owner) error {
	var err error
	if o.ID == 0 {
		if o.ID, err = t.next(ctx, "owner_ids"); err != nil {
			return err
		}
	}
	if o.UserID == 0 {
		if o.UserID, err = t.next(ctx, "user_ids"); err != nil {
			return err
		}
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO owners (`+ownerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		o.ID, o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt))
	return err
}

func (t *txn) UpdateOwner(ctx context.Context, o *crm.Owner) error {
	_, err := t.tx.Exec(ctx, `UPDATE owners SET email = $1, type = $2, first_name = $3, last_name = $4, user_id = $5, updated_at = $6, archived = $7, archived_at = $8 WHERE id = $9`,
		o.Email, o.Type, o.FirstName, o.LastName, o.UserID, o.UpdatedAt.UnixMilli(), o.Archived, nullMillis(o.ArchivedAt), o.ID)
	return err
}

// Custom property definitions and groups are JSON documents.

func loadDocs[T any](ctx context.Context, t *txn, table, typeID string) ([]*T, error) {
	rows, err := t.tx.Query(ctx, `SELECT definition FROM `+table+` WHERE type_id = $1 ORDER BY seq`, typeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		v := new(T)
		if err := json.Unmarshal(doc, v); err != nil {
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
	_, err = t.tx.Exec(ctx, `INSERT INTO `+table+` (type_id, name, definition) VALUES ($1, $2, $3)
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
