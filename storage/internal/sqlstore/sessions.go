package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

type sessions struct{ p *Pools }

func (s sessions) CreateSession(ctx context.Context, ws *crm.WebSession) error {
	_, err := s.p.Write.Exec(ctx, `INSERT INTO web_sessions (id_hash, token_hash, csrf, flash, seen_at) VALUES (?, ?, ?, ?, ?)`,
		ws.IDHash, ws.TokenHash, ws.CSRF, ws.Flash, ws.SeenAt.UnixMilli())
	return err
}

func (s sessions) Session(ctx context.Context, idHash string) (*crm.WebSession, error) {
	ws := crm.WebSession{IDHash: idHash}
	var seen int64
	err := s.p.Read.QueryRow(ctx, `SELECT token_hash, csrf, flash, seen_at FROM web_sessions WHERE id_hash = ?`, idHash).
		Scan(&ws.TokenHash, &ws.CSRF, &ws.Flash, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ws.SeenAt = time.UnixMilli(seen).UTC()
	return &ws, nil
}

func (s sessions) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.p.Write.Exec(ctx, `UPDATE web_sessions SET seen_at = ? WHERE id_hash = ?`, at.UnixMilli(), idHash)
	return err
}

// SwapSessionFlash reads the flash, locked until the transaction ends, and
// replaces it.
func (s sessions) SwapSessionFlash(ctx context.Context, idHash, flash string) (string, error) {
	var old string
	err := s.p.WriteTx(ctx, func(q Querier) error {
		err := q.QueryRow(ctx, `SELECT flash FROM web_sessions WHERE id_hash = ?`+s.p.Dialect.ForUpdate(), idHash).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return crm.ErrNotFound
		}
		if err != nil || old == flash {
			return err
		}
		_, err = q.Exec(ctx, `UPDATE web_sessions SET flash = ? WHERE id_hash = ?`, flash, idHash)
		return err
	})
	return old, err
}

func (s sessions) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.p.Write.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, idHash)
	return err
}

func (s sessions) DeleteSessionsSeenBefore(ctx context.Context, t time.Time) error {
	_, err := s.p.Write.Exec(ctx, `DELETE FROM web_sessions WHERE seen_at < ?`, t.UnixMilli())
	return err
}
