//go:build unix

package indexer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive, non-blocking flock on <root>/LOCK. The holder
// owns the directory: only it rebuilds and deletes generations. owned is
// false when another Index (in this or another process) holds the lock; the
// caller then serves read-only. The lock dies with the process, so a crash
// never leaves the directory locked.
func lockDir(root string) (f *os.File, owned bool, err error) {
	f, err = os.OpenFile(filepath.Join(root, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("indexer: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("indexer: lock %s: %w", root, err)
	}
	return f, true, nil
}

// unlockDir releases the directory lock taken by lockDir.
func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
