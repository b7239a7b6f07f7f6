package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileSite serves pages written to abuse the crawler. pages maps a path
// to its HTML; {{BASE}} is replaced by the server's URL. robots.txt allows
// everything and there is no sitemap.
func hostileSite(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, strings.ReplaceAll(body, "{{BASE}}", srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// withHead puts extra markup into the <head> of a miniRecord page.
func withHead(page, head string) string {
	return strings.Replace(page, "</head>", head+"</head>", 1)
}

func TestCrawlCanonicalCannotHijackARecord(t *testing.T) {
	srv := hostileSite(t, map[string]string{
		"/learn/": `<html><body><a href="/learn/canon-steal-r9017/">a</a> <a href="/learn/same-host-steal-r9019/">b</a> <a href="/learn/victim-r9018/">c</a></body></html>`,
		"/learn/canon-steal-r9017/": withHead(miniRecord("Attacker", "Attacker text."),
			`<link rel="canonical" href="http://evil.example/learn/victim-r9018/"><meta property="og:url" content="http://evil.example/learn/victim-r9018/">`),
		"/learn/same-host-steal-r9019/": withHead(miniRecord("Attacker two", "Attacker text two."),
			`<link rel="canonical" href="{{BASE}}/learn/victim-r9018/">`),
		"/learn/victim-r9018/": miniRecord("Genuine", "Genuine text."),
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(testConfig(srv.URL), store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	got := storedArticles(t, store)
	victim, ok := got["pslhub:r9018"]
	if !ok || victim.Title != "Genuine" || victim.Body != "Genuine text." || victim.URL != srv.URL+"/learn/victim-r9018/" {
		t.Errorf("r9018 = %+v (present %v), want the genuine page at its own URL", victim, ok)
	}
	for id, path := range map[string]string{"pslhub:r9017": "/learn/canon-steal-r9017/", "pslhub:r9019": "/learn/same-host-steal-r9019/"} {
		a, ok := got[id]
		if !ok || a.URL != srv.URL+path || !strings.HasPrefix(a.Title, "Attacker") {
			t.Errorf("%s = %+v (present %v), want it stored under its own id and fetched URL", id, a, ok)
		}
	}
	for _, a := range got {
		if strings.Contains(a.URL, "evil.example") {
			t.Errorf("%s links to %s", a.ID, a.URL)
		}
	}
	if sum.UntrustedCanonicals != 2 || sum.Duplicates != 0 {
		t.Errorf("untrusted canonicals = %d, duplicates = %d; want 2 and 0", sum.UntrustedCanonicals, sum.Duplicates)
	}
}

// A robots.txt larger than MaxBodyBytes is read up to MaxRobotsBytes and
// obeyed (RFC 9309 §2.5) instead of making the whole site unavailable.
func TestCrawlLargeRobotsTxtIsParsed(t *testing.T) {
	robots := "User-agent: *\nDisallow: /learn/secret-r2/\n" + strings.Repeat("# padding padding padding padding padding\n", 60000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, robots)
		case "/learn/":
			fmt.Fprint(w, `<html><body><a href="/learn/open-r1/">o</a> <a href="/learn/secret-r2/">s</a></body></html>`)
		case "/learn/open-r1/", "/learn/secret-r2/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, miniRecord("Record", "Text."))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	cfg.MaxBodyBytes = 1 << 20
	if len(robots) <= int(cfg.MaxBodyBytes) {
		t.Fatalf("robots.txt of %d bytes is not larger than MaxBodyBytes", len(robots))
	}
	c, err := New(cfg, store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	got := storedArticles(t, store)
	if _, ok := got["pslhub:r1"]; !ok || sum.Errors[KindRobotsUnavailable] != 0 {
		t.Errorf("site unavailable with a large robots.txt: %v\n%s", sortedKeys(got), sum)
	}
	if _, ok := got["pslhub:r2"]; ok || sum.SkippedRobots == 0 {
		t.Errorf("the large robots.txt's Disallow was not obeyed (skipped %d)", sum.SkippedRobots)
	}
}

// robots.txt is parsed once: matching many URLs against a large file does
// not parse it again each time.
func TestRobotsPolicyParsedOnce(t *testing.T) {
	body := "User-agent: *\nDisallow: /private/\n" + strings.Repeat("Disallow: /junk-path-that-never-matches-anything/*\n", 9000)
	if len(body) < 400<<10 {
		t.Fatalf("body only %d bytes", len(body))
	}
	p := newRobotsPolicy(200, body, "safetysearch")
	start := time.Now()
	for i := range 2000 {
		u := mustURL(t, fmt.Sprintf("https://hub.example/learn/r-r%d/", i))
		if !p.Allowed(u) {
			t.Fatalf("%s disallowed", u)
		}
	}
	if p.Allowed(mustURL(t, "https://hub.example/private/x")) {
		t.Error("/private/ allowed")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("2000 URLs took %s: robots.txt re-parsed per URL?", d)
	}
}

func TestCrawlTooDeepRecordIsStoredAndReported(t *testing.T) {
	srv := hostileSite(t, map[string]string{
		"/learn/":         `<html><body><a href="/learn/deep-r7/">d</a></body></html>`,
		"/learn/deep-r7/": deepRecord(3000),
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, _ := New(testConfig(srv.URL), store, nil)
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	a, err := store.Get(context.Background(), "pslhub:r7")
	if err != nil || !strings.Contains(a.Body, "Deep content survives.") {
		t.Errorf("deep record: %+v %v", a, err)
	}
	if sum.Errors[KindExtractFailed] != 1 {
		t.Errorf("extract failures = %d, want the deep page reported once", sum.Errors[KindExtractFailed])
	}
}
