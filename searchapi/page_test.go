package searchapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/schedule"

	"github.com/PuerkitoBio/goquery"
	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// pageEnv serves the real handler over a real index. Pages are not part of
// the OpenAPI document, so they are fetched with a plain client; feeds and
// exports go through apiEnv's validating client instead.
type pageEnv struct {
	t   testing.TB
	srv *Server
	ts  *httptest.Server
	ix  *indexer.Index
}

func newPageEnv(t testing.TB, arts []article.Article) *pageEnv {
	t.Helper()
	ginTestMode.Do(func() { gin.SetMode(gin.TestMode) })
	ix := openIndex(t, arts)
	srv, err := New(testConfig(), ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &pageEnv{t: t, srv: srv, ts: ts, ix: ix}
}

// page fetches target and parses the HTML, failing unless the status is
// want and the body is HTML.
func (e *pageEnv) page(target string, want int) (*http.Response, string, *goquery.Document) {
	e.t.Helper()
	resp, err := http.Get(e.ts.URL + target)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != want {
		e.t.Fatalf("GET %s: status %d, want %d\n%.2000s", target, resp.StatusCode, want, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		e.t.Fatalf("GET %s: Content-Type %q, want text/html", target, ct)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, string(b), doc
}

// total reads the result count the page shows.
func pageTotal(t testing.TB, doc *goquery.Document) int {
	t.Helper()
	s := strings.TrimSpace(doc.Find(".summary strong").First().Text())
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("result count %q: %v", s, err)
	}
	return n
}

// facetCount is the count shown next to a facet value, -1 when absent.
func facetCount(doc *goquery.Document, facet, value string) (int, bool) {
	n, checked := -1, false
	doc.Find("#facet-" + facet + " li").Each(func(_ int, li *goquery.Selection) {
		if strings.TrimSpace(li.Find(".value").Text()) != value {
			return
		}
		n, _ = strconv.Atoi(strings.TrimSpace(li.Find(".count").Text()))
		_, checked = li.Find("input").Attr("checked")
	})
	return n, checked
}

// pageCountArticles counts the articles pred accepts.
func pageCountArticles(arts []article.Article, pred func(article.Article) bool) int {
	n := 0
	for _, a := range arts {
		if pred(a) {
			n++
		}
	}
	return n
}

func TestPageBrowseAndFilter(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)

	_, body, doc := e.page("/", http.StatusOK)
	if got := pageTotal(t, doc); got != len(arts) {
		t.Errorf("browse total %d, want %d", got, len(arts))
	}
	ukCount := pageCountArticles(arts, func(a article.Article) bool { return hasFold(a.Regions, "UK") })
	englandCount := pageCountArticles(arts, func(a article.Article) bool { return hasFold(a.Regions, "England") })
	if n, checked := facetCount(doc, "region", "UK"); n != ukCount || checked {
		t.Errorf("region UK facet: count %d checked %v, want %d unchecked", n, checked, ukCount)
	}
	for _, want := range []string{`<link rel="alternate" type="application/atom+xml"`, `href="#main"`, `<main id="main"`,
		`<aside class="facets"`, `<header class="site">`, `<footer class="site">`, `role="search"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Every checkbox and input has a label.
	doc.Find("input[id]").Each(func(_ int, in *goquery.Selection) {
		id, _ := in.Attr("id")
		if typ, _ := in.Attr("type"); typ == "hidden" {
			return
		}
		if doc.Find(`label[for="`+id+`"]`).Length() == 0 {
			t.Errorf("input #%s has no label", id)
		}
	})

	// Tick UK: the result count, the checkbox and the chips follow.
	resp, _, doc := e.page("/?region=UK", http.StatusOK)
	if got := pageTotal(t, doc); got != ukCount {
		t.Errorf("region=UK total %d, want %d", got, ukCount)
	}
	if n, checked := facetCount(doc, "region", "UK"); n != ukCount || !checked {
		t.Errorf("region UK facet after ticking: count %d checked %v", n, checked)
	}
	// Disjunctive: England still counts what ticking it would add.
	if n, _ := facetCount(doc, "region", "England"); n != englandCount {
		t.Errorf("region England disjunctive count %d, want %d", n, englandCount)
	}
	chip := doc.Find(".active-filters a.chip.removable")
	if chip.Length() != 1 || !strings.Contains(chip.Text(), "Region: UK") {
		t.Fatalf("active filter chips: %q", chip.Text())
	}
	if href, _ := chip.Attr("href"); href != "/" {
		t.Errorf("removing the only filter links to %q, want /", href)
	}
	if href, _ := doc.Find(".active-filters a.clear-all").Attr("href"); href != "/" {
		t.Errorf("clear all links to %q", href)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("page without Content-Security-Policy")
	}

	// Hits match the filter, and every hit links to its article page.
	doc.Find(".hit").Each(func(i int, hit *goquery.Selection) {
		href, _ := hit.Find(".hit-title a").Attr("href")
		if !strings.HasPrefix(href, "/articles/pslhub:r") {
			t.Errorf("hit %d links to %q", i, href)
		}
	})

	// A text query with two filters, and the form keeps everything.
	_, _, doc = e.page("/?q=medication&region=UK&region=England&tag=New&sort=newest", http.StatusOK)
	if v, _ := doc.Find("#q").Attr("value"); v != "medication" {
		t.Errorf("search box value %q", v)
	}
	hidden := map[string]string{}
	doc.Find(`#search input[type=hidden]`).Each(func(_ int, in *goquery.Selection) {
		n, _ := in.Attr("name")
		v, _ := in.Attr("value")
		hidden[n] = v
	})
	if hidden["tag"] != "New" || hidden["sort"] != "newest" {
		t.Errorf("hidden fields %v: want tag and sort kept", hidden)
	}
	if doc.Find(`.sort a.current`).Text() != "Newest" {
		t.Errorf("current sort %q", doc.Find(`.sort a.current`).Text())
	}
	if doc.Find(".active-filters a.chip.removable").Length() != 3 {
		t.Errorf("want 3 active filter chips, got %d", doc.Find(".active-filters a.chip.removable").Length())
	}
}

func TestPageShowMore(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	_, _, doc := e.page("/?q=patient", http.StatusOK)
	more := doc.Find("#facet-topic details.more")
	if more.Length() != 1 || doc.Find("#facet-topic > ul.facet-values > li").Length() != collapseAfter {
		t.Fatalf("topic facet: %d values shown before 'show more' (want %d), details %d",
			doc.Find("#facet-topic > ul.facet-values > li").Length(), collapseAfter, more.Length())
	}
	if _, open := more.Attr("open"); open {
		t.Error("'show more' is open with nothing selected in it")
	}
	hiddenValue := strings.TrimSpace(more.Find(".value").First().Text())
	_, _, doc = e.page("/?q=patient&topic="+url.QueryEscape(hiddenValue), http.StatusOK)
	more = doc.Find("#facet-topic details.more")
	if _, open := more.Attr("open"); more.Length() == 1 && !open {
		t.Errorf("'show more' stays closed although %q in it is selected", hiddenValue)
	}
}

func TestPagePagination(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	_, _, doc := e.page("/?per_page=5", http.StatusOK)
	if n := doc.Find(".hit").Length(); n != 5 {
		t.Fatalf("%d hits, want 5", n)
	}
	next, ok := doc.Find(`.pager a[rel=next]`).Attr("href")
	if !ok || next != "/?page=2&per_page=5" {
		t.Fatalf("next link %q", next)
	}
	if doc.Find(`.pager a[rel=prev]`).Length() != 0 {
		t.Error("page 1 has a previous link")
	}
	last := (len(arts) + 4) / 5
	if lastLink := doc.Find(`.pager a`).Eq(-2).Text(); !strings.Contains(lastLink, strconv.Itoa(last)) {
		t.Errorf("last page link %q, want %d", lastLink, last)
	}
	_, _, doc = e.page(next, http.StatusOK)
	if start, _ := doc.Find("ol.hits").Attr("start"); start != "6" {
		t.Errorf("page 2 list starts at %q", start)
	}
	if prev, _ := doc.Find(`.pager a[rel=prev]`).Attr("href"); prev != "/?per_page=5" {
		t.Errorf("prev link %q", prev)
	}
	if cur := doc.Find(`.pager a[aria-current=page]`).Text(); !strings.HasSuffix(cur, "2") {
		t.Errorf("current page %q", cur)
	}
	// Filters, sort and export links drop the page.
	doc.Find(".sort a, #facet-region input").Each(func(_ int, s *goquery.Selection) {
		if href, ok := s.Attr("href"); ok && strings.Contains(href, "page=2") {
			t.Errorf("link %q keeps page=2", href)
		}
	})
	doc.Find(".export a").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if strings.Contains(href, "page") {
			t.Errorf("export link %q carries paging", href)
		}
	})
}

func TestPageDidYouMeanAndExpansion(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	_, body, doc := e.page("/?q=medicaton", http.StatusOK)
	if pageTotal(t, doc) != 0 {
		t.Fatalf("misspelt query found %d", pageTotal(t, doc))
	}
	dym := doc.Find(".did-you-mean a")
	if dym.Length() != 1 {
		t.Fatalf("no did-you-mean on a query that found nothing:\n%.3000s", body)
	}
	href, _ := dym.Attr("href")
	if dym.Text() != "medication" || href != "/?q=medication" {
		t.Errorf("did you mean %q → %q", dym.Text(), href)
	}
	_, _, doc = e.page(href, http.StatusOK)
	if pageTotal(t, doc) == 0 {
		t.Error("the suggestion finds nothing")
	}

	_, body, doc = e.page("/?q=PSIRF", http.StatusOK)
	exp := doc.Find(".expansion")
	if exp.Length() == 0 || !strings.Contains(exp.Text(), "PSIRF also searched as") ||
		!strings.Contains(strings.ToLower(exp.Text()), "patient safety incident response framework") {
		t.Errorf("expansion note %q\n%.2000s", exp.Text(), body)
	}
	if doc.Find(".hit .hit-title mark").Length() == 0 {
		t.Error("no highlighted title among the PSIRF hits")
	}
}

func TestPageRelaxedNote(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	q := "What are the warning signs of sepsis in older patients?"
	res, err := e.ix.Search(t.Context(), indexer.Query{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if res.Relaxed == nil || len(res.Relaxed.Optional) == 0 {
		t.Fatalf("the index did not relax %q; the test needs a relaxed query", q)
	}
	_, _, doc := e.page("/?q="+url.QueryEscape(q), http.StatusOK)
	note := doc.Find(".note.relaxed").Text()
	if want := res.Relaxed.Sentence(); strings.TrimSpace(note) != want || !strings.Contains(want, fmt.Sprintf("%d more", res.Relaxed.Others)) {
		t.Fatalf("relaxation note %q, want %q", note, want)
	}
	for _, w := range res.Relaxed.Optional {
		if !strings.Contains(note, "“"+w+"”") {
			t.Errorf("relaxation note %q does not name %q", note, w)
		}
	}
}

func TestPageQueryErrors(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, _, doc := e.page("/?q="+url.QueryEscape(`sepsis "unclosed`), http.StatusBadRequest)
	msg := doc.Find(".notice.error").Text()
	if !strings.Contains(msg, "character 8") || !strings.Contains(msg, "unclosed quote") {
		t.Errorf("syntax error message %q: want the position and the reason", msg)
	}
	if at := doc.Find(".query-position mark").Text(); at != `"` {
		t.Errorf("marked character %q", at)
	}
	if v, _ := doc.Find("#q").Attr("value"); v != `sepsis "unclosed` {
		t.Errorf("the search box lost the query: %q", v)
	}

	_, _, doc = e.page("/?from=yesterday", http.StatusBadRequest)
	if msg := doc.Find(".notice.error").Text(); !strings.Contains(msg, "from") || !strings.Contains(msg, "YYYY-MM-DD") {
		t.Errorf("bad date message %q", msg)
	}
	// Unknown parameters (tracking tags) do not break the page.
	e.page("/?utm_source=newsletter&q=sepsis", http.StatusOK)
}

func TestPageArticle(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	var art article.Article
	for _, a := range arts {
		if len(a.Comments) > len(art.Comments) {
			art = a
		}
	}
	if len(art.Comments) == 0 {
		t.Fatal("no sample article has comments")
	}
	_, _, doc := e.page(articlePath(art.ID), http.StatusOK)
	if h1 := doc.Find("main h1").Text(); h1 != art.Title {
		t.Errorf("h1 %q, want %q", h1, art.Title)
	}
	if doc.Find(".comment").Length() != len(art.Comments) {
		t.Errorf("%d comments shown, want %d", doc.Find(".comment").Length(), len(art.Comments))
	}
	first := doc.Find(".comment").First()
	wantLink := art.URL + "#findComment-" + art.Comments[0].ID
	if href, _ := first.Find(`a`).Last().Attr("href"); href != wantLink {
		t.Errorf("comment link %q, want %q", href, wantLink)
	}
	if !strings.Contains(first.Text(), art.Comments[0].Author) {
		t.Errorf("comment author %q missing in %q", art.Comments[0].Author, first.Text())
	}
	for _, c := range art.Comments {
		if c.EditedBy != "" && !strings.Contains(doc.Find("#comment-"+c.ID).Text(), "edited by "+c.EditedBy) {
			t.Errorf("comment %s lacks 'edited by %s'", c.ID, c.EditedBy)
		}
	}
	// Tags link to filtered searches.
	if len(art.Regions) > 0 {
		want := "/?region=" + url.QueryEscape(art.Regions[0])
		if doc.Find(`.chips a[href="`+want+`"]`).Length() != 1 {
			t.Errorf("no region chip linking to %s", want)
		}
	}
	if len(art.Topics) > 0 {
		want := "/?topic=" + url.QueryEscape(art.Topics[0])
		if doc.Find(`.chips a[href="`+want+`"]`).Length() != 1 {
			t.Errorf("no topic chip linking to %s", want)
		}
	}
	if href, _ := doc.Find(".original a").Attr("href"); href != art.URL {
		t.Errorf("original link %q", href)
	}
	if doc.Find(".related li").Length() == 0 {
		t.Error("no related articles")
	}
	doc.Find(".related a").Each(func(_ int, a *goquery.Selection) {
		if href, _ := a.Attr("href"); href == articlePath(art.ID) {
			t.Error("an article is related to itself")
		}
	})
	if doc.Find(".article-body p").Length() == 0 {
		t.Error("empty article body")
	}

	// Unknown article: a friendly 404 page.
	_, body, doc := e.page("/articles/pslhub:r0", http.StatusNotFound)
	if h := doc.Find("h1").Text(); h != "Article not found" || strings.Contains(body, "problem") {
		t.Errorf("404 page heading %q", h)
	}
}

func TestPageNotReady(t *testing.T) {
	e := newPageEnv(t, nil)
	for _, target := range []string{"/", "/?q=sepsis", "/articles/pslhub:r1"} {
		resp, _, doc := e.page(target, http.StatusServiceUnavailable)
		if h := doc.Find("h1").Text(); h != "Search is starting up" {
			t.Errorf("%s: heading %q", target, h)
		}
		if resp.Header.Get("Retry-After") == "" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Retry-After %q Cache-Control %q", target, resp.Header.Get("Retry-After"), resp.Header.Get("Cache-Control"))
		}
	}
	_, _, doc := e.page("/status", http.StatusOK)
	if !strings.Contains(doc.Find("dl.status").Text(), "not built yet") {
		t.Errorf("status page while not ready: %q", doc.Find("dl.status").Text())
	}
}

// fakeRebuilder reports a schedule with a finished run.
type fakeRebuilder struct{ st schedule.RunStatus }

func (f fakeRebuilder) Trigger(string) error       { return nil }
func (f fakeRebuilder) Status() schedule.RunStatus { return f.st }

func TestPageStatus(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	st := schedule.RunStatus{Schedule: "0 3 * * *"}
	st.Next = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	st.Last = &schedule.Run{
		Trigger: "schedule", Outcome: "ok", Duration: 12.5,
		Started: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC), Ended: time.Date(2026, 11, 25, 3, 0, 12, 0, time.UTC),
		Counts: map[string]int{"pages_fetched": 40, "articles_indexed": len(arts)},
		Errors: []string{"fetch https://www.pslhub.org/x: 500 <b>oops</b>"},
	}
	srv, err := New(testConfig(), ix, fakeRebuilder{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{ix.Status().Generation, ">" + strconv.Itoa(len(arts)) + "<", "0 3 * * *",
		"26 November 2026, 03:00 UTC", "articles indexed", "pages fetched", "&lt;b&gt;oops&lt;/b&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("status page Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
}

func TestPageStatic(t *testing.T) {
	e := newPageEnv(t, nil)
	for path, ct := range map[string]string{"/static/style.css": "text/css", "/static/app.js": "text/javascript"} {
		resp, err := http.Get(e.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), ct) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		req, _ := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		resp2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp2.Body.Close()
		if resp2.StatusCode != http.StatusNotModified {
			t.Errorf("%s revalidation: %d", path, resp2.StatusCode)
		}
	}
	// The pages link versioned URLs, which may be cached for long.
	_, _, doc := e.page("/status", http.StatusOK)
	css, _ := doc.Find(`link[rel=stylesheet]`).Attr("href")
	if !strings.HasPrefix(css, "/static/style.css?v=") {
		t.Fatalf("stylesheet link %q", css)
	}
	resp, err := http.Get(e.ts.URL + css)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("versioned asset: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	resp, err = http.Get(e.ts.URL + "/static/style.css?v=old")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("a stale version is cached for long")
	}
	resp, err = http.Get(e.ts.URL + "/static/missing.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d", resp.StatusCode)
	}
}

// TestPageEscapingEverywhere indexes an article whose every field holds
// markup and checks it shows as text on every page and in the feed:
// results, highlighted snippets, comment snippets, chips, facets, the
// article page and the Atom feed.
func TestPageEscapingEverywhere(t *testing.T) {
	evil := article.Article{
		ID: "pslhub:r666", URL: "https://www.pslhub.org/learn/zanzibar-r666/", Source: "pslhub",
		Title:     `Zanzibar <script>alert("title")</script> report`,
		Author:    `<script>alert("author")</script>`,
		Published: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		Category:  `<script>alert("category")</script>`, ContentType: `News <img src=x onerror=alert(1)>`,
		Regions: []string{`<script>alert("region")</script>`}, Audiences: []string{"Everyone"},
		Topics:  []string{`Zanzibar <img src=x onerror=alert("topic")>`},
		Tags:    []string{`<script>alert("tag")</script>`},
		Summary: `Zanzibar summary <script>alert("summary")</script>`,
		Body:    "Zanzibar body <script>alert(\"body\")</script> text &amp; more\nsecond paragraph",
		Comments: []article.Comment{{
			ID: "9001", Author: `<script>alert("commenter")</script>`, EditedBy: `<b>editor</b>`,
			Body: `A zanzibar comment <script>alert("comment")</script>`,
		}},
		Attachments: []article.Attachment{{Name: `<script>alert("file")</script>`, URL: `javascript:alert("file")`}},
		FetchedAt:   time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC),
	}
	arts := append(sampleArticles(t), evil)
	e := newPageEnv(t, arts)

	noMarkup := func(where, body string) {
		t.Helper()
		if n := strings.Count(body, "<script"); n != 1 || !strings.Contains(body, `<script src="/static/app.js?v=`) {
			t.Errorf("%s: %d <script tags, want only the page's own", where, n)
		}
		for _, bad := range []string{"<img", "<b>", "javascript:"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: raw %s in the page", where, bad)
			}
		}
	}

	_, body, doc := e.page("/?q=zanzibar", http.StatusOK)
	noMarkup("search page", body)
	hit := doc.Find(".hit").First()
	if got := hit.Find(".hit-title").Text(); got != evil.Title {
		t.Errorf("hit title text %q, want %q", got, evil.Title)
	}
	if hit.Find(".hit-title mark").Length() == 0 || hit.Find(".snippet mark").Length() == 0 {
		t.Errorf("highlights lost their <mark>: %s", must(hit.Html()))
	}
	if !strings.Contains(hit.Find("p.snippet").Text(), `<script>alert("body")</script>`) &&
		!strings.Contains(hit.Find("p.snippet").Text(), `<script>alert("summary")</script>`) {
		t.Errorf("body snippet text %q does not show the markup as text", hit.Find("p.snippet").Text())
	}
	if !strings.Contains(hit.Find(".comment-match").Text(), "Matched in 1 comment") ||
		!strings.Contains(hit.Find(".comment-match blockquote").Text(), `<script>alert("comment")</script>`) {
		t.Errorf("comment snippet %q", hit.Find(".comment-match").Text())
	}
	if !strings.Contains(hit.Find(".chips").Text(), `<script>alert("region")</script>`) {
		t.Errorf("chips %q", hit.Find(".chips").Text())
	}
	if n, _ := facetCount(doc, "region", `<script>alert("region")</script>`); n != 1 {
		t.Errorf("the region facet does not list the markup value as text (count %d)", n)
	}

	// The facet value as a filter, and its chip.
	_, body, doc = e.page("/?region="+url.QueryEscape(evil.Regions[0]), http.StatusOK)
	noMarkup("filtered page", body)
	if pageTotal(t, doc) != 1 || !strings.Contains(doc.Find(".active-filters").Text(), `<script>alert("region")</script>`) {
		t.Errorf("filter by markup value: total %d, chips %q", pageTotal(t, doc), doc.Find(".active-filters").Text())
	}

	// A query that is itself markup: kept as text in the box, the title
	// and the summary line.
	for _, tc := range []struct {
		q      string
		status int
	}{
		{`<script>alert(q)</script>`, http.StatusOK},
		{`"><script>alert(q)</script>`, http.StatusBadRequest}, // unclosed quote: the error page path
	} {
		_, body, doc = e.page("/?q="+url.QueryEscape(tc.q), tc.status)
		noMarkup("query "+tc.q, body)
		if v, _ := doc.Find("#q").Attr("value"); v != tc.q {
			t.Errorf("search box %q, want %q", v, tc.q)
		}
	}

	_, body, doc = e.page(articlePath(evil.ID), http.StatusOK)
	noMarkup("article page", body)
	if doc.Find("h1").Text() != evil.Title || !strings.Contains(doc.Find(".comment").Text(), `edited by <b>editor</b>`) {
		t.Errorf("article page title %q, comment %q", doc.Find("h1").Text(), doc.Find(".comment").Text())
	}
	if href, _ := doc.Find(".attachments a").Attr("href"); strings.HasPrefix(href, "javascript") {
		t.Errorf("attachment link %q", href)
	}

	resp, err := http.Get(e.ts.URL + "/api/v1/search.atom?q=zanzibar")
	if err != nil {
		t.Fatal(err)
	}
	feedBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(feedBody), "<script") || strings.Contains(string(feedBody), "<img") {
		t.Errorf("feed holds raw markup:\n%s", feedBody)
	}
	feed := parseAtom(t, feedBody)
	if len(feed.Entries) == 0 || feed.Entries[0].Title != evil.Title || feed.Entries[0].Summary != evil.Summary {
		t.Errorf("feed entry does not carry the markup as text: %+v", feed.Entries)
	}
}

func must(s string, err error) string {
	if err != nil {
		return err.Error()
	}
	return s
}

func TestPageSafeFragment(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain &lt;script&gt; <mark>word</mark> end", "plain &lt;script&gt; <mark>word</mark> end"},
		{"raw <script>alert(1)</script> <mark>x</mark>", "raw &lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"},
		{"a &amp; b &#39;q&#39;", "a &amp; b &#39;q&#39;"},
		{"<mark>open", "<mark>open</mark>"},
		{"stray</mark> <mark><mark>nested</mark></mark>", "stray <mark>nested</mark>"},
		{`<mark onclick="x">no</mark>`, `&lt;mark onclick=&#34;x&#34;&gt;no`},
		{"&lt;img src=x onerror=alert(1)&gt;", "&lt;img src=x onerror=alert(1)&gt;"},
	} {
		if got := string(safeFragment(tc.in)); got != tc.want {
			t.Errorf("safeFragment(%q) =\n %q\nwant\n %q", tc.in, got, tc.want)
		}
	}
}

// brokenSearcher is the real index whose searches and lookups fail with an
// internal error.
type brokenSearcher struct{ *indexer.Index }

func (brokenSearcher) SearchNormalized(context.Context, indexer.Normalized) (*indexer.Result, error) {
	return nil, errors.New("bleve: segment 7 corrupt at /srv/secret/path")
}

func (brokenSearcher) Article(context.Context, string) (article.Article, string, error) {
	return article.Article{}, "", errors.New("bleve: segment 7 corrupt at /srv/secret/path")
}

func TestPageInternalError(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	srv, err := New(testConfig(), brokenSearcher{ix}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/?q=sepsis", "/articles/pslhub:r13688"} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusInternalServerError || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Header().Get("Content-Type"))
		}
		if strings.Contains(body, "secret") || strings.Contains(body, "bleve") || !strings.Contains(body, "Something went wrong") {
			t.Errorf("%s: the error page leaks or lacks its message:\n%s", target, body)
		}
		if id := rec.Header().Get(headerRequestID); id == "" || !strings.Contains(body, id) {
			t.Errorf("%s: the error page does not quote the request id %q", target, id)
		}
	}
}

// A browser that mistypes an address or reads pages too fast gets the
// friendly HTML page; an API client (or an /api/ path) still gets the
// problem body.
func TestPageErrorsForBrowsers(t *testing.T) {
	ginTestMode.Do(func() { gin.SetMode(gin.TestMode) })
	ix := openIndex(t, sampleArticles(t))
	srv, err := New(Config{RateLimit: 1, RateBurst: 2, PageRateLimit: 1, PageRateBurst: 2}, ix, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	get := func(path, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	resp, body := get("/no-such-page", browser)
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "<h1>Page not found</h1>") ||
		strings.Contains(body, "route") || !strings.Contains(body, `href="/"`) {
		t.Fatalf("browser 404: %d %s\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, _ = get("/no-such-page", "")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API client 404: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = get("/api/v1/nope", browser)
	if resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("API path for a browser: %s", resp.Header.Get("Content-Type"))
	}
	// Exhaust the bucket (burst 2, the requests above used it), then a page
	// view is refused with an HTML 429 and a Retry-After.
	for i := 0; i < 5; i++ {
		resp, body = get("/?q=sepsis", browser)
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("browser 429: %d %s Retry-After %q\n%.300s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"), body)
	}
}

func TestPageNoResultsOffersFilters(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, body, doc := e.page("/?q=sepsis&region=Ireland", http.StatusOK)
	if pageTotal(t, doc) != 0 {
		t.Fatalf("found %d", pageTotal(t, doc))
	}
	relief := doc.Find(".relief a")
	if relief.Length() != 1 || !strings.Contains(relief.Text(), "without Region: Ireland") {
		t.Fatalf("relief links %q\n%.3000s", relief.Text(), body)
	}
	href, _ := relief.Attr("href")
	if href != "/?q=sepsis" {
		t.Errorf("relief link %q", href)
	}
	_, _, doc = e.page(href, http.StatusOK)
	if pageTotal(t, doc) == 0 {
		t.Error("the relief link finds nothing")
	}
}

// Following links quickly must not run into the API's limit: pages and
// their assets have a bucket of their own, and API calls do not drain it.
func TestPagesHaveTheirOwnRateLimit(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	e := newAPI(t, Config{RateLimit: 0.05, RateBurst: 3}, ix, nil)
	for range 3 {
		e.get("/api/v1/search?q=falls", http.StatusOK, nil)
	}
	e.expectProblem(http.MethodGet, "/api/v1/search?q=falls", http.StatusTooManyRequests, codeRateLimited, "")
	for i := range 25 {
		for _, p := range []string{"/?q=falls", "/status", "/articles/pslhub:r2514"} {
			resp, err := http.Get(e.ts.URL + p) // pages are not in the OpenAPI document
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("page view %d of %s: %d", i, p, resp.StatusCode)
			}
		}
	}
}

// The crawl's "errors" count and the Errors section must agree: a run
// whose crawl counted failed URLs never says "Errors: None".
func TestPageStatusErrorsAgree(t *testing.T) {
	ix := openIndex(t, nil)
	st := schedule.RunStatus{Schedule: "off"}
	st.Last = &schedule.Run{
		Trigger: "schedule", Outcome: "ok", Started: time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC),
		Counts: map[string]int{"fetched": 40, "errors": 1, "errors_http_status": 1},
		Errors: []string{},
	}
	srv, err := New(testConfig(), ix, fakeRebuilder{st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	body := rec.Body.String()
	if strings.Contains(body, "None.") || !strings.Contains(body, "1 URL failed to fetch or extract") ||
		!strings.Contains(body, "http status: 1") {
		t.Errorf("status page with 1 failed URL:\n%s", body[strings.Index(body, "<h3>Errors"):])
	}
	if strings.Contains(body, "<th scope=\"row\">errors</th>") {
		t.Error("errors still listed in the counts table")
	}
	st.Last.Counts = map[string]int{"fetched": 40, "errors": 0}
	srv, _ = New(testConfig(), ix, fakeRebuilder{st}, nil)
	rec = httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
	if !strings.Contains(rec.Body.String(), "None.") {
		t.Error("a clean run does not say None.")
	}
}

// The hub's internal "New" and "Pre-existing" tags are not chips; the list
// is configurable.
func TestPageHidesInternalTags(t *testing.T) {
	a := article.Article{ID: "pslhub:r1", Source: "pslhub", Title: "Tagged", URL: "https://www.pslhub.org/learn/r1/",
		Published: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
		Regions:   []string{"UK"}, Tags: []string{"UK", "New", "pre-existing", "PSIRF"}}
	chipsOf := func(doc *goquery.Document, sel string) []string {
		var out []string
		doc.Find(sel + " .chip").Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Contents().Not(".visually-hidden").Text()))
		})
		return out
	}
	e := newPageEnv(t, []article.Article{a})
	for _, target := range []string{"/articles/pslhub:r1", "/?q=tagged"} {
		_, _, doc := e.page(target, http.StatusOK)
		got := strings.Join(chipsOf(doc, "main"), ",")
		if got != "UK,PSIRF" {
			t.Errorf("%s: chips %q, want UK,PSIRF", target, got)
		}
	}
	ix := openIndex(t, []article.Article{a})
	cfg := testConfig()
	cfg.HiddenTags = []string{}
	srv, err := New(cfg, ix, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/articles/pslhub:r1", nil))
	if !strings.Contains(rec.Body.String(), ">New</a>") {
		t.Error("HiddenTags empty: the New chip is missing")
	}
}

// Rough edges of the search page: the paging limit is explained in words,
// and a browse answered in no measurable time does not claim "in 0 ms".
func TestPagePagingLimitAndTiming(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, body, doc := e.page("/?page=999", http.StatusBadRequest)
	if strings.Contains(body, "page page") || strings.Contains(body, "×") ||
		!strings.Contains(doc.Text(), "Only the first 1000 results of a search can be paged through") {
		t.Errorf("page=999 message: %q", strings.TrimSpace(doc.Find(".query-problem, [role=alert]").Text()))
	}
	for range 2 { // the second is a result-cache hit
		_, _, doc = e.page("/", http.StatusOK)
		if took := doc.Find(".took").Text(); strings.Contains(took, " 0 ms") || took == "" {
			t.Errorf("took %q", took)
		}
	}
}

// The page's export links: every format, and CSV with the BOM so that a
// spreadsheet reads it as UTF-8.
func TestPageExportLinks(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, _, doc := e.page("/?q=falls&region=UK", http.StatusOK)
	links := map[string]string{}
	doc.Find(`a[href^="/api/v1/export"]`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		links[strings.TrimSpace(s.Text())] = href
	})
	for label, want := range map[string]string{
		"CSV": "bom=1", "RIS": "format=ris", "BibTeX": "format=bibtex", "JSON Lines": "format=jsonl",
	} {
		if !strings.Contains(links[label], want) || !strings.Contains(links[label], "region=UK") {
			t.Errorf("export link %s = %q, want %s and the search's filters", label, links[label], want)
		}
	}
	if strings.Contains(links["RIS"], "bom=") {
		t.Errorf("RIS link carries bom: %q", links["RIS"])
	}
}

// TestPageYearHistogram: the search page draws one bar per year between
// the oldest and newest year of the results, each a link narrowing the
// search to that year, with the same numbers in a table; the selected year
// is highlighted and a link leads back to all years.
func TestPageYearHistogram(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	years := map[int]int{}
	lo, hi := 9999, 0
	for _, a := range arts {
		if a.Published.IsZero() {
			continue
		}
		y := a.Published.Year()
		years[y]++
		lo, hi = min(lo, y), max(hi, y)
	}
	_, body, doc := e.page("/", http.StatusOK)
	bars := doc.Find("figure.years svg rect.bar")
	if bars.Length() != hi-lo+1 {
		t.Fatalf("%d bars, want %d (years %d to %d)\n%.2000s", bars.Length(), hi-lo+1, lo, hi, body)
	}
	if doc.Find("figure.years svg title").First().Text() != "Results by year" || doc.Find("figure.years svg desc").Text() == "" {
		t.Error("the chart has no title or description")
	}
	rows := doc.Find("figure.years table tbody tr")
	if rows.Length() < hi-lo+1 {
		t.Errorf("%d table rows, want at least %d", rows.Length(), hi-lo+1)
	}
	link := doc.Find(fmt.Sprintf(`figure.years svg a[href="/?year=%d"]`, hi))
	if link.Length() != 1 {
		t.Fatalf("no bar links to /?year=%d", hi)
	}
	_, _, doc = e.page(fmt.Sprintf("/?year=%d", hi), http.StatusOK)
	if pageTotal(t, doc) != years[hi] {
		t.Errorf("the %d bar leads to %d results, want %d", hi, pageTotal(t, doc), years[hi])
	}
	if doc.Find("figure.years svg rect.bar.selected").Length() != 1 {
		t.Error("the selected year is not highlighted")
	}
	if doc.Find("figure.years svg rect.bar").Length() != hi-lo+1 {
		t.Error("narrowing to a year hides the other years' bars")
	}
	if all, _ := doc.Find("figure.years figcaption a").Attr("href"); all != "/" {
		t.Errorf("all-years link %q", all)
	}
}

// TestPageQueryTooComplex: a query over a limit is explained as such on the
// page (400), not as a syntax error.
func TestPageQueryTooComplex(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, body, doc := e.page("/?q="+url.QueryEscape("sepsi* medic* falls* nurs* patien*"), http.StatusBadRequest)
	if h := doc.Find(".notice.error h2").Text(); h != "Your search asks for too much at once" {
		t.Errorf("heading %q\n%.2000s", h, body)
	}
	_, _, doc = e.page("/?q="+url.QueryEscape(`"unclosed`), http.StatusBadRequest)
	if h := doc.Find(".notice.error h2").Text(); h != "Your search could not be understood" {
		t.Errorf("syntax error heading %q", h)
	}
}
