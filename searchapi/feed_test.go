package searchapi

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"

	"github.com/safetysearch/safetysearch/indexer"
)

// parseAtom parses a feed with gofeed twice: the universal parser must
// detect Atom 1.0, and the Atom parser gives the entries with their links.
func parseAtom(t *testing.T, body []byte) *atom.Feed {
	t.Helper()
	uf, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, body)
	}
	if uf.FeedType != "atom" || uf.FeedVersion != "1.0" {
		t.Fatalf("feed detected as %s %s, want atom 1.0", uf.FeedType, uf.FeedVersion)
	}
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("gofeed atom: %v", err)
	}
	return f
}

func atomLinkOf(links []*atom.Link, rel string) string {
	for _, l := range links {
		r := l.Rel
		if r == "" {
			r = "alternate"
		}
		if r == rel {
			return l.Href
		}
	}
	return ""
}

func TestFeedBuildAtom(t *testing.T) {
	arts := exportArticles()
	meta := feedMeta{
		Title:   "safetysearch: “psirf”",
		SelfURL: "http://example.test/api/v1/search.atom?q=psirf",
		PageURL: "http://example.test/?q=psirf&sort=newest",
		BaseURL: "http://example.test",
	}
	f, updated := buildFeed(meta, arts, nil)
	body, err := marshalFeed(f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(body, []byte("<script>")) {
		t.Errorf("feed holds a raw <script> tag:\n%s", body)
	}
	feed := parseAtom(t, body)
	if feed.ID != meta.SelfURL || feed.Title != meta.Title {
		t.Errorf("feed id %q title %q", feed.ID, feed.Title)
	}
	if atomLinkOf(feed.Links, "self") != meta.SelfURL || atomLinkOf(feed.Links, "alternate") != meta.PageURL {
		t.Errorf("feed links %+v", feed.Links)
	}
	// Updated is the newest entry's updated: r1 was updated two days after publication.
	wantUpdated := time.Date(2024, 3, 7, 10, 0, 0, 0, time.UTC)
	if !updated.Equal(wantUpdated) || feed.UpdatedParsed == nil || !feed.UpdatedParsed.Equal(wantUpdated) {
		t.Errorf("feed updated %v (returned %v), want %v", feed.UpdatedParsed, updated, wantUpdated)
	}
	if len(feed.Entries) != len(arts) {
		t.Fatalf("%d entries, want %d", len(feed.Entries), len(arts))
	}
	for i, e := range feed.Entries {
		a := arts[i]
		if e.Title != a.Title {
			t.Errorf("entry %d title %q, want %q", i, e.Title, a.Title)
		}
		if e.ID != entryID(a) || e.ID == "" {
			t.Errorf("entry %d id %q", i, e.ID)
		}
		if got := atomLinkOf(e.Links, "alternate"); got != "http://example.test"+articlePath(a.ID) {
			t.Errorf("entry %d alternate link %q", i, got)
		}
		if got := atomLinkOf(e.Links, "related"); got != a.URL {
			t.Errorf("entry %d related link %q, want the original %q", i, got, a.URL)
		}
		if e.UpdatedParsed == nil || !e.UpdatedParsed.Equal(entryUpdated(a)) {
			t.Errorf("entry %d updated %v, want %v", i, e.UpdatedParsed, entryUpdated(a))
		}
		if !a.Published.IsZero() && (e.PublishedParsed == nil || !e.PublishedParsed.Equal(a.Published)) {
			t.Errorf("entry %d published %v, want %v", i, e.PublishedParsed, a.Published)
		}
		if len(e.Authors) != 1 || e.Authors[0].Name == "" {
			t.Errorf("entry %d authors %+v", i, e.Authors)
		}
	}
	e0 := feed.Entries[0]
	if len(e0.Categories) != 4 || e0.Categories[3].Term != "incident_response" {
		t.Errorf("entry 0 categories %+v", e0.Categories)
	}
	if e0.Summary != arts[0].Summary {
		t.Errorf("entry 0 summary %q", e0.Summary)
	}
	if !strings.HasPrefix(feed.Entries[3].ID, "tag:") {
		t.Errorf("entry without URL has id %q, want a tag: URI", feed.Entries[3].ID)
	}
}

func TestFeedEmptyUsesFallback(t *testing.T) {
	built := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f, updated := buildFeed(feedMeta{Title: "t", SelfURL: "http://x/a", PageURL: "http://x/", Fallback: built}, nil, nil)
	body, err := marshalFeed(f)
	if err != nil {
		t.Fatal(err)
	}
	feed := parseAtom(t, body)
	if len(feed.Entries) != 0 || !updated.Equal(built) || feed.UpdatedParsed == nil || !feed.UpdatedParsed.Equal(built) {
		t.Errorf("empty feed: %d entries, updated %v / %v, want %v", len(feed.Entries), updated, feed.UpdatedParsed, built)
	}
}

func TestFeedEntryUpdated(t *testing.T) {
	p := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	u := p.Add(time.Hour)
	f := p.Add(2 * time.Hour)
	for _, tc := range []struct {
		a    article.Article
		want time.Time
	}{
		{article.Article{Published: p, Updated: u, FetchedAt: f}, u},
		{article.Article{Published: p, FetchedAt: f}, p},
		{article.Article{FetchedAt: f}, f},
	} {
		if got := entryUpdated(tc.a); !got.Equal(tc.want) {
			t.Errorf("entryUpdated = %v, want %v", got, tc.want)
		}
	}
}

func TestFeedHTTP(t *testing.T) {
	arts := sampleArticles(t)
	byURL := map[string]article.Article{}
	for _, a := range arts {
		byURL[a.URL] = a
	}
	e := newAPI(t, testConfig(), openIndex(t, arts), nil)
	uk := 0
	for _, a := range arts {
		if hasFold(a.Regions, "UK") {
			uk++
		}
	}

	resp, body := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	feed := parseAtom(t, body)
	if want := min(uk, indexer.DefaultPerPage); len(feed.Entries) != want {
		t.Fatalf("%d entries, want %d", len(feed.Entries), want)
	}
	if self := atomLinkOf(feed.Links, "self"); self != e.ts.URL+"/api/v1/search.atom?region=UK" || feed.ID != self {
		t.Errorf("feed self %q id %q", self, feed.ID)
	}
	if alt := atomLinkOf(feed.Links, "alternate"); alt != e.ts.URL+"/?region=UK&sort=newest" {
		t.Errorf("feed alternate %q", alt)
	}
	var prev time.Time
	for i, en := range feed.Entries {
		a, ok := byURL[en.ID]
		if !ok {
			t.Fatalf("entry %d id %q is not an article URL", i, en.ID)
		}
		if !hasFold(a.Regions, "UK") {
			t.Errorf("entry %d (%s) is not tagged UK", i, a.ID)
		}
		if en.Title != a.Title {
			t.Errorf("entry %d title %q, want %q", i, en.Title, a.Title)
		}
		if got := atomLinkOf(en.Links, "alternate"); got != e.ts.URL+articlePath(a.ID) {
			t.Errorf("entry %d page link %q", i, got)
		}
		if got := atomLinkOf(en.Links, "related"); got != a.URL {
			t.Errorf("entry %d original link %q", i, got)
		}
		if en.PublishedParsed == nil || !en.PublishedParsed.Equal(a.Published) {
			t.Errorf("entry %d published %v, want %v", i, en.PublishedParsed, a.Published)
		}
		if en.UpdatedParsed == nil || !en.UpdatedParsed.Equal(entryUpdated(a)) {
			t.Errorf("entry %d updated %v, want %v", i, en.UpdatedParsed, entryUpdated(a))
		}
		if i > 0 && a.Published.After(prev) {
			t.Errorf("entry %d is newer than entry %d: not newest first", i, i-1)
		}
		prev = a.Published
	}

	// A second request: the same ids in the same order, the same validators.
	resp2, body2 := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil)
	feed2 := parseAtom(t, body2)
	for i := range feed.Entries {
		if feed2.Entries[i].ID != feed.Entries[i].ID {
			t.Errorf("entry %d id changed: %q then %q", i, feed.Entries[i].ID, feed2.Entries[i].ID)
		}
	}
	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if etag == "" || lastMod == "" || resp2.Header.Get("ETag") != etag {
		t.Fatalf("validators: ETag %q / %q, Last-Modified %q", etag, resp2.Header.Get("ETag"), lastMod)
	}
	if lm, err := http.ParseTime(lastMod); err != nil || feed.UpdatedParsed == nil || !lm.Equal(*feed.UpdatedParsed) {
		t.Errorf("Last-Modified %q (%v) is not the feed's updated %v", lastMod, err, feed.UpdatedParsed)
	}

	// Conditional GET.
	if r, b := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil, "If-None-Match: "+etag); r.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Errorf("If-None-Match: %d with %d bytes", r.StatusCode, len(b))
	}
	if r, _ := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil, "If-Modified-Since: "+lastMod); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since = Last-Modified: %d", r.StatusCode)
	}
	older := feed.UpdatedParsed.Add(-time.Hour).Format(http.TimeFormat)
	if r, _ := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil, "If-Modified-Since: "+older); r.StatusCode != http.StatusOK {
		t.Errorf("If-Modified-Since before Last-Modified: %d", r.StatusCode)
	}
	if r, _ := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil, `If-None-Match: "other"`, "If-Modified-Since: "+lastMod); r.StatusCode != http.StatusOK {
		t.Errorf("a non-matching If-None-Match must win over If-Modified-Since: %d", r.StatusCode)
	}
	if r, _ := e.do(http.MethodGet, "/api/v1/search.atom?region=England", nil, "If-None-Match: "+etag); r.StatusCode != http.StatusOK {
		t.Errorf("another search's feed answered 304 to this ETag")
	}

	// per_page sets the size; paging and sort are not feed parameters.
	_, body = e.do(http.MethodGet, "/api/v1/search.atom?per_page=2", nil)
	if n := len(parseAtom(t, body).Entries); n != 2 {
		t.Errorf("per_page=2: %d entries", n)
	}
	e.expectProblem(http.MethodGet, "/api/v1/search.atom?sort=relevance", http.StatusBadRequest, codeInvalidParameter, "sort")
	e.expectProblem(http.MethodGet, "/api/v1/search.atom?page=2", http.StatusBadRequest, codeInvalidParameter, "page")
	e.expectProblem(http.MethodGet, "/api/v1/search.atom?q=%22open", http.StatusBadRequest, codeInvalidQuery, "")
}

func TestFeedNotReady(t *testing.T) {
	e := newAPI(t, testConfig(), openIndex(t, nil), nil)
	e.expectProblem(http.MethodGet, "/api/v1/search.atom", http.StatusServiceUnavailable, codeIndexUnavailable, "")
}

func TestFeedLinksIgnoreHostHeader(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	selfOf := func(e *apiEnv, headers ...string) string {
		t.Helper()
		resp, body := e.do(http.MethodGet, "/api/v1/search.atom?region=UK", nil, headers...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("feed: %d %s", resp.StatusCode, body)
		}
		feed := parseAtom(t, body)
		for _, en := range feed.Entries {
			if l := atomLinkOf(en.Links, "alternate"); !strings.HasPrefix(l, strings.TrimSuffix(atomLinkOf(feed.Links, "self"), "/api/v1/search.atom?region=UK")) {
				t.Errorf("entry link %q is not on the feed's host", l)
			}
		}
		return atomLinkOf(feed.Links, "self")
	}
	const evil = "Host: evil.example"
	const path = "/api/v1/search.atom?region=UK"

	// Without public_url: the listen address, whatever the Host header says.
	e := newAPI(t, testConfig(), ix, nil)
	if got := selfOf(e, evil); got != e.ts.URL+path {
		t.Errorf("Host: evil.example: self link %q, want %q", got, e.ts.URL+path)
	}
	// Forwarded headers from an untrusted peer are ignored too.
	if got := selfOf(e, "X-Forwarded-Host: evil.example", "X-Forwarded-Proto: https"); got != e.ts.URL+path {
		t.Errorf("untrusted X-Forwarded-Host: self link %q", got)
	}

	// public_url wins over everything.
	cfg := testConfig()
	cfg.PublicURL = "https://search.example.org/safety/"
	pub := newAPI(t, cfg, ix, nil)
	if got := selfOf(pub, evil, "X-Forwarded-Host: evil.example"); got != "https://search.example.org/safety"+path {
		t.Errorf("public_url: self link %q", got)
	}

	// A trusted proxy's forwarded host and scheme are believed.
	cfg = testConfig()
	cfg.TrustedProxies = []string{"127.0.0.1", "::1"}
	proxied := newAPI(t, cfg, ix, nil)
	if got := selfOf(proxied, evil, "X-Forwarded-Host: search.example.org", "X-Forwarded-Proto: https"); got != "https://search.example.org"+path {
		t.Errorf("trusted proxy: self link %q", got)
	}
	if got := selfOf(proxied, "X-Forwarded-Host: evil.example/@x"); got != proxied.ts.URL+path {
		t.Errorf("malformed X-Forwarded-Host: self link %q", got)
	}
}
