package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// miniRecord is a minimal IPS-shaped record page.
func miniRecord(title, body string) string {
	return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>` + title + ` - Test - Board</title></head>
<body><main id='ipsLayout_body'><div id='ipsLayout_mainArea'>
<div class='ipsPageHeader'><h1 class='ipsType_pageTitle ipsContained_container'><span class='ipsType_break ipsContained'>` + title + `</span></h1></div>
<article class='ipsContained'><div class='ipsClearfix ipsPadding'><section class="ipsType_richText ipsContained ipsType_normal">` + body + `</section></div></article>
</div></main></body></html>`
}

// cp1252Page is a windows-1252 record page whose <meta charset> comes after
// the first 1024 bytes (behind a long inline script), served without a
// charset in Content-Type.
func cp1252Page() []byte {
	pad := "<script>var x = '" + strings.Repeat("a", 1500) + "';</script>"
	// “Café” – naïve ’ in windows-1252
	title := "\x93Caf\xe9\x94 \x96 na\xefve\x92s guide"
	body := "<p>R\xe9sum\xe9 of the \x93smart quotes\x94 test.</p>"
	return []byte(`<!DOCTYPE html><html><head>` + pad + `<meta charset="windows-1252"><title>` + title + `</title></head>
<body><div id='ipsLayout_mainArea'><div class='ipsPageHeader'><h1 class='ipsType_pageTitle'><span>` + title + `</span></h1></div>
<article><section class="ipsType_richText">` + body + `</section></article></div></body></html>`)
}

type faultSite struct {
	mu       sync.Mutex
	reqs     []served
	down     bool // /learn/flaky-r11/ answers 500
	capped   int
	inflight int
	maxIn    int
}

func (f *faultSite) handler(t *testing.T) http.Handler {
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s)
	}
	redirect := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
	}
	// robots.txt is reached through a redirect (RFC 9309 §2.3.1.2)
	mux.HandleFunc("/robots.txt", redirect("/static/robots.txt"))
	mux.HandleFunc("/static/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: 0.05\nDisallow: /learn/private/\n\nUser-agent: GPTBot\nCrawl-delay: 30\nDisallow: /\n")
	})
	mux.HandleFunc("/sitemap.php", func(w http.ResponseWriter, r *http.Request) {
		base := "http://" + r.Host
		switch r.URL.Query().Get("file") {
		case "":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
				`<sitemap><loc>`+base+`/sitemap.php?file=bad</loc></sitemap>`+
				`<sitemap><loc>`+base+`/sitemap.php?file=gz</loc></sitemap></sitemapindex>`)
		case "bad":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<urlset><url><loc>`+base+`/learn/ok-r2/</url></urlset>`)
		case "gz":
			// gzip bytes served as-is with a generic type: detected by magic bytes
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(gz(t, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`+
				`<url><loc>`+base+`/learn/only-in-sitemap-r12/</loc></url>`+
				`<url><loc>https://other.example/learn/x-r13/</loc></url></urlset>`))
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("/learn/only-in-sitemap-r12/", func(w http.ResponseWriter, r *http.Request) {
		html(w, miniRecord("Sitemap-only record", "<p>found via the gzip sitemap</p>"))
	})
	links := []string{"big-r5/", "big-cl-r6/", "loop-a/", "hop/1/", "old-r7/", "away/", "to-private/", "file-r9/",
		"capped-r10/", "flaky-r11/", "hang/", "slowbody/", "cp1252-r1/", "ok-r2/", "ok-r2/?utm_source=x&fbclid=y#c"}
	mux.HandleFunc("/learn/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/learn/" {
			http.NotFound(w, r)
			return
		}
		var b strings.Builder
		b.WriteString("<html><body>")
		for _, l := range links {
			b.WriteString(`<a href="/learn/` + l + `">x</a> `)
		}
		b.WriteString(`<a href="/learn/?sortby=title">sort</a><a href="/profile/1-x/">p</a></body></html>`)
		html(w, b.String())
	})
	mux.HandleFunc("/learn/ok-r2/", func(w http.ResponseWriter, r *http.Request) {
		html(w, miniRecord("Plain record", "<p>ok body</p>"))
	})
	big := strings.Repeat("<p>padding padding padding</p>\n", 2000) // ~64 KiB
	mux.HandleFunc("/learn/big-r5/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < 4; i++ { // chunked, no Content-Length
			fmt.Fprint(w, big[:len(big)/4])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/learn/big-cl-r6/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		fmt.Fprint(w, big)
	})
	mux.HandleFunc("/learn/loop-a/", redirect("/learn/loop-b/"))
	mux.HandleFunc("/learn/loop-b/", redirect("/learn/loop-a/"))
	mux.HandleFunc("/learn/hop/", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.Trim(strings.TrimPrefix(r.URL.Path, "/learn/hop/"), "/"))
		http.Redirect(w, r, "/learn/hop/"+strconv.Itoa(n+1)+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/learn/old-r7/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/learn/new-r7/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/learn/new-r7/", func(w http.ResponseWriter, r *http.Request) {
		html(w, miniRecord("Moved record", "<p>moved body</p>"))
	})
	mux.HandleFunc("/learn/away/", redirect("/elsewhere/"))
	mux.HandleFunc("/learn/to-private/", redirect("/learn/private/x-r8/"))
	mux.HandleFunc("/learn/file-r9/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4 not html")
	})
	mux.HandleFunc("/learn/capped-r10/", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.capped++
		n := f.capped
		f.mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		html(w, miniRecord("Capped record", "<p>capped body</p>"))
	})
	mux.HandleFunc("/learn/flaky-r11/", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		down := f.down
		f.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		html(w, miniRecord("Flaky record", "<p>flaky body</p>"))
	})
	mux.HandleFunc("/learn/hang/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/learn/slowbody/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>first half")
		w.(http.Flusher).Flush()
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/learn/cp1252-r1/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(cp1252Page())
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, served{Path: r.URL.RequestURI(), Start: time.Now(), Header: r.Header.Clone()})
		f.inflight++
		f.maxIn = max(f.maxIn, f.inflight)
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inflight--
			f.mu.Unlock()
		}()
		mux.ServeHTTP(w, r)
	})
}

func TestCrawlFaults(t *testing.T) {
	ctx := context.Background()
	site := &faultSite{}
	srv := httptest.NewServer(site.handler(t))
	defer srv.Close()
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	sent := &sendRecorder{next: http.DefaultTransport}
	cfg := Config{
		Sources:              []SourceConfig{{Name: "t", URL: srv.URL}},
		Delay:                time.Millisecond,
		Timeout:              250 * time.Millisecond,
		BackoffBase:          10 * time.Millisecond,
		MaxRetries:           1,
		MaxRetryAfter:        200 * time.Millisecond,
		MaxBodyBytes:         32 << 10,
		AllowPrivateNetworks: true,
		HTTPClient:           &http.Client{Transport: sent},
	}
	logger, logs := captureLogger(t)
	c, err := New(cfg, store, logger)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("crawl failed as a whole: %v", err)
	}
	t.Logf("summary:\n%s", sum)
	if l := logs(); !strings.Contains(l, "crawler: sitemap "+srv.URL+"/sitemap.php?file=bad: bad XML") {
		t.Errorf("the bad sitemap is not reported with its URL")
	}

	wantErrs := map[ErrorKind]int{
		KindTooLarge:         2, // chunked and with Content-Length
		KindRedirectLoop:     1,
		KindTooManyRedirects: 1,
		KindNotHTML:          1,
		KindTimeout:          2, // no answer; body stalls
		KindSitemap:          1, // bad XML in ?file=bad
	}
	for k, n := range wantErrs {
		if sum.Errors[k] != n {
			t.Errorf("errors[%s] = %d, want %d (all: %v)", k, sum.Errors[k], n, sum.Errors)
		}
	}
	if sum.ErrorCount() != 8 {
		t.Errorf("errors = %v, want only %v", sum.Errors, wantErrs)
	}
	if sum.RetryAfterCapped != 1 {
		t.Errorf("RetryAfterCapped = %d, want 1", sum.RetryAfterCapped)
	}
	if sum.SkippedRobots != 1 || sum.OutOfScope < 3 {
		t.Errorf("skipped_robots=%d out_of_scope=%d, want 1 and ≥3", sum.SkippedRobots, sum.OutOfScope)
	}

	arts := storedArticles(t, store)
	for _, id := range []string{"t:r1", "t:r2", "t:r7", "t:r10", "t:r11", "t:r12"} {
		if _, ok := arts[id]; !ok {
			t.Errorf("%s not stored", id)
		}
	}
	for _, id := range []string{"t:r5", "t:r6", "t:r8", "t:r9"} {
		if _, ok := arts[id]; ok {
			t.Errorf("%s stored although its fetch failed", id)
		}
	}
	if len(arts) != 6 {
		t.Errorf("stored %v", sortedKeys(arts))
	}
	if a := arts["t:r7"]; a.URL != srv.URL+"/learn/new-r7/" {
		t.Errorf("redirected record URL = %s", a.URL)
	}
	// windows-1252 with a late <meta charset>: smart quotes and é survive.
	cp := arts["t:r1"]
	if cp.Title != "“Café” – naïve’s guide" || !strings.Contains(cp.Body, "Résumé of the “smart quotes” test.") {
		t.Errorf("windows-1252 page decoded as title %q body %q", cp.Title, cp.Body)
	}

	// The loop error names the loop.
	st, _, _ := store.state(srv.URL + "/learn/loop-a/")
	if !strings.Contains(st.LastError, "/learn/loop-a/ → "+srv.URL+"/learn/loop-b/ → "+srv.URL+"/learn/loop-a/") {
		t.Errorf("loop error %q does not name the loop", st.LastError)
	}
	st, _, _ = store.state(srv.URL + "/learn/big-r5/")
	if !strings.Contains(st.LastError, "body exceeds 32768 bytes") {
		t.Errorf("too-large error = %q", st.LastError)
	}

	// Politeness: Crawl-delay 0.05 s applied (the GPTBot group's 30 s and
	// Disallow: / ignored), one request in flight, never out of scope.
	site.mu.Lock()
	reqs := append([]served(nil), site.reqs...)
	maxIn := site.maxIn
	site.mu.Unlock()
	if maxIn != 1 {
		t.Errorf("%d requests in flight at once", maxIn)
	}
	sends := sent.times()
	if len(sends) < 20 {
		t.Fatalf("only %d requests sent", len(sends))
	}
	// Stamps are taken when the transport is entered, after the limiter,
	// so one late stamp (a descheduled goroutine) can shorten one gap; the
	// rate shows over two gaps: requests i and j ≥ i+2 are ≥ (j-i-1)·50ms apart.
	for i := 1; i < len(sends); i++ { // from the request after robots.txt
		for j := i + 2; j < len(sends); j++ {
			if d, min := sends[j].Sub(sends[i]), time.Duration(j-i-1)*50*time.Millisecond-5*time.Millisecond; d < min {
				t.Errorf("requests %d (%s) and %d (%s) sent %s apart, want ≥ %s (Crawl-delay 50ms)", i, sent.urls[i], j, sent.urls[j], d, min)
			}
		}
	}
	for _, r := range reqs {
		for _, bad := range []string{"/elsewhere/", "/learn/private/", "sortby", "/profile/", "utm_source", "other.example"} {
			if strings.Contains(r.Path, bad) {
				t.Errorf("requested %s", r.Path)
			}
		}
	}

	// Second crawl: a transient failure keeps the stored article.
	site.mu.Lock()
	site.down = true
	site.mu.Unlock()
	before, _ := store.Get(ctx, "t:r11")
	sum2, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Errors[KindHTTP5xx] != 1 {
		t.Errorf("second crawl errors %v, want one http_5xx", sum2.Errors)
	}
	after, err := store.Get(ctx, "t:r11")
	if err != nil || !after.FetchedAt.Equal(before.FetchedAt) || after.Body != before.Body {
		t.Errorf("article of a failing page changed or vanished: %v", err)
	}
	st, _, _ = store.state(srv.URL + "/learn/flaky-r11/")
	if st.Failures != 1 || st.ArticleID != "t:r11" {
		t.Errorf("state after failure = %+v", st)
	}
}

// TestCrawlEveryFetchFailed: robots.txt is fine but every page fails.
func TestCrawlEveryFetchFailed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	cfg.MaxRetries = 1
	c, _ := New(cfg, store, nil)
	sum, err := c.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "no start page could be fetched") || !strings.Contains(err.Error(), "every fetch failed") {
		t.Fatalf("Run error = %v", err)
	}
	if sum.Errors[KindHTTP5xx] != 2 {
		t.Errorf("errors = %v", sum.Errors)
	}
}

// captureLogger logs to the test log and keeps the text for assertions.
func captureLogger(t *testing.T) (*slog.Logger, func() string) {
	var mu sync.Mutex
	var b strings.Builder
	w := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		b.Write(p)
		mu.Unlock()
		t.Log(strings.TrimRight(string(p), "\n"))
		return len(p), nil
	})
	return slog.New(slog.NewTextHandler(w, nil)), func() string {
		mu.Lock()
		defer mu.Unlock()
		return b.String()
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestCrawlTwoSourcesAndMaxPages(t *testing.T) {
	want, _ := fixtureRecordIDs(t)
	a, b := newSiteServer(t), newSiteServer(t)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(a.URL)
	cfg.Sources = []SourceConfig{{Name: "one", URL: a.URL}, {Name: "two", URL: b.URL}}
	c, err := New(cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := store.Count(context.Background()); n != 2*len(want) || sum.New != 2*len(want) {
		t.Fatalf("two sources stored %d articles (new=%d), want %d", n, sum.New, 2*len(want))
	}
	if got, err := store.Get(context.Background(), "two:r12504"); err != nil || got.Source != "two" || !strings.HasPrefix(got.URL, b.URL) {
		t.Errorf("two:r12504 = %+v, %v", got.URL, err)
	}

	// MaxPages stops a source early and says so.
	cfg.Sources = cfg.Sources[:1]
	cfg.MaxPages = 5
	store2 := openTestStore(t, filepath.Join(t.TempDir(), "crawl2.db"))
	c2, _ := New(cfg, store2, nil)
	a.resetLog()
	sum2, err := c2.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.MaxPagesReached != 1 || len(a.requests()) > 5 {
		t.Errorf("MaxPages 5: reached=%d, %d requests", sum2.MaxPagesReached, len(a.requests()))
	}
}

// sendRecorder is a RoundTripper that records when each request is sent.
type sendRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	at   []time.Time
	urls []string
}

func (s *sendRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.urls = append(s.urls, r.URL.RequestURI())
	s.mu.Unlock()
	return s.next.RoundTrip(r)
}

func (s *sendRecorder) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

// TestCrawlOneSourceDown: one source's robots.txt fails; the other source
// is crawled and stored, and Run reports the failed source by name.
func TestCrawlOneSourceDown(t *testing.T) {
	want, _ := fixtureRecordIDs(t)
	up, down := newSiteServer(t), newSiteServer(t)
	down.setFault("/robots.txt", func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return true
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(up.URL)
	cfg.MaxRetries = 1
	cfg.Sources = []SourceConfig{{Name: "up", URL: up.URL}, {Name: "down", URL: down.URL}}
	c, _ := New(cfg, store, nil)
	sum, err := c.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "source down:") || strings.Contains(err.Error(), "source up:") {
		t.Fatalf("Run error = %v", err)
	}
	if n, _ := store.Count(context.Background()); n != len(want) || sum.New != len(want) {
		t.Errorf("stored %d (new %d), want %d from the healthy source", n, sum.New, len(want))
	}
}
