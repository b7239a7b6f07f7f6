package crawler

import (
	"strings"
	"testing"
	"unicode"
)

// Labels shown to people (title, author, tags, comment authors) lose
// control characters and bidi overrides: U+202E would reverse what is
// shown after it on the results page and in exports.
func TestExtractLabelsLoseControlAndBidiCharacters(t *testing.T) {
	u := mustURL(t, "https://hub.example/learn/cat/rec-r5/")
	body := "<div id=\"ipsLayout_mainArea\"><div class=\"ipsPageHeader\">" +
		"<h1 class=\"ipsType_pageTitle\">Invoice\u202Egpj.exe\x07 review\u2066x\u2069</h1>" +
		"<div class='cCmsRecord_author'><span class='cCmsRecord_fieldValue'>Dr\u202E Evil\x1b[31m</span></div>" +
		"<ul class=\"ipsTags\"><li><a class=\"ipsTag\" data-tag-label=\"U\u202EK\">x</a></li><li><a class=\"ipsTag\">Safety\x0bculture</a></li></ul></div>" +
		"<article><section class=\"ipsType_richText\">Body.</section></article>" +
		"<div id=\"comments\"><article class=\"ipsComment\" id=\"elComment_9\"><div data-commentid=\"9\"><h3 class=\"ipsComment_author\"><a>Mallory\u200f\u202d</a></h3>" +
		"<div data-role=\"commentContent\"><p>Hi.</p></div></div></article></div></div>"
	p, err := Extract(u, []byte(body), ExtractOptions{Source: "pslhub"})
	if err != nil || p.Article == nil {
		t.Fatalf("Extract: %+v %v", p, err)
	}
	a := p.Article
	labels := append([]string{a.Title, a.Author, a.Comments[0].Author}, a.Tags...)
	for _, l := range labels {
		if strings.IndexFunc(l, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
			t.Errorf("label %q keeps a control or bidi character", l)
		}
	}
	if a.Title != "Invoicegpj.exe reviewx" {
		t.Errorf("title = %q", a.Title)
	}
	if a.Author != "Dr Evil [31m" || a.Comments[0].Author != "Mallory" {
		t.Errorf("author %q, comment author %q", a.Author, a.Comments[0].Author)
	}
	if strings.Join(a.Tags, "|") != "UK|Safety culture" {
		t.Errorf("tags = %q", a.Tags)
	}
}

// deepRecord is a record whose content sits under n nested <div>s.
func deepRecord(n int) string {
	return miniRecord("Deep record", strings.Repeat("<div>", n)+"<p>Deep content survives.</p>"+strings.Repeat("</div>", n)+"<p>After the nest.</p>")
}

func TestExtractTooDeepKeepsWhatItCan(t *testing.T) {
	p, err := Extract(mustURL(t, "https://hub.example/learn/c/deep-r7/"), []byte(deepRecord(700)), ExtractOptions{Source: "pslhub"})
	if err != nil || p.Article == nil {
		t.Fatalf("Extract: %+v %v", p, err)
	}
	if !strings.Contains(p.Degraded, "512") {
		t.Errorf("Degraded = %q, want the reason", p.Degraded)
	}
	a := p.Article
	if a.Title != "Deep record" || !strings.Contains(a.Body, "Deep content survives.") || !strings.Contains(a.Body, "After the nest.") {
		t.Errorf("title %q body %q", a.Title, a.Body)
	}
	// A page within the parser's limit is read whole.
	if p, err := Extract(mustURL(t, "https://hub.example/learn/c/deep-r8/"), []byte(deepRecord(100)), ExtractOptions{Source: "pslhub"}); err != nil || p.Degraded != "" {
		t.Errorf("100 levels: degraded %q, %v", p.Degraded, err)
	}
}
