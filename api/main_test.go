package api_test

import (
	"os"
	"testing"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster started for SPOKE_TEST_STORE=postgres
// runs. With SPOKE_BENCH_SERVE set, the test binary is instead the server
// process of BenchmarkGetByIDRateLimitServer.
func TestMain(m *testing.M) {
	if v := os.Getenv(benchServeEnv); v != "" {
		os.Exit(serveBenchChild(v))
	}
	os.Exit(pgtest.Main(m))
}
