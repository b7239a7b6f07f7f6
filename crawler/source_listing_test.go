package crawler

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// publisherServer serves a sample publisher of testdata/publishers with
// per-path body substitutions and gone paths, and logs every request.
type publisherServer struct {
	*httptest.Server
	mu      sync.Mutex
	replace map[string][][2]string // by path: body substitutions
	gone    map[string]bool
	reqs    []string // path?query
}

func newPublisherServer(t *testing.T, name string) *publisherServer {
	t.Helper()
	dir := filepath.Join("..", "testdata", "publishers", name)
	if _, err := os.Stat(filepath.Join(dir, "robots.txt")); err != nil {
		t.Fatalf("sample publisher fixtures missing: %v", err)
	}
	p := &publisherServer{replace: map[string][][2]string{}, gone: map[string]bool{}}
	var pub http.Handler
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Path
		if r.URL.RawQuery != "" {
			key += "?" + r.URL.RawQuery
		}
		p.mu.Lock()
		p.reqs = append(p.reqs, key)
		rep, gone := p.replace[r.URL.Path], p.gone[r.URL.Path]
		p.mu.Unlock()
		if gone {
			http.NotFound(w, r)
			return
		}
		rec := httptest.NewRecorder()
		pub.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		for _, rp := range rep {
			body = bytes.ReplaceAll(body, []byte(rp[0]), []byte(rp[1]))
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	pub = NewSamplePublisher(os.DirFS(dir), p.URL)
	t.Cleanup(p.Close)
	return p
}

func (p *publisherServer) set(path string, pairs ...[2]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replace[path] = pairs
}

func (p *publisherServer) setGone(path string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gone[path] = true
}

// takeRequests returns the requests logged since the last call.
func (p *publisherServer) takeRequests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.reqs
	p.reqs = nil
	return r
}

// pagesOnly drops robots.txt, feeds and sitemaps from a request log.
func pagesOnly(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if r == "/robots.txt" || strings.HasPrefix(r, "/feed/") || strings.HasSuffix(r, "sitemap.xml") {
			continue
		}
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

func listingCrawl(t *testing.T, st *Store, src SourceConfig) Summary {
	t.Helper()
	cfg := testConfig(src.URL)
	cfg.Sources = []SourceConfig{src}
	c, err := New(cfg, st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v\n%s", err, sum)
	}
	return sum
}

const insulinPost = "/2025/01/insulin-errors-on-surgical-wards/"

func TestCrawlFeedSource(t *testing.T) {
	srv := newPublisherServer(t, "wordpress")
	st := openTestStore(t, filepath.Join(t.TempDir(), "store.db"))
	src := SourceConfig{
		Name: "saferwards", Kind: SourceFeed, URL: srv.URL + "/feed/", Publisher: "Safer Wards Network",
		DefaultTags: TagMapping{Regions: []string{"UK"}},
		Categories:  map[string]TagMapping{"Medication safety": {Topics: []string{"Medication"}, ContentType: "Blogs"}},
	}

	sum := listingCrawl(t, st, src)
	if sum.New != 7 || sum.SkippedUnchanged != 0 {
		t.Fatalf("first crawl: new %d, skipped %d, want 7 and 0\n%s", sum.New, sum.SkippedUnchanged, sum)
	}
	reqs := srv.takeRequests()
	if !slices.Contains(reqs, "/feed/?paged=2") {
		t.Errorf("WordPress feed paging not followed: %v", reqs)
	}
	if n := len(pagesOnly(reqs)); n != 7 {
		t.Errorf("first crawl fetched %d article pages, want 7: %v", n, reqs)
	}
	arts := storedArticles(t, st)
	var insulin bool
	for _, a := range arts {
		if a.Publisher != "Safer Wards Network" || a.Source != "saferwards" || !strings.HasPrefix(a.ID, "saferwards:u") {
			t.Errorf("%s: publisher %q source %q", a.ID, a.Publisher, a.Source)
		}
		if !slices.Contains(a.Regions, "UK") {
			t.Errorf("%s: regions %v lack the source's default UK", a.URL, a.Regions)
		}
		if strings.HasSuffix(a.URL, insulinPost) {
			insulin = true
			if !slices.Contains(a.Topics, "Medication") || a.ContentType != "Blogs" {
				t.Errorf("insulin post: topics %v, content type %q: category mapping not applied", a.Topics, a.ContentType)
			}
		}
		if a.Title == "" || a.Author == "" || a.Published.IsZero() || a.Body == "" {
			t.Errorf("%s: incomplete article %+v", a.URL, a)
		}
	}
	if !insulin {
		t.Fatalf("insulin post not stored: %v", sortedKeys(arts))
	}

	// The feed re-dates one item and its page changes: only that page is
	// fetched again.
	srv.set("/feed/", [2]string{"Tue, 14 Jan 2025 09:15:00 +0000", time.Now().Add(time.Hour).UTC().Format(time.RFC1123Z)})
	srv.set(insulinPost, [2]string{"</main>", "<p>An update: the audit was repeated in June.</p></main>"})
	sum = listingCrawl(t, st, src)
	reqs = srv.takeRequests()
	if got := pagesOnly(reqs); !slices.Equal(got, []string{insulinPost}) {
		t.Errorf("second crawl fetched %v, want only %s (all: %v)", got, insulinPost, reqs)
	}
	if sum.SkippedUnchanged != 6 || sum.Changed+sum.Unchanged != 1 {
		t.Errorf("second crawl: skipped %d changed %d unchanged %d, want 6 and one stored\n%s", sum.SkippedUnchanged, sum.Changed, sum.Unchanged, sum)
	}

	// Nothing changed: only the feed is read.
	srv.set("/feed/")
	sum = listingCrawl(t, st, src)
	reqs = srv.takeRequests()
	if got := pagesOnly(reqs); len(got) != 0 || sum.Counts()["skipped_unchanged"] != 7 {
		t.Errorf("unchanged crawl fetched %v (all %v), skipped %d", got, reqs, sum.SkippedUnchanged)
	}
	if !strings.Contains(sum.String(), "skipped (unchanged):") {
		t.Errorf("summary does not print the skipped pages:\n%s", sum)
	}

	// A full pass is due again once FullPassEvery passed.
	src.FullPassEvery = time.Nanosecond
	listingCrawl(t, st, src)
	if got := pagesOnly(srv.takeRequests()); len(got) != 7 {
		t.Errorf("full pass fetched %d pages, want 7: %v", len(got), got)
	}
}

func TestCrawlSitemapSource(t *testing.T) {
	srv := newPublisherServer(t, "govuk")
	st := openTestStore(t, filepath.Join(t.TempDir(), "store.db"))
	src := SourceConfig{
		Name: "gov", Kind: SourceSitemap, URL: srv.URL + "/sitemap.xml",
		Include: []string{`/(government/publications|drug-safety-update)/`},
	}
	sum := listingCrawl(t, st, src)
	if sum.New != 7 || sum.OutOfScope != 1 {
		t.Fatalf("first crawl: new %d out of scope %d, want 7 and 1 (the collection)\n%s", sum.New, sum.OutOfScope, sum)
	}
	if got := pagesOnly(srv.takeRequests()); len(got) != 7 || slices.Contains(got, "/government/collections/patient-safety-publications") {
		t.Errorf("first crawl fetched %v", got)
	}
	for _, a := range storedArticles(t, st) {
		if a.Publisher != "gov" {
			t.Errorf("%s: publisher %q, want the source name", a.URL, a.Publisher)
		}
	}

	// One lastmod moves past the last fetch; one page leaves the sitemap
	// and the site.
	const opioids = "/government/publications/safer-use-of-opioids-in-hospital"
	const oxygen = "/government/publications/national-patient-safety-alert-oxygen-cylinder-valves"
	srv.set("/sitemap.xml",
		[2]string{"<lastmod>2024-06-20</lastmod>", "<lastmod>" + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + "</lastmod>"},
		[2]string{"<loc>" + srv.URL + oxygen + "</loc>", "<loc>" + srv.URL + "/moved</loc>"})
	srv.setGone(oxygen)
	sum = listingCrawl(t, st, src)
	got := pagesOnly(srv.takeRequests())
	if want := []string{oxygen, opioids}; !slices.Equal(got, want) {
		t.Errorf("second crawl fetched %v, want %v", got, want)
	}
	if sum.SkippedUnchanged != 5 {
		t.Errorf("second crawl skipped %d, want 5\n%s", sum.SkippedUnchanged, sum)
	}
	srv.set("/sitemap.xml", [2]string{"<loc>" + srv.URL + oxygen + "</loc>", "<loc>" + srv.URL + "/moved</loc>"})
	sum = listingCrawl(t, st, src)
	if sum.Removed != 1 {
		t.Errorf("a page gone from the sitemap and the site on two crawls: removed %d, want 1\n%s", sum.Removed, sum)
	}
	if got := pagesOnly(srv.takeRequests()); !slices.Equal(got, []string{oxygen}) {
		t.Errorf("third crawl fetched %v, want only the gone page", got)
	}

	// Nothing changed: only robots.txt and the sitemap are read.
	sum = listingCrawl(t, st, src)
	if reqs := srv.takeRequests(); len(pagesOnly(reqs)) != 0 || len(reqs) != 2 || sum.SkippedUnchanged != 6 {
		t.Errorf("unchanged crawl requested %v, skipped %d, want robots.txt and the sitemap only, 6 skipped", reqs, sum.SkippedUnchanged)
	}
}

func TestSourceConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		src  SourceConfig
		want string
	}{
		{SourceConfig{Name: "a", URL: "https://a.example/", Kind: "atom"}, `Sources[0] (a).Kind "atom": unknown source kind`},
		{SourceConfig{Name: "b", URL: "https://b.example/", Kind: SourceFeed, Include: []string{"(unclosed"}}, `Sources[0] (b).Include "(unclosed"`},
		{SourceConfig{Name: "c", URL: "https://c.example/", Exclude: []string{"a**"}}, `Sources[0] (c).Exclude "a**"`},
	} {
		err := Config{Sources: []SourceConfig{tc.src}}.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

func TestApplySource(t *testing.T) {
	ex := &Extraction{Extractor: ExtractorGeneric, Article: &article.Article{
		Source: "nhs", Category: "Alerts", Tags: []string{"Scotland", "oxygen", "Nurses"}}}
	ApplySource(ex, SourceConfig{Name: "nhs",
		DefaultTags: TagMapping{Regions: []string{"UK"}},
		Categories:  map[string]TagMapping{"alerts": {ContentType: "Safety alerts", Topics: []string{"Equipment"}}},
	}, DefaultTaxonomy())
	a := ex.Article
	if a.Publisher != "nhs" || a.ContentType != "Safety alerts" || strings.Join(a.Regions, ",") != "Scotland,UK" ||
		strings.Join(a.Topics, ",") != "oxygen,Equipment" || strings.Join(a.Audiences, ",") != "Nurses" {
		t.Errorf("article after ApplySource: publisher %q type %q regions %v topics %v audiences %v",
			a.Publisher, a.ContentType, a.Regions, a.Topics, a.Audiences)
	}
	ips := &Extraction{Extractor: ExtractorIPS, Article: &article.Article{Source: "demo", Regions: []string{"England"}}}
	ApplySource(ips, SourceConfig{Name: "demo", Publisher: "Patient Safety Learning", DefaultTags: TagMapping{Regions: []string{"UK"}}}, nil)
	if ips.Article.Publisher != "Patient Safety Learning" || strings.Join(ips.Article.Regions, ",") != "England,UK" {
		t.Errorf("IPS article after ApplySource: %+v", ips.Article)
	}
}
