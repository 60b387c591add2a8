package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
)

type sessions struct{ db *DB }

// Sessions returns the web session store.
func (db *DB) Sessions() crm.SessionStore { return sessions{db} }

func (s sessions) CreateSession(ctx context.Context, ws *crm.WebSession) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, token_hash, csrf, flash, seen_at) VALUES ($1, $2, $3, $4, $5)`,
		ws.IDHash, ws.TokenHash, ws.CSRF, ws.Flash, ws.SeenAt.UnixMilli())
	return err
}

func (s sessions) Session(ctx context.Context, idHash string) (*crm.WebSession, error) {
	ws := crm.WebSession{IDHash: idHash}
	var seen int64
	err := s.db.pool.QueryRow(ctx, `SELECT token_hash, csrf, flash, seen_at FROM web_sessions WHERE id_hash = $1`, idHash).
		Scan(&ws.TokenHash, &ws.CSRF, &ws.Flash, &seen)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, crm.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	ws.SeenAt = time.UnixMilli(seen).UTC()
	return &ws, nil
}

func (s sessions) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := s.db.pool.Exec(ctx, `UPDATE web_sessions SET seen_at = $1 WHERE id_hash = $2`, at.UnixMilli(), idHash)
	return err
}

// SwapSessionFlash reads the old flash from the row as it was before this
// statement's update.
func (s sessions) SwapSessionFlash(ctx context.Context, idHash, flash string) (string, error) {
	var old string
	err := s.db.pool.QueryRow(ctx, `UPDATE web_sessions s SET flash = $1
		FROM (SELECT id_hash, flash FROM web_sessions WHERE id_hash = $2 FOR UPDATE) old
		WHERE s.id_hash = old.id_hash RETURNING old.flash`, flash, idHash).Scan(&old)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", crm.ErrNotFound
	}
	return old, err
}

func (s sessions) DeleteSession(ctx context.Context, idHash string) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, idHash)
	return err
}

func (s sessions) DeleteSessionsSeenBefore(ctx context.Context, t time.Time) error {
	_, err := s.db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE seen_at < $1`, t.UnixMilli())
	return err
}
