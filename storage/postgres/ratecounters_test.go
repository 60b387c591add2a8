package postgres_test

import (
	"context"
	"testing"

	"github.com/spoke-crm/spoke/crm"
	"github.com/spoke-crm/spoke/internal/pgtest"
	"github.com/spoke-crm/spoke/ratelimit/ratelimittest"
	"github.com/spoke-crm/spoke/storage/postgres"
)

// The rate limiter's counters kept in the database pass the suite the
// in-process counters pass, each test on a fresh schema.
func TestRateCounters(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T) crm.RateCounters {
		db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.PoolOptions{MaxConns: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.RateCounters()
	})
}
