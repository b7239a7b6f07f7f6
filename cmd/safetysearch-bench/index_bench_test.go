package main

// Go benchmarks of the index over the synthetic corpus (package synthetic),
// through the indexer's public API only.
// They never assert timings; compare the reported figures with the targets
// of issue 3 (at 100k articles on 2 cores: build ≥ 8 MB/s of text, standard
// query p99 ≤ 50 ms, rebuild peak memory ≤ 2.5 GiB).
//
// Sizes: 10k articles always; 100k as well when SAFETYSEARCH_BENCH_LARGE=1.
// SAFETYSEARCH_BENCH_SIZES=1000,5000 replaces the list (quick checks).
// The query benchmarks time one search per op and report p50/p99 over the
// ops of the final run; give them enough ops for a meaningful p99:
//
//	go test -run '^$' -bench Build
//	go test -run '^$' -bench Query -benchtime 1000x
//	SAFETYSEARCH_BENCH_LARGE=1 go test -run '^$' -bench . -benchtime 1x -timeout 2h

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/synthetic"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
)

const benchSeed = 1

func benchSizes(b *testing.B) []int {
	if s := os.Getenv("SAFETYSEARCH_BENCH_SIZES"); s != "" {
		var out []int
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("SAFETYSEARCH_BENCH_SIZES: bad size %q", f)
			}
			out = append(out, n)
		}
		return out
	}
	if os.Getenv("SAFETYSEARCH_BENCH_LARGE") == "1" {
		return []int{10_000, 100_000}
	}
	return []int{10_000}
}

// corpusText generates the corpus once without indexing it and returns its
// text size and the generation time, so that the generator's share of the
// build time is known.
func corpusText(b *testing.B, n int) (int64, time.Duration) {
	b.Helper()
	start := time.Now()
	var total int64
	if err := synthetic.Generate(benchSeed, n, func(a article.Article) error { total += articleText(a); return nil }); err != nil {
		b.Fatal(err)
	}
	return total, time.Since(start)
}

// selfPeakRSS is this process's VmHWM in bytes, 0 when unreadable.
func selfPeakRSS() uint64 {
	rss, _ := peakRSS(os.Getpid())
	return uint64(rss)
}

// resetPeakRSS resets the kernel's VmHWM of this process (Linux ≥ 4.0); it
// reports whether that worked.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// goMemSampler records the maximum of the Go runtime's total mapped memory
// (runtime/metrics /memory/classes/total:bytes) every 50 ms until stopped.
// It complements VmHWM where that cannot be reset.
func goMemSampler() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	var (
		mu   sync.Mutex
		peak uint64
	)
	read := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			mu.Lock()
			peak = max(peak, sample[0].Value.Uint64())
			mu.Unlock()
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

const mib = 1 << 20

// cpuTime returns the user+system CPU time this process has used. On a
// shared machine wall-clock figures depend on the other load; CPU time much
// less, so the benchmarks report both.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkBuild measures a full Rebuild of an empty index from the
// synthetic corpus (generation streams inside the rebuild, as a real source
// would; its own speed is reported as gen-MB/s). MB/s counts text bytes
// (title, summary, body, comments).
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			text, genTime := corpusText(b, n)
			ctx := context.Background()
			root := b.TempDir()
			var size int64
			var rss, goPeak uint64
			var cpu time.Duration
			rssOK := true
			b.SetBytes(text)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := filepath.Join(root, strconv.Itoa(i))
				ix, err := indexer.Open(ctx, indexer.Config{Dir: dir}, nil)
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				rssOK = resetPeakRSS() && rssOK
				stop := goMemSampler()
				cpu0 := cpuTime()
				b.StartTimer()
				if _, err := ix.Rebuild(ctx, synthetic.Corpus{Seed: benchSeed, N: n}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - cpu0
				goPeak = max(goPeak, stop())
				rss = max(rss, selfPeakRSS())
				size = dirSize(dir)
				if err := ix.Close(); err != nil {
					b.Fatal(err)
				}
				if err := os.RemoveAll(dir); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(n)/perOp, "articles/s")
			// Text MB per CPU-second of the process (all threads): on an idle
			// machine with P cores the wall-clock MB/s is at most P times this.
			b.ReportMetric(float64(text)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
			b.ReportMetric(float64(size)/float64(n), "index-B/article")
			b.ReportMetric(float64(size)/float64(text), "index/text")
			b.ReportMetric(float64(goPeak)/mib, "peak-go-MiB")
			if rssOK {
				b.ReportMetric(float64(rss)/mib, "peak-RSS-MiB")
			} else {
				// VmHWM could not be reset: it is the whole process's peak.
				b.ReportMetric(float64(rss)/mib, "process-peak-RSS-MiB")
			}
			b.ReportMetric(float64(text)/1e6/genTime.Seconds(), "gen-MB/s")
		})
	}
}

// buildIndex opens an index in a temporary directory and rebuilds it from
// n synthetic articles. It logs the build's figures (the same as
// BenchmarkBuild reports), so a query benchmark run alone still records
// them.
func buildIndex(b *testing.B, n int) *indexer.Index {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	// Without the result cache: the query benchmarks cycle through their
	// texts and would otherwise measure cache hits.
	ix, err := indexer.Open(ctx, indexer.Config{Dir: dir, ResultCache: indexer.ResultCacheConfig{Entries: -1}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := ix.Close(); err != nil {
			b.Error(err)
		}
	})
	runtime.GC()
	rssOK := resetPeakRSS()
	stop := goMemSampler()
	start, cpu0 := time.Now(), cpuTime()
	if _, err := ix.Rebuild(ctx, synthetic.Corpus{Seed: benchSeed, N: n}); err != nil {
		b.Fatal(err)
	}
	took, cpu := time.Since(start), cpuTime()-cpu0
	goPeak, rss := stop(), selfPeakRSS()
	text, _ := corpusText(b, n)
	size := dirSize(dir)
	b.Logf("build of %d articles: %v (CPU %v), %.0f articles/s, %.2f MB/s of text (%.1f MB; %.2f MB/cpu-s), index %.1f MB (%.0f B/article), peak RSS %.0f MiB (reset: %v), peak Go memory %.0f MiB",
		n, took.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(n)/took.Seconds(), float64(text)/1e6/took.Seconds(), float64(text)/1e6, float64(text)/1e6/cpu.Seconds(),
		float64(size)/1e6, float64(size)/float64(n), float64(rss)/mib, rssOK, float64(goPeak)/mib)
	return ix
}

// Query shapes the API serves.
var (
	// standardQuery is the API's usual search: free text, every default
	// facet counted with a selection in each of them, highlighting, a page
	// of 20.
	standardQuery = func(text string) indexer.Query {
		return indexer.Query{
			Text:      text,
			Regions:   []string{"UK", "England"},
			Audiences: []string{"Everyone"},
			Types:     []string{"Reports and articles", "Blogs", "News"},
			Topics:    []string{"PSIRF", "Medication safety", "Safety culture", "Maternity", "Human factors"},
			Years:     []int{2022, 2023, 2024, 2025},
			Facets:    indexer.DefaultFacets,
			Sort:      indexer.SortRelevance,
			PerPage:   20,
			Highlight: true,
		}
	}
	// textQuery is the bare ranked text search (no facets, no highlights),
	// to separate the core query cost from facets and highlighting.
	textQuery = func(text string) indexer.Query {
		return indexer.Query{Text: text, Sort: indexer.SortRelevance, PerPage: 20, Facets: []string{}}
	}
	// browseQuery is the landing page: no text, newest first, default
	// facets with no selection.
	browseQuery = func(string) indexer.Query {
		return indexer.Query{Sort: indexer.SortNewest, PerPage: 20, Facets: indexer.DefaultFacets}
	}
)

// reportQueries reports the p50/p99 of the query latencies, the mean hit total and the CPU per query (all threads; less
// sensitive to other load on a shared machine than the wall-clock
// latencies).
func reportQueries(b *testing.B, lat latencies, total uint64, cpu time.Duration) {
	b.ReportMetric(ms(lat.percentile(50)), "p50-ms")
	b.ReportMetric(ms(lat.percentile(99)), "p99-ms")
	b.ReportMetric(float64(total)/float64(b.N), "hits/op")
	b.ReportMetric(ms(cpu)/float64(b.N), "cpu-ms/op")
}

// BenchmarkQuery measures single searches on a built index: the standard
// API query (text + all default facets with selections + highlighting,
// page of 20), the bare text query, and the browse query. Query texts are a
// fixed mix drawn from the generator's vocabulary (synthetic.Queries). It
// reports p50/p99 latency over the ops of the run and the mean hit total.
func BenchmarkQuery(b *testing.B) {
	texts := synthetic.Queries(benchSeed, 1000)
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			ix := benchIndex(b, n)
			ctx := context.Background()
			// Warm up caches and the page cache once per index.
			for _, t := range texts[:100] {
				if _, err := ix.Search(ctx, standardQuery(t)); err != nil {
					b.Fatalf("warm-up %q: %v", t, err)
				}
			}
			for _, shape := range []struct {
				name string
				q    func(string) indexer.Query
			}{{"standard", standardQuery}, {"text", textQuery}, {"browse", browseQuery}} {
				b.Run(shape.name, func(b *testing.B) {
					lat := make(latencies, 0, b.N)
					var total uint64
					cpu0 := cpuTime()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						q := shape.q(texts[i%len(texts)])
						start := time.Now()
						res, err := ix.Search(ctx, q)
						lat = append(lat, time.Since(start))
						if err != nil {
							b.Fatalf("%q: %v", q.Text, err)
						}
						total += res.Total
					}
					b.StopTimer()
					reportQueries(b, lat, total, cpuTime()-cpu0)
				})
			}
		})
	}
}

// benchIndex returns an index of n synthetic articles for the query
// benchmarks. With SAFETYSEARCH_BENCH_INDEX=dir it is kept in dir/n and
// reopened by later runs (the build of 50k articles takes minutes; query
// work iterates on one index); without it, it is built in a temporary
// directory as buildIndex does.
func benchIndex(b *testing.B, n int) *indexer.Index {
	b.Helper()
	root := os.Getenv("SAFETYSEARCH_BENCH_INDEX")
	if root == "" {
		return buildIndex(b, n)
	}
	ctx := context.Background()
	// No result cache: the benchmarks measure computed searches.
	ix, err := indexer.Open(ctx, indexer.Config{Dir: filepath.Join(root, strconv.Itoa(n)), ResultCache: indexer.ResultCacheConfig{Entries: -1}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := ix.Close(); err != nil {
			b.Error(err)
		}
	})
	if !ix.Status().Ready || ix.NeedsRebuild() {
		if _, err := ix.Rebuild(ctx, synthetic.Corpus{Seed: benchSeed, N: n}); err != nil {
			b.Fatal(err)
		}
	}
	return ix
}

// classQueries returns k query texts of each class of the side-by-side
// bench (buildQueries), drawn from the same corpus the index holds.
func classQueries(b *testing.B, n, k int) map[string][]string {
	b.Helper()
	qs, err := buildQueries(context.Background(), synthetic.Corpus{Seed: benchSeed, N: n}, benchSeed, min(2000, n), k)
	if err != nil {
		b.Fatal(err)
	}
	out := map[string][]string{}
	for _, q := range qs {
		out[q.Class] = append(out[q.Class], q.text())
	}
	return out
}

// BenchmarkQueryClasses measures the bare text query (no facets, no
// highlights, page of 20, as the side-by-side bench sends them) of the
// phrase, prefix and abbreviation classes, whose p99 are the furthest
// from the peers'. SAFETYSEARCH_BENCH_CLASS_SLOW=5 also logs the five
// slowest queries of each class.
func BenchmarkQueryClasses(b *testing.B) {
	for _, n := range benchSizes(b) {
		b.Run(fmt.Sprintf("articles=%d", n), func(b *testing.B) {
			ix := benchIndex(b, n)
			ctx := context.Background()
			qs := classQueries(b, n, 250)
			for _, class := range []string{"phrase", "prefix", "abbreviation"} {
				b.Run(class, func(b *testing.B) {
					texts := qs[class]
					for _, t := range texts[:20] {
						if _, err := ix.Search(ctx, textQuery(t)); err != nil {
							b.Fatalf("warm-up %q: %v", t, err)
						}
					}
					type timed struct {
						text string
						d    time.Duration
					}
					lat := make(latencies, 0, b.N)
					var all []timed
					var total uint64
					cpu0 := cpuTime()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						t := texts[i%len(texts)]
						start := time.Now()
						res, err := ix.Search(ctx, textQuery(t))
						d := time.Since(start)
						lat = append(lat, d)
						all = append(all, timed{t, d})
						if err != nil {
							b.Fatalf("%q: %v", t, err)
						}
						total += res.Total
					}
					b.StopTimer()
					reportQueries(b, lat, total, cpuTime()-cpu0)
					if k, _ := strconv.Atoi(os.Getenv("SAFETYSEARCH_BENCH_CLASS_SLOW")); k > 0 {
						slices.SortFunc(all, func(x, y timed) int { return int(y.d - x.d) })
						for _, s := range all[:min(k, len(all))] {
							b.Logf("%s %q %v", class, s.text, s.d.Round(time.Microsecond))
						}
					}
				})
			}
		})
	}
}
