package bench

import (
	"syscall"
	"time"
)

// cpuTime is the processor time (user and system) the process has used.
// Benchmarks report it beside wall-clock rates: on a shared machine the rate
// moves with other tenants' load, the processor time a request costs much
// less. It counts the benchmark's HTTP clients too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
