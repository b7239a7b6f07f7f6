package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/runlog"
)

func TestStoreHistoryRoundTripAndCap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crawl.db")
	s := openTestStore(t, path)
	start := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for i := range HistoryRuns + 5 {
		at := start.Add(time.Duration(i) * time.Hour)
		if err := s.AppendSourceRuns(ctx,
			runlog.SourceRun{Source: "b", Started: at, Duration: float64(i), Fetched: i, Outcome: runlog.OutcomeOK},
			runlog.SourceRun{Source: "a", Started: at, Errors: i, Outcome: runlog.OutcomeFailed, Error: fmt.Sprint("run ", i)},
		); err != nil {
			t.Fatal(err)
		}
	}
	// Only two index runs: a series under the cap keeps everything.
	for i := range 2 {
		if err := s.AppendIndexRun(ctx, runlog.IndexRun{Started: start.Add(time.Duration(i) * time.Hour), Documents: 10 + i, Generation: fmt.Sprint("g", i), Outcome: runlog.OutcomeOK}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	// The history survives closing and reopening the store.
	s, err := OpenStore(path, StoreOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sources, index, err := s.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 || sources[0].Source != "a" || sources[1].Source != "b" {
		t.Fatalf("sources = %+v", sources)
	}
	for _, h := range sources {
		if len(h.Runs) != HistoryRuns {
			t.Fatalf("%s: %d runs kept, want %d", h.Source, len(h.Runs), HistoryRuns)
		}
		// The oldest five were dropped; the rest are in time order.
		for i, r := range h.Runs {
			if want := start.Add(time.Duration(i+5) * time.Hour); !r.Started.Equal(want) {
				t.Errorf("%s run %d started %s, want %s", h.Source, i, r.Started, want)
			}
		}
	}
	if r := sources[0].Runs[HistoryRuns-1]; r.Errors != HistoryRuns+4 || r.Outcome != runlog.OutcomeFailed || r.Error != fmt.Sprint("run ", HistoryRuns+4) {
		t.Errorf("last run of a = %+v", r)
	}
	if r := sources[1].Runs[0]; r.Fetched != 5 || r.Duration != 5 {
		t.Errorf("first kept run of b = %+v", r)
	}
	if len(index) != 2 || index[1].Documents != 11 || index[1].Generation != "g1" {
		t.Errorf("index history = %+v", index)
	}
}

func TestStoreHistoryEmpty(t *testing.T) {
	s := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	sources, index, err := s.History(context.Background())
	if err != nil || len(sources) != 0 || len(index) != 0 {
		t.Errorf("History of a new store = %v, %v, %v", sources, index, err)
	}
}

// The last extraction health measured survives a restart, newest wins, and
// it does not show up as a source in the run history.
func TestStoreLastHealth(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crawl.db")
	s := openTestStore(t, path)
	if _, ok, err := s.LastHealth(ctx); ok || err != nil {
		t.Fatalf("LastHealth of a new store: %v %v", ok, err)
	}
	at := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for i, author := range []float64{0.9, 0.3} {
		r := health.Report{
			MeasuredAt: at.Add(time.Duration(i) * time.Hour),
			Sources:    []health.Source{{Source: "hub", Articles: 10, Shares: map[string]float64{"author": author}}},
			Warnings:   []health.Drop{},
		}
		if i == 1 {
			r.Warnings = []health.Drop{{Source: "hub", Field: "author", Before: 0.9, After: 0.3}}
		}
		if err := s.AppendHealth(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := OpenStore(path, StoreOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, ok, err := s.LastHealth(ctx)
	if err != nil || !ok {
		t.Fatalf("LastHealth: %v %v", ok, err)
	}
	if !r.MeasuredAt.Equal(at.Add(time.Hour)) || r.Sources[0].Shares["author"] != 0.3 || len(r.Warnings) != 1 || r.Warnings[0].Field != "author" {
		t.Errorf("LastHealth = %+v", r)
	}
	if sources, _, err := s.History(ctx); err != nil || len(sources) != 0 {
		t.Errorf("History lists the health as a source: %+v %v", sources, err)
	}
}

// Two sources crawled in one run each get their own summary and history
// record; the run's summary is their sum.
func TestCrawlPerSourceSummaries(t *testing.T) {
	ctx := context.Background()
	good, down := newSiteServer(t), newSiteServer(t)
	down.setFault("/robots.txt", func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(good.URL)
	cfg.MaxRetries = 1
	cfg.Sources = append(cfg.Sources, SourceConfig{Name: "mirror", URL: down.URL + "/"})
	c, err := New(cfg, store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		sum, err := c.Run(ctx, nil)
		if err == nil {
			t.Fatalf("run %d: no error although the mirror's robots.txt is down", run)
		}
		if len(sum.Sources) != 2 {
			t.Fatalf("run %d: %d source summaries", run, len(sum.Sources))
		}
		by := map[string]SourceSummary{}
		fetched, errs := 0, 0
		for _, ss := range sum.Sources {
			by[ss.Name] = ss
			fetched += ss.Fetched
			errs += ss.ErrorCount()
			if ss.Finished.Before(ss.Started) || ss.Started.IsZero() {
				t.Errorf("run %d: %s started %s, finished %s", run, ss.Name, ss.Started, ss.Finished)
			}
		}
		if fetched != sum.Fetched || errs != sum.ErrorCount() {
			t.Errorf("run %d: sources fetched %d with %d errors, run %d with %d", run, fetched, errs, sum.Fetched, sum.ErrorCount())
		}
		if p := by["pslhub"]; p.Fetched == 0 && p.NotModified == 0 {
			t.Errorf("run %d: pslhub summary %+v", run, p)
		}
		if m := by["mirror"]; m.Fetched != 0 || m.Errors[KindRobotsUnavailable] != 1 {
			t.Errorf("run %d: mirror summary %+v", run, m)
		}
	}
	sources, _, err := store.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 2 {
		t.Fatalf("history = %+v", sources)
	}
	for _, h := range sources {
		if len(h.Runs) != 2 {
			t.Fatalf("%s: %d runs recorded, want 2", h.Source, len(h.Runs))
		}
		for _, r := range h.Runs {
			switch h.Source {
			case "mirror":
				if r.Outcome != runlog.OutcomeFailed || r.Error == "" || r.Errors != 1 {
					t.Errorf("mirror run = %+v", r)
				}
			case "pslhub":
				if r.Outcome != runlog.OutcomeOK || r.Error != "" || r.Fetched+r.NotModified == 0 {
					t.Errorf("pslhub run = %+v", r)
				}
			}
		}
	}
	// The second crawl revalidates: pages come back 304 or unchanged, none new.
	if r := sources[1].Runs[1]; r.New != 0 || r.NotModified == 0 {
		t.Errorf("second pslhub run = %+v", r)
	}
}

func TestCrawlCancelRecorded(t *testing.T) {
	srv := newSiteServer(t)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	c, _ := New(cfg, store, nil)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.Run(ctx, func(p Progress) {
		if p.Done == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v", err)
	}
	sources, _, err := store.History(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 1 || len(sources[0].Runs) != 1 || sources[0].Runs[0].Outcome != runlog.OutcomeCanceled || sources[0].Runs[0].Error == "" {
		t.Errorf("history of a cancelled crawl = %+v", sources)
	}
}
