package schedule

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

// blockingCrawl is a crawl that signals it started and then waits for
// release (ignoring its context, like a stuck crawl) or, with honourCtx,
// for its context to end.
type blockingCrawl struct {
	calls     atomic.Int32
	started   chan struct{}
	release   chan struct{}
	honourCtx bool
}

func newBlockingCrawl(honourCtx bool) *blockingCrawl {
	return &blockingCrawl{started: make(chan struct{}, 16), release: make(chan struct{}), honourCtx: honourCtx}
}

func (b *blockingCrawl) crawl(ctx context.Context) (map[string]int, error) {
	b.calls.Add(1)
	b.started <- struct{}{}
	if b.honourCtx {
		select {
		case <-ctx.Done():
			return map[string]int{"fetched": 1}, ctx.Err()
		case <-b.release:
		}
	} else {
		<-b.release
	}
	return map[string]int{"fetched": 2}, nil
}

func TestSchedulerConfig(t *testing.T) {
	ctx := context.Background()
	for _, spec := range []string{"not a spec", "61 * * * *", "@every nonsense", "* * * *", "0 0 30 2 *"} {
		_, err := New(ctx, Config{Spec: spec}, nil, nil, nil, nil)
		if err == nil {
			t.Errorf("spec %q: no error", spec)
			continue
		}
		if !strings.Contains(err.Error(), spec) {
			t.Errorf("spec %q: error %q does not name the spec", spec, err)
		}
	}
	if _, err := New(ctx, Config{Spec: "@every 1h", Timeout: time.Hour}, nil, nil, nil, nil); err == nil {
		t.Error("a timeout equal to the interval was accepted")
	}
	if _, err := New(ctx, Config{Spec: "@every 1h", Timeout: -time.Second}, nil, nil, nil, nil); err == nil {
		t.Error("a negative timeout was accepted")
	}

	cases := []struct {
		spec    string
		timeout time.Duration
	}{
		{"@every 6h", 6 * time.Hour / 10 * 9},
		{"0 3 * * *", 24 * time.Hour / 10 * 9},
		{"@daily", 24 * time.Hour / 10 * 9},
		{"0 3,4 * * *", time.Hour / 10 * 9}, // the shortest gap counts
		{"*/15 * * * *", 15 * time.Minute / 10 * 9},
	}
	for _, c := range cases {
		s, err := New(ctx, Config{Spec: c.spec}, nil, nil, nil, nil)
		if err != nil {
			t.Errorf("spec %q: %v", c.spec, err)
			continue
		}
		if s.timeout != c.timeout {
			t.Errorf("spec %q: default timeout %s, want %s", c.spec, s.timeout, c.timeout)
		}
		if got := s.Status().Schedule; got != c.spec {
			t.Errorf("spec %q: status schedule %q", c.spec, got)
		}
	}
	for _, spec := range []string{"", "off", " off "} {
		s, err := New(ctx, Config{Spec: spec}, nil, nil, nil, nil)
		if err != nil {
			t.Fatalf("spec %q: %v", spec, err)
		}
		s.Start()
		st := s.Status()
		if st.Schedule != "off" || !st.Next.IsZero() || st.Running || st.Last != nil {
			t.Errorf("spec %q: status %+v", spec, st)
		}
		if err := s.Stop(ctx); err != nil {
			t.Errorf("spec %q: stop: %v", spec, err)
		}
	}
}

// TestSchedulerRecoverKeepsJobAlive proves the wrapper order: after a
// scheduled run panics, the next activation runs again. The control with the
// wrappers the other way round shows that order skipping forever
// (robfig/cron#366), so this test would catch a swap.
func TestSchedulerRecoverKeepsJobAlive(t *testing.T) {
	logger, logs := indextest.Logger(t)
	var calls atomic.Int32
	crawl := func(ctx context.Context) (map[string]int, error) {
		if calls.Add(1) == 1 {
			panic("crawler exploded")
		}
		return map[string]int{"fetched": 3}, nil
	}
	s, err := New(context.Background(), Config{Spec: "@every 1h"}, crawl, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	job := s.cron.Entry(s.entry).WrappedJob
	job.Run() // panics inside; Recover logs it
	if calls.Load() != 1 {
		t.Fatalf("crawl called %d times", calls.Load())
	}
	st := s.Status()
	if st.Running || st.Last == nil || st.Last.Outcome != OutcomeFailed || !strings.Contains(strings.Join(st.Last.Errors, ";"), "crawler exploded") {
		t.Fatalf("after the panic: %+v (last %+v)", st, st.Last)
	}
	if !strings.Contains(logs.String(), "crawler exploded") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
	job.Run()
	if calls.Load() != 2 {
		t.Fatalf("the job did not run again after a panic: crawl called %d times", calls.Load())
	}
	if st := s.Status(); st.Last.Outcome != OutcomeOK || st.Last.Counts["fetched"] != 3 {
		t.Fatalf("second run: %+v", st.Last)
	}

	// Control: the wrong order loses the SkipIfStillRunning token on panic.
	calls.Store(0)
	s2, err := New(context.Background(), Config{Spec: "@every 1h"}, crawl, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	cl := cronLogger{logger}
	wrong := cron.NewChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)).Then(cron.FuncJob(s2.scheduled))
	wrong.Run()
	wrong.Run()
	if calls.Load() != 1 {
		t.Fatalf("control: with Recover outside, crawl ran %d times; the #366 failure mode is not reproduced", calls.Load())
	}
}

// TestSchedulerFiresOnSchedule runs the real cron loop: a job that panics
// on its first activation runs again on the next.
func TestSchedulerFiresOnSchedule(t *testing.T) {
	var calls atomic.Int32
	crawl := func(ctx context.Context) (map[string]int, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("a scheduled run has no deadline")
		}
		if calls.Add(1) == 1 {
			panic("first activation fails")
		}
		return map[string]int{"fetched": 1}, nil
	}
	s, err := New(context.Background(), Config{Spec: "@every 1s"}, crawl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	s.Start() // idempotent
	if s.Status().Next.IsZero() {
		t.Error("no next activation while started")
	}
	indextest.WaitFor(t, "a second scheduled run", func() bool {
		st := s.Status()
		return calls.Load() >= 2 && st.Last != nil && st.Last.Outcome == OutcomeOK
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); !st.Next.IsZero() || st.Last.Trigger != "schedule" {
		t.Errorf("after stop: %+v", st)
	}
}

// TestSchedulerSkipsOverlappingRuns: a slow scheduled run makes the next
// activation skip (SkipIfStillRunning), and manual triggers get ErrRunning.
func TestSchedulerSkipsOverlappingRuns(t *testing.T) {
	logger, logs := indextest.Logger(t)
	bc := newBlockingCrawl(false)
	s, err := New(context.Background(), Config{Spec: "@every 1h"}, bc.crawl, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	job := s.cron.Entry(s.entry).WrappedJob
	done := make(chan struct{})
	go func() {
		defer close(done)
		job.Run()
	}()
	<-bc.started
	job.Run() // returns at once: skipped
	if !strings.Contains(logs.String(), "scheduled run skipped: the previous one is still running") {
		t.Errorf("no skip logged:\n%s", logs)
	}
	if err := s.Trigger("manual"); !errors.Is(err, indexer.ErrRunning) {
		t.Errorf("Trigger while running: %v, want ErrRunning", err)
	}
	if _, err := s.RunNow(context.Background(), "manual"); !errors.Is(err, indexer.ErrRunning) {
		t.Errorf("RunNow while running: %v, want ErrRunning", err)
	}
	st := s.Status()
	if !st.Running || st.Last == nil || st.Last.Outcome != OutcomeRunning || st.Last.Trigger != "schedule" {
		t.Errorf("status while running: %+v (last %+v)", st, st.Last)
	}
	close(bc.release)
	<-done
	if n := bc.calls.Load(); n != 1 {
		t.Errorf("crawl ran %d times, want 1", n)
	}
	if st := s.Status(); st.Running || st.Last.Outcome != OutcomeOK || st.Last.Counts["fetched"] != 2 || st.Last.Ended.IsZero() {
		t.Errorf("status after the run: %+v (last %+v)", st, st.Last)
	}
}

// TestSchedulerManualRunSkipsScheduled: the scheduled job shares the guard
// with manual triggers.
func TestSchedulerManualRunSkipsScheduled(t *testing.T) {
	logger, logs := indextest.Logger(t)
	bc := newBlockingCrawl(false)
	s, err := New(context.Background(), Config{Spec: "@every 1h"}, bc.crawl, nil, nil, logger)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Trigger("manual"); err != nil {
		t.Fatal(err)
	}
	<-bc.started
	s.cron.Entry(s.entry).WrappedJob.Run()
	if !strings.Contains(logs.String(), "scheduled run skipped") || bc.calls.Load() != 1 {
		t.Errorf("the scheduled activation was not skipped (crawl calls %d):\n%s", bc.calls.Load(), logs)
	}
	close(bc.release)
	indextest.WaitFor(t, "the manual run to finish", func() bool { return !s.Status().Running })
	if last := s.Status().Last; last.Trigger != "manual" || last.Outcome != OutcomeOK {
		t.Errorf("last run: %+v", last)
	}
	// The guard is free again.
	if _, err := s.RunNow(context.Background(), "manual"); err != nil {
		t.Errorf("RunNow after the run: %v", err)
	}
}

// TestSchedulerStopCancelsRun: Stop cancels the running run's context and
// waits for it; later triggers are refused.
func TestSchedulerStopCancelsRun(t *testing.T) {
	bc := newBlockingCrawl(true)
	s, err := New(context.Background(), Config{Spec: "@every 1h"}, bc.crawl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if err := s.Trigger("manual"); err != nil {
		t.Fatal(err)
	}
	<-bc.started
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if st.Running || st.Last.Outcome != OutcomeCanceled || st.Last.Counts["fetched"] != 1 || len(st.Last.Errors) != 1 {
		t.Errorf("after stop: %+v (last %+v)", st, st.Last)
	}
	if err := s.Trigger("manual"); err == nil {
		t.Error("Trigger after Stop was accepted")
	}
	if err := s.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

// TestSchedulerStopTimeout: Stop gives up when its context ends before a
// run that ignores cancellation.
func TestSchedulerStopTimeout(t *testing.T) {
	bc := newBlockingCrawl(false)
	s, err := New(context.Background(), Config{}, bc.crawl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Trigger("manual"); err != nil {
		t.Fatal(err)
	}
	<-bc.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with a stuck run: %v", err)
	}
	close(bc.release)
	indextest.WaitFor(t, "the stuck run to end", func() bool { return !s.Status().Running })
}

// TestSchedulerDeadlineAndRootCancel: a run that outlives its deadline
// fails; cancelling the root context cancels a run.
func TestSchedulerDeadlineAndRootCancel(t *testing.T) {
	bc := newBlockingCrawl(true)
	s, err := New(context.Background(), Config{Spec: "off", Timeout: 50 * time.Millisecond}, bc.crawl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.RunNow(context.Background(), "manual")
	if !errors.Is(err, context.DeadlineExceeded) || run.Outcome != OutcomeFailed {
		t.Errorf("run past its deadline: %+v, %v", run, err)
	}

	root, cancel := context.WithCancel(context.Background())
	bc2 := newBlockingCrawl(true)
	s2, err := New(root, Config{}, bc2.crawl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-bc2.started
		cancel()
	}()
	run, err = s2.RunNow(context.Background(), "startup")
	if !errors.Is(err, context.Canceled) || run.Outcome != OutcomeCanceled || run.Trigger != "startup" {
		t.Errorf("run with the root cancelled: %+v, %v", run, err)
	}
}

// TestSchedulerManualPanic: a panic in a manual run is an error, not a crash.
func TestSchedulerManualPanic(t *testing.T) {
	s, err := New(context.Background(), Config{}, func(ctx context.Context) (map[string]int, error) {
		panic("boom")
	}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.RunNow(context.Background(), "manual")
	if err == nil || !strings.Contains(err.Error(), "boom") || run.Outcome != OutcomeFailed {
		t.Errorf("panicking run: %+v, %v", run, err)
	}
	if err := s.Trigger("manual"); err != nil {
		t.Errorf("Trigger after a panic: %v", err)
	}
	indextest.WaitFor(t, "the second run", func() bool { st := s.Status(); return !st.Running && st.Last.Outcome == OutcomeFailed })
}

// TestSchedulerRunsCrawlThenRebuild: a run crawls, then rebuilds the index
// from the source; the status merges the index and the run.
func TestSchedulerRunsCrawlThenRebuild(t *testing.T) {
	ix := openIndex(t)
	src := indextest.LifecycleArticles(7)
	crawled := false
	crawl := func(ctx context.Context) (map[string]int, error) {
		crawled = true
		return map[string]int{"fetched": 7, "not_modified": 2}, nil
	}
	s, err := New(context.Background(), Config{Spec: "@every 6h"}, crawl, ix, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	run, err := s.RunNow(context.Background(), "startup")
	if err != nil {
		t.Fatal(err)
	}
	if !crawled || run.Outcome != OutcomeOK || run.Counts["indexed"] != 7 || run.Counts["fetched"] != 7 || run.Counts["not_modified"] != 2 || len(run.Errors) != 0 {
		t.Fatalf("run %+v", run)
	}
	st, ist := s.Status(), ix.Status()
	if !ist.Ready || ist.Documents != 7 || ist.Generation == "" || st.Schedule != "@every 6h" || st.Running ||
		st.Next.IsZero() || st.Last == nil || st.Last.Trigger != "startup" {
		t.Fatalf("status %+v, index %+v", st, ist)
	}

	// Index only: no crawl step.
	s2, err := New(context.Background(), Config{}, nil, ix, indextest.LifecycleArticles(9), nil)
	if err != nil {
		t.Fatal(err)
	}
	if run, err := s2.RunNow(context.Background(), "manual"); err != nil || run.Counts["indexed"] != 9 {
		t.Fatalf("index-only run: %+v, %v", run, err)
	}
	if _, err := New(context.Background(), Config{}, nil, ix, nil, nil); err == nil {
		t.Fatal("an index without a source was accepted")
	}
}

// TestSchedulerCrawlFailurePolicy: a failed crawl keeps a ready index as it
// is, and still builds one from the store when none is ready.
func TestSchedulerCrawlFailurePolicy(t *testing.T) {
	failing := func(ctx context.Context) (map[string]int, error) {
		return map[string]int{"fetched": 0}, errors.New("hub unreachable")
	}

	// Not ready: rebuild from what the store has; the run still failed.
	ix := openIndex(t)
	s, err := New(context.Background(), Config{}, failing, ix, indextest.LifecycleArticles(4), nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.RunNow(context.Background(), "startup")
	if err == nil || !strings.Contains(err.Error(), "hub unreachable") || run.Outcome != OutcomeFailed {
		t.Fatalf("run %+v, %v", run, err)
	}
	if run.Counts["indexed"] != 4 || !ix.Status().Ready {
		t.Fatalf("no rebuild from the store after a failed crawl on an empty index: %+v, %+v", run, ix.Status())
	}

	// Ready: keep the current generation.
	gen := ix.Status().Generation
	s2, err := New(context.Background(), Config{}, failing, ix, indextest.LifecycleArticles(6), nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err = s2.RunNow(context.Background(), "manual")
	if err == nil || run.Outcome != OutcomeFailed {
		t.Fatalf("run %+v, %v", run, err)
	}
	if _, ok := run.Counts["indexed"]; ok || ix.Status().Generation != gen || ix.Status().Documents != 4 {
		t.Fatalf("a failed crawl replaced a ready generation: %+v, %+v", run, ix.Status())
	}

	// A failing rebuild fails the run and is reported.
	s3, err := New(context.Background(), Config{}, nil, ix, indextest.SliceSource{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err = s3.RunNow(context.Background(), "manual")
	if err == nil || run.Outcome != OutcomeFailed || len(run.Errors) != 1 || ix.Status().Generation != gen {
		t.Fatalf("run with an empty source: %+v, %v", run, err)
	}
}

func openIndex(t testing.TB) *indexer.Index {
	t.Helper()
	ix, err := indexer.Open(context.Background(), indexer.Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

// TestSchedulerStartupRebuildTakesTheGuard: the start-up rebuild of a
// stored corpus runs through the scheduler, shows as running, and a manual
// or scheduled run asked for meanwhile is refused without being recorded.
func TestSchedulerStartupRebuildTakesTheGuard(t *testing.T) {
	ix := openIndex(t)
	src := indextest.NewGatedSource(indextest.LifecycleArticles(5))
	crawl := newBlockingCrawl(false)
	s, err := New(context.Background(), Config{}, crawl.crawl, ix, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	if err := s.TriggerRebuild("startup"); err != nil {
		t.Fatal(err)
	}
	<-src.Started
	st := s.Status()
	if !st.Running || st.Last == nil || st.Last.Trigger != "startup" || st.Last.Outcome != OutcomeRunning {
		t.Fatalf("status during the start-up rebuild: %+v last %+v", st, st.Last)
	}
	if err := s.Trigger("manual"); !errors.Is(err, indexer.ErrRunning) {
		t.Errorf("manual trigger during the start-up rebuild: %v, want ErrRunning", err)
	}
	s.scheduled() // a scheduled activation firing meanwhile
	if last := s.Status().Last; last.Trigger != "startup" || last.Outcome != OutcomeRunning {
		t.Errorf("a refused run was recorded: %+v", last)
	}
	src.Release()
	indextest.WaitFor(t, "the start-up rebuild to finish", func() bool { return !s.Status().Running })
	last := s.Status().Last
	if last.Trigger != "startup" || last.Outcome != OutcomeOK || last.Counts["indexed"] != 5 || len(last.Errors) != 0 {
		t.Errorf("start-up rebuild: %+v", last)
	}
	if crawl.calls.Load() != 0 {
		t.Errorf("the start-up rebuild crawled %d times", crawl.calls.Load())
	}
	if st := ix.Status(); !st.Ready || st.Documents != 5 {
		t.Errorf("index after the start-up rebuild: %+v", st)
	}
}
