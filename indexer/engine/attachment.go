package engine

// This file is the text of attached documents in the index: the pages of
// the extracted documents as the elements of fAttachment, the table that
// says which attachment and page each element is (fAttachmentPages), and
// the page-level hits built from the match locations in it.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/highlight"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// docPage is one element of fAttachment: the attachment (index in
// Article.Attachments), the page (from 1) and the page's text as extracted.
type docPage struct {
	Attachment int    `json:"a"`
	Page       int    `json:"p"`
	Text       string `json:"t"`
}

// attachmentPages lists the non-empty pages of the extracted documents of
// a's attachments, in attachment and page order: the elements of
// fAttachment. Empty pages are left out, so that a page's element is never
// one Bleve holds no location for.
func attachmentPages(a article.Article) []docPage {
	var out []docPage
	for i, at := range a.Attachments {
		d := at.Document
		if d == nil || d.Status != article.DocExtracted {
			continue
		}
		for p, text := range d.Pages {
			if text != "" {
				out = append(out, docPage{Attachment: i, Page: p + 1, Text: text})
			}
		}
	}
	return out
}

// withoutPageText is a with no page text in its documents: the stored
// article, which hits and GET /api/v1/articles/{id} return, carries each
// document's status and page count but not its text (fAttachmentPages
// does).
func withoutPageText(a article.Article) article.Article {
	if len(a.Attachments) == 0 {
		return a
	}
	atts := make([]article.Attachment, len(a.Attachments))
	for i, at := range a.Attachments {
		if at.Document != nil && at.Document.Pages != nil {
			d := *at.Document
			d.Pages = nil
			at.Document = &d
		}
		atts[i] = at
	}
	a.Attachments = atts
	return a
}

// hasAttachmentValue is the fHasAttachment term of a filter or document.
func hasAttachmentValue(has bool) string { return strconv.FormatBool(has) }

// hasAttachmentFilter matches the articles with at least one attachment;
// boost 0 like every filter (see withFilters).
func hasAttachmentFilter() query.Query {
	tq := query.NewTermQuery(hasAttachmentValue(true))
	tq.SetField(fHasAttachment)
	tq.SetBoost(0)
	return tq
}

// Page-level hit limits: matched pages listed per document, documents
// listed per hit.
const (
	maxDocPages     = 5
	maxDocumentHits = 3
)

// storedPages reads the fAttachmentPages table of the hits with
// attachment matches, by document id.
func (e *Engine) storedPages(ctx context.Context, ids []string) (map[string][]docPage, error) {
	out := make(map[string][]docPage, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = []string{fAttachmentPages}
	req.Score = "none"
	res, err := e.run(ctx, req)
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		pages, err := decodePages(h)
		if err != nil {
			return nil, err
		}
		out[h.ID] = pages
	}
	return out, nil
}

// decodePages decodes the fAttachmentPages of a match; nil when it has none.
func decodePages(h *search.DocumentMatch) ([]docPage, error) {
	raw, _ := h.Fields[fAttachmentPages].(string)
	if raw == "" {
		return nil, nil
	}
	var pages []docPage
	if err := json.Unmarshal([]byte(raw), &pages); err != nil {
		return nil, fmt.Errorf("indexer: article %s: decode attachment pages: %w", h.ID, err)
	}
	return pages, nil
}

// documentHits builds the page-level hits of an article from the match
// locations in fAttachment grouped by element (spans) and the element
// table: per matched document its matched pages, best first (most matches,
// then the earlier page), at most maxDocPages, and, when marked, a
// highlighted fragment of its best page. Documents are listed by their
// best page's matches, then in attachment order; at most maxDocumentHits.
func documentHits(a article.Article, pages []docPage, spans map[int][]highlight.Span, marked bool, fragSize int) []DocumentHit {
	type pageMatch struct {
		elem, page, n int
	}
	byDoc := map[int][]pageMatch{}
	for elem, sp := range spans {
		if elem < 0 || elem >= len(pages) || len(sp) == 0 {
			continue
		}
		p := pages[elem]
		if p.Attachment >= len(a.Attachments) {
			continue
		}
		byDoc[p.Attachment] = append(byDoc[p.Attachment], pageMatch{elem: elem, page: p.Page, n: len(sp)})
	}
	docs := make([]int, 0, len(byDoc))
	for d, pm := range byDoc {
		sort.Slice(pm, func(i, j int) bool {
			if pm[i].n != pm[j].n {
				return pm[i].n > pm[j].n
			}
			return pm[i].page < pm[j].page
		})
		docs = append(docs, d)
	}
	sort.Slice(docs, func(i, j int) bool {
		bi, bj := byDoc[docs[i]][0].n, byDoc[docs[j]][0].n
		if bi != bj {
			return bi > bj
		}
		return docs[i] < docs[j]
	})
	out := make([]DocumentHit, 0, min(len(docs), maxDocumentHits))
	for _, d := range docs[:min(len(docs), maxDocumentHits)] {
		at := a.Attachments[d]
		pm := byDoc[d]
		dh := DocumentHit{Name: at.Name, URL: at.URL, Pages: make([]int, 0, maxDocPages)}
		for _, m := range pm[:min(len(pm), maxDocPages)] {
			dh.Pages = append(dh.Pages, m.page)
		}
		dh.Link = PageLink(at.URL, dh.Pages[0])
		if marked {
			best := pm[0].elem
			if frags := highlight.Fragments(pages[best].Text, spans[best], fragSize, 1); len(frags) > 0 {
				dh.Highlight = frags[0]
			}
		}
		out = append(out, dh)
	}
	return out
}

// PageLink is a link to page n of the document at url: PDF viewers open
// "#page=n" at that page (RFC 8118). A fragment already on url is replaced.
func PageLink(url string, n int) string {
	url, _, _ = strings.Cut(url, "#")
	return url + "#page=" + strconv.Itoa(n)
}

// withPageText fills the page text of a's extracted documents from the
// table pages, page by page in order, while the text given stays within
// maxBytes in all: a document whose pages did not all fit carries the
// first ones (len(Pages) < PageCount), and the later documents none.
func withPageText(a article.Article, pages []docPage, maxBytes int) article.Article {
	a = withoutPageText(a)
	if len(pages) == 0 {
		return a
	}
	text := make(map[[2]int]string, len(pages))
	for _, p := range pages {
		text[[2]int{p.Attachment, p.Page}] = p.Text
	}
	budget := maxBytes
	for i := range a.Attachments {
		d := a.Attachments[i].Document
		if d == nil || d.Status != article.DocExtracted || budget <= 0 {
			continue
		}
		out := make([]string, 0, d.PageCount)
		for p := 1; p <= d.PageCount; p++ {
			t := text[[2]int{i, p}]
			if len(t) > budget {
				budget = 0
				break
			}
			budget -= len(t)
			out = append(out, t)
		}
		dc := *d
		dc.Pages = out
		a.Attachments[i].Document = &dc
	}
	return a
}

// ArticleText is Article with the page text of its extracted documents,
// at most maxBytes of it in all (see withPageText).
func (e *Engine) ArticleText(ctx context.Context, id string, maxBytes int) (article.Article, error) {
	a, err := e.Article(ctx, id)
	if err != nil {
		return article.Article{}, err
	}
	pages, err := e.storedPages(ctx, []string{id})
	if err != nil {
		return article.Article{}, err
	}
	return withPageText(a, pages[id], maxBytes), nil
}
