package main

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
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
	http              []loadStep // the fixed rates, per engine
	probes            []loadStep // the capacity search's extra steps
	serving           []servingStats
	rebuild           *rebuildLoad
	builderRSS        int64 // the server's rebuild child, sampled every 2 s
	relevance         []peerRelevance
	notes             []string
	// profiles are the CPU profiles taken, by name: "build", "http",
	// "class-<class>".
	profiles map[string]string
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
		fmt.Fprintln(w, "HTTP (no result cache)\tengine\trate/s\tthroughput/s\tp50 ms\tp99 ms\terrors\tsent\tcache hits")
		steps := append(append([]loadStep{}, r.http...), r.probes...)
		if r.rebuild != nil {
			steps = append(steps, r.rebuild.Idle, r.rebuild.During)
		}
		for _, s := range steps {
			fmt.Fprintf(w, "%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%s\n", s.Name, s.Engine, s.Rate, s.throughput(), ms(s.P50), ms(s.P99), s.Errors, s.Sent, s.hitRatio())
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "SERVING\tcapacity/s (p99 ≤ 100 ms, no errors)\tCPU ms/request\tpeak RSS (anon + file, sampled)\tanonymous\tfile-backed\tVmHWM")
		for _, st := range r.serving {
			fmt.Fprintf(w, "%s\t%s\t%.2f\t%s\t%s\t%s\t%s\n", st.Engine, r.capacityText(st), ms(st.CPUPerReq), bytesHuman(st.RSS.Total), bytesHuman(st.RSS.Anon), bytesHuman(st.RSS.File), bytesHuman(st.HWM))
		}
		if r.builderRSS > 0 {
			fmt.Fprintf(w, "rebuild child peak RSS\t%s (sampled every 2 s)\n", bytesHuman(r.builderRSS))
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
	fmt.Fprintf(&b, "## Targets\n\nAgainst the SQLite FTS5 peer (%q), result cache off on both, the HTTP steps through the same API.\n\n%s\n", peerName, r.targetsMarkdown())
	if len(r.profiles) > 0 {
		names := slices.Sorted(maps.Keys(r.profiles))
		fmt.Fprintf(&b, "## Profiles\n\nCPU profiles of safetysearch saved beside the report (`go tool pprof -top <file>`):\n\n")
		for _, n := range names {
			fmt.Fprintf(&b, "- %s: `%s`\n", n, filepath.Base(r.profiles[n]))
		}
		b.WriteString("\n")
	}
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
