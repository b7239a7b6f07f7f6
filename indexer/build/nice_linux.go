package build

import (
	"os"
	"strconv"
	"syscall"
)

// lowerPriority adds nice to the scheduling priority of every thread of this
// process. Linux keeps a priority per thread and a new thread inherits its
// creator's, so the threads the runtime starts later are lowered too. It is
// a hint: where /proc or setpriority is unavailable nothing changes.
func lowerPriority(nice int) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		cur, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		if err != nil {
			continue
		}
		// The raw getpriority syscall returns 20 - nice.
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(19, 20-cur+nice))
	}
}
