// Package resultcache is a bounded LRU cache of computed answers that also
// coalesces identical computations in flight: the first caller for a key
// computes, callers asking for the same key meanwhile wait for its answer.
// The indexer keeps one per index generation (what Solr calls the
// queryResultCache): a generation never changes, so an entry never goes
// stale.
package resultcache

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Counters count the work of one or more caches; safe for concurrent use.
type Counters struct {
	Hits       atomic.Uint64 // answered from the cache
	Coalesced  atomic.Uint64 // waited for an identical computation in flight
	Misses     atomic.Uint64 // computed (and then cached)
	Evictions  atomic.Uint64 // entries dropped to stay within the bounds
	Autowarmed atomic.Uint64 // entries seeded by the caller (counted by it)
}

// Cache maps a key to the answer R computed for the request Q it stands
// for. Cached answers are shared by every caller and must not be modified.
// Safe for concurrent use.
type Cache[Q, R any] struct {
	maxEntries int
	maxBytes   int64
	sizeOf     func(R) int64
	stats      *Counters

	mu      sync.Mutex
	lru     *list.List // of *entry[Q, R], most recently used first
	entries map[string]*list.Element
	bytes   int64
	flights map[string]*flight[R]
}

type entry[Q, R any] struct {
	key  string
	q    Q
	res  R
	size int64
}

// flight is a computation in progress; identical requests wait for it.
type flight[R any] struct {
	done chan struct{}
	res  R
	err  error
}

// New returns a cache of at most maxEntries answers and maxBytes of their
// estimated size (sizeOf), counting its work in stats.
func New[Q, R any](maxEntries int, maxBytes int64, sizeOf func(R) int64, stats *Counters) *Cache[Q, R] {
	return &Cache[Q, R]{
		maxEntries: maxEntries,
		maxBytes:   maxBytes,
		sizeOf:     sizeOf,
		stats:      stats,
		lru:        list.New(),
		entries:    make(map[string]*list.Element),
		flights:    make(map[string]*flight[R]),
	}
}

// ErrAborted is what callers waiting for a computation that panicked get.
var ErrAborted = errors.New("resultcache: the identical computation this one waited for was aborted")

// lookup returns the cached answer for key (hit), or the computation of
// key to wait for, or, when there is neither, a new flight this caller
// leads (it must compute, then finish it).
func (c *Cache[Q, R]) lookup(key string) (res R, f *flight[R], hit, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*entry[Q, R]).res, nil, true, false
	}
	if f, ok := c.flights[key]; ok {
		return res, f, false, false
	}
	f = &flight[R]{done: make(chan struct{})}
	c.flights[key] = f
	return res, f, false, true
}

// Do returns the answer to q, whose key is key: from the cache, from an
// identical computation already running (computed once, whoever asks), or
// by calling compute and caching what it returns. Errors are not cached. A
// caller whose wait is cut short by its own context returns that context's
// error; one whose leader failed because of the leader's context computes
// the answer itself.
func (c *Cache[Q, R]) Do(ctx context.Context, key string, q Q, compute func(context.Context, Q) (R, error)) (R, error) {
	res, f, hit, leader := c.lookup(key)
	if hit {
		c.stats.Hits.Add(1)
		return res, nil
	}
	if !leader {
		var zero R
		select {
		case <-f.done:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		if f.err == nil {
			c.stats.Coalesced.Add(1)
			return f.res, nil
		}
		if !isContextErr(f.err) || ctx.Err() != nil {
			return zero, f.err
		}
		// The leader gave up (its client left or its deadline passed):
		// this caller still wants the answer.
		c.stats.Misses.Add(1)
		res, err := compute(ctx, q)
		if err == nil {
			c.Put(key, q, res)
		}
		return res, err
	}
	c.stats.Misses.Add(1)
	defer func() {
		c.mu.Lock()
		delete(c.flights, key)
		c.mu.Unlock()
		close(f.done)
	}()
	f.err = ErrAborted // kept if compute panics
	f.res, f.err = compute(ctx, q)
	if f.err == nil {
		c.Put(key, q, f.res)
	}
	return f.res, f.err
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Put caches res for key and evicts the least recently used entries beyond
// the bounds. An answer larger than the byte bound is not cached.
func (c *Cache[Q, R]) Put(key string, q Q, res R) {
	size := c.sizeOf(res) + int64(len(key))
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return
	}
	c.entries[key] = c.lru.PushFront(&entry[Q, R]{key: key, q: q, res: res, size: size})
	c.bytes += size
	for c.lru.Len() > c.maxEntries || c.bytes > c.maxBytes {
		el := c.lru.Back()
		e := el.Value.(*entry[Q, R])
		c.lru.Remove(el)
		delete(c.entries, e.key)
		c.bytes -= e.size
		c.stats.Evictions.Add(1)
	}
}

// Recent returns up to n cached requests, most recently used first.
func (c *Cache[Q, R]) Recent(n int) []Q {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Q, 0, min(n, c.lru.Len()))
	for el := c.lru.Front(); el != nil && len(out) < n; el = el.Next() {
		out = append(out, el.Value.(*entry[Q, R]).q)
	}
	return out
}

// Size returns the number of entries and their estimated bytes.
func (c *Cache[Q, R]) Size() (int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}
