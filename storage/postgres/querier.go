package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/spoke-crm/spoke/crm"
)

// RateCounters returns rate-limit counters kept in the database, so that
// every node counts the same calls.
func (db *DB) RateCounters() crm.RateCounters { return rateCounters{db} }

type rateCounters struct{ db *DB }

// Take checks and counts a call in one transaction. An advisory lock per
// window serialises the nodes' check-then-count of one token.
func (c rateCounters) Take(ctx context.Context, t crm.RateTake, l crm.RateLimits) (crm.RateDecision, error) {
	bucket, window, limit, policy := "token:"+strconv.FormatInt(t.Token, 10), int64(10*time.Second), l.TenSecondly, crm.RateTenSecondly
	if t.Search {
		bucket, window, limit, policy = "search", int64(time.Second), l.SearchPerSecond, crm.RateSecondly
	}
	var d crm.RateDecision
	err := pgx.BeginFunc(ctx, c.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, bucket); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rate_calls WHERE bucket = $1 AND at <= $2`, bucket, t.Now-window); err != nil {
			return err
		}
		var inWindow, daily int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rate_calls WHERE bucket = $1`, bucket).Scan(&inWindow); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT n FROM rate_days WHERE day = $1`, t.Day).Scan(&daily)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		switch {
		case l.Enforce && daily >= l.Daily:
			d.Policy = crm.RateDaily
		case l.Enforce && inWindow >= limit:
			d.Policy = policy
		default:
			if _, err := tx.Exec(ctx, `INSERT INTO rate_calls (bucket, at) VALUES ($1, $2)`, bucket, t.Now); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO rate_days (day, n) VALUES ($1, 1)
				ON CONFLICT (day) DO UPDATE SET n = rate_days.n + 1 RETURNING n`, t.Day).Scan(&daily); err != nil {
				return err
			}
			inWindow++
		}
		d.Remaining = limit - inWindow
		d.DailyRemaining = l.Daily - daily
		return nil
	})
	return d, err
}

func (c rateCounters) DailyUsed(ctx context.Context, day int64) (int, error) {
	var n int
	err := c.db.pool.QueryRow(ctx, `SELECT n FROM rate_days WHERE day = $1`, day).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (c rateCounters) Reset(ctx context.Context) error {
	_, err := c.db.pool.Exec(ctx, `TRUNCATE rate_calls, rate_days`)
	return err
}
