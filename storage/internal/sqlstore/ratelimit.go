package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

type rateCounters struct{ p *Pools }

// Take checks and counts a call in one transaction. A lock per window
// serialises the processes' check-then-count of one token.
func (c rateCounters) Take(ctx context.Context, t crm.RateTake, l crm.RateLimits) (crm.RateDecision, error) {
	bucket, window, limit, policy := "token:"+strconv.FormatInt(t.Token, 10), int64(10*time.Second), l.TenSecondly, crm.RateTenSecondly
	if t.Search {
		bucket, window, limit, policy = "search", int64(time.Second), l.SearchPerSecond, crm.RateSecondly
	}
	var d crm.RateDecision
	err := c.p.WriteTx(ctx, func(tx Querier) error {
		d = crm.RateDecision{}
		if lock := c.p.Dialect.LockName(); lock != "" {
			if _, err := tx.Exec(ctx, lock, bucket); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rate_calls WHERE bucket = ? AND at <= ?`, bucket, t.Now-window); err != nil {
			return err
		}
		var inWindow, daily int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rate_calls WHERE bucket = ?`, bucket).Scan(&inWindow); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT n FROM rate_days WHERE day = ?`, t.Day).Scan(&daily)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case l.Enforce && daily >= l.Daily:
			d.Policy = crm.RateDaily
		case l.Enforce && inWindow >= limit:
			d.Policy = policy
		default:
			if _, err := tx.Exec(ctx, `INSERT INTO rate_calls (bucket, at) VALUES (?, ?)`, bucket, t.Now); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO rate_days (day, n) VALUES (?, 1)
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
	err := c.p.Read.QueryRow(ctx, `SELECT n FROM rate_days WHERE day = ?`, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

func (c rateCounters) Reset(ctx context.Context) error {
	for _, q := range c.p.Dialect.Truncate("rate_calls", "rate_days") {
		if _, err := c.p.Write.Exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}
