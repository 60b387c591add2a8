// Package runtimecfg holds the Go runtime settings the server runs with, so
// that benchmarks of the server run with them too.
package runtimecfg

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target: the heap may grow to five
// times what is live before a collection. The server's live heap is small
// (tens of MiB) and a write allocates a lot briefly (request bodies, records,
// statement arguments), so the default of 100 spends a tenth of the
// processor on collection under bulk writes.
const GCPercent = 400

// Apply sets GCPercent unless the GOGC environment variable sets the target,
// as it always may (GOMEMLIMIT, if set, still caps the heap).
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
