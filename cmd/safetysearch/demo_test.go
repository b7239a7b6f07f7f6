package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/safetysearch/safetysearch/crawler"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSiteHandler(t *testing.T) {
	root := fstest.MapFS{
		"robots.txt":                   {Data: []byte("User-agent: *\nSitemap: {{BASE}}/sitemap.php\n")},
		"index.html":                   {Data: []byte(`<a href="{{BASE}}/learn/">learn</a>`)},
		"learn/index.html":             {Data: []byte(`<link rel="canonical" href="{{BASE}}/learn/">`)},
		"learn/a-r1/page/2/index.html": {Data: []byte(`page two`)},
		"_sitemap/index.xml":           {Data: []byte(`<loc>{{BASE}}/sitemap.php?file=one</loc>`)},
		"_sitemap/one.xml":             {Data: []byte(`<loc>{{BASE}}/learn/a-r1/</loc>`)},
		"_sitemap/two.xml.gz":          {Data: gz(t, `<loc>{{BASE}}/learn/b-r2/</loc>`)},
	}
	const base = "http://127.0.0.1:9"
	srv := httptest.NewServer(crawler.NewSampleHub(root, base))
	defer srv.Close()

	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
	}
	cases := []struct {
		path, wantBody, wantType string
		wantCode                 int
	}{
		{"/robots.txt", "Sitemap: " + base + "/sitemap.php", "text/plain", 200},
		{"/", `href="` + base + `/learn/"`, "text/html", 200},
		{"/learn/", `href="` + base + `/learn/"`, "text/html", 200},
		{"/learn/?sortby=x", `href="` + base + `/learn/"`, "text/html", 200},
		{"/learn/a-r1/page/2/", "page two", "text/html", 200},
		{"/sitemap.php", base + "/sitemap.php?file=one", "application/xml", 200},
		{"/sitemap.php?file=one", base + "/learn/a-r1/", "application/xml", 200},
		{"/learn", "", "", 404},
		{"/missing/", "", "", 404},
		{"/_sitemap/one.xml", "", "", 404},
		{"/sitemap.php?file=../robots", "", "", 404},
		{"/sitemap.php?file=nope", "", "", 404},
		{"/../robots.txt", "Sitemap", "text/plain", 200}, // cleaned by the client/server to /robots.txt
	}
	for _, tc := range cases {
		code, ctype, body := get(tc.path)
		if code != tc.wantCode {
			t.Errorf("GET %s: status %d, want %d", tc.path, code, tc.wantCode)
			continue
		}
		if tc.wantCode != 200 {
			continue
		}
		if !strings.Contains(body, tc.wantBody) || strings.Contains(body, crawler.SampleBasePlaceholder) {
			t.Errorf("GET %s: body %q, want it to contain %q and no placeholder", tc.path, body, tc.wantBody)
		}
		if !strings.HasPrefix(ctype, tc.wantType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ctype, tc.wantType)
		}
	}

	// A gzip sitemap is served gzipped, with the placeholder replaced inside.
	resp, err := http.Get(srv.URL + "/sitemap.php?file=two")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("gzip sitemap is not gzip: %v", err)
	}
	plain, _ := io.ReadAll(zr)
	if want := "<loc>" + base + "/learn/b-r2/</loc>"; string(plain) != want {
		t.Errorf("gzip sitemap = %q, want %q", plain, want)
	}
}

// TestSiteHandlerServesSampleHub checks the real fixtures: every file is
// reachable and no placeholder is left in what is served.
func TestSiteHandlerServesSampleHub(t *testing.T) {
	dir, err := findDemoSite("../../" + DefaultDemoSite)
	if err != nil {
		t.Fatal(err)
	}
	h := crawler.NewSampleHub(os.DirFS(dir), "http://127.0.0.1:1")
	pages := 0
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		var url string
		switch {
		case strings.HasPrefix(rel, "_sitemap/"):
			name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(rel, "_sitemap/"), ".gz"), ".xml")
			url = "/sitemap.php?file=" + name
			if name == "index" {
				url = "/sitemap.php"
			}
		case rel == "index.html":
			url = "/"
		case strings.HasSuffix(rel, "/index.html"):
			url = "/" + strings.TrimSuffix(rel, "index.html")
		case strings.HasSuffix(rel, ".md"):
			return nil // documentation of the fixtures
		default:
			url = "/" + rel
		}
		req := httptest.NewRequest(http.MethodGet, "http://x"+strings.ReplaceAll(url, " ", "%20"), nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("GET %s (%s): status %d", url, rel, rec.Code)
		}
		if !strings.HasSuffix(rel, ".gz") && strings.Contains(rec.Body.String(), crawler.SampleBasePlaceholder) {
			t.Errorf("GET %s: placeholder left in the body", url)
		}
		pages++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 10 {
		t.Fatalf("served %d fixture files; the sample hub should have more", pages)
	}
}

func TestFindDemoSiteMissing(t *testing.T) {
	_, err := findDemoSite(filepath.Join(t.TempDir(), "nope"))
	if err == nil || !strings.Contains(err.Error(), "run from the repository root or pass --demo-site DIR") {
		t.Errorf("error %v", err)
	}
}
