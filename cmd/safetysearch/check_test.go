package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// publisherServer serves one sample-publisher post at wpPost with the
// given robots.txt and records each request's path and User-Agent.
func publisherServer(t *testing.T, robots string) (*httptest.Server, func() []string) {
	t.Helper()
	page, err := os.ReadFile("../../testdata/publishers/wordpress" + wpPost + "index.html")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reqs []string
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.URL.Path+" "+r.UserAgent())
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			_, _ = w.Write([]byte(robots))
		case wpPost:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(bytes.ReplaceAll(page, []byte("{{BASE}}"), []byte(base)))
		default:
			http.NotFound(w, r)
		}
	})
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), reqs...)
	}
}

var checkEnv = map[string]string{
	"SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS": "true",
	"SAFETYSEARCH_CRAWL_DELAY":            "1ms",
	"SAFETYSEARCH_USER_AGENT":             "safetysearch/check-test (+https://example.org/contact)",
}

func TestCheckAllowed(t *testing.T) {
	srv, requests := publisherServer(t, "User-agent: *\nDisallow: /wp-admin/\n")
	code, stdout, stderr := run(t, checkEnv, "check", srv.URL+wpPost)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ex explained
	if err := json.Unmarshal([]byte(stdout), &ex); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if ex.URL != srv.URL+wpPost || ex.Extractor != "generic" || ex.Article.Title != "PSIRF one year on: what changed in how we learn" ||
		ex.Explain["title"] != "meta og:title" || ex.Article.FetchedAt.IsZero() {
		t.Errorf("fetched_url %q extractor %q title %q explain %v", ex.URL, ex.Extractor, ex.Article.Title, ex.Explain)
	}
	ua := checkEnv["SAFETYSEARCH_USER_AGENT"]
	if got, want := strings.Join(requests(), "|"), "/robots.txt "+ua+"|"+wpPost+" "+ua; got != want {
		t.Errorf("requests %q, want %q", got, want)
	}
}

func TestCheckDisallowed(t *testing.T) {
	srv, requests := publisherServer(t, "User-agent: safetysearch\nDisallow: /2025/\n\nUser-agent: *\nAllow: /\n")
	code, stdout, stderr := run(t, checkEnv, "check", srv.URL+wpPost)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "disallowed by robots.txt") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got := requests(); len(got) != 1 || !strings.HasPrefix(got[0], "/robots.txt ") {
		t.Errorf("requests %q: only robots.txt may be fetched", got)
	}
}

func TestCheckHTTPError(t *testing.T) {
	srv, _ := publisherServer(t, "User-agent: *\nAllow: /\n")
	code, _, stderr := run(t, checkEnv, "check", srv.URL+"/missing/")
	if code != 1 || !strings.Contains(stderr, "HTTP 404") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
