// Package schedule runs crawl + rebuild: on a robfig/cron schedule, on
// demand (the admin route) and at start-up, all through one "running"
// guard, with a deadline per run and the record of the last run for the
// status routes. The index knows nothing of it: a run calls Rebuild.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/runlog"
)

// CrawlFunc is the crawl step of a run: it refreshes the store and returns
// its counters. It returns an error only when the crawl as a whole failed
// (per-page failures belong in the counts). cmd adapts the crawler's Run.
type CrawlFunc func(ctx context.Context) (map[string]int, error)

// Index is what a run rebuilds; *indexer.Index satisfies it.
type Index interface {
	Rebuild(ctx context.Context, src indexer.Source) (indexer.RebuildReport, error)
	Status() indexer.Status
}

// Config configures a Scheduler.
type Config struct {
	// Spec is a cron spec: 5 fields ("0 3 * * *", local time unless it
	// starts with CRON_TZ=…) or a descriptor ("@daily", "@every 6h").
	// "" or "off" disables the schedule; manual triggers still work.
	Spec string
	// Timeout is the deadline of one run. It must be shorter than the
	// schedule's interval. Zero means 90% of the interval, the interval being
	// the shortest gap between the schedule's next activations. With the
	// schedule off, zero means no deadline beyond the root context.
	Timeout time.Duration
	// History, when set, keeps the runs across restarts and is shown in
	// the status (RunStatus.History).
	History HistoryStore
}

// RunStatus is the schedule and its runs, as the status routes show them
// next to the index's indexer.Status.
type RunStatus struct {
	Schedule string    `json:"schedule"` // cron spec, or "off"
	Running  bool      `json:"running"`
	Next     time.Time `json:"next_run,omitzero"` // zero when the schedule is off
	Last     *Run      `json:"last_run,omitempty"`
	// History is the kept runs per source and of the index; nil without a
	// HistoryStore.
	History *History `json:"history,omitempty"`
	// ExtractionHealth is the latest measurement given to SetHealth, with
	// the drops of the last crawl; nil until one is.
	ExtractionHealth *health.Report `json:"extraction_health,omitempty"`
}

// Run is one crawl + rebuild, or a rebuild alone, scheduled or asked for.
// Counts and Errors are never nil.
type Run struct {
	Trigger  string         `json:"trigger"` // "schedule", "manual" or "startup"
	Started  time.Time      `json:"started"`
	Ended    time.Time      `json:"ended,omitzero"`
	Outcome  string         `json:"outcome"` // one of the Outcome constants
	Counts   map[string]int `json:"counts"`  // crawl summary and index counts
	Errors   []string       `json:"errors"`
	Duration float64        `json:"duration_seconds"`
}

// Run outcomes.
const (
	OutcomeRunning  = "running"
	OutcomeOK       = runlog.OutcomeOK
	OutcomeFailed   = runlog.OutcomeFailed
	OutcomeCanceled = runlog.OutcomeCanceled
)

// errStopped is returned by Trigger and RunNow after Stop.
var errStopped = errors.New("schedule: scheduler stopped")

// intervalProbes is how many upcoming activations are compared to find the
// schedule's interval.
const intervalProbes = 8

// Scheduler runs crawl + rebuild on a cron schedule and on demand.
//
// Scheduled runs, Trigger, TriggerRebuild and RunNow share one guard: while
// one run is running, the others return indexer.ErrRunning without being
// recorded, and a scheduled activation is skipped. Every run gets a
// deadline (Config.Timeout) and derives from the root context given to New,
// so cancelling that context, or Stop, cancels it.
type Scheduler struct {
	root    context.Context
	spec    string // "off" when disabled
	timeout time.Duration
	crawl   CrawlFunc
	ix      Index
	src     indexer.Source
	log     *slog.Logger
	history HistoryStore // nil: no history

	cron  *cron.Cron // nil when the schedule is off
	entry cron.EntryID

	mu      sync.Mutex
	running bool
	stopped bool
	started bool
	cancel  context.CancelFunc // of the running run
	last    *Run
	hist    *History // cached copy of the stored history
	health  *health.Report
	runs    sync.WaitGroup
}

// New checks cfg and prepares the schedule; Start starts it. crawl nil
// means index only (every run rebuilds from src). ix nil means crawl only.
// An invalid spec, a schedule that never fires, or a Timeout not shorter
// than the interval is an error naming the spec.
func New(ctx context.Context, cfg Config, crawl CrawlFunc, ix Index, src indexer.Source, logger *slog.Logger) (*Scheduler, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if ix != nil && src == nil {
		return nil, errors.New("schedule: an index needs a source to rebuild from")
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("schedule %q: negative timeout %s", cfg.Spec, cfg.Timeout)
	}
	s := &Scheduler{
		root:    ctx,
		spec:    strings.TrimSpace(cfg.Spec),
		timeout: cfg.Timeout,
		crawl:   crawl,
		ix:      ix,
		src:     src,
		log:     logger.With("component", "scheduler"),
		history: cfg.History,
	}
	s.loadHistory(ctx)
	if s.spec == "" || s.spec == "off" {
		s.spec = "off"
		return s, nil
	}
	sched, err := cron.ParseStandard(s.spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", s.spec, err)
	}
	interval := scheduleInterval(sched, time.Now())
	if interval <= 0 {
		return nil, fmt.Errorf("schedule %q never fires", s.spec)
	}
	switch {
	case s.timeout == 0:
		s.timeout = interval / 10 * 9
	case s.timeout >= interval:
		return nil, fmt.Errorf("schedule %q: timeout %s is not shorter than the interval %s", s.spec, s.timeout, interval)
	}
	cl := cronLogger{s.log}
	s.cron = cron.New(
		cron.WithLogger(cl),
		// SkipIfStillRunning outside, Recover inside. In the other order a
		// panic unwinds through SkipIfStillRunning before it gives its token
		// back, and the job is skipped forever (robfig/cron#366, v3.0.1).
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)),
	)
	s.entry = s.cron.Schedule(sched, cron.FuncJob(s.scheduled))
	s.log.Info("schedule configured", "spec", s.spec, "timeout", s.timeout, "interval", interval)
	return s, nil
}

// scheduleInterval is the shortest gap between the next activations of a
// schedule after from, 0 when it never fires.
func scheduleInterval(sched cron.Schedule, from time.Time) time.Duration {
	t := sched.Next(from)
	if t.IsZero() {
		return 0
	}
	var shortest time.Duration
	for range intervalProbes {
		next := sched.Next(t)
		if next.IsZero() {
			break
		}
		if d := next.Sub(t); shortest == 0 || d < shortest {
			shortest = d
		}
		t = next
	}
	return shortest
}

// Start starts the cron schedule (nothing when it is off or after Stop).
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron == nil || s.stopped || s.started {
		return
	}
	s.started = true
	s.cron.Start()
}

// Stop stops the schedule, cancels a running run's context and waits for
// it to finish, at most until ctx is done.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	cancel := s.cancel
	s.mu.Unlock()

	var cronDone <-chan struct{}
	if s.cron != nil {
		cronDone = s.cron.Stop().Done()
	}
	if cancel != nil {
		cancel()
	}
	runsDone := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(runsDone)
	}()
	for _, ch := range []<-chan struct{}{runsDone, cronDone} {
		if ch == nil {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("schedule: stop: %w", ctx.Err())
		}
	}
	return nil
}

// Trigger starts a crawl + rebuild in the background now. It returns
// indexer.ErrRunning when a run is running.
func (s *Scheduler) Trigger(trigger string) error {
	return s.background(trigger, true)
}

// TriggerRebuild starts a rebuild from the source, without a crawl, in the
// background now (the start-up rebuild of a stored but unindexed corpus).
// It returns indexer.ErrRunning when a run is running.
func (s *Scheduler) TriggerRebuild(trigger string) error {
	return s.background(trigger, false)
}

func (s *Scheduler) background(trigger string, crawl bool) error {
	rs, err := s.begin(s.root, trigger, crawl)
	if err != nil {
		return err
	}
	go func() {
		_, _ = s.execute(rs)
	}()
	return nil
}

// RunNow runs a crawl + rebuild and returns when it is done. Its context
// derives from both ctx and the root context. It returns
// indexer.ErrRunning when a run is running; otherwise the Run, and an error
// when the run did not end ok.
func (s *Scheduler) RunNow(ctx context.Context, trigger string) (Run, error) {
	rs, err := s.begin(ctx, trigger, true)
	if err != nil {
		return Run{}, err
	}
	return s.execute(rs)
}

// Status is the schedule, the running flag, the next activation and the
// last (or current) run.
func (s *Scheduler) Status() RunStatus {
	st := RunStatus{Schedule: s.spec}
	s.mu.Lock()
	st.Running = s.running
	if s.last != nil {
		r := copyRun(*s.last)
		st.Last = &r
	}
	if s.hist != nil {
		h := copyHistory(*s.hist)
		st.History = &h
	}
	if s.health != nil {
		h := s.health.Clone()
		st.ExtractionHealth = &h
	}
	started, stopped := s.started, s.stopped
	s.mu.Unlock()
	if s.cron != nil && started && !stopped {
		st.Next = s.cron.Entry(s.entry).Next
	}
	return st
}

// SetHealth records a measurement of extraction health for the status. A
// measurement older than the one recorded is ignored, so that the start-up
// measurement cannot overwrite a crawl's that finished first.
func (s *Scheduler) SetHealth(r health.Report) {
	r = r.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.health != nil && r.MeasuredAt.Before(s.health.MeasuredAt) {
		return
	}
	s.health = &r
}

// scheduled is the cron job. SkipIfStillRunning skips it while a previous
// scheduled activation runs; the shared guard in begin skips it while a
// manual run runs.
func (s *Scheduler) scheduled() {
	rs, err := s.begin(s.root, "schedule", true)
	if err != nil {
		s.log.Info("scheduled run skipped", "reason", err)
		return
	}
	_, _ = s.execute(rs)
}

// runState is one run in progress.
type runState struct {
	ctx    context.Context
	cancel context.CancelFunc
	run    *Run
	crawl  bool      // false: rebuild only
	index  *IndexRun // the rebuild, once tried
}

// begin takes the running guard and starts the record of a run.
func (s *Scheduler) begin(parent context.Context, trigger string, crawl bool) (*runState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil, errStopped
	}
	if s.running {
		return nil, indexer.ErrRunning
	}
	ctx, cancel := context.WithCancel(parent)
	if parent != s.root {
		stop := context.AfterFunc(s.root, cancel)
		inner := cancel
		cancel = func() { stop(); inner() }
	}
	if s.timeout > 0 {
		var cancelTimeout context.CancelFunc
		ctx, cancelTimeout = context.WithTimeout(ctx, s.timeout)
		outer := cancel
		cancel = func() { cancelTimeout(); outer() }
	}
	run := &Run{Trigger: trigger, Started: time.Now().UTC(), Outcome: OutcomeRunning, Counts: map[string]int{}, Errors: []string{}}
	s.running = true
	s.cancel = cancel
	s.last = run
	s.runs.Add(1)
	s.log.Info("run started", "trigger", trigger, "deadline", s.timeout)
	return &runState{ctx: ctx, cancel: cancel, run: run, crawl: crawl}, nil
}

// finish completes the record of a run and releases the guard.
func (s *Scheduler) finish(rs *runState, outcome string, counts map[string]int, errs []string) Run {
	rs.cancel()
	s.mu.Lock()
	rs.run.Ended = time.Now().UTC()
	rs.run.Outcome = outcome
	maps.Copy(rs.run.Counts, counts)
	rs.run.Errors = append(rs.run.Errors, errs...)
	rs.run.Duration = rs.run.Ended.Sub(rs.run.Started).Seconds()
	r := copyRun(*rs.run)
	s.running = false
	s.cancel = nil
	s.mu.Unlock()
	s.runs.Done()
	s.log.Info("run finished", "trigger", r.Trigger, "outcome", r.Outcome, "duration_seconds", r.Duration,
		"counts", r.Counts, "errors", len(r.Errors))
	return r
}

// execute runs the crawl and the rebuild of a begun run and finishes it.
//
// Policy when the crawl fails as a whole: the run is marked failed. If the
// index is ready, the current generation is kept (the store may be half
// updated, and the generation being served is known good). If the index is
// not ready, a rebuild from whatever the store holds still runs, since
// serving something beats serving nothing. A run whose context ended
// (deadline, Stop, shutdown) does not rebuild.
//
// A panic is recorded as a failed run. For scheduled runs it is re-raised so
// that cron's Recover wrapper logs it; manual runs return it as an error.
func (s *Scheduler) execute(rs *runState) (run Run, err error) {
	counts := map[string]int{}
	var errs []string
	done := false
	defer func() {
		if done {
			return
		}
		r := recover()
		if r == nil { // runtime.Goexit: record it and let the goroutine exit
			s.finish(rs, OutcomeFailed, counts, append(errs, "run goroutine exited"))
			return
		}
		errs = append(errs, fmt.Sprintf("panic: %v", r))
		run = s.finish(rs, OutcomeFailed, counts, errs)
		if rs.run.Trigger == "schedule" {
			panic(r)
		}
		s.log.Error("run panicked", "trigger", rs.run.Trigger, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		err = fmt.Errorf("schedule: %s run panicked: %v", rs.run.Trigger, r)
	}()

	outcome, err := s.steps(rs, counts, &errs)
	done = true
	s.recordIndex(context.WithoutCancel(rs.ctx), rs.index)
	s.loadHistory(context.WithoutCancel(rs.ctx))
	return s.finish(rs, outcome, counts, errs), err
}

// steps runs crawl (when asked for and configured) then rebuild, filling
// counts and errs, and returns the outcome and the first error.
func (s *Scheduler) steps(rs *runState, counts map[string]int, errs *[]string) (string, error) {
	ctx, crawl := rs.ctx, rs.crawl
	var runErr error
	fail := func(err error) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w (the run's deadline is %s)", err, s.timeout)
		}
		*errs = append(*errs, err.Error())
		if runErr == nil {
			runErr = err
		}
	}
	outcome := OutcomeOK
	if crawl && s.crawl != nil {
		c, err := s.crawl(ctx)
		maps.Copy(counts, c)
		if err != nil {
			fail(fmt.Errorf("schedule: crawl: %w", err))
			if ctx.Err() != nil {
				return ctxOutcome(ctx), runErr
			}
			outcome = OutcomeFailed
			if s.ix == nil || s.ix.Status().Ready {
				s.log.Warn("crawl failed; keeping the current generation", "error", err)
				return outcome, runErr
			}
			s.log.Warn("crawl failed and no generation is loaded; rebuilding from the store as it is", "error", err)
		}
	}
	if s.ix == nil {
		return outcome, runErr
	}
	if err := ctx.Err(); err != nil {
		fail(fmt.Errorf("schedule: rebuild: %w", err))
		return ctxOutcome(ctx), runErr
	}
	started := time.Now().UTC()
	rep, err := s.ix.Rebuild(ctx, s.src)
	rs.index = &IndexRun{Started: started, Duration: time.Since(started).Seconds(), Documents: rep.Documents, Generation: rep.Generation, Outcome: OutcomeOK}
	if err != nil {
		fail(err)
		rs.index.Outcome, rs.index.Error = OutcomeFailed, err.Error()
		if ctx.Err() != nil {
			rs.index.Outcome = ctxOutcome(ctx)
			return rs.index.Outcome, runErr
		}
		return OutcomeFailed, runErr
	}
	counts["indexed"] = rep.Documents
	return outcome, runErr
}

// ctxOutcome is the outcome of a run whose context ended: canceled by Stop
// or shutdown, failed when its deadline passed.
func ctxOutcome(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return OutcomeFailed
	}
	return OutcomeCanceled
}

func copyRun(r Run) Run {
	r.Counts = maps.Clone(r.Counts)
	r.Errors = slices.Clone(r.Errors)
	return r
}

// cronLogger adapts slog to cron.Logger. Cron's routine messages (wake,
// schedule, run) go to Debug; a skipped activation is worth Info.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, keysAndValues ...any) {
	if msg == "skip" {
		c.l.Info("scheduled run skipped: the previous one is still running")
		return
	}
	c.l.Debug("cron "+msg, keysAndValues...)
}

func (c cronLogger) Error(err error, msg string, keysAndValues ...any) {
	c.l.Error("cron "+msg, append([]any{"error", err}, keysAndValues...)...)
}
