package indexer

// This file wires the per-generation result cache (package resultcache) to
// searches: the key and size of a Result, the cached search, the stats,
// and autowarm. A rebuild swaps in a generation with an empty cache of its
// own, first seeded by replaying the old generation's most recently used
// queries (like Solr's autowarmCount) so that the latency does not jump at
// the swap.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/resultcache"
)

// Result cache defaults, used when the Config fields are 0. The entry bound
// binds for standard pages; the byte bound only for many pages of 100
// highlighted hits. Autowarm replays queries one at a time before the swap,
// so its count bounds how long a rebuild takes to swap.
const (
	DefaultResultCacheEntries  = 2048
	DefaultResultCacheBytes    = 64 << 20
	DefaultResultCacheAutowarm = 256
)

// ResultCacheConfig bounds the result cache. Each generation has its own
// cache with these bounds; the least recently used entry is evicted first.
type ResultCacheConfig struct {
	// Entries is the most results kept per generation; 0 means
	// DefaultResultCacheEntries, negative disables the cache.
	Entries int
	// Bytes bounds the estimated size of the results kept per generation;
	// 0 means DefaultResultCacheBytes, negative disables the cache.
	Bytes int64
	// Autowarm is how many of the most recently used queries of the
	// serving generation a rebuild replays on the new generation before
	// swapping it in; 0 means DefaultResultCacheAutowarm, negative
	// disables autowarming.
	Autowarm int
}

// withDefaults fills the zero fields.
func (c ResultCacheConfig) withDefaults() ResultCacheConfig {
	if c.Entries == 0 {
		c.Entries = DefaultResultCacheEntries
	}
	if c.Bytes == 0 {
		c.Bytes = DefaultResultCacheBytes
	}
	if c.Autowarm == 0 {
		c.Autowarm = DefaultResultCacheAutowarm
	}
	return c
}

func (c ResultCacheConfig) enabled() bool { return c.Entries > 0 && c.Bytes > 0 }

// ResultCacheStats counts the result cache's work since Open, over every
// generation served, plus the size of the serving generation's cache.
type ResultCacheStats struct {
	Hits       uint64 // searches answered from the cache
	Coalesced  uint64 // searches that waited for an identical running search instead of running it again
	Misses     uint64 // searches computed (and then cached)
	Evictions  uint64 // entries dropped to stay within the bounds
	Autowarmed uint64 // entries seeded into a new generation before its swap
	Entries    int    // entries in the serving generation's cache
	Bytes      int64  // their estimated size
}

// resultCache is one generation's cache of normalised queries' results.
type resultCache = resultcache.Cache[Normalized, *Result]

// resultKey identifies a normalised Query: every field that can change its
// Result. TestResultKeyCoversQuery fails when Query gains a field this key
// does not encode.
func resultKey(q Normalized) string {
	var b strings.Builder
	// %q quotes every string and list element, so no two queries share a
	// key; times keep their offset (a date range is read in its zone).
	fmt.Fprintf(&b, "%q|%q|%q|%q|%q|%q|%q|%q|%v|%s|%s|%q|%d|%d|%q|%d|%t|%t",
		q.Text, q.Regions, q.Audiences, q.Topics, q.Types, q.Tags, q.Authors, q.Publishers, q.Years,
		q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano), q.Sort,
		q.Page, q.PerPage, q.Facets, q.FacetSize, q.Highlight, q.HasAttachment)
	return b.String()
}

// resultBytes estimates the memory a Result holds: its strings plus a
// fixed overhead per value, struct and slice header.
func resultBytes(r *Result) int64 {
	const word = 8
	strs := func(ss []string) int64 {
		n := int64(3 * word)
		for _, s := range ss {
			n += int64(2*word + len(s))
		}
		return n
	}
	n := int64(256 + len(r.Query) + len(r.Generation))
	for _, h := range r.Hits {
		n += 256 + int64(len(h.ID)+len(h.URL)+len(h.Title)+len(h.Author)+len(h.Publisher)+len(h.Type))
		for _, d := range h.AlsoPublished {
			n += 128 + int64(len(d.ID)+len(d.URL)+len(d.Source)+len(d.Publisher)+len(d.Title))
		}
		n += strs(h.Regions) + strs(h.Audiences) + strs(h.Topics) + strs(h.Tags)
		n += strs(h.Highlights.Title) + strs(h.Highlights.Body) + strs(h.Highlights.Comments)
		for _, d := range h.Documents {
			n += int64(64 + len(d.Name) + len(d.URL) + len(d.Link) + len(d.Highlight) + word*len(d.Pages))
		}
	}
	for f, vals := range r.Facets {
		n += int64(64 + len(f))
		for _, v := range vals {
			n += int64(4*word + len(v.Value))
		}
	}
	for _, e := range r.Expansions {
		n += int64(2*word+len(e.Term)) + strs(e.Expanded)
	}
	if r.Relaxed != nil {
		n += strs(r.Relaxed.Optional)
	}
	return n
}

// autowarm seeds the cache of generation to, about to be swapped in, with
// the results of the most recently used queries of generation from's
// cache, computed on to, one at a time. A query that fails is skipped.
// After each query it pauses as long as the query took: it is background
// work, and the searches being served meanwhile should find a free core
// (the Go scheduler preempts a running search only every 10 ms or so).
func (ix *Index) autowarm(ctx context.Context, from, to *generation) {
	n := ix.cfg.ResultCache.Autowarm
	if from == nil || from.results == nil || to.results == nil || n <= 0 {
		return
	}
	start := time.Now()
	warmed := 0
	for _, q := range from.results.Recent(n) {
		if ctx.Err() != nil {
			break
		}
		t := time.Now()
		res, err := to.eng.Search(ctx, q)
		if err != nil {
			ix.log.Debug("autowarm query failed", "generation", to.name, "error", err)
			continue
		}
		to.results.Put(resultKey(q), q, res)
		warmed++
		pause := time.NewTimer(time.Since(t))
		select {
		case <-ctx.Done():
		case <-pause.C:
		}
		pause.Stop()
	}
	ix.cacheStats.Autowarmed.Add(uint64(warmed))
	ix.log.Info("result cache autowarmed", "generation", to.name, "queries", warmed, "took", time.Since(start))
}

// ResultCacheStats reports the result cache's counters since Open and the
// size of the serving generation's cache.
func (ix *Index) ResultCacheStats() ResultCacheStats {
	st := ResultCacheStats{
		Hits:       ix.cacheStats.Hits.Load(),
		Coalesced:  ix.cacheStats.Coalesced.Load(),
		Misses:     ix.cacheStats.Misses.Load(),
		Evictions:  ix.cacheStats.Evictions.Load(),
		Autowarmed: ix.cacheStats.Autowarmed.Load(),
	}
	if g := ix.cur.Load(); g != nil && g.results != nil {
		st.Entries, st.Bytes = g.results.Size()
	}
	return st
}

// newResultCache returns a cache for a new generation, nil when disabled.
func (ix *Index) newResultCache() *resultCache {
	if !ix.cfg.ResultCache.enabled() {
		return nil
	}
	return newResultCache(ix.cfg.ResultCache, &ix.cacheStats)
}

func newResultCache(cfg ResultCacheConfig, stats *resultcache.Counters) *resultCache {
	return resultcache.New[Normalized](cfg.Entries, cfg.Bytes, resultBytes, stats)
}

// cachedSearch runs q on g through g's result cache. The Result returned is
// a shallow copy of the cached one: its TookMS is this call's and its
// Generation g's; its slices and maps are shared and must not be modified.
func cachedSearch(ctx context.Context, g *generation, q Normalized) (*Result, error) {
	start := time.Now()
	res, err := g.results.Do(ctx, resultKey(q), q, g.eng.Search)
	if err != nil {
		return nil, err
	}
	out := *res
	out.TookMS = time.Since(start).Milliseconds()
	out.Generation = g.name
	return &out, nil
}
