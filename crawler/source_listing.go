package crawler

// The feed and sitemap source kinds: the source's feeds or sitemaps list
// its article pages, which are fetched and read with the generic extractor
// (or the IPS one on an IPS page). A page whose feed date or sitemap
// lastmod is not newer than its last fetch is not fetched again, except
// in the periodic full pass.

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"context"

	"github.com/safetysearch/safetysearch/crawler/generic"
)

// listingState is what a feed or sitemap source keeps during one run.
type listingState struct {
	// full is true for a full pass: every listed and stored page is fetched.
	full    bool
	started time.Time
	// listed holds, per normalised page URL, what its feed or sitemap said.
	listed map[string]listedPage
	// queued counts the feeds and sitemaps in the queue; the stored pages
	// are queued once none is left, so that every listing was read first.
	queued       int
	storedQueued bool
	feedFatal    []string
	tax          *sourceTaxonomy
}

// listedPage is one page as a feed or sitemap lists it.
type listedPage struct {
	changed time.Time // zero when undated
	item    *FeedItem // nil for a sitemap entry
}

const acceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"

// startListing compiles the source's patterns and taxonomy and, for a feed
// or sitemap source, decides whether this run is a full pass.
func (s *sourceRun) startListing() error {
	pats, err := s.src.patterns()
	if err != nil {
		return err
	}
	s.scope.patterns = pats
	s.listing.tax = newSourceTaxonomy(s.c.tax, s.src)
	s.listing.listed = map[string]listedPage{}
	if s.src.Kind == SourceIPS {
		return nil
	}
	s.listing.started = time.Now().UTC()
	last, err := s.c.store.lastFullPass(s.src.Name)
	if err != nil {
		return err
	}
	s.listing.full = last.IsZero() || s.listing.started.Sub(last) >= s.src.FullPassEvery
	if s.listing.full {
		s.log.Info("full pass: every page is fetched", "last_full_pass", last, "full_pass_every", s.src.FullPassEvery)
	}
	return nil
}

// finishListing records a finished full pass.
func (s *sourceRun) finishListing() error {
	if s.src.Kind == SourceIPS || !s.listing.full {
		return nil
	}
	return s.c.store.setLastFullPass(s.src.Name, s.listing.started)
}

// seedListing queues the source's feeds or sitemaps: URL and StartURLs; a
// sitemap source given only its site (path "/") reads the sitemaps named by
// robots.txt, else /sitemap.xml.
func (s *sourceRun) seedListing(pol *robotsPolicy) {
	kind := kindFeed
	if s.src.Kind == SourceSitemap {
		kind = kindSitemap
	}
	raws := append([]string{s.src.URL}, s.src.StartURLs...)
	if kind == kindSitemap && s.base.Path == "/" && len(s.src.StartURLs) == 0 {
		raws = append([]string{}, pol.sitemaps...)
		if len(raws) == 0 {
			raws = []string{"/sitemap.xml"}
		}
	}
	for _, raw := range raws {
		u, err := NormalizeURL(raw, s.base)
		if err != nil || hostKey(u) != s.scope.Host {
			s.log.Warn("feed or sitemap on another host skipped", "url", raw, "err", err)
			continue
		}
		s.enqueue(item{u: u, kind: kind})
	}
}

// countListings counts the feeds and sitemaps queued (after a seed or a
// frontier loaded from the store).
func (s *sourceRun) countListings() {
	s.listing.queued = 0
	for _, it := range s.queue {
		if it.kind != kindPage {
			s.listing.queued++
		}
	}
	s.queueStored()
}

// queueStored queues the stored pages of a feed or sitemap source once
// every feed and sitemap was read, so that the pages they list carry
// their dates. Stored pages no listing names are fetched in a full pass
// and, for a sitemap source, always (they may be gone); a feed lists only
// its latest items.
func (s *sourceRun) queueStored() {
	if s.src.Kind == SourceIPS || s.listing.storedQueued || s.listing.queued > 0 {
		return
	}
	s.listing.storedQueued = true
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

// listPage queues one page a sitemap or feed lists, with what the listing
// says about it, if it is in scope. It reports whether the page may need a
// fetch: new in this run and, outside a full pass, changed since its
// last fetch or unknown.
func (s *sourceRun) listPage(v *url.URL, changed time.Time, fi *FeedItem) bool {
	switch s.scope.Check(v) {
	case ScopeOK:
	case ScopeOtherHost:
		return false
	default:
		if k := v.String(); !s.outSeen[k] {
			s.outSeen[k] = true
			s.tally.update(func(sm *Summary) { sm.OutOfScope++ })
		}
		return false
	}
	k := v.String()
	fresh := !s.seen[k]
	if s.src.Kind != SourceIPS && fresh {
		s.listing.listed[k] = listedPage{changed: changed, item: fi}
	}
	s.enqueue(item{u: v})
	return fresh && (s.listing.full || !s.unchanged(k))
}

// unchanged reports whether the page at u was fetched (and its article,
// if it had one, is stored) and its listing dates it no later than that
// fetch; a stored article no listing names is unchanged for a feed source.
func (s *sourceRun) unchanged(u string) bool {
	st, known, err := s.c.store.state(u)
	if err != nil || !known || st.Status != http.StatusOK || (st.ArticleID != "" && !s.c.store.hasArticle(st.ArticleID)) {
		return false
	}
	lp, listed := s.listing.listed[u]
	if !listed {
		return s.src.Kind == SourceFeed && st.ArticleID != ""
	}
	return !lp.changed.IsZero() && !lp.changed.After(st.LastFetch)
}

// feed fetches and parses one feed page and queues its items' pages and,
// while a page brings pages to fetch, the next feed page. keep is true
// when it was not done (MaxPages, ctx) and stays in the frontier.
func (s *sourceRun) feed(ctx context.Context, it item) (keep bool) {
	u := it.u.String()
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		return false
	}
	resp, err := s.fetchFollow(ctx, it, http.Header{"Accept": {acceptFeed}})
	if ctx.Err() != nil || errors.Is(err, errPageBudget) {
		return true
	}
	if err == nil && resp.Status != http.StatusOK {
		err = statusError(resp)
	}
	var fe *FetchError
	if it.depth > 0 && errors.As(err, &fe) && (fe.Status == http.StatusNotFound || fe.Status == http.StatusGone) {
		// Past the last page of a paged feed.
		return false
	}
	if err != nil {
		s.countErr(u, err)
		if errors.As(err, &fe) && fe.retryable() && it.depth == 0 {
			s.listing.feedFatal = append(s.listing.feedFatal, err.Error())
		}
		return false
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	f, err := ParseFeed(bytes.NewReader(resp.Body), 0, 0)
	if err != nil {
		s.countErr(u, &FetchError{Kind: KindFeed, URL: u, Status: resp.Status, Err: err})
		return false
	}
	more := false
	for i := range f.Items {
		fi := f.Items[i]
		v, err := NormalizeURL(fi.Link, resp.URL)
		if err != nil {
			continue
		}
		if s.listPage(v, fi.Changed(), &fi) {
			more = true
		}
	}
	if !more || it.depth+1 >= DefaultMaxFeedPages {
		return false
	}
	if next := nextFeedPage(resp.URL, f, it.depth); next != nil && hostKey(next) == s.scope.Host {
		s.enqueue(item{u: next, kind: kindFeed, depth: it.depth + 1})
	}
	return false
}

// nextFeedPage is the feed's rel="next" page or, for WordPress, the same
// feed with ?paged=N+1 (page depth 0 is page 1); nil when none.
func nextFeedPage(cur *url.URL, f *Feed, depth int) *url.URL {
	if f.Next != "" {
		if u, err := NormalizeURL(f.Next, cur); err == nil {
			return u
		}
		return nil
	}
	if !f.WordPress || len(f.Items) == 0 {
		return nil
	}
	u := *cur
	q := u.Query()
	q.Set("paged", strconv.Itoa(depth+2))
	u.RawQuery = q.Encode()
	n, err := NormalizeURL(u.String(), nil)
	if err != nil {
		return nil
	}
	return n
}

// articlePage fetches one article page of a feed or sitemap source,
// unless its listing says it is unchanged, and stores its article with
// the feed's metadata filling what the page lacks. keep is true when it
// was not done (MaxPages, ctx) and stays in the frontier.
func (s *sourceRun) articlePage(ctx context.Context, it item) (keep bool) {
	u := it.u.String()
	if s.fetched[u] {
		return false
	}
	if !s.host.robots.Allowed(it.u) {
		s.tally.update(func(sm *Summary) { sm.SkippedRobots++ })
		return false
	}
	if !s.listing.full && s.unchanged(u) {
		s.tally.update(func(sm *Summary) { sm.SkippedUnchanged++ })
		return false
	}
	st, known, err := s.c.store.state(u)
	if err != nil {
		s.countErr(u, err)
		return false
	}
	hdr := http.Header{"Accept": {acceptHTML}}
	if known && st.Status == http.StatusOK && st.ArticleID != "" && s.c.store.hasArticle(st.ArticleID) {
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
	if resp.Status == http.StatusNotModified {
		s.tally.update(func(sm *Summary) { sm.NotModified++ })
		st.LastFetch, st.Failures, st.Gone, st.GoneRun, st.LastError = now, 0, 0, "", ""
		if err := s.c.store.putState(u, st); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	s.tally.update(func(sm *Summary) { sm.Fetched++ })
	final := resp.URL
	s.fetched[u], s.fetched[final.String()] = true, true
	body, err := s.decode(resp)
	if err != nil {
		s.failed(it, resp, st, err, now)
		return false
	}
	states := map[string]urlState{final.String(): {
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		Status: resp.Status, LastFetch: now,
	}}
	if final.String() != u {
		states[u] = urlState{Status: http.StatusMovedPermanently, LastFetch: now}
	}
	ex, err := ExtractArticle(final, body, ExtractOptions{Source: s.src.Name, Taxonomy: s.c.tax, FetchedAt: now})
	if IsNotArticle(err) {
		// A listing or an error page: remembered, nothing stored.
		s.log.Debug("not an article", "url", final.String(), "err", err)
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	if err != nil {
		s.failed(it, resp, st, &FetchError{Kind: KindExtractFailed, URL: final.String(), Status: resp.Status, Err: err}, now)
		return false
	}
	art := ex.Article
	if ex.Extractor == ExtractorGeneric {
		s.trustCanonical(final, ex)
		var fi *FeedItem
		if lp, ok := s.listing.listed[u]; ok {
			fi = lp.item
		}
		fillFromFeed(ex, fi)
		var cats []string
		if fi != nil {
			cats = fi.Categories
		}
		s.listing.tax.apply(art, cats)
	} else {
		s.listing.tax.addIPS(art)
	}
	art.Publisher = s.src.Publisher
	for k, v := range states {
		v.ArticleID = art.ID
		states[k] = v
	}
	if s.doneIDs[art.ID] {
		s.tally.update(func(sm *Summary) { sm.Duplicates++ })
		if _, err := s.c.store.commit(pageCommit{States: states}); err != nil {
			s.countErr(u, err)
		}
		return false
	}
	s.doneIDs[art.ID] = true
	out, err := s.c.store.commit(pageCommit{States: states, Article: art})
	if err != nil {
		s.countErr(u, err)
		return false
	}
	s.tallyOutcome(out)
	return false
}

// trustCanonical keeps a generic article's canonical URL only on the
// fetched page's own host: another host's page must not be stored under
// this source's name and id.
func (s *sourceRun) trustCanonical(final *url.URL, ex *Extraction) {
	a := ex.Article
	cu, err := NormalizeURL(a.URL, nil)
	if err == nil && hostKey(cu) == hostKey(final) {
		return
	}
	s.tally.update(func(sm *Summary) { sm.UntrustedCanonicals++ })
	s.log.Warn("rel=canonical names another host: ignored, the fetched URL is used", "url", final.String(), "canonical", a.URL)
	a.URL = final.String()
	a.ID = generic.ArticleID(a.Source, a.URL)
}

// fillFromFeed fills what the page lacks from its feed item: title,
// author, dates and, as tags, the feed's categories.
func fillFromFeed(ex *Extraction, fi *FeedItem) {
	if fi == nil {
		return
	}
	a := ex.Article
	fill := func(field string, dst *string, v string) {
		if *dst == "" && v != "" {
			*dst = v
			ex.Rules[field] = "feed item"
		}
	}
	fill("title", &a.Title, fi.Title)
	fill("author", &a.Author, fi.Author)
	if a.Published.IsZero() && !fi.Published.IsZero() {
		a.Published, ex.Rules["published"] = fi.Published, "feed item"
	}
	if a.Updated.IsZero() && !fi.Updated.IsZero() {
		a.Updated, ex.Rules["updated"] = fi.Updated, "feed item"
	}
	if len(a.Tags) == 0 && len(fi.Categories) > 0 {
		a.Tags, ex.Rules["tags"] = append([]string{}, fi.Categories...), "feed item categories"
	}
}

// tallyOutcome counts a stored article by its commit outcome.
func (s *sourceRun) tallyOutcome(out commitOutcome) {
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
