package ratelimit

import (
	"context"
	"sync/atomic"

	"github.com/spoke-crm/spoke/crm"
)

// SharedCounters keeps counts in shared (a database every node uses) while
// limits are enforced, and in this process otherwise: the headers of an
// unenforced node need no round trip to the database on every call.
func SharedCounters(shared crm.RateCounters) crm.RateCounters {
	return &sharedCounters{shared: shared, local: NewMemoryCounters()}
}

type sharedCounters struct {
	shared, local crm.RateCounters
	enforcing     atomic.Bool
}

func (s *sharedCounters) pick(enforce bool) crm.RateCounters {
	s.enforcing.Store(enforce)
	if enforce {
		return s.shared
	}
	return s.local
}

func (s *sharedCounters) Take(ctx context.Context, t crm.RateTake, l crm.RateLimits) (crm.RateDecision, error) {
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
