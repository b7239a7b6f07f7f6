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
	return &Crawler{
		cfg:   cfg,
		store: store,
		log:   logger.With("component", "crawler"),
		fetch: newFetcher(cfg),
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
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, c.cfg.Concurrency)
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
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.tally.update(func(s *Summary) { s.Finished = time.Now().UTC() })
	sum := r.tally.summary()
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
)

type item struct {
	u     *url.URL
	kind  itemKind
	depth int  // sitemap nesting
	start bool // a start URL: exempt from the prefix allow list
}

// sourceRun crawls one source in one run. Only its own goroutine uses it.
type sourceRun struct {
	*run
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
	pages   int

	startTotal, startOK int
	sitemapFatal        []string
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
		scope:   Scope{Host: hostKey(base), AllowPrefixes: src.AllowPrefixes},
		host:    r.hosts.get(hostKey(base)),
		seen:    map[string]bool{},
		fetched: map[string]bool{},
		outSeen: map[string]bool{},
		doneIDs: map[string]bool{},
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
	s.seed(pol)
	for len(s.queue) > 0 {
		if ctx.Err() != nil {
			return nil
		}
		if s.pages >= s.c.cfg.MaxPages {
			s.tally.update(func(sm *Summary) { sm.MaxPagesReached++ })
			s.log.Warn("MaxPages reached: the rest of the frontier is left for the next run",
				"max_pages", s.c.cfg.MaxPages, "queued", len(s.queue))
			break
		}
		it := s.queue[0]
		s.queue = s.queue[1:]
		switch it.kind {
		case kindSitemap:
			s.sitemap(ctx, it)
		default:
			s.page(ctx, it)
		}
		s.tally.step(src.Name, len(s.queue))
	}
	if ctx.Err() != nil {
		return nil
	}
	var why []string
	if s.startTotal > 0 && s.startOK == 0 {
		why = append(why, "no start page could be fetched")
	}
	if len(s.sitemapFatal) > 0 {
		why = append(why, "sitemap unreachable: "+strings.Join(s.sitemapFatal, "; "))
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
		cur := s.robotsURL()
		for hops := 0; ; hops++ {
			resp, err := s.fetchRetry(ctx, cur, nil)
			if err != nil {
				h.robots = unavailableRobots(s.c.agent, err.Error())
				return
			}
			if resp.Status >= 300 && resp.Status < 400 && resp.Status != http.StatusNotModified {
				next, err := NormalizeURL(resp.Header.Get("Location"), cur)
				if err != nil || hops >= MaxRedirects {
					// RFC 9309 §2.3.1.2: an unresolvable redirect is "unavailable" (4xx).
					h.robots = newRobotsPolicy(http.StatusNotFound, "", s.c.agent)
					return
				}
				cur = next
				continue
			}
			h.robots = newRobotsPolicy(resp.Status, string(resp.Body), s.c.agent)
			break
		}
		d := s.c.cfg.Delay
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

// enqueue appends it unless its URL was already queued in this run.
func (s *sourceRun) enqueue(it item) bool {
	k := it.u.String()
	if s.seen[k] {
		return false
	}
	s.seen[k] = true
	s.queue = append(s.queue, it)
	return true
}

// inScope checks u for it; start URLs and sitemaps need only the host.
func (s *sourceRun) inScope(u *url.URL, it item) string {
	if it.start || it.kind == kindSitemap {
		if hostKey(u) != s.scope.Host {
			return ScopeOtherHost
		}
		return ScopeOK
	}
	return s.scope.Check(u)
}

// enqueueLinks queues the in-scope links of a page and returns them.
func (s *sourceRun) enqueueLinks(links []string) []string {
	var kept []string
	for _, l := range links {
		u, err := NormalizeURL(l, nil)
		if err != nil {
			continue
		}
		switch s.scope.Check(u) {
		case ScopeOK:
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
func (s *sourceRun) fetchRetry(ctx context.Context, u *url.URL, hdr http.Header) (*response, error) {
	cfg := s.c.cfg
	for attempt := 0; ; attempt++ {
		if err := s.host.acquire(ctx); err != nil {
			return nil, err
		}
		s.pages++
		resp, err := s.c.fetch.get(ctx, u, hdr)
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
	for hops := 0; ; hops++ {
		resp, err := s.fetchRetry(ctx, cur, hdr)
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
		s.seen[next.String()] = true
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

// sitemap fetches and parses one sitemap and queues what it lists.
func (s *sourceRun) sitemap(ctx context.Context, it item) {
	u := it.u.String()
	fatal := func(err error) {
		var fe *FetchError
		if errors.As(err, &fe) && fe.retryable() {
			s.sitemapFatal = append(s.sitemapFatal, err.Error())
		}
	}
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		return
	}
	resp, err := s.fetchFollow(ctx, it, nil)
	if ctx.Err() != nil {
		return
	}
	if err == nil && resp.Status != http.StatusOK {
		err = statusError(resp)
	}
	if err != nil {
		s.countErr(u, err)
		fatal(err)
		return
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	if isHTML(resp.ContentType, resp.Body) || !looksLikeXMLOrGzip(resp.Body) {
		s.countErr(u, &FetchError{Kind: KindSitemap, URL: u, Status: resp.Status,
			Err: fmt.Errorf("sitemap is not XML (Content-Type %q)", resp.ContentType)})
		return
	}
	sm, err := ParseSitemap(bytes.NewReader(resp.Body), 0, 0)
	if err != nil {
		s.countErr(u, &FetchError{Kind: KindSitemap, URL: u, Status: resp.Status, Err: err})
		if sm == nil {
			return
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
		switch s.scope.Check(v) {
		case ScopeOK:
			s.enqueue(item{u: v})
		case ScopeOtherHost:
		default:
			if k := v.String(); !s.outSeen[k] {
				s.outSeen[k] = true
				s.tally.update(func(sm *Summary) { sm.OutOfScope++ })
			}
		}
	}
}

const acceptHTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

// page fetches one HTML page, follows its links and stores its article.
func (s *sourceRun) page(ctx context.Context, it item) {
	u := it.u.String()
	if s.fetched[u] {
		return
	}
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		if it.start {
			s.startTotal--
			s.log.Warn("start URL disallowed by robots.txt", "url", u)
		}
		s.log.Debug("disallowed by robots.txt", "url", u)
		return
	}
	st, known, err := s.c.store.state(u)
	if err != nil {
		s.countErr(u, err)
		return
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
	if ctx.Err() != nil {
		return
	}
	now := time.Now().UTC()
	if err == nil && resp.Status != http.StatusOK && resp.Status != http.StatusNotModified {
		err = statusError(resp)
	}
	if err != nil {
		s.failed(it, resp, st, err, now)
		return
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
		return
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	final := resp.URL
	s.fetched[u], s.fetched[final.String()] = true, true
	body, perr := s.decode(resp)
	if perr != nil {
		s.failed(it, resp, st, perr, now)
		return
	}
	pg, err := Extract(final, body, ExtractOptions{Source: s.src.Name, Taxonomy: s.c.tax, FetchedAt: now})
	if err != nil {
		s.failed(it, resp, st, &FetchError{Kind: KindExtractFailed, URL: final.String(), Status: resp.Status, Err: err}, now)
		return
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
		return
	}
	// A record reached through another URL than its page-1 URL (comment
	// page 2 or 3, old category path) is fetched from its page-1 URL
	// (Article.URL, from rel=canonical) right away, so comments merge in
	// page order. This URL keeps no validators: a 304 on it must never
	// stand in for the record.
	if canon, err := NormalizeURL(pg.Article.URL, final); err == nil && canon.String() != final.String() &&
		s.scope.Check(canon) == ScopeOK && s.host.robots.Allowed(canon) && !s.fetched[canon.String()] && !s.doneIDs[pg.Article.ID] {
		s.seen[canon.String()] = true
		s.queue = slices.Insert(s.queue, 0, item{u: canon})
		for k, v := range states {
			v.ETag, v.LastModified, v.ArticleID = "", "", pg.Article.ID
			states[k] = v
		}
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		s.tally.update(func(sm *Summary) { sm.Duplicates++ })
		s.log.Debug("record fetched from its page-1 URL", "url", u, "record_url", canon.String())
		return
	}
	art := pg.Article
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
		return
	}
	s.doneIDs[art.ID] = true
	if err := s.commentPages(ctx, final, pg, states, now); err != nil {
		if ctx.Err() != nil {
			return
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
		return
	}
	out, err := s.c.store.commit(pageCommit{States: states, Article: art})
	if err != nil {
		s.countErr(u, err)
		return
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
}

// commentPages fetches the record's other comment pages and merges their
// comments into pg.Article; states gets their URL states.
func (s *sourceRun) commentPages(ctx context.Context, final *url.URL, pg *Page, states map[string]urlState, now time.Time) error {
	var others []*article.Article
	for _, raw := range pg.CommentPages {
		cu, err := NormalizeURL(raw, final)
		if err != nil || cu.String() == final.String() {
			continue
		}
		s.seen[cu.String()] = true
		if s.scope.Check(cu) != ScopeOK {
			continue
		}
		if !s.host.robots.Allowed(cu) {
			s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
			continue
		}
		resp, err := s.fetchFollow(ctx, item{u: cu}, http.Header{"Accept": {acceptHTML}})
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
	if !isHTML(resp.ContentType, resp.Body) {
		return nil, &FetchError{Kind: KindNotHTML, URL: resp.URL.String(), Status: resp.Status,
			Err: fmt.Errorf("Content-Type %q is not HTML", resp.ContentType)}
	}
	body, err := toUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return nil, &FetchError{Kind: KindCharset, URL: resp.URL.String(), Status: resp.Status, Err: err}
	}
	return body, nil
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
