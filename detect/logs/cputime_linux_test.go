//go:build linux

package logs

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used (user and system,
// every thread): benchmarks report throughput per CPU second too, which
// other programs on a busy machine do not skew the way they skew wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
