package crawler

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHostPauseBlocksEveryRequest(t *testing.T) {
	h := newHost("x", time.Millisecond)
	ctx := context.Background()
	until := time.Now().Add(150 * time.Millisecond)
	h.pause(until)
	h.pause(time.Now()) // an earlier pause never shortens a later one
	var wg sync.WaitGroup
	var early atomic.Int32
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			if time.Now().Before(until) {
				early.Add(1)
			}
			h.release()
		}()
	}
	wg.Wait()
	if early.Load() != 0 {
		t.Errorf("%d requests ran while the host was paused", early.Load())
	}
}

func TestHostOneInFlightAndDelay(t *testing.T) {
	h := newHost("x", 30*time.Millisecond)
	ctx := context.Background()
	var in, maxIn atomic.Int32
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			n := in.Add(1)
			if n > maxIn.Load() {
				maxIn.Store(n)
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			in.Add(-1)
			h.release()
		}()
	}
	wg.Wait()
	if maxIn.Load() != 1 {
		t.Errorf("%d in flight at once", maxIn.Load())
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < 25*time.Millisecond {
			t.Errorf("requests %d and %d only %s apart (delay 30ms)", i-1, i, d)
		}
	}
}

func TestHostAcquireCanceled(t *testing.T) {
	h := newHost("x", time.Millisecond)
	h.pause(time.Now().Add(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire on a paused host = %v", err)
	}
	// the slot was given back
	h.mu.Lock()
	h.blockedUntil = time.Time{}
	h.mu.Unlock()
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.release()
}
