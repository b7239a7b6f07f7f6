package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// memHealthStore is a healthStore over a map of articles the test's crawl
// changes and the measurements kept, as the crawler's store keeps them.
type memHealthStore struct {
	arts map[string]article.Article
	kept []health.Report
}

func healthTestStore(arts ...article.Article) *memHealthStore {
	st := &memHealthStore{arts: map[string]article.Article{}}
	putArticles(st, arts...)
	return st
}

func putArticles(st *memHealthStore, arts ...article.Article) {
	for _, a := range arts {
		st.arts[a.ID] = a
	}
}

func (s *memHealthStore) Each(ctx context.Context, fn func(article.Article) error) error {
	for _, id := range slices.Sorted(maps.Keys(s.arts)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(s.arts[id]); err != nil {
			return err
		}
	}
	return nil
}

func (s *memHealthStore) LastHealth(context.Context) (health.Report, bool, error) {
	if len(s.kept) == 0 {
		return health.Report{}, false, nil
	}
	return s.kept[len(s.kept)-1], true, nil
}

func (s *memHealthStore) AppendHealth(_ context.Context, r health.Report) error {
	s.kept = append(s.kept, r.Clone())
	return nil
}

// TestWithHealthCheckWarnsOfDrops: a crawl after which the authors are
// gone (a redesign) logs a warning naming the source and field, puts it in
// the scheduler's status, and the crawl's own result and error pass
// through. The next crawl compares with the kept measurement.
func TestWithHealthCheckWarnsOfDrops(t *testing.T) {
	ctx := context.Background()
	st := healthTestStore(
		article.Article{ID: "hub:1", Source: "hub", Title: "A", Author: "Ann", Body: "x"},
		article.Article{ID: "hub:2", Source: "hub", Title: "B", Author: "Bob", Body: "y"},
	)
	sched, err := schedule.New(ctx, schedule.Config{}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, nil))
	crawlErr := errors.New("one page failed")
	n, err := withHealthCheck(ctx, st, logger, sched.SetHealth, func() (int, error) {
		putArticles(st,
			article.Article{ID: "hub:1", Source: "hub", Title: "A", Body: "x"},
			article.Article{ID: "hub:2", Source: "hub", Title: "B", Body: "y"},
			article.Article{ID: "hub:3", Source: "hub", Title: "C", Body: "z"},
		)
		return 7, crawlErr
	})
	if n != 7 || !errors.Is(err, crawlErr) {
		t.Errorf("result %d, %v", n, err)
	}
	log := logBuf.String()
	if !strings.Contains(log, "extraction health dropped") || !strings.Contains(log, "source=hub field=author") {
		t.Errorf("log lacks the author drop:\n%s", log)
	}
	if strings.Contains(log, "field=title") || strings.Contains(log, "field=body") {
		t.Errorf("log warns of a field that did not drop:\n%s", log)
	}
	rep := sched.Status().ExtractionHealth
	want := health.Drop{Source: "hub", Field: "author", Before: 1, After: 0}
	if rep == nil || len(rep.Warnings) != 1 || rep.Warnings[0] != want {
		t.Fatalf("status health after the drop = %+v, want the warning %+v", rep, want)
	}
	if len(rep.Sources) != 1 || rep.Sources[0].Articles != 3 || rep.Sources[0].Shares["title"] != 1 {
		t.Errorf("status health sources = %+v", rep.Sources)
	}

	// The next crawl compares with the kept measurement, not with a
	// measurement of its own start: bodies emptied between the two crawls
	// (say, a crawl by another process that kept no measurement) show,
	// and an unchanged store then has no warning left.
	putArticles(st, article.Article{ID: "hub:1", Source: "hub", Title: "A"},
		article.Article{ID: "hub:2", Source: "hub", Title: "B"})
	logBuf.Reset()
	if _, err := withHealthCheck(ctx, st, logger, sched.SetHealth, func() (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	if w := sched.Status().ExtractionHealth.Warnings; len(w) != 1 || w[0].Field != "body" || w[0].After > 0.34 {
		t.Errorf("warnings after the body fell from 100%% to 33%%: %+v", w)
	}
	if _, err := withHealthCheck(ctx, st, logger, sched.SetHealth, func() (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	if w := sched.Status().ExtractionHealth.Warnings; len(w) != 0 || w == nil {
		t.Errorf("unchanged store: warnings %#v", w)
	}
}

// A drop of exactly 20 points is no warning; one just over is.
func TestWithHealthCheckThreshold(t *testing.T) {
	ctx := context.Background()
	var arts []article.Article
	for i := range 10 {
		arts = append(arts, article.Article{ID: "gov:" + string(rune('a'+i)), Source: "gov", Title: "T", Author: "A"})
	}
	st := healthTestStore(arts...)
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	var got health.Report
	run := func(emptyAuthors int) {
		t.Helper()
		if _, err := withHealthCheck(ctx, st, logger, func(r health.Report) { got = r }, func() (int, error) {
			for i := range emptyAuthors {
				a := arts[i]
				a.Author = ""
				putArticles(st, a)
			}
			return 0, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	run(2) // 100% → 80%
	if len(got.Warnings) != 0 {
		t.Errorf("a 20-point fall warned: %+v", got.Warnings)
	}
	run(5) // 80% → 50%
	if len(got.Warnings) != 1 || got.Warnings[0] != (health.Drop{Source: "gov", Field: "author", Before: 0.8, After: 0.5}) {
		t.Errorf("a 30-point fall: warnings %+v", got.Warnings)
	}
}

// A crawl stopped by its context leaves the kept measurement as it was.
func TestWithHealthCheckStopped(t *testing.T) {
	st := healthTestStore(article.Article{ID: "hub:1", Source: "hub", Title: "A"})
	ctx, cancel := context.WithCancel(context.Background())
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	reported := false
	_, _ = withHealthCheck(ctx, st, logger, func(health.Report) { reported = true }, func() (int, error) {
		cancel()
		return 0, context.Canceled
	})
	if _, ok, err := st.LastHealth(context.Background()); ok || err != nil || reported {
		t.Errorf("a stopped crawl was measured: kept %v, reported %v, %v", ok, reported, err)
	}
}

// At start the health is that of the store, with the last crawl's
// warnings.
func TestStartupHealth(t *testing.T) {
	ctx := context.Background()
	st := healthTestStore(article.Article{ID: "hub:1", Source: "hub", Title: "A", Author: "Ann"})
	rep, err := startupHealth(ctx, st)
	if err != nil || len(rep.Sources) != 1 || rep.Sources[0].Shares["author"] != 1 || rep.Warnings == nil || len(rep.Warnings) != 0 {
		t.Fatalf("startup health of a store never crawled: %+v %v", rep, err)
	}
	drop := health.Drop{Source: "hub", Field: "author", Before: 1, After: 0}
	if err := st.AppendHealth(ctx, health.Report{MeasuredAt: rep.MeasuredAt, Sources: rep.Sources, Warnings: []health.Drop{drop}}); err != nil {
		t.Fatal(err)
	}
	rep, err = startupHealth(ctx, st)
	if err != nil || len(rep.Warnings) != 1 || rep.Warnings[0] != drop {
		t.Errorf("startup health after a crawl with a drop: %+v %v", rep, err)
	}
}
