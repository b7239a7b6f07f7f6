package schedule

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/indextest"
)

// memHistory is a HistoryStore in memory; the crawl adds its source runs
// to it as the crawler adds them to its store.
type memHistory struct {
	mu sync.Mutex
	h  History
}

func (m *memHistory) AppendIndexRun(ctx context.Context, r IndexRun) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.h.Index = append(m.h.Index, r)
	return nil
}

func (m *memHistory) RunHistory(ctx context.Context) (History, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return copyHistory(m.h), nil
}

func (m *memHistory) addSourceRun(r SourceRun) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.h.Sources) == 0 {
		m.h.Sources = []SourceHistory{{Source: r.Source}}
	}
	m.h.Sources[0].Runs = append(m.h.Sources[0].Runs, r)
}

func TestSchedulerRecordsHistory(t *testing.T) {
	ix := openIndex(t)
	hist := &memHistory{}
	hist.addSourceRun(SourceRun{Source: "pslhub", Started: time.Now().Add(-time.Hour), Outcome: OutcomeOK})
	crawl := func(ctx context.Context) (map[string]int, error) {
		hist.addSourceRun(SourceRun{Source: "pslhub", Started: time.Now(), Fetched: 7, Outcome: OutcomeOK})
		return map[string]int{"fetched": 7}, nil
	}
	s, err := New(context.Background(), Config{History: hist}, crawl, ix, indextest.LifecycleArticles(7), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The stored history is shown from the start, before any run.
	if h := s.Status().History; h == nil || len(h.Sources) != 1 || len(h.Sources[0].Runs) != 1 || len(h.Index) != 0 {
		t.Fatalf("history at start: %+v", h)
	}
	for range 2 {
		if _, err := s.RunNow(context.Background(), "manual"); err != nil {
			t.Fatal(err)
		}
	}
	h := s.Status().History
	if h == nil || len(h.Sources[0].Runs) != 3 || len(h.Index) != 2 {
		t.Fatalf("history after two runs: %+v", h)
	}
	for _, r := range h.Index {
		if r.Outcome != OutcomeOK || r.Documents != 7 || r.Generation == "" || r.Started.IsZero() || r.Duration <= 0 {
			t.Errorf("index run %+v", r)
		}
	}
	// The status is a copy: changing it changes nothing in the scheduler.
	h.Sources[0].Runs[0].Fetched = 99
	if s.Status().History.Sources[0].Runs[0].Fetched == 99 {
		t.Error("Status shares the scheduler's history")
	}

	// A failing rebuild is recorded with its error.
	s2, err := New(context.Background(), Config{History: hist}, nil, ix, indextest.SliceSource{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.RunNow(context.Background(), "manual"); err == nil {
		t.Fatal("a rebuild from an empty source succeeded")
	}
	h = s2.Status().History
	if last := h.Index[len(h.Index)-1]; len(h.Index) != 3 || last.Outcome != OutcomeFailed || last.Error == "" {
		t.Errorf("failed rebuild recorded as %+v", h.Index)
	}

	// Without a HistoryStore there is no history in the status.
	s3, err := New(context.Background(), Config{}, nil, ix, indextest.LifecycleArticles(3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Status().History != nil {
		t.Error("history without a store")
	}
}
