package resultcache

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type answer struct {
	q     string
	total int
}

func sizeOf(a *answer) int64 { return int64(16 + len(a.q)) }

func TestCacheBoundsAndRecent(t *testing.T) {
	stats := &Counters{}
	c := New[string](3, 1<<20, sizeOf, stats)
	for i := range 5 {
		k := strconv.Itoa(i)
		c.Put(k, k, &answer{q: k})
	}
	if n, bytes := c.Size(); n != 3 || bytes <= 0 || stats.Evictions.Load() != 2 {
		t.Fatalf("size %d %d, evictions %d", n, bytes, stats.Evictions.Load())
	}
	if got := c.Recent(10); len(got) != 3 || got[0] != "4" || got[2] != "2" {
		t.Fatalf("recent %v", got)
	}
	// Too large for the byte bound: not cached.
	small := New[string](10, 20, sizeOf, &Counters{})
	small.Put("big", "big", &answer{q: "a long request text"})
	if n, _ := small.Size(); n != 0 {
		t.Fatalf("an answer over the byte bound was cached")
	}
}

func TestCacheConcurrentIdenticalMissesComputedOnce(t *testing.T) {
	c := New[string](10, 1<<20, sizeOf, &Counters{})
	var calls atomic.Int64
	release := make(chan struct{})
	compute := func(ctx context.Context, q string) (*answer, error) {
		calls.Add(1)
		<-release
		return &answer{q: q, total: 7}, nil
	}
	q := "falls"
	const n = 20
	var wg sync.WaitGroup
	results := make([]*answer, n)
	for i := range n {
		wg.Go(func() {
			res, err := c.Do(context.Background(), q, q, compute)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	// Wait until the other callers are queued behind the first.
	for deadline := time.Now().Add(5 * time.Second); calls.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := calls.Load(); got != 1 {
		t.Errorf("computed %d times, want once", got)
	}
	for i, r := range results {
		if r == nil || r.total != 7 || r.q != q {
			t.Fatalf("caller %d got %+v", i, r)
		}
	}
	if st := c.stats; st.Misses.Load() != 1 || st.Hits.Load()+st.Coalesced.Load() != n-1 {
		t.Errorf("misses %d, hits %d, coalesced %d", st.Misses.Load(), st.Hits.Load(), st.Coalesced.Load())
	}
}

func TestCacheWaiterRecomputesWhenLeaderGivesUp(t *testing.T) {
	c := New[string](10, 1<<20, sizeOf, &Counters{})
	q := "falls"
	leaderCtx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		_, err := c.Do(leaderCtx, q, q, func(ctx context.Context, q string) (*answer, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		})
		leaderDone <- err
	}()
	<-started
	waiterDone := make(chan *answer, 1)
	go func() {
		res, err := c.Do(context.Background(), q, q, func(ctx context.Context, q string) (*answer, error) {
			return &answer{total: 3}, nil
		})
		if err != nil {
			t.Error(err)
		}
		waiterDone <- res
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Errorf("leader: %v", err)
	}
	if res := <-waiterDone; res == nil || res.total != 3 {
		t.Errorf("waiter got %+v", res)
	}
}
