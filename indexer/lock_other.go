//go:build !unix

package indexer

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir opens <root>/LOCK and always owns the directory: without flock
// there is no lock that dies with its process, and a lock file left by a
// crash would keep every later server read-only. On these systems run one
// serving process per index directory.
func lockDir(root string) (f *os.File, owned bool, err error) {
	f, err = os.OpenFile(filepath.Join(root, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("indexer: open lock file: %w", err)
	}
	return f, true, nil
}

// unlockDir closes the lock file opened by lockDir.
func unlockDir(f *os.File) error {
	if f == nil {
		return nil
	}
	return f.Close()
}
