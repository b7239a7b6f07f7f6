package indexer

// This file is the per-generation result cache (what Solr calls the
// queryResultCache and Elasticsearch the request cache): the Result of a
// recent normalised Query, kept for as long as the generation that computed
// it. A generation never changes, so an entry never goes stale; a rebuild
// swaps in a generation with an empty cache of its own, first seeded by
// replaying the old generation's most recently used queries (autowarm, like
// Solr's autowarmCount) so that the latency does not jump at the swap.

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Result cache defaults, used when the Config fields are 0.
//
// A standard result page (10 hits with highlights, five facets) takes about
// 10–20 KB, so 2048 entries stay well under the 64 MiB byte bound, which is
// the one that normally does not bind; a page of 100 highlighted hits takes
// about 150 KB and the byte bound then limits the cache to some 400 of them.
// Autowarm replays 256 queries, about 256 × 30 ms = 8 CPU-seconds at 100k
// articles, run one at a time before the swap.
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

// cacheCounters are the counters every generation's cache adds to.
type cacheCounters struct {
	hits, coalesced, misses, evictions, autowarmed atomic.Uint64
}

// resultCache is one generation's cache. Cached results are shared by every
// caller and must not be modified (Index.Search hands out shallow copies
// whose slices and maps are the cached ones). Safe for concurrent use.
type resultCache struct {
	maxEntries int
	maxBytes   int64
	stats      *cacheCounters

	mu      sync.Mutex
	lru     *list.List // of *cacheEntry, most recently used first
	entries map[string]*list.Element
	bytes   int64
	flights map[string]*flight
}

type cacheEntry struct {
	key  string
	q    Query
	res  *Result
	size int64
}

// flight is a search being computed; identical searches wait for it.
type flight struct {
	done chan struct{}
	res  *Result
	err  error
}

func newResultCache(cfg ResultCacheConfig, stats *cacheCounters) *resultCache {
	return &resultCache{
		maxEntries: cfg.Entries,
		maxBytes:   cfg.Bytes,
		stats:      stats,
		lru:        list.New(),
		entries:    make(map[string]*list.Element),
		flights:    make(map[string]*flight),
	}
}

// lookup returns the cached result for key (hit), or the computation of
// key to wait for, or, when there is neither, a new flight this caller
// leads (it must compute, then finish it).
func (c *resultCache) lookup(key string) (res *Result, f *flight, hit, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*cacheEntry).res, nil, true, false
	}
	if f, ok := c.flights[key]; ok {
		return nil, f, false, false
	}
	f = &flight{done: make(chan struct{})}
	c.flights[key] = f
	return nil, f, false, true
}

// do returns the result of the normalised query q: from the cache, from an
// identical search already running (computed once, whoever asks), or by
// calling compute and caching what it returns. Errors are not cached. A
// caller whose wait is cut short by its own context returns that context's
// error; one whose leader failed because of the leader's context computes
// the result itself.
func (c *resultCache) do(ctx context.Context, q Query, compute func(context.Context, Query) (*Result, error)) (*Result, error) {
	key := resultKey(q)
	res, f, hit, leader := c.lookup(key)
	if hit {
		c.stats.hits.Add(1)
		return res, nil
	}
	if !leader {
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if f.err == nil {
			c.stats.coalesced.Add(1)
			return f.res, nil
		}
		if !isContextErr(f.err) || ctx.Err() != nil {
			return nil, f.err
		}
		// The leader gave up (its client left or its deadline passed):
		// this caller still wants the answer.
		c.stats.misses.Add(1)
		res, err := compute(ctx, q)
		if err == nil {
			c.put(key, q, res)
		}
		return res, err
	}
	c.stats.misses.Add(1)
	defer func() {
		c.mu.Lock()
		delete(c.flights, key)
		c.mu.Unlock()
		close(f.done)
	}()
	f.err = errSearchAborted // kept if compute panics
	f.res, f.err = compute(ctx, q)
	if f.err == nil {
		c.put(key, q, f.res)
	}
	return f.res, f.err
}

// errSearchAborted is what callers waiting for a search that panicked get.
var errSearchAborted = errors.New("indexer: the identical search this one waited for was aborted")

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// put caches res for key and evicts the least recently used entries beyond
// the bounds. A result larger than the byte bound is not cached.
func (c *resultCache) put(key string, q Query, res *Result) {
	size := resultBytes(res) + int64(len(key))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, q: q, res: res, size: size})
	c.bytes += size
	for c.lru.Len() > c.maxEntries || c.bytes > c.maxBytes {
		el := c.lru.Back()
		e := el.Value.(*cacheEntry)
		c.lru.Remove(el)
		delete(c.entries, e.key)
		c.bytes -= e.size
		c.stats.evictions.Add(1)
	}
}

// recent returns up to n cached queries, most recently used first.
func (c *resultCache) recent(n int) []Query {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Query, 0, min(n, c.lru.Len()))
	for el := c.lru.Front(); el != nil && len(out) < n; el = el.Next() {
		out = append(out, el.Value.(*cacheEntry).q)
	}
	return out
}

// size returns the number of entries and their estimated bytes.
func (c *resultCache) size() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}

// resultKey identifies a normalised Query: every field that can change its
// Result. TestResultKeyCoversQuery fails when Query gains a field this key
// does not encode.
func resultKey(q Query) string {
	var b strings.Builder
	// %q quotes every string and list element, so no two queries share a
	// key; times keep their offset (a date range is read in its zone).
	fmt.Fprintf(&b, "%q|%q|%q|%q|%q|%q|%q|%v|%s|%s|%q|%d|%d|%q|%d|%t",
		q.Text, q.Regions, q.Audiences, q.Topics, q.Types, q.Tags, q.Authors, q.Years,
		q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano), q.Sort,
		q.Page, q.PerPage, q.Facets, q.FacetSize, q.Highlight)
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
		n += 256 + int64(len(h.ID)+len(h.URL)+len(h.Title)+len(h.Author)+len(h.Type))
		n += strs(h.Regions) + strs(h.Audiences) + strs(h.Topics) + strs(h.Tags)
		n += strs(h.Highlights.Title) + strs(h.Highlights.Body) + strs(h.Highlights.Comments)
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
	for _, q := range from.results.recent(n) {
		if ctx.Err() != nil {
			break
		}
		t := time.Now()
		res, err := to.eng.search(ctx, q)
		if err != nil {
			ix.log.Debug("autowarm query failed", "generation", to.name, "error", err)
			continue
		}
		to.results.put(resultKey(q), q, res)
		warmed++
		pause := time.NewTimer(time.Since(t))
		select {
		case <-ctx.Done():
		case <-pause.C:
		}
		pause.Stop()
	}
	ix.cacheStats.autowarmed.Add(uint64(warmed))
	ix.log.Info("result cache autowarmed", "generation", to.name, "queries", warmed, "took", time.Since(start))
}

// ResultCacheStats reports the result cache's counters since Open and the
// size of the serving generation's cache.
func (ix *Index) ResultCacheStats() ResultCacheStats {
	st := ResultCacheStats{
		Hits:       ix.cacheStats.hits.Load(),
		Coalesced:  ix.cacheStats.coalesced.Load(),
		Misses:     ix.cacheStats.misses.Load(),
		Evictions:  ix.cacheStats.evictions.Load(),
		Autowarmed: ix.cacheStats.autowarmed.Load(),
	}
	if g := ix.cur.Load(); g != nil && g.results != nil {
		st.Entries, st.Bytes = g.results.size()
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

// cachedSearch runs q on g through g's result cache. The Result returned is
// a shallow copy of the cached one: its TookMS is this call's and its
// Generation g's; its slices and maps are shared and must not be modified.
func cachedSearch(ctx context.Context, g *generation, q Query) (*Result, error) {
	start := time.Now()
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	res, err := g.results.do(ctx, q, g.eng.search)
	if err != nil {
		return nil, err
	}
	out := *res
	out.TookMS = time.Since(start).Milliseconds()
	out.Generation = g.name
	return &out, nil
}
