package indexer

// This file is what makes the index directory safe across crashes and
// restarts: the CURRENT pointer file (written atomically and durably), the
// directory lock that makes one process the owner, and the start-up
// clean-up of half-built generations.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	currentFile = "CURRENT"
	currentTemp = "CURRENT.tmp"
	lockFile    = "LOCK"
)

// readCurrent returns the generation named by <root>/CURRENT, "" when the
// file does not exist, and an error when it cannot be read or does not hold
// a generation name.
func readCurrent(root string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(root, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("indexer: read %s: %w", currentFile, err)
	}
	name := strings.TrimSpace(string(raw))
	if _, ok := parseGenerationName(name); !ok {
		return "", fmt.Errorf("indexer: %s holds %q, not a generation name", currentFile, name)
	}
	return name, nil
}

// writeCurrent records name as the current generation: write a temporary
// file, fsync it, rename it over CURRENT, fsync the directory. A crash at any
// point leaves CURRENT naming either the old or the new generation, never a
// torn mix, and once writeCurrent returns the new name survives a power cut.
func writeCurrent(root, name string) error {
	tmp := filepath.Join(root, currentTemp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("indexer: write %s: %w", currentFile, err)
	}
	_, err = f.WriteString(name + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(root, currentFile))
	}
	if err == nil {
		err = syncDir(root)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("indexer: write %s: %w", currentFile, err)
	}
	return nil
}

// syncDir fsyncs a directory so that a rename or removal in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// staleEntries lists what start-up recovery removes from root: every
// generation directory other than keep (half-built by a killed rebuild, or
// left behind by a crash between the swap and the deletion of the old one)
// and a leftover CURRENT.tmp. Anything that does not look like ours is left
// alone.
func staleEntries(root, keep string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("indexer: list %s: %w", root, err)
	}
	var stale []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == currentTemp:
			stale = append(stale, name)
		case name != keep && e.IsDir():
			if _, ok := parseGenerationName(name); ok {
				stale = append(stale, name)
			}
		}
	}
	return stale, nil
}
