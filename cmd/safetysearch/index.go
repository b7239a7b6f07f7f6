package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
)

func defineIndex(*Main, *flag.FlagSet) {}

// runIndex rebuilds the index from the store, with no network.
func (m *Main) runIndex(ctx context.Context) error {
	st, err := m.openStore(true)
	if err != nil {
		return err
	}
	ix, err := m.openIndex(ctx, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := ix.Rebuild(ctx, st)
	if errors.Is(err, indexer.ErrReadOnly) {
		return fmt.Errorf("index: %w: stop the running safetysearch serve, or ask it to rebuild (POST /api/v1/admin/rebuild)", err)
	}
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	fmt.Fprintf(m.Stdout, "indexed %d documents into generation %s in %s\n",
		rep.Documents, rep.Generation, time.Since(start).Round(time.Millisecond))
	return nil
}

// buildGenerationCommand is the hidden command serve runs as its rebuild
// child (indexer.ProcessBuilder).
const buildGenerationCommand = "build-generation"

// runBuildGeneration is the child side of a rebuild: it reads the article
// stream that serve writes to its standard input and builds the generation
// (indexer.BuildFromStream).
func (m *Main) runBuildGeneration(ctx context.Context) error {
	return indexer.BuildFromStream(ctx, os.Stdin, m.Stdout)
}

// rebuildNice lowers the rebuild child's priority: queries go first.
const rebuildNice = 10

// rebuildBuilder is how serve builds generations: in a child process of
// rebuild_procs cores and lower priority running this executable, or in
// process when rebuild_procs is 0 or the executable is unknown.
func (m *Main) rebuildBuilder() indexer.Builder {
	if m.cfg.RebuildProcs == 0 || m.Executable == "" {
		return nil
	}
	return &indexer.ProcessBuilder{
		Path:     m.Executable,
		Args:     []string{buildGenerationCommand},
		MaxProcs: m.cfg.RebuildProcs,
		Nice:     rebuildNice,
		Stderr:   m.Stderr,
	}
}
