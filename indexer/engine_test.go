package indexer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestEngineBasicSearch(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), EngineConfig{})
	n, err := e.docCount()
	if err != nil || n != 6 {
		t.Fatalf("docCount = %d, %v; want 6", n, err)
	}
	res := mustSearch(t, e, Query{Text: "sepsis"})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r3"}) {
		t.Fatalf("sepsis: hits %v", got)
	}
	if res.Total != 1 || res.Page != 1 || res.PerPage != DefaultPerPage {
		t.Fatalf("sepsis: total %d page %d per_page %d", res.Total, res.Page, res.PerPage)
	}
	h := res.Hits[0]
	if h.Title != "Sepsis: warning signs in children" || h.Type != "Blogs" || h.CommentCount != 1 || h.URL == "" {
		t.Fatalf("hit fields: %+v", h)
	}
}

func TestEngineBrowseNewestFirst(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), EngineConfig{})
	res := mustSearch(t, e, Query{})
	want := []string{"t:r3", "t:r5", "t:r1", "t:r2", "t:r4", "t:r6"} // undated last
	if got := hitIDs(res); !slices.Equal(got, want) {
		t.Fatalf("browse order %v, want %v", got, want)
	}
	if res.Total != 6 {
		t.Fatalf("total %d", res.Total)
	}
	if got := facetMap(res.Facets[FacetRegion]); got["UK"] != 4 || got["England"] != 1 || got["Ireland"] != 1 || got["Scotland"] != 1 {
		t.Fatalf("region facet %s", fmtFacet(res.Facets[FacetRegion]))
	}
}

func TestEngineArticle(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), EngineConfig{})
	a, err := e.article(context.Background(), "t:r5")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Medication errors in care homes" || len(a.Comments) != 2 || a.Comments[1].Author != "Pharmacist" {
		t.Fatalf("article: %+v", a)
	}
	if _, err := e.article(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing article: %v", err)
	}
}

func TestEngineFoldingApostrophesAccents(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), EngineConfig{})
	for _, q := range []string{"child's breathing", "child’s breathing", "cafe", "café", "Nunez", "people's wards"} {
		res := mustSearch(t, e, Query{Text: q})
		if res.Total == 0 {
			t.Errorf("%q found nothing", q)
		}
	}
	res := mustSearch(t, e, Query{Text: "café", Highlight: true})
	if len(res.Hits) != 1 || !strings.Contains(strings.Join(res.Hits[0].Highlights.Body, ""), "<mark>café</mark>") {
		t.Fatalf("café highlight: %+v", res.Hits)
	}
}
