package api

import (
	"context"
	"sync/atomic"
)

// SharedRateCounters keeps counts in shared (a database every node uses)
// while limits are enforced, and in this process otherwise: the headers of
// an unenforced node need no round trip to the database on every call.
func SharedRateCounters(shared RateCounters) RateCounters {
	return &sharedCounters{shared: shared, local: NewMemoryRateCounters()}
}

type sharedCounters struct {
	shared, local RateCounters
	enforcing     atomic.Bool
}

func (s *sharedCounters) pick(enforce bool) RateCounters {
	s.enforcing.Store(enforce)
	if enforce {
		return s.shared
	}
	return s.local
}

func (s *sharedCounters) Take(ctx context.Context, t RateTake, l RateLimits) (RateDecision, error) {
	return s.pick(l.Enforce).Take(ctx, t, l)
}

func (s *sharedCounters) DailyUsed(ctx context.Context, day int64) (int, error) {
	return s.pick(s.enforcing.Load()).DailyUsed(ctx, day)
}

func (s *sharedCounters) Reset(ctx context.Context) error {
	if err := s.local.Reset(ctx); err != nil {
		return err
	}
	return s.shared.Reset(ctx)
}
