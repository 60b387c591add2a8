package ratelimit_test

import (
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/ratelimit"
	"github.com/spoke-crm/spoke/ratelimit/ratelimittest"
)

// The same suite runs on PostgreSQL's counters (storage/postgres).
func TestMemoryCounters(t *testing.T) {
	ratelimittest.Run(t, func(*testing.T) crm.RateCounters { return ratelimit.NewMemoryCounters() })
}
