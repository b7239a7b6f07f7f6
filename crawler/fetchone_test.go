package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fetchSite serves robots.txt, an HTML page, a redirect to it, a PDF and a
// private draft, and records the User-Agent and time of each request.
func fetchSite(t *testing.T, robots string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var log []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, r.URL.Path+" "+r.UserAgent())
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			if robots == "" {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte(robots))
		case "/post/":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			w.Write([]byte("<html><body><p>Caf\xe9 safety</p></body></html>"))
		case "/old/":
			http.Redirect(w, r, "/post/", http.StatusMovedPermanently)
		case "/to-draft/":
			http.Redirect(w, r, "/drafts/x/", http.StatusFound)
		case "/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.4"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

func TestFetchPage(t *testing.T) {
	srv, requests := fetchSite(t, "User-agent: *\nDisallow: /drafts/\nCrawl-delay: 0.05\n")
	cfg := Config{UserAgent: "safetysearch/test (+https://example.org)", AllowPrivateNetworks: true, Delay: time.Millisecond}
	ctx := context.Background()

	start := time.Now()
	pg, err := FetchPage(ctx, cfg, srv.URL+"/old/")
	if err != nil {
		t.Fatal(err)
	}
	if pg.URL.String() != srv.URL+"/post/" || string(pg.Body) != "<html><body><p>Café safety</p></body></html>" {
		t.Errorf("got %s %q", pg.URL, pg.Body)
	}
	if pg.Delay != 50*time.Millisecond || time.Since(start) < 100*time.Millisecond {
		t.Errorf("delay %s, took %s: the robots.txt Crawl-delay is kept between the 3 requests", pg.Delay, time.Since(start))
	}
	got := requests()
	want := []string{"/robots.txt " + cfg.UserAgent, "/old/ " + cfg.UserAgent, "/post/ " + cfg.UserAgent}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("requests %q, want %q", got, want)
	}

	for path, wantErr := range map[string]string{
		"/drafts/x/":  "disallowed by robots.txt",
		"/to-draft/":  "disallowed by robots.txt", // the redirect target is checked too
		"/report.pdf": "is not HTML",
		"/missing/":   "HTTP 404",
	} {
		_, err := FetchPage(ctx, cfg, srv.URL+path)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s: err %v, want %q", path, err, wantErr)
		}
	}
	_, err = FetchPage(ctx, cfg, srv.URL+"/drafts/x/")
	if !errors.Is(err, ErrDisallowed) {
		t.Errorf("err %v does not wrap ErrDisallowed", err)
	}
	before := len(requests())
	_, err = FetchPage(ctx, cfg, srv.URL+"/drafts/x/")
	if err == nil || len(requests()) != before+1 {
		t.Errorf("a disallowed page was requested: %v", requests()[before:])
	}
}

func TestFetchPageRobotsUnavailable(t *testing.T) {
	srv, requests := fetchSite(t, "")
	_, err := FetchPage(context.Background(), Config{AllowPrivateNetworks: true, Delay: time.Millisecond}, srv.URL+"/post/")
	if !errors.Is(err, ErrDisallowed) || !strings.Contains(err.Error(), "robots.txt unavailable") {
		t.Errorf("err %v", err)
	}
	if got := requests(); len(got) != 1 {
		t.Errorf("requests %q: only robots.txt may be fetched", got)
	}
}

func TestFetchPagePrivate(t *testing.T) {
	srv, requests := fetchSite(t, "User-agent: *\nAllow: /\n")
	_, err := FetchPage(context.Background(), Config{}, srv.URL+"/post/")
	if err == nil || !strings.Contains(err.Error(), "private address") || len(requests()) != 0 {
		t.Errorf("err %v, requests %q", err, requests())
	}
}
