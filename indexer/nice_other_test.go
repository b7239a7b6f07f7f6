//go:build !linux

package indexer

// currentNice is not read here: the build child's priority is only lowered
// on Linux.
func currentNice() (int, bool) { return 0, false }
