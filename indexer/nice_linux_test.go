package indexer

import "syscall"

// currentNice is this process's nice value.
func currentNice() (int, bool) {
	prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
	if err != nil {
		return 0, false
	}
	// The raw getpriority syscall returns 20 - nice.
	return 20 - prio, true
}
