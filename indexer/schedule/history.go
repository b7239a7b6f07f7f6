package schedule

import (
	"context"

	"github.com/safetysearch/safetysearch/indexer/runlog"
)

// HistoryStore keeps the runs across restarts: the crawl writes its
// per-source records itself, the scheduler adds the rebuilds. cmd adapts
// the crawler's store.
type HistoryStore interface {
	AppendIndexRun(ctx context.Context, r IndexRun) error
	RunHistory(ctx context.Context) (History, error)
}

// The run records are runlog's, the same types the crawler's store keeps.
type (
	History       = runlog.History
	SourceHistory = runlog.SourceHistory
	SourceRun     = runlog.SourceRun
	IndexRun      = runlog.IndexRun
)

// loadHistory refreshes the cached history from the store; a failure is
// logged and the previous copy kept, since the history only informs.
func (s *Scheduler) loadHistory(ctx context.Context) {
	if s.history == nil {
		return
	}
	h, err := s.history.RunHistory(ctx)
	if err != nil {
		s.log.Error("run history not read", "error", err)
		return
	}
	s.mu.Lock()
	s.hist = &h
	s.mu.Unlock()
}

// recordIndex writes the rebuild of a run to the store. It runs after the
// run's context ended, so that a failed or cancelled rebuild is recorded
// too.
func (s *Scheduler) recordIndex(ctx context.Context, r *IndexRun) {
	if s.history == nil || r == nil {
		return
	}
	if err := s.history.AppendIndexRun(ctx, *r); err != nil {
		s.log.Error("rebuild not recorded in the run history", "error", err)
	}
}

func copyHistory(h History) History {
	out := History{Sources: make([]SourceHistory, len(h.Sources)), Index: append([]IndexRun{}, h.Index...)}
	for i, sh := range h.Sources {
		out.Sources[i] = SourceHistory{Source: sh.Source, Runs: append([]SourceRun{}, sh.Runs...)}
	}
	return out
}
