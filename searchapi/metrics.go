package searchapi

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// This file writes the Prometheus text exposition format 0.0.4 by hand:
// a few counters, histograms and gauges, HELP and TYPE lines for each
// family, label values escaped, families and series in a stable order.

const contentTypeMetrics = "text/plain; version=0.0.4; charset=utf-8"

// durationBuckets are the upper bounds (seconds) of the latency
// histograms, Prometheus' default buckets.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// runOutcomes are the outcomes of indexer.Run, one gauge series each.
var runOutcomes = []string{"running", "ok", "failed", "canceled"}

type requestKey struct {
	route, method string
	status        int
}

// histogram counts observations per bucket (not cumulative; the writer
// accumulates).
type histogram struct {
	counts []uint64 // len(durationBuckets)+1, the last is +Inf only
	sum    float64
	count  uint64
}

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, len(durationBuckets)+1)}
}

func (h *histogram) observe(v float64) {
	i, _ := slices.BinarySearch(durationBuckets, v) // first bound ≥ v
	h.counts[i]++
	h.sum += v
	h.count++
}

// metrics holds the server's counters. Index and schedule gauges are read
// from the Searcher and Rebuilder at scrape time.
type metrics struct {
	mu       sync.Mutex
	requests map[requestKey]uint64
	latency  map[string]*histogram // by route
	search   *histogram
}

func newMetrics() *metrics {
	return &metrics{
		requests: make(map[requestKey]uint64),
		latency:  make(map[string]*histogram),
		search:   newHistogram(),
	}
}

func (m *metrics) observeRequest(route, method string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[requestKey{route, method, status}]++
	h := m.latency[route]
	if h == nil {
		h = newHistogram()
		m.latency[route] = h
	}
	h.observe(d.Seconds())
}

func (m *metrics) observeSearch(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.search.observe(d.Seconds())
}

// handleMetrics serves GET /metrics.
func (s *Server) handleMetrics(c *gin.Context) {
	var b bytes.Buffer
	s.metrics.write(&b)
	writeIndexMetrics(&b, s.searcher.Status(), s.rebuilder)
	if r, ok := s.searcher.(resultCacheReporter); ok {
		writeResultCacheMetrics(&b, r.ResultCacheStats())
	}
	c.Data(http.StatusOK, contentTypeMetrics, b.Bytes())
}

// write appends the request and search families.
func (m *metrics) write(b *bytes.Buffer) {
	m.mu.Lock()
	defer m.mu.Unlock()

	family(b, "http_requests_total", "counter", "HTTP requests answered, by route pattern, method and status.")
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b requestKey) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		if c := strings.Compare(a.method, b.method); c != 0 {
			return c
		}
		return a.status - b.status
	})
	for _, k := range keys {
		sample(b, "http_requests_total", labels("route", k.route, "method", k.method, "status", strconv.Itoa(k.status)), float64(m.requests[k]))
	}

	family(b, "http_request_duration_seconds", "histogram", "HTTP request latency by route pattern.")
	for _, route := range sortedKeys(m.latency) {
		writeHistogram(b, "http_request_duration_seconds", []string{"route", route}, m.latency[route])
	}

	family(b, "search_duration_seconds", "histogram", "Duration of index searches made by the API.")
	writeHistogram(b, "search_duration_seconds", nil, m.search)
}

// writeIndexMetrics appends the index gauges and, with a Rebuilder, the
// schedule and last-run gauges.
func writeIndexMetrics(b *bytes.Buffer, st indexer.Status, r Rebuilder) {
	family(b, "index_ready", "gauge", "1 when an index generation is loaded and answering.")
	sample(b, "index_ready", "", boolFloat(st.Ready))
	family(b, "index_documents", "gauge", "Documents in the serving index generation.")
	sample(b, "index_documents", "", float64(st.Documents))
	family(b, "index_generation_info", "gauge", "The serving index generation, as a label.")
	if st.Generation != "" {
		sample(b, "index_generation_info", labels("generation", st.Generation), 1)
	}
	if !st.BuiltAt.IsZero() {
		family(b, "index_built_timestamp_seconds", "gauge", "Unix time the serving generation was built.")
		sample(b, "index_built_timestamp_seconds", "", unixSeconds(st.BuiltAt))
	}
	if r == nil {
		return
	}
	rs := r.Status()
	family(b, "rebuild_running", "gauge", "1 while a crawl and rebuild runs.")
	sample(b, "rebuild_running", "", boolFloat(rs.Running))
	if !rs.Next.IsZero() {
		family(b, "rebuild_next_timestamp_seconds", "gauge", "Unix time of the next scheduled crawl and rebuild.")
		sample(b, "rebuild_next_timestamp_seconds", "", unixSeconds(rs.Next))
	}
	if rs.Last == nil {
		return
	}
	family(b, "rebuild_last_outcome", "gauge", "Outcome of the last crawl and rebuild: 1 for the outcome it had, 0 for the others.")
	outcomes := runOutcomes
	if !slices.Contains(outcomes, rs.Last.Outcome) && rs.Last.Outcome != "" {
		outcomes = append(slices.Clone(outcomes), rs.Last.Outcome)
	}
	for _, o := range outcomes {
		sample(b, "rebuild_last_outcome", labels("outcome", o), boolFloat(o == rs.Last.Outcome))
	}
	family(b, "rebuild_last_duration_seconds", "gauge", "Duration of the last crawl and rebuild.")
	sample(b, "rebuild_last_duration_seconds", "", rs.Last.Duration)
	family(b, "rebuild_last_start_timestamp_seconds", "gauge", "Unix time the last crawl and rebuild started.")
	sample(b, "rebuild_last_start_timestamp_seconds", "", unixSeconds(rs.Last.Started))
	family(b, "rebuild_last_errors", "gauge", "Errors reported by the last crawl and rebuild.")
	sample(b, "rebuild_last_errors", "", float64(len(rs.Last.Errors)))
}

// resultCacheReporter is a Searcher with a result cache (indexer.Index);
// /metrics then carries the cache's counters.
type resultCacheReporter interface {
	ResultCacheStats() indexer.ResultCacheStats
}

// writeResultCacheMetrics appends the result cache families.
func writeResultCacheMetrics(b *bytes.Buffer, st indexer.ResultCacheStats) {
	for _, m := range []struct {
		name, typ, help string
		v               float64
	}{
		{"search_result_cache_hits_total", "counter", "Searches answered from the index's result cache.", float64(st.Hits)},
		{"search_result_cache_coalesced_total", "counter", "Searches that waited for an identical running search instead of running it again.", float64(st.Coalesced)},
		{"search_result_cache_misses_total", "counter", "Searches computed by the index (and then cached).", float64(st.Misses)},
		{"search_result_cache_evictions_total", "counter", "Result cache entries evicted to stay within its bounds.", float64(st.Evictions)},
		{"search_result_cache_autowarmed_total", "counter", "Result cache entries seeded into a rebuilt generation before its swap.", float64(st.Autowarmed)},
		{"search_result_cache_entries", "gauge", "Entries in the serving generation's result cache.", float64(st.Entries)},
		{"search_result_cache_bytes", "gauge", "Estimated size of the serving generation's result cache.", float64(st.Bytes)},
	} {
		family(b, m.name, m.typ, m.help)
		sample(b, m.name, "", m.v)
	}
}

func writeHistogram(b *bytes.Buffer, name string, lbl []string, h *histogram) {
	var cum uint64
	for i, bound := range durationBuckets {
		cum += h.counts[i]
		sample(b, name+"_bucket", labels(append(slices.Clone(lbl), "le", formatFloat(bound))...), float64(cum))
	}
	cum += h.counts[len(durationBuckets)]
	sample(b, name+"_bucket", labels(append(slices.Clone(lbl), "le", "+Inf")...), float64(cum))
	sample(b, name+"_sum", labels(lbl...), h.sum)
	sample(b, name+"_count", labels(lbl...), float64(h.count))
}

func family(b *bytes.Buffer, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

func sample(b *bytes.Buffer, name, labels string, v float64) {
	b.WriteString(name)
	b.WriteString(labels)
	b.WriteByte(' ')
	b.WriteString(formatFloat(v))
	b.WriteByte('\n')
}

// labels renders name/value pairs as {a="x",b="y"}; "" for none.
func labels(kv ...string) string {
	if len(kv) == 0 {
		return ""
	}
	var sb strings.Builder
	sb.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(kv[i])
		sb.WriteString(`="`)
		sb.WriteString(escapeLabel(kv[i+1]))
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
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
