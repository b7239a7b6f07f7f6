package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/relevance"
)

// writeProfile writes a CPU profile of two stacks under the bench's
// main.run: engine.search → engine.score (30 ms) and engine.search →
// engine.facets (10 ms).
func writeProfile(t *testing.T, path string) {
	t.Helper()
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	search, score, facets, run := fn(1, "engine.search"), fn(2, "engine.score"), fn(3, "engine.facets"), fn(4, "main.run")
	loc := func(id uint64, f *profile.Function) *profile.Location {
		return &profile.Location{ID: id, Line: []profile.Line{{Function: f}}}
	}
	lSearch, lScore, lFacets, lRun := loc(1, search), loc(2, score), loc(3, facets), loc(4, run)
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{lScore, lSearch, lRun}, Value: []int64{3, 30_000_000}},
			{Location: []*profile.Location{lFacets, lSearch, lRun}, Value: []int64{1, 10_000_000}},
		},
		Location: []*profile.Location{lSearch, lScore, lFacets, lRun},
		Function: []*profile.Function{search, score, facets, run},
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
}

func TestProfileTop(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.pprof")
	writeProfile(t, path)
	top, total, err := profileTop(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	// engine.search, under every sample with no time of its own, is left out.
	if total != 40*time.Millisecond || len(top) != 2 {
		t.Fatalf("total %v, %d functions: %+v", total, len(top), top)
	}
	if top[0].Name != "engine.score" || top[0].Flat != 30e6 || top[0].CumPct != 75 || top[1].Name != "engine.facets" || top[1].Cum != 10e6 {
		t.Errorf("top = %+v", top)
	}
}

// testReport is a run where safetysearch misses the standard query and the
// capacity targets and meets the others.
func testReport(t *testing.T) *report {
	dir := t.TempDir()
	prof := filepath.Join(dir, "r-class-standard.pprof")
	writeProfile(t, prof)
	msd := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	r := &report{
		opts:     options{mode: "smoke", n: 10_000, httpRates: []int{20, 100}, httpSeconds: 3},
		profiles: map[string]string{"class-standard": prof, "http": filepath.Join(dir, "missing.pprof")},
		builds: []peerBuild{
			{Peer: "safetysearch", Stats: buildStats{Seconds: 6, DiskBytes: 150 << 20}},
			{Peer: "sqlite", Stats: buildStats{Seconds: 7, DiskBytes: 100 << 20}},
		},
		http: []loadStep{
			{Engine: "safetysearch", Name: "standard", Rate: 100, Sent: 300, P50: msd(5), P99: msd(50)},
			{Engine: "sqlite", Name: "standard", Rate: 100, Sent: 300, P50: msd(6), P99: msd(60)},
			{Engine: "safetysearch", Name: "standard", Rate: 20, Sent: 60, P50: msd(5), P99: msd(20)},
			{Engine: "sqlite", Name: "standard", Rate: 20, Sent: 60, P50: msd(6), P99: msd(30)},
		},
		probes: []loadStep{{Engine: "safetysearch", Name: "capacity probe", Rate: 150, Sent: 450, P99: msd(300)}},
		serving: []servingStats{
			{Engine: "safetysearch", Capacity: 100, RSS: rssPeak{Anon: 100 << 20, File: 200 << 20, Total: 300 << 20}},
			{Engine: "sqlite", Capacity: 90, RSS: rssPeak{Total: 80 << 20}},
		},
		rebuild: &rebuildLoad{Idle: loadStep{Rate: 20, P99: msd(20)}, During: loadStep{Sent: 100, P99: msd(39)}, GenerationBefore: "g1", GenerationAfter: "g2"},
		relevance: []peerRelevance{
			{Peer: "safetysearch", Report: relevance.Report{Collection: "med", NDCG: 0.71}},
			{Peer: "safetysearch", Report: relevance.Report{Collection: "cf", NDCG: 0.40}},
		},
	}
	for _, c := range classes {
		mine, peer := msd(4), msd(5)
		if c == "standard" {
			mine = msd(3) // under the peer's, not under half of it
		}
		r.latency = append(r.latency, peerQuery{Peer: "safetysearch", Class: c, N: 40, P50: mine, P99: 2 * mine},
			peerQuery{Peer: "sqlite", Class: c, N: 40, P50: peer, P99: 2 * peer})
	}
	return r
}

func TestTargets(t *testing.T) {
	r := testReport(t)
	marks := map[string]string{}
	for _, tg := range r.targets() {
		marks[tg.Name] = tg.mark()
	}
	for name, want := range map[string]string{
		"standard: p50 and p99 ≤ the peer's":                                         "met",
		"standard page query: p50 and p99 ≤ half the peer's":                         "MISSED",
		"rare: p50 and p99 ≤ the peer's":                                             "met",
		"HTTP standard query at 100 req/s: p99 ≤ the peer's (set at 10k)":            "met",
		"uncached standard-query capacity (p99 ≤ 100 ms, no errors) ≥ 2× the peer's": "MISSED",
		"build time ≤ the peer's":                                                    "met",
		"index on disk ≤ 1.5× the peer's database":                                   "met",
		"during a rebuild and swap under load: zero errors and p99 ≤ 2× idle":        "met",
		"MED nDCG@10 ≥ 0.705 (the relevance floor)":                                  "met",
		"CF nDCG@10 ≥ 0.485 (the relevance floor)":                                   "MISSED",
	} {
		if marks[name] != want {
			t.Errorf("%q: %q, want %q", name, marks[name], want)
		}
	}
	// Over the limit by a byte: missed.
	r.builds[0].Stats.DiskBytes = 150<<20 + 1
	r.rebuild.During.Errors = 1
	r.serving[0].RSS.Total = 512<<20 + 1
	for _, tg := range r.targets() {
		if (strings.HasPrefix(tg.Name, "index on disk") || strings.HasPrefix(tg.Name, "during a rebuild") || strings.HasPrefix(tg.Name, "serving RSS")) && tg.mark() != "MISSED" {
			t.Errorf("%q: %s, want MISSED", tg.Name, tg.mark())
		}
	}
	// Without the HTTP phase those targets are not measured, not met.
	r.http, r.serving, r.rebuild = nil, nil, nil
	for _, tg := range r.targets() {
		if strings.HasPrefix(tg.Name, "HTTP") || strings.HasPrefix(tg.Name, "uncached") || strings.HasPrefix(tg.Name, "during") || strings.HasPrefix(tg.Name, "serving RSS") {
			if tg.mark() != "not measured" {
				t.Errorf("%q without HTTP: %s", tg.Name, tg.mark())
			}
		}
	}
}

// A missed target carries the top of its profile; a met one does not.
func TestTargetsMarkdownProfiles(t *testing.T) {
	md := testReport(t).targetsMarkdown()
	i := strings.Index(md, "standard page query: p50 and p99 ≤ half the peer's: **MISSED**")
	if i < 0 {
		t.Fatalf("no missed standard page query in\n%s", md)
	}
	next := md[i:]
	if j := strings.Index(next[1:], "\n- "); j >= 0 {
		next = next[:j+1]
	}
	if !strings.Contains(next, "r-class-standard.pprof") || !strings.Contains(next, "engine.facets") || !strings.Contains(next, "engine.score") || strings.Contains(next, "main.run") {
		t.Errorf("missed standard query without its profile top:\n%s", next)
	}
	if !strings.Contains(next, "  - what would close it: "+remedyQuery) {
		t.Errorf("missed standard query without the design change that would close it:\n%s", next)
	}
	if strings.Count(md, "what would close it:") != strings.Count(md, "**MISSED**") {
		t.Errorf("a target missed without its design change, or a met one with one:\n%s", md)
	}
	if !strings.Contains(md, "capacity (p99 ≤ 100 ms, no errors) ≥ 2× the peer's: **MISSED** (100 req/s (150/s failed) vs ≥ 90 req/s") {
		t.Errorf("capacity detail:\n%s", md)
	}
	if !strings.Contains(md, "missing.pprof unreadable") {
		t.Errorf("an unreadable profile is not said so:\n%s", md)
	}
	if strings.Count(md, "engine.score") != 1 {
		t.Errorf("the profile is printed under %d targets, want 1", strings.Count(md, "engine.score"))
	}
	if !strings.HasPrefix(md, "14 of 17 targets met") {
		t.Errorf("count line: %q", md[:40])
	}
}

func TestReplaceSummary(t *testing.T) {
	doc := "# X\n\nbefore\n" + summaryStart + "\n| old | table |\n" + summaryEnd + "\nafter\n"
	got, err := replaceSummary(doc, "| new |\n\nTargets: 3 of 4.\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "# X\n\nbefore\n" + summaryStart + "\n| new |\n\nTargets: 3 of 4.\n" + summaryEnd + "\nafter\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if again, _ := replaceSummary(got, "| new |\n\nTargets: 3 of 4."); again != got {
		t.Errorf("replacing with the same block changed the document:\n%s", again)
	}
	for _, bad := range []string{
		"no markers",
		summaryStart + " only the start",
		summaryEnd + " reversed " + summaryStart,
		summaryStart + summaryEnd + summaryStart + summaryEnd,
	} {
		if _, err := replaceSummary(bad, "x"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The repository's README holds the block -readme replaces.
func TestREADMEHasSummaryBlock(t *testing.T) {
	doc, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replaceSummary(string(doc), "x"); err != nil {
		t.Error(err)
	}
}

// The summary is the run's figures side by side, with the targets count.
func TestSummary(t *testing.T) {
	s := testReport(t).summary()
	for _, want := range []string{
		"| index build | 6.0 s | 7.0 s | 0.86× |",
		"| HTTP 100 req/s p50 / p99 | 5.0 / 50.0 ms | 6.0 / 60.0 ms | 0.83× / 0.83× |",
		"| uncached capacity (p99 ≤ 100 ms) | 100 req/s (150/s failed) | ≥ 90 req/s | 1.11× |",
		"| standard p50 / p99 (in process) | 3.0 / 6.0 ms | 5.0 / 10.0 ms | 0.60× / 0.60× |",
		"Targets of issue 12: 14 of 17 met.",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}
