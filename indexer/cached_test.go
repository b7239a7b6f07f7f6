package indexer

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/indextest"
)

func openCachedIndex(t testing.TB, rc ResultCacheConfig) *Index {
	t.Helper()
	ix, err := Open(context.Background(), Config{Dir: t.TempDir(), ResultCache: rc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func mustIndexSearch(t testing.TB, ix *Index, q Query) *Result {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// comparable drops the fields that differ between two equal answers.
func comparableResult(r *Result) Result {
	out := *r
	out.TookMS = 0
	out.Generation = ""
	return out
}

// uncachedSearch runs q on the serving generation without the cache.
func uncachedSearch(t testing.TB, ix *Index, q Query) *Result {
	t.Helper()
	g, err := ix.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer g.release()
	n, err := q.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	res, err := g.eng.Search(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestResultCacheSameAnswerCachedAndUncached(t *testing.T) {
	cached := openCachedIndex(t, ResultCacheConfig{})
	mustRebuild(t, cached, lifecycleArticles(60))
	queries := []Query{
		{Text: "sepsis", Highlight: true},
		{Text: "falls wards", Regions: []string{"UK"}, Audiences: []string{"everyone"}, PerPage: 10, Highlight: true},
		{Text: "medication", Topics: []string{"Medication safety", "Falls"}, Page: 2, PerPage: 5},
		{Sort: SortOldest, Facets: []string{FacetYear, FacetAuthor}, FacetSize: 3},
		{Text: "incidents hospitals nonexistentword", PerPage: 3},
		{From: indextest.Day("2021-01-01"), To: indextest.Day("2022-12-31"), Years: []int{2021}},
	}
	for _, q := range queries {
		want := comparableResult(uncachedSearch(t, cached, q))
		first := mustIndexSearch(t, cached, q)
		second := mustIndexSearch(t, cached, q)
		if got := comparableResult(first); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: first (miss) answer differs from the uncached search: hits %v, want %v", q, hitIDs(&got), hitIDs(&want))
		}
		if got := comparableResult(second); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: cached answer differs from the uncached search: hits %v, want %v", q, hitIDs(&got), hitIDs(&want))
		}
		if second.Generation != cached.Status().Generation {
			t.Errorf("cached answer names generation %q, serving %q", second.Generation, cached.Status().Generation)
		}
	}
	plain := openCachedIndex(t, ResultCacheConfig{Entries: -1})
	mustRebuild(t, plain, lifecycleArticles(5))
	mustIndexSearch(t, plain, Query{Text: "sepsis"})
	if st := plain.ResultCacheStats(); st != (ResultCacheStats{}) {
		t.Errorf("disabled cache reports %+v", st)
	}
	st := cached.ResultCacheStats()
	if st.Misses != uint64(len(queries)) || st.Hits != uint64(len(queries)) || st.Entries != len(queries) {
		t.Errorf("stats %+v, want %d misses, %d hits, %d entries", st, len(queries), len(queries), len(queries))
	}
	// Equivalent spellings of one query share an entry: the key is built
	// from the normalised query.
	mustIndexSearch(t, cached, Query{Text: "  sepsis ", Page: 1, PerPage: DefaultPerPage, Highlight: true, Sort: SortRelevance})
	if got := cached.ResultCacheStats().Hits; got != st.Hits+1 {
		t.Errorf("normalised equivalent query: hits %d, want %d", got, st.Hits+1)
	}
	// Invalid queries fail the same way and are not cached.
	for range 2 {
		if _, err := cached.Search(context.Background(), Query{PerPage: MaxPerPage + 1}); !errors.As(err, new(*ParamError)) {
			t.Errorf("invalid per_page: %v", err)
		}
	}
	if got := cached.ResultCacheStats().Entries; got != len(queries) {
		t.Errorf("entries %d after invalid queries, want %d", got, len(queries))
	}
}

func TestResultCacheNeverServesAnotherGeneration(t *testing.T) {
	ix := openCachedIndex(t, ResultCacheConfig{Autowarm: -1})
	mustRebuild(t, ix, lifecycleArticles(10))
	q := Query{Text: "sepsis"}
	before := mustIndexSearch(t, ix, q)
	mustIndexSearch(t, ix, q) // cached now
	rep := mustRebuild(t, ix, lifecycleArticles(40))
	after := mustIndexSearch(t, ix, q)
	if after.Generation != rep.Generation || after.Total <= before.Total {
		t.Fatalf("after the rebuild: generation %s total %d; want generation %s and more than %d",
			after.Generation, after.Total, rep.Generation, before.Total)
	}
	if st := ix.ResultCacheStats(); st.Misses != 2 || st.Hits != 1 || st.Entries != 1 {
		t.Errorf("stats %+v, want 2 misses, 1 hit, 1 entry", st)
	}
}

func TestResultCacheAutowarmSeedsNewGeneration(t *testing.T) {
	ix := openCachedIndex(t, ResultCacheConfig{Autowarm: 2})
	mustRebuild(t, ix, lifecycleArticles(10))
	for _, text := range []string{"falls", "sepsis", "vte"} {
		mustIndexSearch(t, ix, Query{Text: text})
	}
	mustIndexSearch(t, ix, Query{Text: "falls"}) // most recently used: falls, vte, sepsis
	rep := mustRebuild(t, ix, lifecycleArticles(40))
	st := ix.ResultCacheStats()
	if st.Autowarmed != 2 || st.Entries != 2 {
		t.Fatalf("after the rebuild: %+v, want 2 autowarmed entries", st)
	}
	// The two most recently used queries are hits on the new generation,
	// with its answer; the third is computed.
	for _, c := range []struct {
		text string
		hit  bool
	}{{"falls", true}, {"vte", true}, {"sepsis", false}} {
		hits := ix.ResultCacheStats().Hits
		res := mustIndexSearch(t, ix, Query{Text: c.text})
		if got := ix.ResultCacheStats().Hits > hits; got != c.hit {
			t.Errorf("%q: hit %t, want %t", c.text, got, c.hit)
		}
		if res.Generation != rep.Generation || res.Total != 8 {
			t.Errorf("%q: generation %s total %d, want %s and 8 (40 articles, 5 topics)", c.text, res.Generation, res.Total, rep.Generation)
		}
	}
}

func TestResultCacheBounded(t *testing.T) {
	ix := openCachedIndex(t, ResultCacheConfig{Entries: 3})
	mustRebuild(t, ix, lifecycleArticles(20))
	texts := []string{"falls", "sepsis", "vte", "medication", "psirf"}
	for _, text := range texts {
		mustIndexSearch(t, ix, Query{Text: text})
	}
	st := ix.ResultCacheStats()
	if st.Entries != 3 || st.Evictions != 2 {
		t.Fatalf("entries bound 3: %+v", st)
	}
	// Least recently used first: falls and sepsis are gone.
	mustIndexSearch(t, ix, Query{Text: "psirf"})
	mustIndexSearch(t, ix, Query{Text: "falls"})
	if got := ix.ResultCacheStats(); got.Hits != 1 || got.Misses != 6 {
		t.Errorf("after psirf (cached) and falls (evicted): %+v", got)
	}

	// The byte bound: room for about two of these results.
	one := resultBytes(mustIndexSearch(t, ix, Query{Text: "patients", PerPage: 20, Highlight: true}))
	small := openCachedIndex(t, ResultCacheConfig{Bytes: 2*one + one/2})
	mustRebuild(t, small, lifecycleArticles(20))
	for _, text := range []string{"patients", "staff", "wards", "hospitals"} {
		mustIndexSearch(t, small, Query{Text: text, PerPage: 20, Highlight: true})
	}
	if st := small.ResultCacheStats(); st.Bytes > 2*one+one/2 || st.Entries < 1 || st.Entries > 2 || st.Evictions < 2 {
		t.Errorf("byte bound %d: %+v", 2*one+one/2, st)
	}
}

// TestResultKeyCoversQuery fails when Query gains a field: resultKey must
// then encode it, or two different queries could share a cached result.
func TestResultKeyCoversQuery(t *testing.T) {
	if n := reflect.TypeFor[Query]().NumField(); n != 18 {
		t.Fatalf("Query has %d fields, resultKey encodes 18: add the new field to resultKey and update this test", n)
	}
	base := Query{Text: "a", Regions: []string{"x"}, Page: 1, PerPage: 10, Facets: []string{}, FacetSize: 10, Sort: SortRelevance}
	variants := []func(*Query){
		func(q *Query) { q.Text = "b" },
		func(q *Query) { q.Regions = []string{"x", "y"} },
		func(q *Query) { q.Regions = []string{"x,y"} },
		func(q *Query) { q.Audiences = []string{"x"} },
		func(q *Query) { q.Topics = []string{"x"} },
		func(q *Query) { q.Types = []string{"x"} },
		func(q *Query) { q.Tags = []string{"x"} },
		func(q *Query) { q.Authors = []string{"x"} },
		func(q *Query) { q.Publishers = []string{"x"} },
		func(q *Query) { q.Years = []int{2020} },
		func(q *Query) { q.From = indextest.Day("2020-01-01") },
		func(q *Query) { q.To = indextest.Day("2020-01-01") },
		func(q *Query) { q.Sort = SortNewest },
		func(q *Query) { q.Page = 2 },
		func(q *Query) { q.PerPage = 11 },
		func(q *Query) { q.Facets = []string{FacetRegion} },
		func(q *Query) { q.FacetSize = 11 },
		func(q *Query) { q.Highlight = true },
		func(q *Query) { q.HasAttachment = true },
	}
	seen := map[string]int{resultKey(Normalized{Query: base}): -1}
	for i, v := range variants {
		q := base
		v(&q)
		k := resultKey(Normalized{Query: q})
		if j, dup := seen[k]; dup {
			t.Errorf("variant %d has the key of variant %d: %s", i, j, k)
		}
		seen[k] = i
	}
}
