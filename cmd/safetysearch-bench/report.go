package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/relevance"
)

type peerBuild struct {
	Peer  string
	Stats buildStats
}

type peerQuery struct {
	Peer          string
	Class         string
	N             int
	P50, P90, P99 time.Duration
	Overlap       float64
	HasOverlap    bool
}

type peerRelevance struct {
	Peer   string
	Report relevance.Report
	Errors []string
}

type rebuildLoad struct {
	Idle, During                      loadStep
	GenerationBefore, GenerationAfter string
}

type report struct {
	opts              options
	machine           string
	started, finished time.Time
	builds            []peerBuild
	queries           int
	latency           []peerQuery
	http              []loadStep
	rebuild           *rebuildLoad
	serveRSS          int64
	builderRSS        int64 // the server's rebuild child, sampled every 2 s
	serveAnon         int64 // the server's largest anonymous RSS (sampled)
	serveFile         int64 // the server's largest file-backed RSS (sampled)
	relevance         []peerRelevance
	notes             []string
}

// floors are safetysearch's nDCG@10 regression floors, just under what its
// BM25 measures on each collection and above a plain SQLite FTS5 bm25
// OR-query; the figures move by a few thousandths between builds because
// the two batch writers finish in either order and the segments differ.
var floors = map[string]float64{"med": 0.705, "cf": 0.485}

func describeMachine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		mem = strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1] + " kB RAM"
	}
	return fmt.Sprintf("%s, %d CPUs, GOMAXPROCS %d, %s, %s/%s, %s", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func versions() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var parts []string
	for _, d := range bi.Deps {
		switch d.Path {
		case "github.com/blevesearch/bleve/v2", "github.com/gin-gonic/gin", "modernc.org/sqlite", "github.com/jackc/pgx/v5":
			parts = append(parts, d.Path+" "+d.Version)
		}
	}
	return strings.Join(parts, ", ")
}

func bytesHuman(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

func (r *report) build(peer string) (buildStats, bool) {
	for _, b := range r.builds {
		if b.Peer == peer {
			return b.Stats, true
		}
	}
	return buildStats{}, false
}

func (r *report) lat(peer, class string) (peerQuery, bool) {
	for _, l := range r.latency {
		if l.Peer == peer && l.Class == class {
			return l, true
		}
	}
	return peerQuery{}, false
}

// table is the side-by-side summary printed at the end of a run.
func (r *report) table() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	base, _ := r.build("safetysearch")
	fmt.Fprintln(w, "BUILD\tarticles/s\tMB/s\tratio MB/s\tdisk\tpeak RSS\tseconds")
	for _, pb := range r.builds {
		s := pb.Stats
		mbs := float64(s.TextBytes) / 1e6 / s.Seconds
		fmt.Fprintf(w, "%s\t%.0f\t%.2f\t%s\t%s\t%s\t%.1f\n", pb.Peer, float64(s.Docs)/s.Seconds, mbs,
			fmtRatio(ratio(mbs, float64(base.TextBytes)/1e6/base.Seconds)), bytesHuman(s.DiskBytes), bytesHuman(s.PeakRSS), s.Seconds)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "QUERY (ms)\tpeer\tp50\tp90\tp99\tp99 / safetysearch\ttop-10 overlap\tn")
	for _, c := range classes {
		ss, _ := r.lat("safetysearch", c)
		for _, l := range r.latency {
			if l.Class != c {
				continue
			}
			ov := "–"
			if l.HasOverlap {
				ov = fmt.Sprintf("%.2f", l.Overlap)
			}
			fmt.Fprintf(w, "%s\t%s\t%.2f\t%.2f\t%.2f\t%s\t%s\t%d\n", c, l.Peer, ms(l.P50), ms(l.P90), ms(l.P99), fmtRatio(ratio(ms(l.P99), ms(ss.P99))), ov, l.N)
		}
	}
	if len(r.http) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "HTTP\trate/s\tthroughput/s\tp50 ms\tp99 ms\terrors\tsent\tcache hits")
		for _, s := range r.http {
			fmt.Fprintf(w, "%s\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%s\n", s.Name, s.Rate, s.throughput(), ms(s.P50), ms(s.P99), s.Errors, s.Sent, s.hitRatio())
		}
		if r.rebuild != nil {
			for _, s := range []loadStep{r.rebuild.Idle, r.rebuild.During} {
				fmt.Fprintf(w, "%s\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%s\n", s.Name, s.Rate, s.throughput(), ms(s.P50), ms(s.P99), s.Errors, s.Sent, s.hitRatio())
			}
		}
		if r.serveRSS > 0 {
			fmt.Fprintf(w, "serving peak RSS\t%s\n", bytesHuman(r.serveRSS))
			if r.serveAnon > 0 {
				fmt.Fprintf(w, "  of which\tanonymous (heap) ≤ %s, file-backed (mapped index) ≤ %s (peaks sampled every 250 ms)\n", bytesHuman(r.serveAnon), bytesHuman(r.serveFile))
			}
			if r.builderRSS > 0 {
				fmt.Fprintf(w, "rebuild child peak RSS\t%s (sampled every 2 s)\n", bytesHuman(r.builderRSS))
			}
		}
	}
	if len(r.relevance) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "RELEVANCE\tpeer\tnDCG@10\tMAP\tP@10\tR@100\tqueries\terrors")
		for _, pr := range r.relevance {
			x := pr.Report
			fmt.Fprintf(w, "%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%d\t%d\n", x.Collection, pr.Peer, x.NDCG, x.MAP, x.Precision, x.Recall, x.Queries, len(pr.Errors))
		}
	}
	w.Flush()
	return b.String()
}

// targets lists the targets with met / missed and by how much.
func (r *report) targets() []string {
	var out []string
	check := func(name string, ok bool, detail string) {
		mark := "met"
		if !ok {
			mark = "MISSED"
		}
		out = append(out, fmt.Sprintf("- %s: **%s** (%s)", name, mark, detail))
	}
	ss, okS := r.lat("safetysearch", "standard")
	sq, okQ := r.lat("sqlite", "standard") // peers are named as on the command line
	if okS && okQ {
		check("standard query p50 ≤ SQLite FTS5's", ss.P50 <= sq.P50, fmt.Sprintf("%.2f ms vs %.2f ms, %s", ms(ss.P50), ms(sq.P50), fmtRatio(ratio(ms(ss.P50), ms(sq.P50)))))
		check("standard query p99 ≤ SQLite FTS5's", ss.P99 <= sq.P99, fmt.Sprintf("%.2f ms vs %.2f ms, %s", ms(ss.P99), ms(sq.P99), fmtRatio(ratio(ms(ss.P99), ms(sq.P99)))))
	}
	for _, c := range classes {
		if c == "standard" {
			continue
		}
		mine, ok := r.lat("safetysearch", c)
		if !ok {
			continue
		}
		best := time.Duration(0)
		bestPeer := ""
		for _, l := range r.latency {
			if l.Class == c && l.Peer != "safetysearch" && (bestPeer == "" || l.P99 < best) {
				best, bestPeer = l.P99, l.Peer
			}
		}
		if bestPeer != "" {
			check(fmt.Sprintf("%s p99 within 1.5× of the best peer", c), float64(mine.P99) <= 1.5*float64(best),
				fmt.Sprintf("%.2f ms vs %s %.2f ms, %s", ms(mine.P99), bestPeer, ms(best), fmtRatio(ratio(ms(mine.P99), ms(best)))))
		}
	}
	if bs, ok := r.build("safetysearch"); ok {
		if bq, ok := r.build("sqlite"); ok {
			a, b := float64(bs.TextBytes)/bs.Seconds, float64(bq.TextBytes)/bq.Seconds
			check("build throughput ≥ half of SQLite FTS5's", a >= b/2, fmt.Sprintf("%.2f vs %.2f MB/s, %s", a/1e6, b/1e6, fmtRatio(ratio(a, b))))
		}
	}
	for _, s := range r.http {
		if s.Name == "standard" && s.Rate >= 300 {
			check(fmt.Sprintf("HTTP standard query at %d/s: ≥300 req/s, p99 ≤ 100 ms, zero errors", s.Rate),
				s.sustained() >= 300 && s.P99 <= 100*time.Millisecond && s.Errors == 0,
				fmt.Sprintf("%.1f req/s sustained (%.1f/s until the last answer), p99 %.1f ms, %d errors; cycling through the bench's standard queries, %s of them from the result cache",
					s.sustained(), s.throughput(), ms(s.P99), s.Errors, s.hitRatio()))
		}
	}
	if rb := r.rebuild; rb != nil {
		check("during a rebuild: zero errors and p99 ≤ 2× idle", rb.During.Errors == 0 && rb.During.P99 <= 2*rb.Idle.P99,
			fmt.Sprintf("%d errors, p99 %.1f ms vs idle %.1f ms (%s), generation %s → %s; from the result cache: %s during, %s idle", rb.During.Errors, ms(rb.During.P99), ms(rb.Idle.P99),
				fmtRatio(ratio(ms(rb.During.P99), ms(rb.Idle.P99))), rb.GenerationBefore, rb.GenerationAfter, rb.During.hitRatio(), rb.Idle.hitRatio()))
	}
	for _, coll := range []string{"med", "cf"} {
		var mine, lite *relevance.Report
		for i := range r.relevance {
			x := &r.relevance[i].Report
			if !strings.EqualFold(x.Collection, coll) && !strings.Contains(strings.ToLower(x.Collection), coll) {
				continue
			}
			switch r.relevance[i].Peer {
			case "safetysearch":
				mine = x
			case "sqlite":
				lite = x
			}
		}
		if mine != nil && lite != nil {
			check(fmt.Sprintf("%s nDCG@10 ≥ SQLite FTS5's", coll), mine.NDCG >= lite.NDCG, fmt.Sprintf("%.4f vs %.4f", mine.NDCG, lite.NDCG))
		}
	}
	if r.serveRSS > 0 {
		detail := bytesHuman(r.serveRSS)
		if r.serveAnon > 0 {
			detail += fmt.Sprintf("; anonymous (heap) peak %s, file-backed peak %s: pages of the mapped index files of the generations served and warmed, which the kernel can reclaim", bytesHuman(r.serveAnon), bytesHuman(r.serveFile))
		}
		if r.builderRSS > 0 {
			detail += fmt.Sprintf("; the rebuild ran in a child process, as serve does by default, whose peak was %s", bytesHuman(r.builderRSS))
		}
		check(fmt.Sprintf("serving peak RSS ≤ 1 GiB (at %d articles)", r.opts.n), r.serveRSS <= 1<<30, detail)
	}
	return out
}

// markdown is the report; charts is the Markdown embedding its charts
// (writeCharts), placed after the results table.
func (r *report) markdown(charts string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# safetysearch benchmark — %s, %d articles\n\n", r.opts.mode, r.opts.n)
	fmt.Fprintf(&b, "- run: %s → %s (%.0f s)\n", r.started.UTC().Format(time.RFC3339), r.finished.UTC().Format(time.RFC3339), r.finished.Sub(r.started).Seconds())
	fmt.Fprintf(&b, "- machine: %s\n", r.machine)
	fmt.Fprintf(&b, "- versions: %s\n", versions())
	fmt.Fprintf(&b, "- corpus: synthetic, seed %d, %d articles; %d measured queries per peer (%d per class) after a warm-up\n", r.opts.seed, r.opts.n, r.queries, r.opts.perClass)
	fmt.Fprintf(&b, "- the machine is shared and noisy: compare ratios within this run, not absolute figures across runs\n\n")
	fmt.Fprintf(&b, "## Results\n\n```\n%s```\n\n", r.table())
	if charts != "" {
		fmt.Fprintf(&b, "## Charts\n\n%s", charts)
	}
	fmt.Fprintf(&b, "## Targets\n\n%s\n\n", strings.Join(r.targets(), "\n"))
	if len(r.notes) > 0 {
		fmt.Fprintf(&b, "## Notes\n\n")
		for _, n := range r.notes[:min(len(r.notes), 50)] {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		if len(r.notes) > 50 {
			fmt.Fprintf(&b, "- … and %d more\n", len(r.notes)-50)
		}
	}
	for _, pr := range r.relevance {
		if len(pr.Errors) > 0 {
			fmt.Fprintf(&b, "\n%s on %s: %d queries failed, first: %s\n", pr.Peer, pr.Report.Collection, len(pr.Errors), pr.Errors[0])
		}
	}
	return b.String()
}

// failure is non-nil when safetysearch's nDCG@10 on a judged collection is
// below its floor, when one of its judged queries failed (natural-language
// questions must never be rejected as syntax), or when a collection asked
// for was not evaluated; timings never fail a run.
func (r *report) failure() error {
	if !r.opts.floors || !slices.Contains(r.opts.peers, "safetysearch") {
		return nil
	}
	var bad []string
	for _, coll := range r.opts.relevance {
		i := slices.IndexFunc(r.relevance, func(pr peerRelevance) bool {
			return pr.Peer == "safetysearch" && pr.Report.Collection == coll
		})
		if i < 0 {
			bad = append(bad, coll+": not evaluated")
			continue
		}
		pr := r.relevance[i]
		if floor, ok := floors[coll]; ok && pr.Report.NDCG < floor {
			bad = append(bad, fmt.Sprintf("%s nDCG@10 %.4f < %.3f", coll, pr.Report.NDCG, floor))
		}
		if len(pr.Errors) > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d judged queries failed, first: %s", coll, len(pr.Errors), pr.Errors[0]))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("relevance below the floor: %s", strings.Join(bad, "; "))
	}
	return nil
}
