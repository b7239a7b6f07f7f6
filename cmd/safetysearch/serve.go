package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/schedule"
	"github.com/safetysearch/safetysearch/searchapi"
)

// Shutdown bounds.
const (
	schedulerStopTimeout = 30 * time.Second // wait for a running crawl + rebuild to stop
	httpDrainTimeout     = 10 * time.Second // wait for requests in flight
)

// demoCrawlDelay is the politeness delay against the demo's own loopback
// server.
const demoCrawlDelay = 10 * time.Millisecond

// serveOptions are the flags of `serve` that are not settings.
type serveOptions struct {
	demo     bool
	demoSite string
}

func defineServe(m *Main, fs *flag.FlagSet) {
	fs.BoolVar(&m.serve.demo, "demo", false, "serve the sample hub of testdata/site: crawl it from a loopback port, index it and serve search (no network needed)")
	fs.StringVar(&m.serve.demoSite, "demo-site", DefaultDemoSite, "`DIR` of the sample hub for --demo")
}

// runServe serves the API until ctx is canceled (SIGINT/SIGTERM), crawling
// and rebuilding on the schedule, then shuts down in order: scheduler (a
// running crawl is canceled), HTTP (drained), index, store.
func (m *Main) runServe(ctx context.Context) error {
	log := m.logger.With("component", "serve")
	if m.Getenv("GIN_MODE") == "" {
		gin.SetMode(gin.ReleaseMode) // no route dump on stdout
	}
	if m.serve.demo {
		if err := m.setUpDemo(); err != nil {
			return err
		}
	}
	cfg := m.cfg
	st, err := m.openStore(false)
	if err != nil {
		return err
	}
	ix, err := m.openIndex(ctx, m.rebuildBuilder())
	if err != nil {
		return err
	}
	// With no sources, runs only rebuild from the store (crawl nil). A
	// crawl hands its extraction health to sched, assigned below before any
	// run can start.
	var (
		crawl schedule.CrawlFunc
		sched *schedule.Scheduler
	)
	if len(cfg.Sources) > 0 {
		cc, err := m.crawlerConfig()
		if err != nil {
			return err
		}
		crawl = func(ctx context.Context) (map[string]int, error) {
			c, err := crawler.New(cc, st, m.logger)
			if err != nil {
				return nil, err
			}
			sum, err := withHealthCheck(ctx, st, m.logger, func(r health.Report) { sched.SetHealth(r) },
				func() (crawler.Summary, error) { return c.Run(ctx, nil) })
			return sum.Counts(), err
		}
	}
	// The scheduler's root context is not ctx: a signal must not cancel a
	// run behind the scheduler's back; Stop cancels it and waits.
	schedCtx, cancelSched := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSched()
	sched, err = schedule.New(schedCtx, schedule.Config{Spec: cfg.Schedule, Timeout: cfg.RunTimeout, History: storeHistory{st}}, crawl, ix, st, m.logger)
	if err != nil {
		return &usageError{err: fmt.Errorf("config: schedule %q, run_timeout %s: %w", cfg.Schedule, cfg.RunTimeout, err)}
	}

	api, err := searchapi.New(cfg.apiConfig(), ix, sched, m.logger)
	if err != nil {
		return &usageError{err: err}
	}
	stopMetrics, err := m.serveMetrics(api, log)
	if err != nil {
		return err
	}
	defer stopMetrics()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s (setting addr): %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	log.Info("serving", "url", base, "data_dir", cfg.DataDir, "schedule", cfg.Schedule, "sources", len(cfg.Sources))
	m.printWelcome(base)

	// The status shows the extraction health of what is stored from the
	// start, not only after the first crawl. Measuring walks the store, so
	// it runs beside the startup run rather than before it.
	healthCtx, stopHealth := context.WithCancel(ctx)
	defer stopHealth()
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		rep, err := startupHealth(healthCtx, st)
		switch {
		case healthCtx.Err() != nil: // shutting down
		case err != nil:
			log.Warn("cannot measure extraction health at start", "err", err)
		default:
			sched.SetHealth(rep)
		}
	}()

	// Startup: crawl when nothing is stored yet (always in the demo);
	// otherwise rebuild from the store when the index needs it. Both go
	// through the scheduler, so the status shows them and a run asked for
	// meanwhile is refused.
	stored, err := st.Count(ctx)
	if err != nil {
		log.Error("count stored articles", "err", err)
	}
	switch {
	case crawl != nil && (m.serve.demo || stored == 0):
		if err := sched.Trigger("startup"); err != nil {
			log.Error("startup crawl", "err", err)
		}
	case stored > 0 && ix.NeedsRebuild():
		log.Info("rebuilding the index from the store", "articles", stored)
		if err := sched.TriggerRebuild("startup"); err != nil {
			log.Error("startup rebuild", "err", err)
		}
	default:
		if stored == 0 && crawl == nil {
			log.Warn("nothing is stored and no sources are configured: searches will find nothing; pass --source URL or run `safetysearch crawl`")
		}
	}
	sched.Start()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: a second signal exits at once")
	case err := <-serveErr:
		if !errIsClosed(err) {
			runErr = fmt.Errorf("serve: %w", err)
		}
	}

	stopHealth()
	<-healthDone
	stopCtx, cancel := context.WithTimeout(context.Background(), schedulerStopTimeout)
	defer cancel()
	if err := sched.Stop(stopCtx); err != nil {
		log.Warn("scheduler did not stop in time", "err", err)
	}
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), httpDrainTimeout)
	defer cancelDrain()
	if err := srv.Shutdown(drainCtx); err != nil {
		log.Warn("HTTP drain incomplete", "err", err)
		_ = srv.Close()
	}
	// The index and the store are closed by m.Close, index first.
	log.Info("stopped")
	return runErr
}

// setUpDemo starts the sample hub on a loopback port and points the
// configuration at it: a temporary data directory unless one was set, a
// short crawl delay, no schedule unless one was set, and a random admin
// token unless one was set.
func (m *Main) setUpDemo() error {
	dir, err := findDemoSite(m.serve.demoSite)
	if err != nil {
		return &usageError{err: err}
	}
	site, err := startDemoSite(dir, m.logger)
	if err != nil {
		return err
	}
	m.onClose(site.Close)
	c := &m.cfg
	if _, set := c.origin["data_dir"]; !set {
		tmp, err := os.MkdirTemp("", "safetysearch-demo-")
		if err != nil {
			return fmt.Errorf("demo: temporary data directory: %w", err)
		}
		m.onClose(func() error { return os.RemoveAll(tmp) })
		c.DataDir = tmp
	}
	c.Sources = []SourceSetting{{Name: "demo", URL: site.URL + "/", Publisher: "Patient Safety Learning", Documents: string(crawler.DocumentsLinked)}}
	pubs, err := demoPublisherSources(dir, m.logger, m.onClose)
	if err != nil {
		return err
	}
	c.Sources = append(c.Sources, pubs...)
	c.AllowPrivateNetworks = true
	if _, set := c.origin["crawl_delay"]; !set {
		c.CrawlDelay = demoCrawlDelay
	}
	if _, set := c.origin["schedule"]; !set {
		c.Schedule = ScheduleOff
	}
	if c.AdminToken == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		c.AdminToken = hex.EncodeToString(b)
		m.demoToken = true
	}
	m.logger.Info("demo: serving the sample hub", "site", site.URL, "fixtures", dir, "publishers", len(pubs), "data_dir", c.DataDir)
	return nil
}

// printWelcome tells a person what to open.
func (m *Main) printWelcome(base string) {
	if !m.serve.demo {
		fmt.Fprintf(m.Stdout, "safetysearch serving on %s\n", base)
		return
	}
	fmt.Fprintf(m.Stdout, `safetysearch demo: crawling and indexing the sample hub and publishers; ready when %s/readyz says so.
  Open:    %s/
  Search:  curl '%s/api/v1/search?q=patient+safety&region=UK&audience=Everyone'
`, base, base, base)
	if m.demoToken {
		fmt.Fprintf(m.Stdout, "  Admin:   curl -H 'Authorization: Bearer %s' %s/api/v1/admin/status\n", m.cfg.AdminToken, base)
	}
	fmt.Fprintf(m.Stdout, "  Stop:    Ctrl-C\n")
}

// errIsClosed reports a listener closed by Shutdown.
func errIsClosed(err error) bool { return errors.Is(err, http.ErrServerClosed) }
