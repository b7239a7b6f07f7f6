package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// boundSite is a hostile site for the bounds tests: /learn/ is a link
// trap (every /learn/trap-*/ page links to 5,000 new trap pages), records
// announce 1,000 comment pages, and /sitemap.php is an index of 50,000
// gzip bombs. It records every request.
type boundSite struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []string
	// records is how many records /learn/records/ lists.
	records int
}

func newBoundSite(t *testing.T, records int) *boundSite {
	t.Helper()
	b := &boundSite{records: records}
	bomb := gzipBomb(t, 4<<20)
	var index strings.Builder
	b.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.reqs = append(b.reqs, r.URL.RequestURI())
		b.mu.Unlock()
		html := func(s string) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, s)
		}
		p := r.URL.Path
		switch {
		case p == "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case p == "/sitemap.php" && r.URL.Query().Get("file") == "":
			fmt.Fprint(w, index.String())
		case p == "/sitemap.php":
			w.Write(bomb)
		case p == "/learn/" || strings.HasPrefix(p, "/learn/trap-"):
			var sb strings.Builder
			sb.WriteString("<html><body>")
			for i := range 5000 {
				fmt.Fprintf(&sb, `<a href="%strap-%d/">t</a>`, p, i)
			}
			sb.WriteString("</body></html>")
			html(sb.String())
		case p == "/learn/records/":
			var sb strings.Builder
			for i := 1; i <= b.records; i++ {
				fmt.Fprintf(&sb, `<a href="/learn/records/rec-r%d/">r</a>`, i)
			}
			html("<html><body>" + sb.String() + "</body></html>")
		case strings.HasPrefix(p, "/learn/records/rec-r"):
			rest := strings.TrimPrefix(p, "/learn/records/rec-r")
			id, _, _ := strings.Cut(rest, "/")
			page := 1
			if _, after, ok := strings.Cut(rest, "/page/"); ok {
				page, _ = strconv.Atoi(strings.TrimSuffix(after, "/"))
			}
			html(pagedRecord(id, page, 1000))
		default:
			http.NotFound(w, r)
		}
	}))
	b.Start()
	index.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 50000 {
		fmt.Fprintf(&index, "<sitemap><loc>%s/sitemap.php?file=bomb-%d</loc></sitemap>\n", b.URL, i)
	}
	index.WriteString("</sitemapindex>")
	t.Cleanup(b.Close)
	return b
}

func (b *boundSite) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.reqs...)
}

func (b *boundSite) resetLog() {
	b.mu.Lock()
	b.reqs = nil
	b.mu.Unlock()
}

// pagedRecord is comment page `page` of record id announcing `pages`
// comment pages, one comment each.
func pagedRecord(id string, page, pages int) string {
	return `<html><head><title>Rec ` + id + `</title></head><body><div id='ipsLayout_mainArea'>
<div class='ipsPageHeader'><h1 class='ipsType_pageTitle'>Record ` + id + `</h1></div>
<article><section class="ipsType_richText"><p>Body of ` + id + `.</p></section></article>
<div id="comments"><ul class="ipsPagination" data-pages="` + strconv.Itoa(pages) + `"><li class="ipsPagination_active"><a data-page="` + strconv.Itoa(page) + `">` + strconv.Itoa(page) + `</a></li></ul>
<article class="ipsComment" id="elComment_` + id + strconv.Itoa(page) + `"><div data-commentid="` + id + "0" + strconv.Itoa(page) + `"><h3 class="ipsComment_author">A</h3><div data-role="commentContent"><p>Comment ` + strconv.Itoa(page) + `.</p></div></div></article>
</div></div></body></html>`
}

// gzipBomb is a gzip stream of n spaces inside a <urlset>.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	fmt.Fprint(zw, `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	for i := 0; i < n; i += len(chunk) {
		zw.Write(chunk)
	}
	fmt.Fprint(zw, `</urlset>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func boundConfig(base string, start ...string) Config {
	cfg := testConfig(base)
	// Pages of 5,000 links and a 50,000-entry index take a while under -race.
	cfg.Timeout = 10 * time.Second
	cfg.Sources[0].StartURLs = start
	return cfg
}

func TestCrawlLinkTrapKeepsTheFrontierBounded(t *testing.T) {
	site := newBoundSite(t, 0)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := boundConfig(site.URL, "/learn/")
	cfg.MaxQueuedURLs = 300
	cfg.MaxLinksPerPage = 100
	cfg.MaxPages = 25
	cfg.MaxSitemaps = 3
	c, err := New(cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	maxQueued := 0
	sum, err := c.Run(context.Background(), func(p Progress) { maxQueued = max(maxQueued, p.Queued) })
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	t.Logf("summary:\n%s", sum)
	if maxQueued > cfg.MaxQueuedURLs {
		t.Errorf("frontier reached %d URLs, bound %d", maxQueued, cfg.MaxQueuedURLs)
	}
	if n := store.frontierLen("pslhub"); n == 0 || n > cfg.MaxQueuedURLs {
		t.Errorf("stored frontier holds %d items, want 1..%d", n, cfg.MaxQueuedURLs)
	}
	if sum.LinksDropped < 4900 || sum.QueueDropped == 0 || sum.MaxPagesReached != 1 {
		t.Errorf("links dropped %d, queue dropped %d, max pages reached %d", sum.LinksDropped, sum.QueueDropped, sum.MaxPagesReached)
	}
	if n := len(site.requests()); n > cfg.MaxPages {
		t.Errorf("%d requests with MaxPages %d", n, cfg.MaxPages)
	}
	// The sitemap index lists 50,000 gzip bombs: only MaxSitemaps are read.
	bombs := 0
	for _, r := range site.requests() {
		if strings.Contains(r, "file=bomb-") {
			bombs++
		}
	}
	if bombs > cfg.MaxSitemaps || sum.SitemapsDropped < 49990 {
		t.Errorf("%d bomb sitemaps fetched, %d dropped (MaxSitemaps %d)", bombs, sum.SitemapsDropped, cfg.MaxSitemaps)
	}
}

func TestCrawlMaxPagesCountsCommentPages(t *testing.T) {
	site := newBoundSite(t, 3)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := boundConfig(site.URL, "/learn/records/")
	cfg.MaxPages = 20
	cfg.MaxSitemaps = 1
	c, _ := New(cfg, store, nil)
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	if n := len(site.requests()); n > cfg.MaxPages {
		t.Errorf("%d requests with MaxPages %d (records announce 1,000 comment pages)", n, cfg.MaxPages)
	}
	if sum.CommentPagesCapped == 0 {
		t.Errorf("no record reported with its comment pages cut")
	}

	// MaxCommentPages caps one record's pages, page 1 included.
	site2 := newBoundSite(t, 1)
	cfg2 := boundConfig(site2.URL, "/learn/records/")
	cfg2.MaxCommentPages = 5
	cfg2.MaxSitemaps = 1
	store2 := openTestStore(t, filepath.Join(t.TempDir(), "crawl2.db"))
	c2, _ := New(cfg2, store2, nil)
	sum2, err := c2.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum2)
	}
	pages := 0
	for _, r := range site2.requests() {
		if strings.HasPrefix(r, "/learn/records/rec-r1/") {
			pages++
		}
	}
	a, err := store2.Get(context.Background(), "pslhub:r1")
	if pages != 5 || err != nil || len(a.Comments) != 5 || sum2.CommentPagesCapped != 1 {
		t.Errorf("record pages fetched %d, stored comments %d (%v), capped %d; want 5, 5, 1", pages, len(a.Comments), err, sum2.CommentPagesCapped)
	}
}

// A crawl cancelled midway leaves its frontier in the store; the next run
// goes on from it without fetching the pages already done, and a pass
// that completes clears it.
func TestCrawlResumesFromStoredFrontier(t *testing.T) {
	site := newBoundSite(t, 30)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := boundConfig(site.URL, "/learn/records/")
	cfg.MaxCommentPages = 1
	cfg.MaxSitemaps = 1
	c, _ := New(cfg, store, nil)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.Run(ctx, func(p Progress) {
		if p.Done == 12 {
			cancel()
		}
	})
	if err == nil {
		t.Fatal("cancelled crawl returned no error")
	}
	first := map[string]bool{}
	for _, r := range site.requests() {
		first[r] = true
	}
	if store.frontierLen("pslhub") == 0 {
		t.Fatal("no frontier stored by the cancelled crawl")
	}
	site.resetLog()
	c2, _ := New(cfg, store, testLogger(t))
	sum, err := c2.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("resumed crawl: %v\n%s", err, sum)
	}
	if sum.Resumed != 1 {
		t.Errorf("resumed = %d, want 1", sum.Resumed)
	}
	for _, r := range site.requests() {
		if first[r] && r != "/robots.txt" {
			t.Errorf("%s fetched again after resuming", r)
		}
	}
	if n, _ := store.Count(context.Background()); n != 30 {
		t.Errorf("%d records stored after resuming, want 30", n)
	}
	if n := store.frontierLen("pslhub"); n != 0 {
		t.Errorf("completed pass left %d frontier items", n)
	}
	c3, _ := New(cfg, store, nil)
	if sum3, err := c3.Run(context.Background(), nil); err != nil || sum3.Resumed != 0 {
		t.Errorf("a run after a complete pass: resumed %d, %v", sum3.Resumed, err)
	}
}
