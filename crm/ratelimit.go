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

// ratePolicyNames are HubSpot's names of the policies.
var ratePolicyNames = [...]string{RateTenSecondly: "TEN_SECONDLY_ROLLING", RateDaily: "DAILY", RateSecondly: "SECONDLY"}

// String is HubSpot's name of the policy: TEN_SECONDLY_ROLLING, DAILY or
// SECONDLY; "" for RateAllowed.
func (p RatePolicy) String() string {
	if int(p) < len(ratePolicyNames) {
		return ratePolicyNames[p]
	}
	return ""
}

// RatePolicyNamed finds a policy by its name (String).
func RatePolicyNamed(name string) (RatePolicy, bool) {
	for p, n := range ratePolicyNames {
		if n != "" && n == name {
			return RatePolicy(p), true
		}
	}
	return RateAllowed, false
}

// RateLimited is HubSpot's error for a call over the limit p; any other p
// is the 10-second limit.
func RateLimited(p RatePolicy) *Error {
	switch p {
	case RateDaily:
		return &Error{Kind: KindRateLimited, Limit: p, Message: "You have reached your daily limit."}
	case RateSecondly:
		// Captured search bodies carry a category; HubSpot's Node client
		// retries on this exact message.
		return &Error{Kind: KindRateLimited, Limit: p, Category: CategoryRateLimits,
			Message: "You have reached your secondly limit."}
	default:
		return &Error{Kind: KindRateLimited, Limit: RateTenSecondly,
			Message: "You have reached your ten_secondly_rolling limit."}
	}
}

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
