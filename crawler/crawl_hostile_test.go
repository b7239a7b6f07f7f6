package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
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
