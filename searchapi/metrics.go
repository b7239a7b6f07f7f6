package searchapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// metricsNamespace prefixes every metric of the service.
const metricsNamespace = "safetysearch"

// runOutcomes are the outcomes of schedule.Run, one gauge series each.
var runOutcomes = []string{schedule.OutcomeRunning, schedule.OutcomeOK, schedule.OutcomeFailed, schedule.OutcomeCanceled}

// metrics holds the request and search instruments; index, schedule and
// result-cache figures are read from the Searcher and Rebuilder at scrape
// time by stateCollector.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	search   prometheus.Histogram
	handler  http.Handler // the exposition of the registry
}

// newMetrics registers the service's collectors, with the Go runtime and
// process collectors, on reg.
func newMetrics(reg *prometheus.Registry, s Searcher, r Rebuilder) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		search: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "search_duration_seconds",
			Help: "Duration of index searches made by the API.", Buckets: prometheus.DefBuckets,
		}),
	}
	cs := []prometheus.Collector{
		m.requests, m.latency, m.search, newStateCollector(s, r),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{Namespace: metricsNamespace}),
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				continue // a shared registry may carry the runtime collectors already
			}
			return nil, fmt.Errorf("searchapi: metrics: %w", err)
		}
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m, nil
}

func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) observeSearch(d time.Duration) { m.search.Observe(d.Seconds()) }

// handleMetrics serves GET /metrics.
func (s *Server) handleMetrics(c *gin.Context) { s.metrics.handler.ServeHTTP(c.Writer, c.Request) }

// resultCacheReporter is a Searcher with a result cache (indexer.Index);
// /metrics then carries the cache's counters.
type resultCacheReporter interface {
	ResultCacheStats() indexer.ResultCacheStats
}

// stateCollector reports the serving index, the schedule, the extraction
// health and the result cache as they are at scrape time. Reading the
// health at scrape time means a source gone from the latest measurement
// has no series left.
type stateCollector struct {
	searcher  Searcher
	rebuilder Rebuilder // nil: no schedule metrics
	cache     resultCacheReporter

	ready, documents, generation, builtAt                        *prometheus.Desc
	running, next, lastOutcome, lastDuration, lastStart, lastErr *prometheus.Desc
	fieldShare                                                   *prometheus.Desc
	cacheDescs                                                   []cacheDesc
}

type cacheDesc struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(indexer.ResultCacheStats) float64
}

func newStateCollector(s Searcher, r Rebuilder) *stateCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(metricsNamespace, "", name), help, labels, nil)
	}
	c := &stateCollector{
		searcher:     s,
		rebuilder:    r,
		ready:        d("index_ready", "1 when an index generation is loaded and answering."),
		documents:    d("index_documents", "Documents in the serving index generation."),
		generation:   d("index_generation_info", "The serving index generation, as a label.", "generation"),
		builtAt:      d("index_built_timestamp_seconds", "Unix time the serving generation was built."),
		running:      d("rebuild_running", "1 while a crawl and rebuild runs."),
		next:         d("rebuild_next_timestamp_seconds", "Unix time of the next scheduled crawl and rebuild."),
		lastOutcome:  d("rebuild_last_outcome", "Outcome of the last crawl and rebuild: 1 for the outcome it had, 0 for the others.", "outcome"),
		lastDuration: d("rebuild_last_duration_seconds", "Duration of the last crawl and rebuild."),
		lastStart:    d("rebuild_last_start_timestamp_seconds", "Unix time the last crawl and rebuild started."),
		lastErr:      d("rebuild_last_errors", "Errors reported by the last crawl and rebuild."),
		fieldShare:   d("extraction_field_share", "Share (0 to 1) of a source's stored articles that have the field, as last measured (at start and after each crawl).", "source", "field"),
	}
	if cr, ok := s.(resultCacheReporter); ok {
		c.cache = cr
		for _, m := range []struct {
			name, help string
			typ        prometheus.ValueType
			value      func(indexer.ResultCacheStats) float64
		}{
			{"search_result_cache_hits_total", "Searches answered from the index's result cache.", prometheus.CounterValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Hits) }},
			{"search_result_cache_coalesced_total", "Searches that waited for an identical running search instead of running it again.", prometheus.CounterValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Coalesced) }},
			{"search_result_cache_misses_total", "Searches computed by the index (and then cached).", prometheus.CounterValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Misses) }},
			{"search_result_cache_evictions_total", "Result cache entries evicted to stay within its bounds.", prometheus.CounterValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Evictions) }},
			{"search_result_cache_autowarmed_total", "Result cache entries seeded into a rebuilt generation before its swap.", prometheus.CounterValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Autowarmed) }},
			{"search_result_cache_entries", "Entries in the serving generation's result cache.", prometheus.GaugeValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Entries) }},
			{"search_result_cache_bytes", "Estimated size of the serving generation's result cache.", prometheus.GaugeValue,
				func(st indexer.ResultCacheStats) float64 { return float64(st.Bytes) }},
		} {
			c.cacheDescs = append(c.cacheDescs, cacheDesc{d(m.name, m.help), m.typ, m.value})
		}
	}
	return c
}

// Describe sends every descriptor the collector may use.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.ready, c.documents, c.generation, c.builtAt,
		c.running, c.next, c.lastOutcome, c.lastDuration, c.lastStart, c.lastErr, c.fieldShare} {
		ch <- d
	}
	for _, cd := range c.cacheDescs {
		ch <- cd.desc
	}
}

// Collect reads the current state.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	st := c.searcher.Status()
	gauge(c.ready, boolFloat(st.Ready))
	gauge(c.documents, float64(st.Documents))
	if st.Generation != "" {
		gauge(c.generation, 1, st.Generation)
	}
	if !st.BuiltAt.IsZero() {
		gauge(c.builtAt, unixSeconds(st.BuiltAt))
	}
	if c.cache != nil {
		cs := c.cache.ResultCacheStats()
		for _, cd := range c.cacheDescs {
			ch <- prometheus.MustNewConstMetric(cd.desc, cd.typ, cd.value(cs))
		}
	}
	if c.rebuilder == nil {
		return
	}
	rs := c.rebuilder.Status()
	gauge(c.running, boolFloat(rs.Running))
	if !rs.Next.IsZero() {
		gauge(c.next, unixSeconds(rs.Next))
	}
	if h := rs.ExtractionHealth; h != nil {
		for _, src := range h.Sources {
			for _, f := range health.Fields {
				gauge(c.fieldShare, src.Shares[f], src.Source, f)
			}
		}
	}
	if rs.Last == nil {
		return
	}
	outcomes := runOutcomes
	if !slices.Contains(outcomes, rs.Last.Outcome) && rs.Last.Outcome != "" {
		outcomes = append(slices.Clone(outcomes), rs.Last.Outcome)
	}
	for _, o := range outcomes {
		gauge(c.lastOutcome, boolFloat(o == rs.Last.Outcome), o)
	}
	gauge(c.lastDuration, rs.Last.Duration)
	gauge(c.lastStart, unixSeconds(rs.Last.Started))
	gauge(c.lastErr, float64(len(rs.Last.Errors)))
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// requireMetricsToken lets a scrape through only with the configured
// metrics token (compared in constant time), when one is configured.
func (s *Server) requireMetricsToken(c *gin.Context) {
	if s.cfg.MetricsToken == "" {
		c.Next()
		return
	}
	token, ok := bearerToken(c.GetHeader("Authorization"))
	given := sha256.Sum256([]byte(token))
	if subtle.ConstantTimeCompare(given[:], s.metricsHash[:]) != 1 || !ok {
		c.Writer.Header().Set("WWW-Authenticate", `Bearer realm="safetysearch-metrics"`)
		s.fail(c, errUnauthorized)
		return
	}
	c.Next()
}

// MetricsHandler serves the metrics alone, for a listener of its own
// (Config.MetricsElsewhere); it does not ask for MetricsToken, since the
// listener's address is what restricts it.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler)
	return mux
}
