package runtimecfg

import (
	"runtime/debug"
	"testing"
)

func TestApply(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	Apply()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC: target %d, want %d", got, GCPercent)
	}

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // as the runtime read it at start
	Apply()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("with GOGC=150: target %d, want it kept", got)
	}
}
