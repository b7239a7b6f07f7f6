package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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
	ix, err := m.openIndex(ctx)
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
