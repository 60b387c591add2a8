package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

type tokens struct{ db *DB }

func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func (s tokens) CreateToken(ctx context.Context, t *crm.Token) error {
	return s.db.writer.QueryRowContext(ctx, `INSERT INTO tokens (name, hash, scopes, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		t.Name, t.Hash, strings.Join(t.Scopes, " "), t.CreatedAt.UnixMilli()).Scan(&t.ID)
}

const tokenColumns = `id, name, hash, scopes, created_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*crm.Token, error) {
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
	t, err := scanToken(s.db.reader.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	return t, err
}

func (s tokens) ListTokens(ctx context.Context) ([]*crm.Token, error) {
	rows, err := s.db.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
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
	res, err := s.db.writer.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, at.UnixMilli(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return crm.ErrNotFound
	}
	return nil
}

func (s tokens) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.writer.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, nullMillis(at), id)
	return err
}
