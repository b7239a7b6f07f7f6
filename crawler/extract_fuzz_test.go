package crawler

import (
	"net/url"
	"testing"
	"time"
)

// FuzzExtract: Extract never panics, and when it returns an article the
// article has a title and an id (an empty article is never produced). The
// seed corpus is every page of the sample hub plus small edge cases.
func FuzzExtract(f *testing.F) {
	for _, fx := range loadSite(f, false) {
		f.Add(fx.url.String(), fx.body)
	}
	for _, s := range []string{
		"", "<", "<html>", "<h1 class='ipsType_pageTitle'></h1>",
		`<script type="application/ld+json">{"@type":["Article"],"headline":7,"author":[{"name":1}],"url":{"@id":"https://h/x-r1/"}}</script>`,
		`<ul class='ipsPagination' data-pages='99999999999'></ul><div id='comments'><ul class='ipsPagination' data-pages='-3'><li><a href='::'>x</a></li></ul></div>`,
		`<article class='ipsComment' id='elComment_'><div data-commentid='x'></div></article><article class='ipsComment' id='elComment_5'></article>`,
	} {
		f.Add("https://www.pslhub.org/learn/c/rec-r1/page/2/", []byte(s))
	}
	fetched := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tax := DefaultTaxonomy()
	f.Fuzz(func(t *testing.T, rawURL string, body []byte) {
		u, err := url.Parse(rawURL)
		if err != nil || !u.IsAbs() {
			return
		}
		p, err := Extract(u, body, ExtractOptions{Source: "pslhub", Taxonomy: tax, FetchedAt: fetched})
		if err != nil {
			if p != nil {
				t.Fatalf("error %v with a page", err)
			}
			return
		}
		if p == nil {
			t.Fatal("nil page without error")
		}
		if a := p.Article; a != nil {
			if a.Title == "" || a.ID == "" || a.URL == "" || a.Source != "pslhub" {
				t.Fatalf("article without title/id/url: %+v", a)
			}
		}
	})
}
