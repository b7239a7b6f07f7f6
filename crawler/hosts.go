package crawler

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// host is the politeness state of one host for one run: a rate limiter
// (delay = max(configured, Crawl-delay)), one request in flight, and a
// blockedUntil that pauses the whole host after a Retry-After or a failure
// back-off (no single request sleeps on its own).
//
// rate.Limiter keeps the average rate but lets one gap shrink when the
// previous wake-up was late (its schedule is by reservation, not by actual
// start), so acquire also keeps a strict floor of delay since the last
// actual start.
type host struct {
	key      string
	inflight chan struct{} // held by the request in flight
	limiter  *rate.Limiter

	mu           sync.Mutex
	blockedUntil time.Time
	delay        time.Duration
	lastStart    time.Time

	robotsOnce sync.Once
	robots     *robotsPolicy
}

func newHost(key string, delay time.Duration) *host {
	return &host{
		key:      key,
		inflight: make(chan struct{}, 1),
		limiter:  rate.NewLimiter(rate.Every(delay), 1),
		delay:    delay,
	}
}

// setDelay sets the minimum time between two requests.
func (h *host) setDelay(d time.Duration) {
	h.limiter.SetLimit(rate.Every(d))
	h.mu.Lock()
	h.delay = d
	h.mu.Unlock()
}

// acquire waits until the host is not paused, its rate allows one more
// request and no other request to it is in flight. release must follow.
func (h *host) acquire(ctx context.Context) error {
	select {
	case h.inflight <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := h.waitUntil(ctx, func() time.Time { return h.blockedUntil }); err != nil {
		<-h.inflight
		return err
	}
	if err := h.limiter.Wait(ctx); err != nil {
		<-h.inflight
		return err
	}
	if err := h.waitUntil(ctx, func() time.Time { return h.lastStart.Add(h.delay) }); err != nil {
		<-h.inflight
		return err
	}
	h.mu.Lock()
	h.lastStart = time.Now()
	h.mu.Unlock()
	return nil
}

// waitUntil sleeps until the time that until returns (read under h.mu,
// re-read after each sleep since a pause may extend it) has passed.
func (h *host) waitUntil(ctx context.Context, until func() time.Time) error {
	for {
		h.mu.Lock()
		wait := time.Until(until())
		h.mu.Unlock()
		if wait <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

func (h *host) release() { <-h.inflight }

// pause blocks the whole host until t (a later pause is never shortened).
func (h *host) pause(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t.After(h.blockedUntil) {
		h.blockedUntil = t
	}
}

// hostSet hands out one host per host key for a run.
type hostSet struct {
	mu    sync.Mutex
	delay time.Duration
	hosts map[string]*host
}

func newHostSet(delay time.Duration) *hostSet {
	return &hostSet{delay: delay, hosts: map[string]*host{}}
}

func (s *hostSet) get(key string) *host {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hosts[key]
	if !ok {
		h = newHost(key, s.delay)
		s.hosts[key] = h
	}
	return h
}
