package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Crawler runs crawl passes over the configured sources into a Store.
type Crawler struct {
	cfg   Config
	store *Store
	log   *slog.Logger
	fetch *fetcher
	docs  *fetcher // documents: MaxDocumentBytes instead of MaxBodyBytes
	tax   *Taxonomy
	agent string
}

// New checks cfg (see Config.Validate), applies its defaults and returns a
// Crawler writing to store. A nil logger discards.
func New(cfg Config, store *Store, logger *slog.Logger) (*Crawler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("crawler: New: store is nil")
	}
	if store.readOnly {
		return nil, fmt.Errorf("crawler: New: store %s is open read-only", store.path)
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	tax := cfg.Taxonomy
	if tax == nil {
		tax = DefaultTaxonomy()
	}
	docCfg := cfg
	docCfg.MaxBodyBytes = cfg.MaxDocumentBytes
	return &Crawler{
		cfg:   cfg,
		store: store,
		log:   logger.With("component", "crawler"),
		fetch: newFetcher(cfg),
		docs:  newFetcher(docCfg),
		tax:   tax,
		agent: productToken(cfg.UserAgent),
	}, nil
}

// Run makes one pass over every source: robots.txt, sitemaps, start URLs,
// in-scope links and the stored articles' URLs, fetching each URL at most
// once, politely, and committing every page atomically. Per-URL failures
// are counted in the Summary and logged. The error is non-nil only when
// the crawl failed as a whole — a source's robots.txt, sitemap or start
// pages unreachable, every fetch failed, or ctx done — and says why; the
// Summary is valid either way. progress (may be nil) is called after each
// URL, never concurrently.
func (c *Crawler) Run(ctx context.Context, progress func(Progress)) (Summary, error) {
	r := &run{
		c:     c,
		id:    time.Now().UTC().Format(time.RFC3339Nano),
		hosts: newHostSet(c.cfg.Delay),
		tally: newTally(progress),
	}
	r.tally.update(func(s *Summary) { s.Started = time.Now().UTC() })
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		srcErrs = map[string]error{}
		sem     = make(chan struct{}, c.cfg.Concurrency)
	)
	for _, src := range c.cfg.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			if err := r.source(ctx, src); err != nil {
				mu.Lock()
				errs = append(errs, err)
				srcErrs[src.Name] = err
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.tally.update(func(s *Summary) { s.Finished = time.Now().UTC() })
	sum := r.tally.summary()
	// The history is written even when ctx is done (a cancelled crawl is
	// worth a record); failing to write it does not fail the crawl.
	if err := c.store.AppendSourceRuns(context.WithoutCancel(ctx), sourceRuns(sum, srcErrs, ctx.Err())...); err != nil {
		c.log.Error("crawl history not recorded", "err", err)
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("crawler: crawl interrupted: %w", err)
	}
	if sum.Fetched == 0 && sum.NotModified == 0 && sum.ErrorCount() > sum.Errors[KindRobotsUnavailable] {
		errs = append(errs, fmt.Errorf("crawler: every fetch failed (%d errors)", sum.ErrorCount()))
	}
	c.log.Info("crawl finished", "fetched", sum.Fetched, "not_modified", sum.NotModified, "new", sum.New,
		"changed", sum.Changed, "removed", sum.Removed, "errors", sum.ErrorCount())
	return sum, errors.Join(errs...)
}

// run is the state of one Run shared by its sources.
type run struct {
	c     *Crawler
	id    string
	hosts *hostSet
	tally *tally
}

type itemKind int

const (
	kindPage itemKind = iota
	kindSitemap
	kindFeed // a feed page of a feed source; depth is its page number
	kindDocument
)

type item struct {
	u     *url.URL
	kind  itemKind
	depth int    // sitemap nesting
	start bool   // a start URL: exempt from the prefix allow list
	seq   uint64 // key in the stored frontier
}

// sourceRun crawls one source in one run. Only its own goroutine uses it.
type sourceRun struct {
	*run
	// tally counts for this source and the run; it shadows run.tally.
	tally   *sourceTally
	src     SourceConfig
	log     *slog.Logger
	base    *url.URL
	scope   Scope
	host    *host
	queue   []item
	seen    map[string]bool
	fetched map[string]bool // URLs fetched in this run (comment pages too)
	outSeen map[string]bool
	doneIDs map[string]bool
	pages   int // requests made, against MaxPages

	// Frontier changes not yet written to the store (see flush).
	next     uint64
	pendAdd  []item
	pendSeen []string
	sitemaps int // sitemaps queued in this run

	startTotal, startOK int
	sitemapFatal        []string

	// listing is the state of a feed or sitemap source (source_listing.go).
	listing listingState
}

func (r *run) source(ctx context.Context, src SourceConfig) error {
	base, err := NormalizeURL(src.URL, nil)
	if err != nil {
		return fmt.Errorf("crawler: source %s: %w", src.Name, err)
	}
	s := &sourceRun{
		run:     r,
		src:     src,
		log:     r.c.log.With("source", src.Name),
		base:    base,
		scope:   Scope{Host: hostKey(base), AllowPrefixes: src.AllowPrefixes, Generic: src.Kind != SourceIPS},
		host:    r.hosts.get(hostKey(base)),
		seen:    map[string]bool{},
		fetched: map[string]bool{},
		outSeen: map[string]bool{},
		doneIDs: map[string]bool{},
		tally:   r.tally.source(src.Name),
	}
	defer s.tally.finish()
	if err := s.startListing(); err != nil {
		return fmt.Errorf("crawler: source %s: %w", src.Name, err)
	}
	pol := s.robots(ctx)
	if ctx.Err() != nil {
		return nil
	}
	if pol.disallowAll {
		s.tally.errorKind(KindRobotsUnavailable)
		s.log.Error("robots.txt unavailable: nothing fetched from this host in this run; retried next run",
			"url", s.robotsURL().String(), "err", pol.reason)
		return fmt.Errorf("crawler: source %s: %s unavailable (%s): nothing fetched from %s in this run; it is retried on the next run",
			src.Name, s.robotsURL(), pol.reason, s.scope.Host)
	}
	fs, err := s.c.store.loadFrontier(src.Name)
	if err != nil {
		return fmt.Errorf("crawler: source %s: %w", src.Name, err)
	}
	if len(fs.items) > 0 {
		s.queue, s.seen, s.next = fs.items, fs.seen, fs.next
		s.tally.update(func(sm *Summary) { sm.Resumed++ })
		s.log.Info("resuming the unfinished pass from the stored frontier", "queued", len(s.queue), "seen", len(s.seen))
	} else {
		if len(fs.seen) > 0 {
			if err := s.c.store.clearFrontier(src.Name); err != nil {
				return fmt.Errorf("crawler: source %s: %w", src.Name, err)
			}
		}
		if src.Kind == SourceIPS {
			s.seed(pol)
		} else {
			s.seedListing(pol)
		}
	}
	s.countListings()
	if err := s.flush(nil); err != nil {
		return fmt.Errorf("crawler: source %s: %w", src.Name, err)
	}
	for len(s.queue) > 0 {
		if ctx.Err() != nil {
			return nil
		}
		if s.pages >= s.c.cfg.MaxPages {
			s.tally.update(func(sm *Summary) { sm.MaxPagesReached++ })
			s.log.Warn("MaxPages reached: the rest of the frontier is stored and the next run goes on from it",
				"max_pages", s.c.cfg.MaxPages, "queued", len(s.queue))
			break
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		if it.kind != kindPage {
			s.listing.queued--
		}
		var keep bool
		switch {
		case it.kind == kindSitemap:
			keep = s.sitemap(ctx, it)
		case it.kind == kindFeed:
			keep = s.feed(ctx, it)
		case src.Kind != SourceIPS:
			keep = s.articlePage(ctx, it)
		default:
			keep = s.page(ctx, it)
		}
		var done []uint64
		if !keep && ctx.Err() == nil {
			done = []uint64{it.seq}
		}
		if err := s.flush(done); err != nil {
			s.countErr(it.u.String(), err)
		}
		s.queueStored()
		s.tally.step(len(s.queue))
	}
	if ctx.Err() != nil {
		return nil
	}
	if len(s.queue) == 0 {
		if err := s.c.store.clearFrontier(src.Name); err != nil {
			return fmt.Errorf("crawler: source %s: %w", src.Name, err)
		}
		if err := s.finishListing(); err != nil {
			return fmt.Errorf("crawler: source %s: %w", src.Name, err)
		}
	}
	s.documents(ctx)
	var why []string
	if s.startTotal > 0 && s.startOK == 0 {
		why = append(why, "no start page could be fetched")
	}
	if len(s.sitemapFatal) > 0 {
		why = append(why, "sitemap unreachable: "+strings.Join(s.sitemapFatal, "; "))
	}
	if len(s.listing.feedFatal) > 0 {
		why = append(why, "feed unreachable: "+strings.Join(s.listing.feedFatal, "; "))
	}
	if len(why) > 0 {
		return fmt.Errorf("crawler: source %s: %s", src.Name, strings.Join(why, "; "))
	}
	return nil
}

func (s *sourceRun) robotsURL() *url.URL {
	return &url.URL{Scheme: s.base.Scheme, Host: s.base.Host, Path: "/robots.txt"}
}

// robots fetches robots.txt once per host and run (redirects ≤ 5) and
// sets the host's delay to max(Delay, Crawl-delay).
func (s *sourceRun) robots(ctx context.Context) *robotsPolicy {
	h := s.host
	h.robotsOnce.Do(func() {
		pol, err := readRobots(ctx, func(ctx context.Context, u *url.URL) (*response, error) {
			return s.fetchRetry(ctx, u, nil, MaxRobotsBytes)
		}, s.robotsURL(), s.c.agent)
		if err != nil {
			h.robots = unavailableRobots(s.c.agent, err.Error())
			return
		}
		h.robots = pol
		d := s.c.cfg.Delay
		if s.src.Delay > 0 {
			d = s.src.Delay
		}
		if cd := h.robots.crawlDelay; cd > d {
			if cd > s.c.cfg.MaxCrawlDelay {
				s.log.Warn("robots.txt Crawl-delay capped", "crawl_delay", cd, "cap", s.c.cfg.MaxCrawlDelay)
				cd = s.c.cfg.MaxCrawlDelay
			}
			d = max(d, cd)
		}
		h.setDelay(d)
		s.log.Info("robots.txt read", "delay", d, "sitemaps", len(h.robots.sitemaps))
	})
	if h.robots == nil { // ctx done during the fetch
		return unavailableRobots(s.c.agent, "interrupted")
	}
	return h.robots
}

// seed fills the frontier: start URLs, sitemaps (robots.txt Sitemap:
// lines, then /sitemap.php), then the stored articles of the source so
// that deleted records are noticed.
func (s *sourceRun) seed(pol *robotsPolicy) {
	starts := s.src.StartURLs
	if len(starts) == 0 {
		starts = append(starts, s.src.AllowPrefixes...)
	}
	for _, raw := range starts {
		u, err := NormalizeURL(raw, s.base)
		if err != nil || hostKey(u) != s.scope.Host {
			s.log.Warn("start URL skipped", "url", raw, "err", err)
			continue
		}
		if s.enqueue(item{u: u, start: true}) {
			s.startTotal++
		}
	}
	maps := append([]string{}, pol.sitemaps...)
	maps = append(maps, "/sitemap.php")
	for _, raw := range maps {
		u, err := NormalizeURL(raw, s.base)
		if err != nil || hostKey(u) != s.scope.Host {
			s.log.Warn("sitemap on another host skipped", "url", raw, "err", err)
			continue
		}
		s.enqueue(item{u: u, kind: kindSitemap})
	}
	urls, err := s.c.store.articleURLs(s.src.Name)
	if err != nil {
		s.log.Error("stored article URLs unreadable", "err", err)
	}
	for _, raw := range urls {
		if u, err := NormalizeURL(raw, nil); err == nil && s.scope.Check(u) == ScopeOK {
			s.enqueue(item{u: u})
		}
	}
}

// enqueue appends it unless its URL was already queued in this pass or
// a bound (MaxQueuedURLs, MaxSitemaps) is reached, which is counted.
func (s *sourceRun) enqueue(it item) bool {
	k := it.u.String()
	if s.seen[k] {
		return false
	}
	s.seen[k] = true
	if len(s.queue) >= s.c.cfg.MaxQueuedURLs {
		s.tally.update(func(sm *Summary) { sm.QueueDropped++ })
		return false
	}
	if it.kind == kindSitemap {
		if s.sitemaps >= s.c.cfg.MaxSitemaps {
			s.tally.update(func(sm *Summary) { sm.SitemapsDropped++ })
			return false
		}
		s.sitemaps++
	}
	it.seq = s.next
	s.next++
	s.queue = append(s.queue, it)
	s.pendAdd = append(s.pendAdd, it)
	if it.kind != kindPage {
		s.listing.queued++
	}
	return true
}

// enqueueFront puts it first in the queue, whatever the bounds.
func (s *sourceRun) enqueueFront(it item) {
	s.seen[it.u.String()] = true
	it.seq = s.next
	s.next++
	s.queue = slices.Insert(s.queue, 0, it)
	s.pendAdd = append(s.pendAdd, it)
}

// markSeen records a URL reached without being queued.
func (s *sourceRun) markSeen(u string) {
	if !s.seen[u] {
		s.seen[u] = true
		s.pendSeen = append(s.pendSeen, u)
	}
}

// flush writes the frontier changes of the last item to the store: done
// items leave the stored queue, new ones join it.
func (s *sourceRun) flush(done []uint64) error {
	err := s.c.store.updateFrontier(s.src.Name, done, s.pendAdd, s.pendSeen)
	s.pendAdd, s.pendSeen = s.pendAdd[:0], s.pendSeen[:0]
	return err
}

// inScope checks u for it; start URLs, sitemaps and documents need only
// the host.
func (s *sourceRun) inScope(u *url.URL, it item) string {
	if it.start || it.kind != kindPage {
		if hostKey(u) != s.scope.Host {
			return ScopeOtherHost
		}
		return ScopeOK
	}
	return s.scope.Check(u)
}

// enqueueLinks queues the in-scope links of a page (at most
// MaxLinksPerPage) and returns them.
func (s *sourceRun) enqueueLinks(links []string) []string {
	var kept []string
	for _, l := range links {
		u, err := NormalizeURL(l, nil)
		if err != nil {
			continue
		}
		switch s.scope.Check(u) {
		case ScopeOK:
			if len(kept) >= s.c.cfg.MaxLinksPerPage {
				s.tally.update(func(sm *Summary) { sm.LinksDropped++ })
				continue
			}
			kept = append(kept, u.String())
			s.enqueue(item{u: u})
		case ScopeOtherHost:
		default:
			if k := u.String(); !s.outSeen[k] {
				s.outSeen[k] = true
				s.tally.update(func(sm *Summary) { sm.OutOfScope++ })
			}
		}
	}
	return kept
}

// backoff is base·2^attempt with ±50% jitter.
func (s *sourceRun) backoff(attempt int) time.Duration {
	d := s.c.cfg.BackoffBase << min(attempt, 16)
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}

// fetchRetry fetches u (no redirect followed), retrying 5xx, 429,
// timeouts and connection errors up to MaxRetries times. Between tries the
// whole host is paused — for Retry-After (capped) on 429/503, else for an
// exponential back-off with jitter — so no request sleeps by itself.
func (s *sourceRun) fetchRetry(ctx context.Context, u *url.URL, hdr http.Header, truncateAt int64) (*response, error) {
	return s.fetchRetryWith(ctx, s.c.fetch, u, hdr, truncateAt)
}

// fetchRetryWith is fetchRetry through f.
func (s *sourceRun) fetchRetryWith(ctx context.Context, f *fetcher, u *url.URL, hdr http.Header, truncateAt int64) (*response, error) {
	cfg := s.c.cfg
	for attempt := 0; ; attempt++ {
		if s.pages >= cfg.MaxPages {
			return nil, errPageBudget
		}
		if err := s.host.acquire(ctx); err != nil {
			return nil, err
		}
		s.pages++
		resp, err := f.get(ctx, u, hdr, truncateAt)
		s.host.release()
		if err == nil && (resp.Status == http.StatusTooManyRequests || resp.Status >= 500) {
			err = statusError(resp)
		}
		var fe *FetchError
		if !errors.As(err, &fe) || !fe.retryable() {
			return resp, err
		}
		wait := s.backoff(attempt)
		if resp != nil && (resp.Status == http.StatusTooManyRequests || resp.Status == http.StatusServiceUnavailable) {
			if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = d
				if d > cfg.MaxRetryAfter {
					wait = cfg.MaxRetryAfter
					s.tally.update(func(sm *Summary) { sm.RetryAfterCapped++ })
					s.log.Warn("Retry-After above the cap: host paused for the cap", "url", u.String(),
						"retry_after", resp.Header.Get("Retry-After"), "cap", cfg.MaxRetryAfter)
				}
			}
		}
		s.host.pause(time.Now().Add(wait))
		s.tally.update(func(sm *Summary) { sm.HostPauses++ })
		if attempt >= cfg.MaxRetries {
			return resp, err
		}
		s.log.Info("host paused before retry", "url", u.String(), "err", fe.Err.Error(), "status", fe.Status,
			"attempt", attempt+1, "pause", wait)
	}
}

// errPageBudget is returned instead of a request once MaxPages requests
// were made for the source in this run.
var errPageBudget = errors.New("crawler: MaxPages requests made for this source in this run")

// skipError is a fetch not made because a redirect left the scope or
// robots.txt disallows its target.
type skipError struct {
	url    string
	robots bool
}

func (e *skipError) Error() string {
	if e.robots {
		return "crawler: redirect target " + e.url + " is disallowed by robots.txt"
	}
	return "crawler: redirect target " + e.url + " is out of scope"
}

// fetchFollow fetches it.u following up to MaxRedirects redirects, each
// target normalised and re-checked against the scope and robots.txt;
// loops are detected and named. hdr goes to the first request only.
func (s *sourceRun) fetchFollow(ctx context.Context, it item, hdr http.Header) (*response, error) {
	cur := it.u
	chain := []string{cur.String()}
	f := s.c.fetch
	if it.kind == kindDocument {
		f = s.c.docs
	}
	for hops := 0; ; hops++ {
		resp, err := s.fetchRetryWith(ctx, f, cur, hdr, 0)
		if err != nil {
			return resp, err
		}
		if resp.Status < 300 || resp.Status >= 400 || resp.Status == http.StatusNotModified {
			return resp, nil
		}
		loc := resp.Header.Get("Location")
		next, err := NormalizeURL(loc, cur)
		if err != nil {
			return nil, &FetchError{Kind: KindRedirectBad, URL: it.u.String(), Status: resp.Status,
				Err: fmt.Errorf("HTTP %d with unusable Location %q", resp.Status, loc)}
		}
		chain = append(chain, next.String())
		if slices.Contains(chain[:len(chain)-1], next.String()) {
			return nil, &FetchError{Kind: KindRedirectLoop, URL: it.u.String(), Status: resp.Status,
				Err: fmt.Errorf("redirect loop: %s", strings.Join(chain, " → "))}
		}
		if hops+1 > MaxRedirects {
			return nil, &FetchError{Kind: KindTooManyRedirects, URL: it.u.String(), Status: resp.Status,
				Err: fmt.Errorf("more than %d redirects: %s", MaxRedirects, strings.Join(chain, " → "))}
		}
		if s.inScope(next, it) != ScopeOK {
			return nil, &skipError{url: next.String()}
		}
		if !s.host.robots.Allowed(next) {
			return nil, &skipError{url: next.String(), robots: true}
		}
		s.markSeen(next.String())
		cur, hdr = next, nil
	}
}

// countErr counts and logs a failed URL.
func (s *sourceRun) countErr(u string, err error) {
	var fe *FetchError
	var se *skipError
	switch {
	case errors.As(err, &se):
		if se.robots {
			s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		} else {
			s.tally.update(func(sm *Summary) { sm.OutOfScope++ })
		}
		s.log.Info("redirect not followed", "url", u, "err", err)
	case errors.As(err, &fe):
		s.tally.errorKind(fe.Kind)
		s.log.Warn("fetch failed", "url", u, "err", err, "status", fe.Status, "kind", fe.Kind)
	default:
		s.tally.errorKind(KindStore)
		s.log.Error("crawl step failed", "url", u, "err", err)
	}
}

// sitemap fetches and parses one sitemap and queues what it lists. keep
// is true when it was not done (MaxPages, ctx) and stays in the frontier.
func (s *sourceRun) sitemap(ctx context.Context, it item) (keep bool) {
	u := it.u.String()
	fatal := func(err error) {
		var fe *FetchError
		if errors.As(err, &fe) && fe.retryable() {
			s.sitemapFatal = append(s.sitemapFatal, err.Error())
		}
	}
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		return false
	}
	resp, err := s.fetchFollow(ctx, it, nil)
	if ctx.Err() != nil || errors.Is(err, errPageBudget) {
		return true
	}
	if err == nil && resp.Status != http.StatusOK {
		err = statusError(resp)
	}
	if err != nil {
		s.countErr(u, err)
		fatal(err)
		return false
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	if isHTML(resp.ContentType, resp.Body) || !looksLikeXMLOrGzip(resp.Body) {
		s.countErr(u, &FetchError{Kind: KindSitemap, URL: u, Status: resp.Status,
			Err: fmt.Errorf("sitemap is not XML (Content-Type %q)", resp.ContentType)})
		return false
	}
	sm, err := ParseSitemap(bytes.NewReader(resp.Body), 0, 0)
	if err != nil {
		s.countErr(u, &FetchError{Kind: KindSitemap, URL: u, Status: resp.Status, Err: err})
		if sm == nil {
			return false
		}
	}
	for _, e := range sm.URLs {
		v, err := NormalizeURL(e.Loc, resp.URL)
		if err != nil {
			continue
		}
		if sm.Index {
			if it.depth+1 > MaxSitemapDepth {
				s.countErr(u, &FetchError{Kind: KindSitemap, URL: u,
					Err: fmt.Errorf("sitemap index nested deeper than %d: %s not read", MaxSitemapDepth, v)})
				continue
			}
			if hostKey(v) == s.scope.Host {
				s.enqueue(item{u: v, kind: kindSitemap, depth: it.depth + 1})
			}
			continue
		}
		s.listPage(v, e.LastMod, nil)
	}
	return false
}

const acceptHTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

// page fetches one HTML page, follows its links and stores its article.
// keep is true when it was not done (MaxPages, ctx) and stays in the
// frontier.
func (s *sourceRun) page(ctx context.Context, it item) (keep bool) {
	u := it.u.String()
	if s.fetched[u] {
		return false
	}
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		if it.start {
			s.startTotal--
			s.log.Warn("start URL disallowed by robots.txt", "url", u)
		}
		s.log.Debug("disallowed by robots.txt", "url", u)
		return false
	}
	st, known, err := s.c.store.state(u)
	if err != nil {
		s.countErr(u, err)
		return false
	}
	hdr := http.Header{"Accept": {acceptHTML}}
	if known && st.Status == http.StatusOK && (st.ArticleID == "" || s.c.store.hasArticle(st.ArticleID)) {
		if st.ETag != "" {
			hdr.Set("If-None-Match", st.ETag)
		}
		if st.LastModified != "" {
			hdr.Set("If-Modified-Since", st.LastModified)
		}
	}
	resp, err := s.fetchFollow(ctx, it, hdr)
	if ctx.Err() != nil || errors.Is(err, errPageBudget) {
		return true
	}
	now := time.Now().UTC()
	if err == nil && resp.Status != http.StatusOK && resp.Status != http.StatusNotModified {
		err = statusError(resp)
	}
	if err != nil {
		s.failed(it, resp, st, err, now)
		return false
	}
	if it.start {
		s.startOK++
	}
	if resp.Status == http.StatusNotModified {
		s.tally.update(func(sm *Summary) { sm.NotModified++ })
		for _, l := range st.Links {
			if v, err := NormalizeURL(l, nil); err == nil {
				s.enqueue(item{u: v})
			}
		}
		if st.ArticleID != "" {
			s.doneIDs[st.ArticleID] = true
		}
		st.LastFetch, st.Failures, st.Gone, st.GoneRun, st.LastError = now, 0, 0, "", ""
		if err := s.c.store.putState(u, st); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	final := resp.URL
	s.fetched[u], s.fetched[final.String()] = true, true
	body, perr := s.decode(resp)
	if perr != nil {
		s.failed(it, resp, st, perr, now)
		return false
	}
	pg, err := Extract(final, body, ExtractOptions{Source: s.src.Name, Taxonomy: s.c.tax, FetchedAt: now})
	if err != nil {
		s.failed(it, resp, st, &FetchError{Kind: KindExtractFailed, URL: final.String(), Status: resp.Status, Err: err}, now)
		return false
	}
	if pg.Degraded != "" {
		s.tally.errorKind(KindExtractFailed)
		s.log.Warn("page read in part; what could be read is kept", "url", final.String(), "reason", pg.Degraded)
	}
	if pg.UntrustedCanonical != "" {
		s.tally.update(func(sm *Summary) { sm.UntrustedCanonicals++ })
		s.log.Warn("rel=canonical names another host or record: ignored, the fetched URL is used",
			"url", final.String(), "canonical", pg.UntrustedCanonical)
	}
	links := s.enqueueLinks(pg.Links)
	newState := urlState{
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		Status: resp.Status, LastFetch: now, Links: links,
	}
	states := map[string]urlState{final.String(): newState}
	if final.String() != u {
		states[u] = urlState{Status: http.StatusMovedPermanently, LastFetch: now}
	}
	if pg.Article == nil {
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	// A record reached through another URL than its page-1 URL (comment
	// page 2 or 3, old category path) is fetched from its page-1 URL
	// (Article.URL, from rel=canonical) right away, so comments merge in
	// page order. This URL keeps no validators: a 304 on it must never
	// stand in for the record.
	if canon, err := NormalizeURL(pg.Article.URL, final); err == nil && canon.String() != final.String() &&
		s.scope.Check(canon) == ScopeOK && s.host.robots.Allowed(canon) && !s.fetched[canon.String()] && !s.doneIDs[pg.Article.ID] {
		s.enqueueFront(item{u: canon})
		for k, v := range states {
			v.ETag, v.LastModified, v.ArticleID = "", "", pg.Article.ID
			states[k] = v
		}
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		s.tally.update(func(sm *Summary) { sm.Duplicates++ })
		s.log.Debug("record fetched from its page-1 URL", "url", u, "record_url", canon.String())
		return false
	}
	art := pg.Article
	art.Publisher = s.src.Publisher
	s.listing.tax.addIPS(art)
	for k, v := range states {
		v.ArticleID = art.ID
		states[k] = v
	}
	if s.doneIDs[art.ID] {
		s.tally.update(func(sm *Summary) { sm.Duplicates++ })
		for k, v := range states {
			v.ETag, v.LastModified = "", ""
			states[k] = v
		}
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	s.doneIDs[art.ID] = true
	if err := s.commentPages(ctx, final, pg, states, now); err != nil {
		if ctx.Err() != nil {
			return true
		}
		// The stored article (if any) stays as it was.
		s.countErr(u, err)
		ns := states[final.String()]
		ns.Failures = st.Failures + 1
		ns.LastError = err.Error()
		ns.ETag, ns.LastModified = "", ""
		states[final.String()] = ns
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	out, err := s.c.store.commit(pageCommit{States: states, Article: art})
	if err != nil {
		s.countErr(u, err)
		return false
	}
	s.tally.update(func(sm *Summary) {
		switch out {
		case outcomeNew:
			sm.New++
		case outcomeChanged:
			sm.Changed++
		case outcomeUnchanged:
			sm.Unchanged++
		}
	})
	return false
}

// commentPages fetches the record's other comment pages and merges their
// comments into pg.Article; states gets their URL states.
func (s *sourceRun) commentPages(ctx context.Context, final *url.URL, pg *Page, states map[string]urlState, now time.Time) error {
	var others []*article.Article
	list := pg.CommentPages
	capped := false
	if limit := max(s.c.cfg.MaxCommentPages-1, 0); len(list) > limit {
		list, capped = list[:limit], true
	}
	defer func() {
		if capped {
			s.tally.update(func(sm *Summary) { sm.CommentPagesCapped++ })
			s.log.Warn("comment pages cut: the record keeps the comments of the pages read",
				"url", final.String(), "comment_pages", len(pg.CommentPages)+1, "read", len(others)+1)
		}
	}()
	for _, raw := range list {
		cu, err := NormalizeURL(raw, final)
		if err != nil || cu.String() == final.String() {
			continue
		}
		s.markSeen(cu.String())
		if s.scope.Check(cu) != ScopeOK {
			continue
		}
		if !s.host.robots.Allowed(cu) {
			s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
			continue
		}
		resp, err := s.fetchFollow(ctx, item{u: cu}, http.Header{"Accept": {acceptHTML}})
		if errors.Is(err, errPageBudget) {
			capped = true
			break
		}
		if err == nil && resp.Status != http.StatusOK {
			err = statusError(resp)
		}
		if err != nil {
			return fmt.Errorf("comment page %s: %w", cu, err)
		}
		s.tally.update(func(sm *Summary) { sm.Fetched++ })
		s.fetched[cu.String()], s.fetched[resp.URL.String()] = true, true
		body, err := s.decode(resp)
		if err != nil {
			return fmt.Errorf("comment page %s: %w", cu, err)
		}
		cp, err := Extract(resp.URL, body, ExtractOptions{Source: s.src.Name, Taxonomy: s.c.tax, FetchedAt: now})
		if err == nil && cp.Article == nil {
			err = ErrNotArticle
		}
		if err != nil {
			return &FetchError{Kind: KindExtractFailed, URL: cu.String(), Status: resp.Status, Err: err}
		}
		if cp.Article.ID != pg.Article.ID {
			return &FetchError{Kind: KindExtractFailed, URL: cu.String(), Status: resp.Status,
				Err: fmt.Errorf("comment page belongs to %s, not %s", cp.Article.ID, pg.Article.ID)}
		}
		others = append(others, cp.Article)
		s.enqueueLinks(cp.Links)
		states[resp.URL.String()] = urlState{Status: resp.Status, LastFetch: now, ArticleID: pg.Article.ID}
	}
	MergeComments(pg.Article, others...)
	return nil
}

// decode checks that an answer is HTML and returns it as UTF-8.
func (s *sourceRun) decode(resp *response) ([]byte, error) {
	return decodeHTML(resp)
}

// failed records a failed page: 404/410 counts towards removal of the
// record, anything else keeps the stored article and validators.
func (s *sourceRun) failed(it item, resp *response, st urlState, err error, now time.Time) {
	u := it.u.String()
	s.countErr(u, err)
	var fe *FetchError
	if errors.As(err, &fe) && (fe.Status == http.StatusNotFound || fe.Status == http.StatusGone) && resp != nil {
		gone := resp.URL.String()
		removed, err := s.c.store.markGone(gone, s.id, fe.Status, now)
		if err != nil {
			s.countErr(u, err)
			return
		}
		if removed {
			s.tally.update(func(sm *Summary) { sm.Removed++ })
			s.log.Info("article removed: its URL answered 404/410 on two consecutive crawls", "url", gone, "status", fe.Status)
		}
		return
	}
	var se *skipError
	if errors.As(err, &se) {
		return
	}
	st.Failures++
	st.LastError = err.Error()
	st.LastFetch = now
	if fe != nil && fe.Status != 0 {
		st.Status = fe.Status
	}
	if perr := s.c.store.putState(u, st); perr != nil {
		s.countErr(u, perr)
	}
}
