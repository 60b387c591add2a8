package e2e

import (
	"os"
	"testing"

	"github.com/spoke-crm/spoke/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster started for SPOKE_TEST_STORE=postgres runs.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
