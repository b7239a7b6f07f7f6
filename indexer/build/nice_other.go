//go:build !linux

package build

// lowerPriority does nothing here: lowering every thread needs Linux's
// per-thread priorities (/proc/self/task), and the build child then simply
// runs at the server's priority.
func lowerPriority(int) {}
