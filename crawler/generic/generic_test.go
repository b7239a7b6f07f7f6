package generic

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

var paragraph = strings.Repeat("Staff reported that the infusion pump alarm was silenced during the night. ", 5)

func page(head, body string) []byte {
	return []byte("<!doctype html><html lang=\"en-GB\"><head>" + head + "</head><body>" + body + "</body></html>")
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRulePrecedence: JSON-LD beats citation_*, Dublin Core, OpenGraph and
// plain meta; each field says which rule produced it.
func TestRulePrecedence(t *testing.T) {
	head := `<title>Page title | Site</title>
<link rel="canonical" href="/reports/pump-alarms">
<meta property="og:title" content="OG title">
<meta name="DC.title" content="DC title">
<meta name="citation_title" content="Citation title">
<meta name="citation_author" content="A. Author"><meta name="citation_author" content="B. Author">
<meta name="author" content="Meta Author">
<meta property="article:published_time" content="2024-02-01T10:00:00+01:00">
<meta name="description" content="Meta description">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"Site"},
 {"@type":["Report"],"headline":"LD headline","author":[{"@type":"Person","name":"Ann Lee"},{"name":"Bo Chan"}],
  "datePublished":"2024-01-31","keywords":"alarms, infusion pumps","inLanguage":"en"}]}</script>`
	body := `<main><article><h1>LD headline</h1><p>` + paragraph + `</p><p>` + paragraph + `</p></article></main>`
	res, err := Extract(mustURL(t, "https://example.org/reports/pump-alarms?utm_source=x#top"), page(head, body),
		Options{Source: "ex", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Article
	want := map[string][2]string{
		"title":     {a.Title, "LD headline"},
		"author":    {a.Author, "Ann Lee, Bo Chan"},
		"published": {a.Published.Format(time.RFC3339), "2024-01-31T00:00:00Z"},
		"summary":   {a.Summary, "Meta description"},
		"url":       {a.URL, "https://example.org/reports/pump-alarms"},
		"tags":      {strings.Join(a.Tags, "|"), "alarms|infusion pumps"},
		"language":  {res.Language, "en-GB"},
	}
	for field, v := range want {
		if v[0] != v[1] {
			t.Errorf("%s = %q, want %q", field, v[0], v[1])
		}
	}
	rules := map[string]string{
		"title": "json-ld Report.headline", "author": "json-ld Report.author", "published": "json-ld Report.datePublished",
		"summary": "meta description", "url": "link rel=canonical", "tags": "json-ld Report.keywords", "language": "<html lang>",
		"body": RuleText,
	}
	for field, rule := range rules {
		if res.Rules[field] != rule {
			t.Errorf("rule for %s = %q, want %q", field, res.Rules[field], rule)
		}
	}
	if a.ID != ArticleID("ex", "https://example.org/reports/pump-alarms") || !strings.HasPrefix(a.ID, "ex:u") {
		t.Errorf("id %q", a.ID)
	}
	if strings.Contains(a.Body, "LD headline") || !strings.Contains(a.Body, "infusion pump alarm") {
		t.Errorf("body %q", a.Body)
	}
	if a.FetchedAt.IsZero() || a.Source != "ex" {
		t.Errorf("fetched_at %v source %q", a.FetchedAt, a.Source)
	}
}

// TestFallbackRules: without JSON-LD, citation_* then Dublin Core then
// OpenGraph; the date from a <time class=published> in the article, never
// from a comment.
func TestFallbackRules(t *testing.T) {
	head := `<meta name="DC.creator" content="Safety Board"><meta property="og:title" content="OG title">`
	body := `<article><h1>Heading</h1><p><time class="entry-date published" datetime="2023-05-06T07:08:09Z">6 May</time></p>
<p>` + paragraph + `</p><p>` + paragraph + `</p></article>
<div id="comments"><article class="comment"><b class="fn">Commenter</b><time datetime="2025-01-01T00:00:00Z">later</time><p>Nice.</p></article></div>`
	res, err := Extract(mustURL(t, "https://example.org/a"), page(head, body), Options{Source: "ex"})
	if err != nil {
		t.Fatal(err)
	}
	a := res.Article
	if a.Title != "OG title" || res.Rules["title"] != "meta og:title" {
		t.Errorf("title %q by %q", a.Title, res.Rules["title"])
	}
	if a.Author != "Safety Board" || res.Rules["author"] != "meta Dublin Core creator" {
		t.Errorf("author %q by %q", a.Author, res.Rules["author"])
	}
	if !a.Published.Equal(time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Errorf("published %v by %q", a.Published, res.Rules["published"])
	}
	if res.Rules["url"] != "page URL" || a.URL != "https://example.org/a" {
		t.Errorf("url %q by %q", a.URL, res.Rules["url"])
	}
}

func TestNotArticle(t *testing.T) {
	teaser := `<article><h2><a href="/x">A post</a></h2><p>Teaser text.</p></article>`
	cases := map[string]struct {
		html []byte
		why  string
	}{
		"listing by JSON-LD": {page(`<script type="application/ld+json">{"@type":"CollectionPage","name":"News"}</script>`,
			"<main><p>"+paragraph+"</p></main>"), "CollectionPage"},
		"teasers": {page("", strings.Repeat(teaser, 4)+"<p>"+paragraph+"</p>"), "4 <article> teasers"},
		"archive": {[]byte(strings.Replace(string(page("", "<p>"+paragraph+"</p>")), "<body>", `<body class="archive category">`, 1)),
			`body class "archive"`},
		"short": {page(`<meta property="og:type" content="article">`, "<main><p>Page not found.</p></main>"), "main text has"},
	}
	for name, tc := range cases {
		_, err := Extract(mustURL(t, "https://example.org/news/"), tc.html, Options{Source: "ex"})
		if !errors.Is(err, ErrNotArticle) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: err %v, want ErrNotArticle with %q", name, err, tc.why)
		}
	}
}

func TestExtractArguments(t *testing.T) {
	if _, err := Extract(&url.URL{Path: "/relative"}, nil, Options{Source: "ex"}); err == nil {
		t.Error("relative URL accepted")
	}
	if _, err := Extract(mustURL(t, "https://example.org/"), nil, Options{}); err == nil {
		t.Error("empty source accepted")
	}
}

func TestRenderText(t *testing.T) {
	res, err := Extract(mustURL(t, "https://example.org/a"), page(`<meta property="og:title" content="T">`,
		`<article><p>First  paragraph with <b>bold</b> text and enough words to count as a paragraph of an article body.</p>
<ul><li>One item of a list that matters to the article</li><li>Another item</li></ul>
<table><tr><td>Cell</td><td>Value</td></tr></table><p>`+paragraph+`</p></article>`), Options{Source: "ex"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(res.Article.Body, "\n")
	if lines[0] != "First paragraph with bold text and enough words to count as a paragraph of an article body." {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.Contains(res.Article.Body, "\nAnother item\n") || !strings.Contains(res.Article.Body, "Cell Value") {
		t.Errorf("body %q", res.Article.Body)
	}
}
