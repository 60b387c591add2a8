package postgres_test

import (
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/ratelimit/ratelimittest"
)

// The rate limiter's counters kept in the database pass the suite the
// in-process counters pass, each test on a fresh schema.
func TestRateCounters(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) crm.RateCounters { return open(t, pgtest.URL(t)).RateCounters() })
}
