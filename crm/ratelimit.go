package crm

import "context"

// RateLimits are the figures a rate limiter applies.
type RateLimits struct {
	TenSecondly     int // per token in a rolling 10 s
	Daily           int // per account per day
	SearchPerSecond int // search calls per account in a rolling second
	Enforce         bool
}

// RatePolicy names the limit a call broke.
type RatePolicy uint8

const (
	RateAllowed     RatePolicy = iota
	RateTenSecondly            // TEN_SECONDLY_ROLLING
	RateDaily                  // DAILY
	RateSecondly               // search's per-second limit
)

// RateTake is one call offered to the counters.
type RateTake struct {
	Token  int64 // Principal.TokenID
	Search bool
	Now    int64 // Unix nanoseconds
	Day    int64 // start of the current day in the limiter's time zone, Unix nanoseconds
}

// RateDecision is the counters' answer: whether the call may run, and what
// is left after it.
type RateDecision struct {
	Policy         RatePolicy
	Remaining      int // in the caller's 10-second window (for search: the second)
	DailyRemaining int
}

// RateCounters keep the rate limiter's counts. api.NewMemoryRateCounters keeps
// them in one process, which is right for one Spoke; a PostgreSQL
// implementation (a row per token window and per day, checked and bumped in
// one statement) can share them between nodes behind this interface, which
// is why it takes a context and can fail.
type RateCounters interface {
	// Take checks the call against l and, unless l.Enforce is set and a limit
	// is reached, counts it. A rejected call is not counted.
	Take(ctx context.Context, t RateTake, l RateLimits) (RateDecision, error)
	// DailyUsed is the number of calls counted in the day starting at day.
	DailyUsed(ctx context.Context, day int64) (int, error)
	// Reset forgets every count.
	Reset(ctx context.Context) error
}
