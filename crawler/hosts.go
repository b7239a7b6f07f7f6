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
type host struct {
	key      string
	inflight chan struct{}
	limiter  *rate.Limiter

	mu           sync.Mutex
	blockedUntil time.Time
	pauses       int

	robotsOnce sync.Once
	robots     *robotsPolicy
}

func newHost(key string, delay time.Duration) *host {
	return &host{
		key:      key,
		inflight: make(chan struct{}, 1),
		limiter:  rate.NewLimiter(rate.Every(delay), 1),
	}
}

// setDelay sets the minimum time between two requests.
func (h *host) setDelay(d time.Duration) {
	h.limiter.SetLimit(rate.Every(d))
}

// acquire waits until the host is not paused, its rate allows one more
// request and no other request to it is in flight. release must follow.
func (h *host) acquire(ctx context.Context) error {
	select {
	case h.inflight <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	for {
		h.mu.Lock()
		wait := time.Until(h.blockedUntil)
		h.mu.Unlock()
		if wait <= 0 {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			<-h.inflight
			return ctx.Err()
		}
	}
	if err := h.limiter.Wait(ctx); err != nil {
		<-h.inflight
		return err
	}
	return nil
}

func (h *host) release() { <-h.inflight }

// pause blocks the whole host until t (a later pause is never shortened).
func (h *host) pause(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pauses++
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
