package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
)

type tokens struct{ db *DB }

const tokenColumns = `id, name, hash, scopes, created_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (*crm.Token, error) {
	var (
		t                 crm.Token
		scopes            string
		created           int64
		lastUsed, revoked *int64
	)
	if err := row.Scan(&t.ID, &t.Name, &t.Hash, &scopes, &created, &lastUsed, &revoked); err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt = time.UnixMilli(created).UTC()
	if lastUsed != nil {
		t.LastUsedAt = time.UnixMilli(*lastUsed).UTC()
	}
	if revoked != nil {
		t.RevokedAt = time.UnixMilli(*revoked).UTC()
	}
	return &t, nil
}

func (s tokens) CreateToken(ctx context.Context, t *crm.Token) error {
	return s.db.pool.QueryRow(ctx, `INSERT INTO tokens (name, hash, scopes, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		t.Name, t.Hash, strings.Join(t.Scopes, " "), t.CreatedAt.UnixMilli()).Scan(&t.ID)
}

func (s tokens) TokenByHash(ctx context.Context, hash string) (*crm.Token, error) {
	t, err := scanToken(s.db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1 AND revoked_at IS NULL`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return t, err
}

func (s tokens) ListTokens(ctx context.Context) ([]*crm.Token, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*crm.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s tokens) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, at.UnixMilli(), id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return crm.ErrNotFound
	}
	return nil
}

func (s tokens) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, nullMillis(at), id)
	return err
}
