package searchapi

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// ipLimiter is a token bucket per client IP, in a bounded map: entries idle
// longer than idle are swept, and when the map is full the least recently
// seen client is evicted (its bucket starts full again, which only ever
// favours that client).
type ipLimiter struct {
	limit rate.Limit
	burst int
	max   int
	idle  time.Duration
	now   func() time.Time

	mu        sync.Mutex
	clients   map[string]*ipClient
	lastSweep time.Time

	running *inFlight
}

type ipClient struct {
	lim  *rate.Limiter
	seen time.Time
}

func newIPLimiter(perSecond float64, burst, maxClients int, idle time.Duration) *ipLimiter {
	return &ipLimiter{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		max:     maxClients,
		idle:    idle,
		now:     time.Now,
		clients: make(map[string]*ipClient),
		running: newInFlight(maxInFlight, inFlightWait),
	}
}

// A client's burst of tokens could otherwise start that many searches at
// once, each running up to the search deadline: at most maxInFlight of its
// requests run at a time, and one more waits up to inFlightWait for a
// turn before it is refused (429). What one client can queue is then a few
// deadlines of CPU, whatever its burst.
const (
	maxInFlight  = 2
	inFlightWait = time.Second
)

// inFlight bounds the requests running at once per client key. A key is
// tracked only while one of its requests runs or waits, so the map is as
// large as the requests in progress.
type inFlight struct {
	max  int
	wait time.Duration

	mu      sync.Mutex
	clients map[string]*clientSlots
}

type clientSlots struct {
	sem   chan struct{}
	users int // requests running or waiting
}

func newInFlight(maxRunning int, wait time.Duration) *inFlight {
	return &inFlight{max: maxRunning, wait: wait, clients: make(map[string]*clientSlots)}
}

// acquire waits for one of key's slots, up to f.wait or until ctx ends. It
// returns the release of the slot, or false when none came free.
func (f *inFlight) acquire(ctx context.Context, key string) (release func(), ok bool) {
	f.mu.Lock()
	cs, found := f.clients[key]
	if !found {
		cs = &clientSlots{sem: make(chan struct{}, f.max)}
		f.clients[key] = cs
	}
	cs.users++
	f.mu.Unlock()
	leave := func() {
		f.mu.Lock()
		if cs.users--; cs.users == 0 {
			delete(f.clients, key)
		}
		f.mu.Unlock()
	}
	release = func() {
		<-cs.sem
		leave()
	}
	select {
	case cs.sem <- struct{}{}:
		return release, true
	default:
	}
	t := time.NewTimer(f.wait)
	defer t.Stop()
	select {
	case cs.sem <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	leave()
	return nil, false
}

// size is the number of clients with a request running or waiting.
func (f *inFlight) size() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.clients)
}

// allow takes one token for key. When none is left it reports how long
// until one is.
func (l *ipLimiter) allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.idle/2 {
		l.sweep(now)
	}
	cl, found := l.clients[key]
	if !found {
		if len(l.clients) >= l.max {
			l.sweep(now)
		}
		if len(l.clients) >= l.max {
			l.evictOldest()
		}
		cl = &ipClient{lim: rate.NewLimiter(l.limit, l.burst)}
		l.clients[key] = cl
	}
	cl.seen = now
	r := cl.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops clients idle for longer than l.idle.
func (l *ipLimiter) sweep(now time.Time) {
	for k, cl := range l.clients {
		if now.Sub(cl.seen) > l.idle {
			delete(l.clients, k)
		}
	}
	l.lastSweep = now
}

func (l *ipLimiter) evictOldest() {
	var oldestKey string
	var oldest time.Time
	for k, cl := range l.clients {
		if oldestKey == "" || cl.seen.Before(oldest) {
			oldestKey, oldest = k, cl.seen
		}
	}
	delete(l.clients, oldestKey)
}

// size is the number of tracked clients.
func (l *ipLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// clientKey is the rate-limit bucket of a client IP: the address itself for
// IPv4, its /64 network for IPv6 (one subscriber usually holds a whole /64,
// so per-address buckets would be trivial to dodge).
func clientKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		if ip == "" {
			return "unknown"
		}
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return addr.String()
	}
	return p.String()
}

// rateLimit refuses requests over the client's rate in l, or over its
// requests running at once, with 429 rate_limited and a Retry-After header.
func (s *Server) rateLimit(l *ipLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := clientKey(c.ClientIP())
		if ok, wait := l.allow(key); !ok {
			s.fail(c, &rateLimitedError{retryAfter: wait})
			return
		}
		release, ok := l.running.acquire(c.Request.Context(), key)
		if !ok {
			s.fail(c, &rateLimitedError{retryAfter: time.Second, running: true})
			return
		}
		defer release()
		c.Next()
	}
}
