package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

type tokens struct{ p *Pools }

func (s tokens) CreateToken(ctx context.Context, t *crm.Token) error {
	return s.p.Write.QueryRow(ctx, `INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.Name, t.Hash, strings.Join(t.Scopes, " "), t.CreatedAt.UnixMilli()).Scan(&t.ID)
}

const tokenColumns = `id, name, hash, scopes, created_at, last_used_at, revoked_at`

func scanToken(row Row) (*crm.Token, error) {
	var (
		t                 crm.Token
		scopes            string
		created           int64
		lastUsed, revoked sql.NullInt64
	)
	if err := row.Scan(&t.ID, &t.Name, &t.Hash, &scopes, &created, &lastUsed, &revoked); err != nil {
		return nil, err
	}
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt = time.UnixMilli(created).UTC()
	if lastUsed.Valid {
		t.LastUsedAt = time.UnixMilli(lastUsed.Int64).UTC()
	}
	if revoked.Valid {
		t.RevokedAt = time.UnixMilli(revoked.Int64).UTC()
	}
	return &t, nil
}

func (s tokens) TokenByHash(ctx context.Context, hash string) (*crm.Token, error) {
	t, err := scanToken(s.p.Read.QueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return t, err
}

func (s tokens) ListTokens(ctx context.Context) ([]*crm.Token, error) {
	return query(ctx, s.p.Read, scanToken, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
}

func (s tokens) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	n, err := s.p.Write.Exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UnixMilli(), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return crm.ErrNotFound
	}
	return nil
}

func (s tokens) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.p.Write.Exec(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, nullMillis(at), id)
	return err
}
