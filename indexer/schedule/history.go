package schedule

import (
	"context"
	"time"
)

// HistoryStore keeps the runs across restarts: the crawl writes its
// per-source records itself, the scheduler adds the rebuilds. cmd adapts
// the crawler's store.
type HistoryStore interface {
	AppendIndexRun(ctx context.Context, r IndexRun) error
	RunHistory(ctx context.Context) (History, error)
}

// History is the kept runs, oldest first, for the status routes.
type History struct {
	Sources []SourceHistory `json:"sources"`
	Index   []IndexRun      `json:"index"`
}

// SourceHistory is the kept crawls of one source.
type SourceHistory struct {
	Source string      `json:"source"`
	Runs   []SourceRun `json:"runs"`
}

// SourceRun is one source's part of one crawl. Outcome is OutcomeOK,
// OutcomeFailed or OutcomeCanceled; Error says why when it is not ok.
type SourceRun struct {
	Source      string    `json:"source"`
	Started     time.Time `json:"started"`
	Duration    float64   `json:"duration_seconds"`
	Fetched     int       `json:"fetched"`
	NotModified int       `json:"not_modified"`
	New         int       `json:"new"`
	Changed     int       `json:"changed"`
	Removed     int       `json:"removed"`
	Errors      int       `json:"errors"`
	// The document step: documents fetched, extracted, unchanged and
	// refused by reason.
	DocumentsFetched   int            `json:"documents_fetched,omitempty"`
	DocumentsExtracted int            `json:"documents_extracted,omitempty"`
	DocumentsUnchanged int            `json:"documents_unchanged,omitempty"`
	DocumentsRefused   map[string]int `json:"documents_refused,omitempty"`
	Outcome            string         `json:"outcome"`
	Error              string         `json:"error,omitempty"`
}

// IndexRun is one rebuild: the documents indexed and the generation
// built, or the error.
type IndexRun struct {
	Started    time.Time `json:"started"`
	Duration   float64   `json:"duration_seconds"`
	Documents  int       `json:"documents"`
	Generation string    `json:"generation,omitempty"`
	Outcome    string    `json:"outcome"`
	Error      string    `json:"error,omitempty"`
}

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
