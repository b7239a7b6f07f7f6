package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/synthetic"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/schedule"
	"github.com/safetysearch/safetysearch/searchapi"
)

const benchToken = "bench-admin-token"

func newChildFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet("child "+name, flag.ContinueOnError)
}

// childServe serves the API over an already built index on a loopback port,
// printing "ADDR host:port", until SIGTERM. Rebuilds triggered through the
// admin route re-read the synthetic corpus. With -cpuprofile it writes a
// CPU profile of the whole time it served.
func childServe(ctx context.Context, args []string) error {
	var dir, cpuprofile string
	var n int
	var seed int64
	fs := newChildFlags("serve")
	fs.StringVar(&dir, "dir", "", "")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "")
	fs.IntVar(&n, "n", 0, "")
	fs.Int64Var(&seed, "seed", 0, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	gin.SetMode(gin.ReleaseMode)
	// Failed requests are counted by the load generator; the child logs
	// only what stops it.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError + 4}))
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// Rebuilds run in a child process with one core fewer than the machine
	// and nice 10, as safetysearch serve does by default (rebuild_procs).
	builder := &indexer.ProcessBuilder{Path: exe, Args: []string{"child", "build-generation"},
		MaxProcs: max(1, runtime.NumCPU()-1), Nice: 10, Stderr: os.Stderr}
	// The result cache is off (result_cache_entries -1): the load steps
	// compare the engines' work with the peer's, which caches nothing.
	ix, err := indexer.Open(ctx, indexer.Config{Dir: filepath.Join(dir, "index"), Builder: builder,
		ResultCache: indexer.ResultCacheConfig{Entries: -1}}, logger)
	if err != nil {
		return err
	}
	defer ix.Close()
	sched, err := schedule.New(ctx, schedule.Config{Spec: "off"}, nil, ix, synthetic.Corpus{Seed: seed, N: n}, logger)
	if err != nil {
		return err
	}
	h, err := searchapi.New(searchapi.Config{AdminToken: benchToken, RateLimit: -1}, ix, sched, logger)
	if err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return errors.Join(err, stopProfile())
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("ADDR %s\n", l.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return errors.Join(fmt.Errorf("serve: %w", err), stopProfile())
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(sctx), sched.Stop(sctx), stopProfile())
}

// loadStep is one open-loop run at a fixed rate.
type loadStep struct {
	Engine   string // the server: safetysearch or sqlite
	Name     string
	Rate     int
	Sent     int
	Errors   int
	Seconds  float64
	P50, P99 time.Duration
	// The server's result cache over the step, read from /metrics before
	// and after it: searches answered from the cache (or by waiting for an
	// identical running search) and searches computed. CacheKnown is false
	// when /metrics did not report them (e.g. the healthz steps).
	CacheHits, CacheMisses uint64
	CacheKnown             bool
}

// hitRatio is the share of the step's searches served from the cache, as
// text: "–" when unknown.
func (s loadStep) hitRatio() string {
	if !s.CacheKnown || s.CacheHits+s.CacheMisses == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(s.CacheHits)/float64(s.CacheHits+s.CacheMisses))
}

// cacheCounters are the result cache counters /metrics reports.
type cacheCounters struct {
	hits, misses uint64
	searchSum    float64 // search_duration_seconds_sum
	searchCount  uint64  // search_duration_seconds_count
}

// scrapeCache reads the result cache counters and the search duration
// totals from /metrics; false when they are not there.
func scrapeCache(ctx context.Context, client *http.Client, base string) (cacheCounters, bool) {
	var c cacheCounters
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := client.Do(req)
	if err != nil {
		return c, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return c, false
	}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			continue
		}
		switch name {
		case "safetysearch_search_result_cache_hits_total", "safetysearch_search_result_cache_coalesced_total":
			c.hits += uint64(v)
			found++
		case "safetysearch_search_result_cache_misses_total":
			c.misses = uint64(v)
			found++
		case "safetysearch_search_duration_seconds_sum":
			c.searchSum = v
		case "safetysearch_search_duration_seconds_count":
			c.searchCount = uint64(v)
		}
	}
	return c, found == 3
}

// withCache runs one load step and adds the server's cache counters over
// it; the second value is the step's mean server-side search time (0 when
// unknown).
func withCache(ctx context.Context, client *http.Client, base string, run func() loadStep) (loadStep, time.Duration) {
	before, ok1 := scrapeCache(ctx, client, base)
	st := run()
	after, ok2 := scrapeCache(ctx, client, base)
	if !ok1 || !ok2 {
		return st, 0
	}
	st.CacheKnown = true
	st.CacheHits, st.CacheMisses = after.hits-before.hits, after.misses-before.misses
	var mean time.Duration
	if n := after.searchCount - before.searchCount; n > 0 {
		mean = time.Duration((after.searchSum - before.searchSum) / float64(n) * float64(time.Second))
	}
	return st, mean
}

// label names the step with its engine, for charts.
func (s loadStep) label() string { return strings.TrimSpace(s.Engine + " " + s.Name) }

func (s loadStep) throughput() float64 { return float64(s.Sent-s.Errors) / s.Seconds }

// sustained is the rate at which requests were answered over the step's
// schedule (Sent requests at Rate per second): Rate exactly when every
// request was answered. throughput divides by the time until the last
// answer instead, which adds the last request's latency, so a server that
// kept up with 300/s reads 299.x there.
func (s loadStep) sustained() float64 {
	if s.Rate == 0 || s.Sent == 0 {
		return 0
	}
	return float64(s.Sent-s.Errors) / (float64(s.Sent) / float64(s.Rate))
}

// openLoop sends requests at a fixed rate whatever the server's pace (so a
// slow server cannot slow the load down and hide its latency: latency is
// measured from each request's scheduled start). At most maxInFlight run at
// once; a request that cannot start is counted as an error.
func openLoop(ctx context.Context, client *http.Client, urls []string, rate int, dur time.Duration, name string) loadStep {
	const maxInFlight = 1024
	step := loadStep{Name: name, Rate: rate}
	interval := time.Second / time.Duration(rate)
	total := int(dur / interval)
	var mu sync.Mutex
	var lat latencies
	var errs atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxInFlight)
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		select {
		case sem <- struct{}{}:
		default:
			errs.Add(1)
			continue
		}
		wg.Add(1)
		u := urls[i%len(urls)]
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(rctx, http.MethodGet, u, nil)
			resp, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			d := time.Since(due)
			if err != nil {
				errs.Add(1)
				return
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	step.Sent = total
	step.Errors = int(errs.Load())
	step.Seconds = time.Since(start).Seconds()
	step.P50, step.P99 = lat.percentile(50), lat.percentile(99)
	return step
}

// standardURL is the standard page query as an API request.
func standardURL(base string, q benchQuery) string {
	v := url.Values{}
	v.Set("q", q.text())
	for _, r := range q.Regions {
		v.Add("region", r)
	}
	for _, a := range q.Audience {
		v.Add("audience", a)
	}
	v.Set("per_page", strconv.Itoa(q.Size))
	return base + "/api/v1/search?" + v.Encode()
}

// processCPU is a process's user + system CPU time so far, from
// /proc/<pid>/stat (in clock ticks of 1/100 s, Linux's USER_HZ).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat format")
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// settle waits until the server answers a search promptly again (or max).
func settle(ctx context.Context, client *http.Client, base string, maxWait time.Duration) {
	deadline := time.Now().Add(maxWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		t := time.Now()
		resp, err := client.Get(base + "/api/v1/search?q=patient")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && time.Since(t) < time.Second {
				return
			}
		}
		time.Sleep(time.Second)
	}
}

func mergeSteps(steps []loadStep, name string) loadStep {
	out := loadStep{Name: name, CacheKnown: len(steps) > 0}
	var p99 time.Duration
	for _, s := range steps {
		out.CacheHits += s.CacheHits
		out.CacheMisses += s.CacheMisses
		out.CacheKnown = out.CacheKnown && s.CacheKnown
		out.Rate = s.Rate
		out.Sent += s.Sent
		out.Errors += s.Errors
		out.Seconds += s.Seconds
		out.P50 = max(out.P50, s.P50) // conservative: the worst window
		p99 = max(p99, s.P99)
	}
	out.P99 = p99
	return out
}

func adminStatus(ctx context.Context, client *http.Client, base string) (searchapi.AdminStatus, error) {
	var st searchapi.AdminStatus
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/admin/status", nil)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	resp, err := client.Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("admin status: %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func idleGeneration(ctx context.Context, client *http.Client, base string) string {
	st, err := adminStatus(ctx, client, base)
	if err != nil {
		return ""
	}
	return st.Generation
}

// idleSeconds is the shortest idle baseline of the rebuild comparison.
const idleSeconds = 30

// childrenPeakRSS is the largest VmHWM of pid's child processes now (the
// rebuild child of the server), 0 when it has none.
func childrenPeakRSS(pid int) int64 {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var peak int64
	for _, t := range tasks {
		raw, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(raw)) {
			if c, err := strconv.Atoi(f); err == nil {
				if rss, err := peakRSS(c); err == nil {
					peak = max(peak, rss)
				}
			}
		}
	}
	return peak
}

// peakRSS reads a process's high-water resident set (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) { return procStatus(pid, "VmHWM") }

// procStatus reads one size field of /proc/<pid>/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, err := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// rssPeak is the largest anonymous (heap), file-backed (mapped index
// files) and total resident sizes of a process, sampled.
type rssPeak struct{ Anon, File, Total int64 }

// rssSampler records a process's rssPeak, sampled every 250 ms, until
// stop (which may be called more than once): VmHWM gives only the largest
// sum, not its parts.
func rssSampler(pid int) (stop func() rssPeak) {
	done := make(chan struct{})
	var peak rssPeak
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			a, errA := procStatus(pid, "RssAnon")
			f, errF := procStatus(pid, "RssFile")
			if errA == nil && errF == nil {
				peak.Anon, peak.File, peak.Total = max(peak.Anon, a), max(peak.File, f), max(peak.Total, a+f)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() rssPeak {
		once.Do(func() { close(done) })
		<-finished
		return peak
	}
}
