package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

func attachmentEngine(t *testing.T) *Engine {
	t.Helper()
	arts := append(indextest.AttachmentCorpus(), inlineCorpus()...)
	return buildEngine(t, arts, Config{})
}

func hitByID(t *testing.T, res *Result, id string) Hit {
	t.Helper()
	for _, h := range res.Hits {
		if h.ID == id {
			return h
		}
	}
	t.Fatalf("no hit %s in %v", id, hitIDs(res))
	return Hit{}
}

func TestAttachmentPageLevelHits(t *testing.T) {
	e := attachmentEngine(t)
	res := mustSearch(t, e, Query{Text: "tocilizumab", Highlight: true})
	if got, want := hitIDs(res), []string{"doc:r2", "doc:r1"}; !slices.Equal(got, want) {
		t.Fatalf("hits %v, want %v (the word in a body above the word in a document)", got, want)
	}
	if docs := res.Hits[0].Documents; len(docs) != 0 {
		t.Errorf("body hit lists documents %+v", docs)
	}
	docs := res.Hits[1].Documents
	if len(docs) != 2 {
		t.Fatalf("documents %+v, want the report and the board paper", docs)
	}
	rep := docs[0]
	if rep.Name != "HSSIB report.pdf" || rep.URL != "https://example.org/files/hssib-report.pdf" {
		t.Errorf("first document %+v, want the report (two matches on its best page)", rep)
	}
	if !slices.Equal(rep.Pages, []int{37, 12}) {
		t.Errorf("pages %v, want [37 12] (best first)", rep.Pages)
	}
	if rep.Link != "https://example.org/files/hssib-report.pdf#page=37" {
		t.Errorf("link %q", rep.Link)
	}
	if !strings.Contains(rep.Highlight, "<mark>tocilizumab</mark> dose") || strings.Contains(rep.Highlight, "weight check") {
		t.Errorf("highlight %q, want a fragment of page 37", rep.Highlight)
	}
	board := docs[1]
	if board.Name != "Board paper.pdf" || !slices.Equal(board.Pages, []int{2}) || board.Link != "https://example.org/files/board.pdf#page=2" {
		t.Errorf("board paper hit %+v", board)
	}

	// Without highlights the pages are still listed, with no fragment.
	plain := mustSearch(t, e, Query{Text: "tocilizumab"})
	d := hitByID(t, plain, "doc:r1").Documents
	if len(d) != 2 || !slices.Equal(d[0].Pages, []int{37, 12}) || d[0].Highlight != "" {
		t.Errorf("without highlights: %+v", d)
	}
}

func TestAttachmentOnlyWordAndPhrase(t *testing.T) {
	e := attachmentEngine(t)
	res := mustSearch(t, e, Query{Text: `"oxygen cylinder storage"`, Highlight: true})
	if got := hitIDs(res); !slices.Equal(got, []string{"doc:r1"}) {
		t.Fatalf("hits %v, want the article whose report holds the phrase", got)
	}
	docs := res.Hits[0].Documents
	if len(docs) != 1 || !slices.Equal(docs[0].Pages, []int{20}) {
		t.Fatalf("documents %+v, want page 20 of the report", docs)
	}
	if want := "<mark>oxygen</mark> <mark>cylinder</mark> <mark>storage</mark>"; !strings.Contains(docs[0].Highlight, want) {
		t.Errorf("highlight %q lacks %q", docs[0].Highlight, want)
	}
	// A phrase does not run from one page onto the next.
	if res := mustSearch(t, e, Query{Text: `"bedside handover"`}); res.Total != 0 {
		t.Errorf(`"bedside handover" (across pages 1 and 2) found %v`, hitIDs(res))
	}
	// A word in a body is no document hit.
	res = mustSearch(t, e, Query{Text: "oxygen"})
	if got := hitIDs(res); !slices.Equal(got, []string{"doc:r4", "doc:r1"}) {
		t.Fatalf("oxygen: %v", got)
	}
	if d := res.Hits[0].Documents; len(d) != 0 {
		t.Errorf("body match listed as document hit: %+v", d)
	}
}

func TestAttachmentFieldRestriction(t *testing.T) {
	e := attachmentEngine(t)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"attachment:tocilizumab", []string{"doc:r1"}},
		{`attachment:"handover checklist"`, []string{"doc:r1"}},
		{"attachment:toci*", []string{"doc:r1"}},
		{"attachment:sepsis", nil},    // only in bodies and titles
		{"attachment:encrypted", nil}, // a refusal reason is no text
		{"tocilizumab -attachment:chart", []string{"doc:r2"}},
	} {
		res := mustSearch(t, e, Query{Text: c.text})
		if got := hitIDs(res); !sameSet(got, c.want) {
			t.Errorf("%s: hits %v, want %v", c.text, got, c.want)
		}
	}
}

func TestHasAttachmentFilter(t *testing.T) {
	e := attachmentEngine(t)
	res := mustSearch(t, e, Query{HasAttachment: true})
	if got := hitIDs(res); !sameSet(got, []string{"doc:r1", "doc:r3"}) {
		t.Errorf("has_attachment: %v, want doc:r1 and doc:r3", got)
	}
	res = mustSearch(t, e, Query{Text: "sepsis", HasAttachment: true})
	if res.Total != 0 || res.NoResults == nil {
		t.Fatalf("sepsis with attachments: total %d, no_results %+v", res.Total, res.NoResults)
	}
	want := FilterRelief{Filter: FilterHasAttachment, Values: []string{"true"}, Count: 1}
	if len(res.NoResults.Filters) != 1 || res.NoResults.Filters[0].Filter != want.Filter ||
		!slices.Equal(res.NoResults.Filters[0].Values, want.Values) || res.NoResults.Filters[0].Count == 0 {
		t.Errorf("relief %+v, want %+v", res.NoResults.Filters, want)
	}
	// Disjunctive facet counts honour the filter.
	res = mustSearch(t, e, Query{HasAttachment: true, Regions: []string{"England"}, Facets: []string{FacetRegion}})
	if got := facetMap(res.Facets[FacetRegion]); got["England"] != 1 || got["Scotland"] != 1 {
		t.Errorf("region counts with has_attachment: %s", fmtFacet(res.Facets[FacetRegion]))
	}
}

func TestArticleWithoutAndWithPageText(t *testing.T) {
	e := attachmentEngine(t)
	ctx := context.Background()
	a, err := e.Article(ctx, "doc:r1")
	if err != nil {
		t.Fatal(err)
	}
	rep := a.Attachments[0].Document
	if rep == nil || rep.Status != article.DocExtracted || rep.PageCount != 40 || rep.Pages != nil {
		t.Fatalf("stored report document %+v, want status and page count without pages", rep)
	}
	if ann := a.Attachments[1].Document; ann.Status != article.DocRefused || ann.Reason != "encrypted" {
		t.Errorf("annex %+v", ann)
	}
	full, err := e.ArticleText(ctx, "doc:r1", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Attachments[0].Document.Pages; !slices.Equal(got, indextest.ReportPages()) {
		t.Errorf("report pages differ: %d pages, page 3 %q", len(got), got[min(2, len(got)-1)])
	}
	if got := full.Attachments[2].Document.Pages; len(got) != 2 {
		t.Errorf("board paper pages %q", got)
	}
	// The budget keeps the first pages that fit, in document order.
	first := indextest.ReportPages()[0]
	cut, err := e.ArticleText(ctx, "doc:r1", 2*len(first)+1)
	if err != nil {
		t.Fatal(err)
	}
	if got := cut.Attachments[0].Document.Pages; len(got) != 3 || got[2] != "" {
		t.Errorf("budget of two pages: %q", got)
	}
	if got := cut.Attachments[2].Document.Pages; got != nil {
		t.Errorf("budget spent, yet the board paper has %q", got)
	}
	if _, err := e.ArticleText(ctx, "doc:none", 100); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing article: %v", err)
	}
}

func TestPageLink(t *testing.T) {
	for _, c := range []struct {
		url  string
		n    int
		want string
	}{
		{"https://example.org/a.pdf", 3, "https://example.org/a.pdf#page=3"},
		{"https://example.org/a.pdf#page=9", 12, "https://example.org/a.pdf#page=12"},
		{"https://example.org/a.pdf?v=2", 1, "https://example.org/a.pdf?v=2#page=1"},
	} {
		if got := PageLink(c.url, c.n); got != c.want {
			t.Errorf("PageLink(%q, %d) = %q, want %q", c.url, c.n, got, c.want)
		}
	}
}
