// Package ratelimittest is the suite every crm.RateCounters passes: the
// counts in one process (ratelimit.NewMemoryCounters) and those a database
// shares between nodes (PostgreSQL's) must answer the limiter alike.
package ratelimittest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/spoke-crm/spoke/crm"
)

// Open returns new counters with nothing counted.
type Open func(t *testing.T) crm.RateCounters

// Run runs the suite, each test on counters of its own.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, c crm.RateCounters)
	}{
		{"TenSecondWindowPerToken", tenSecondWindowPerToken},
		{"WindowRolls", windowRolls},
		{"DailyLimitForEveryToken", dailyLimitForEveryToken},
		{"NewDayCountsAfresh", newDayCountsAfresh},
		{"SearchHasItsOwnWindow", searchHasItsOwnWindow},
		{"UnenforcedCountsEverything", unenforcedCountsEverything},
		{"ChangedLimitKeepsTheWindow", changedLimitKeepsTheWindow},
		{"ResetForgetsEveryCount", resetForgetsEveryCount},
		{"ConcurrentCallsNeverExceedTheLimit", concurrentCallsNeverExceedTheLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// Times of the suite: a day, and instants in it.
var (
	day0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC).UnixNano()
	day1 = time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC).UnixNano()
	noon = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC).UnixNano()
)

func at(d time.Duration) int64 { return noon + int64(d) }

func enforced(tenSecondly, daily, search int) crm.RateLimits {
	return crm.RateLimits{TenSecondly: tenSecondly, Daily: daily, SearchPerSecond: search, Enforce: true}
}

// want is what one call must get: the policy that refuses it (or
// crm.RateAllowed), and what remains, negative counts read as zero as the
// limiter's headers show them.
type want struct {
	policy                    crm.RatePolicy
	remaining, dailyRemaining int
}

func take(t *testing.T, c crm.RateCounters, tk crm.RateTake, l crm.RateLimits, w want) {
	t.Helper()
	d, err := c.Take(context.Background(), tk, l)
	if err != nil {
		t.Fatal(err)
	}
	got := want{d.Policy, max(d.Remaining, 0), max(d.DailyRemaining, 0)}
	if got != w {
		t.Fatalf("take %+v: %+v, want %+v", tk, got, w)
	}
}

func dailyUsed(t *testing.T, c crm.RateCounters, day int64, n int) {
	t.Helper()
	got, err := c.DailyUsed(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("daily used %d, want %d", got, n)
	}
}

func call(token int64, now int64) crm.RateTake {
	return crm.RateTake{Token: token, Now: now, Day: day0}
}

func search(now int64) crm.RateTake {
	return crm.RateTake{Token: 1, Search: true, Now: now, Day: day0}
}

// A token gets as many calls as its window allows; the call over the limit
// is refused and not counted, and another token has a window of its own.
func tenSecondWindowPerToken(t *testing.T, c crm.RateCounters) {
	l := enforced(3, 100, 5)
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 2, 99})
	take(t, c, call(1, at(time.Second)), l, want{crm.RateAllowed, 1, 98})
	take(t, c, call(1, at(2*time.Second)), l, want{crm.RateAllowed, 0, 97})
	take(t, c, call(1, at(3*time.Second)), l, want{crm.RateTenSecondly, 0, 97})
	dailyUsed(t, c, day0, 3)
	take(t, c, call(2, at(3*time.Second)), l, want{crm.RateAllowed, 2, 96})
}

// A call leaves the window 10 seconds after it was made.
func windowRolls(t *testing.T, c crm.RateCounters) {
	l := enforced(2, 100, 5)
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 1, 99})
	take(t, c, call(1, at(4*time.Second)), l, want{crm.RateAllowed, 0, 98})
	take(t, c, call(1, at(10*time.Second-1)), l, want{crm.RateTenSecondly, 0, 98})
	take(t, c, call(1, at(10*time.Second)), l, want{crm.RateAllowed, 0, 97})
	take(t, c, call(1, at(14*time.Second-1)), l, want{crm.RateTenSecondly, 0, 97})
	take(t, c, call(1, at(14*time.Second)), l, want{crm.RateAllowed, 0, 96})
}

// The daily allowance is the account's: once it is used up, every token is
// refused, whatever its window holds.
func dailyLimitForEveryToken(t *testing.T, c crm.RateCounters) {
	l := enforced(10, 3, 5)
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 9, 2})
	take(t, c, call(2, at(0)), l, want{crm.RateAllowed, 9, 1})
	take(t, c, search(at(0)), l, want{crm.RateAllowed, 4, 0})
	take(t, c, call(3, at(0)), l, want{crm.RateDaily, 10, 0})
	take(t, c, search(at(500*time.Millisecond)), l, want{crm.RateDaily, 4, 0})
	dailyUsed(t, c, day0, 3)
}

// A new day starts the daily count again; the rolling window goes on.
func newDayCountsAfresh(t *testing.T, c crm.RateCounters) {
	l := enforced(10, 2, 5)
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 9, 1})
	take(t, c, call(1, at(time.Second)), l, want{crm.RateAllowed, 8, 0})
	take(t, c, call(1, at(2*time.Second)), l, want{crm.RateDaily, 8, 0})
	next := crm.RateTake{Token: 1, Now: at(3 * time.Second), Day: day1}
	take(t, c, next, l, want{crm.RateAllowed, 7, 1})
	dailyUsed(t, c, day1, 1)
}

// Search has a per-second window of its own for the account: it does not
// take from a token's 10-second window, though it counts in the day.
func searchHasItsOwnWindow(t *testing.T, c crm.RateCounters) {
	l := enforced(2, 100, 2)
	take(t, c, search(at(0)), l, want{crm.RateAllowed, 1, 99})
	take(t, c, search(at(100*time.Millisecond)), l, want{crm.RateAllowed, 0, 98})
	take(t, c, search(at(200*time.Millisecond)), l, want{crm.RateSecondly, 0, 98})
	take(t, c, call(1, at(200*time.Millisecond)), l, want{crm.RateAllowed, 1, 97})
	take(t, c, search(at(time.Second)), l, want{crm.RateAllowed, 0, 96})
	dailyUsed(t, c, day0, 4)
}

// Without enforcement nothing is refused and every call counts; what
// remains never reads below zero.
func unenforcedCountsEverything(t *testing.T, c crm.RateCounters) {
	l := crm.RateLimits{TenSecondly: 2, Daily: 3, SearchPerSecond: 1}
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 1, 2})
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 0, 1})
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 0, 0})
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 0, 0})
	take(t, c, search(at(0)), l, want{crm.RateAllowed, 0, 0})
	take(t, c, search(at(0)), l, want{crm.RateAllowed, 0, 0})
	dailyUsed(t, c, day0, 6)
	// Turned on, the limits see the calls already made.
	take(t, c, call(1, at(time.Second)), enforced(2, 100, 1), want{crm.RateTenSecondly, 0, 94})
}

// Lowering or raising a limit keeps the calls already in the window.
func changedLimitKeepsTheWindow(t *testing.T, c crm.RateCounters) {
	for i := range 3 {
		take(t, c, call(1, at(time.Duration(i)*time.Second)), enforced(5, 100, 5), want{crm.RateAllowed, 4 - i, 99 - i})
	}
	take(t, c, call(1, at(3*time.Second)), enforced(2, 100, 5), want{crm.RateTenSecondly, 0, 97})
	take(t, c, call(1, at(4*time.Second)), enforced(10, 100, 5), want{crm.RateAllowed, 6, 96})
}

// Reset forgets the windows and the day's count.
func resetForgetsEveryCount(t *testing.T, c crm.RateCounters) {
	l := enforced(2, 100, 1)
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 1, 99})
	take(t, c, call(1, at(0)), l, want{crm.RateAllowed, 0, 98})
	take(t, c, search(at(0)), l, want{crm.RateAllowed, 0, 97})
	if err := c.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	dailyUsed(t, c, day0, 0)
	take(t, c, call(1, at(time.Second)), l, want{crm.RateAllowed, 1, 99})
	take(t, c, search(at(time.Second)), l, want{crm.RateAllowed, 0, 98})
}

// Calls taken at once (from one node's goroutines, or several nodes) are
// checked and counted one at a time: exactly the limit passes.
func concurrentCallsNeverExceedTheLimit(t *testing.T, c crm.RateCounters) {
	const callers, limit = 24, 10
	l := enforced(limit, 1000, 5)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
		errs    []error
	)
	for range callers {
		wg.Go(func() {
			d, err := c.Take(context.Background(), call(7, at(0)), l)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			} else if d.Policy == crm.RateAllowed {
				allowed++
			} else if d.Policy != crm.RateTenSecondly {
				t.Errorf("policy %d, want %d", d.Policy, crm.RateTenSecondly)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs[0])
	}
	if allowed != limit {
		t.Errorf("%d of %d calls allowed, want %d", allowed, callers, limit)
	}
	dailyUsed(t, c, day0, limit)
}
