package engine

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// longBody is a report body long enough to be fingerprinted.
func longBody(topic string) string {
	var b strings.Builder
	for i := range 12 {
		fmt.Fprintf(&b, "%s investigation finding %d: handover of deteriorating patients between wards %d and %d lacked a shared escalation tool, and observations were missed overnight. ", topic, i+1, i, i+3)
	}
	return b.String()
}

// publisherCorpus is the inline corpus (source "test", no publisher) plus a
// report published by the hub and republished by two other publishers: one
// under the same URL, one with a lightly edited body, and one with another
// text from a publisher of its own.
func publisherCorpus() []article.Article {
	arts := inlineCorpus()
	body := longBody("Sepsis")
	arts = append(arts,
		article.Article{ID: "hub:r10", Source: "pslhub", Publisher: "Patient Safety Learning", URL: "https://www.pslhub.org/learn/r10/",
			Title: "Deterioration at handover", Body: body, Published: day("2024-06-02"), Regions: []string{"UK"}},
		article.Article{ID: "hssib:a1", Source: "hssib", Publisher: "HSSIB", URL: "https://hssib.example/reports/deterioration",
			Title: "Deterioration at handover (HSSIB)", Body: strings.Replace(body, "overnight", "at night", 1), Published: day("2024-06-01")},
		article.Article{ID: "mirror:a1", Source: "mirror", Publisher: "Mirror Org", URL: "http://pslhub.org/learn/r10?utm_source=rss",
			Title: "Deterioration at handover", Body: "Republished.", Published: day("2024-06-05")},
		article.Article{ID: "hssib:a2", Source: "hssib", Publisher: "HSSIB", URL: "https://hssib.example/reports/falls",
			Title: "Falls in the community", Body: longBody("Falls and fractures"), Published: day("2023-02-01")},
	)
	return arts
}

// TestFillFoldsDuplicates: the three copies of one report are one result,
// the earliest published stands for them and lists the others, and a
// filter on a folded copy's publisher or source finds it.
func TestFillFoldsDuplicates(t *testing.T) {
	e := buildEngineFolding(t, publisherCorpus(), Config{}, 2)

	st, err := e.BuildStats()
	if err != nil {
		t.Fatal(err)
	}
	if want := (BuildStats{Articles: 10, DuplicateGroups: 1, Folded: 2}); st != want {
		t.Errorf("BuildStats = %+v, want %+v", st, want)
	}

	res := mustSearch(t, e, Query{Text: "sepsis handover", Years: []int{2024}, Facets: []string{FacetPublisher}})
	if got := hitIDs(res); !reflect.DeepEqual(got, []string{"hssib:a1"}) {
		t.Fatalf("hits %v, want the earliest copy hssib:a1 only", got)
	}
	h := res.Hits[0]
	want := []article.Duplicate{
		{ID: "hub:r10", URL: "https://www.pslhub.org/learn/r10/", Source: "pslhub", Publisher: "Patient Safety Learning", Title: "Deterioration at handover"},
		{ID: "mirror:a1", URL: "http://pslhub.org/learn/r10?utm_source=rss", Source: "mirror", Publisher: "Mirror Org", Title: "Deterioration at handover"},
	}
	if h.Publisher != "HSSIB" || !reflect.DeepEqual(h.AlsoPublished, want) {
		t.Errorf("hit publisher %q, also published %+v", h.Publisher, h.AlsoPublished)
	}
	if m := facetMap(res.Facets[FacetPublisher]); m["HSSIB"] != 1 || m["Patient Safety Learning"] != 1 || m["Mirror Org"] != 1 {
		t.Errorf("publisher facet %s", fmtFacet(res.Facets[FacetPublisher]))
	}

	a, err := e.Article(context.Background(), "hssib:a1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.AlsoPublished, want) {
		t.Errorf("article view also published %+v", a.AlsoPublished)
	}
	if _, err := e.Article(context.Background(), "hub:r10"); err == nil {
		t.Error("a folded copy is served on its own")
	}

	for _, p := range []string{"patient safety learning", "Mirror Org"} {
		res := mustSearch(t, e, Query{Publishers: []string{p}, Facets: []string{}})
		if got := hitIDs(res); !reflect.DeepEqual(got, []string{"hssib:a1"}) {
			t.Errorf("publisher=%s: %v, want the article standing for its copy", p, got)
		}
	}
}

// TestPublisherFacet: the publisher is Article.Publisher, or the source in
// older stores; its counts are disjunctive like the others', the filter is
// OR within publishers and AND with other facets, and a search that finds
// nothing names the publisher filter among those to drop.
func TestPublisherFacet(t *testing.T) {
	e := buildEngineFolding(t, publisherCorpus(), Config{}, 2)

	res := mustSearch(t, e, Query{Facets: []string{FacetPublisher}})
	m := facetMap(res.Facets[FacetPublisher])
	if m["test"] != 6 || m["HSSIB"] != 2 || m["Patient Safety Learning"] != 1 || len(m) != 4 {
		t.Errorf("publisher facet %s", fmtFacet(res.Facets[FacetPublisher]))
	}

	res = mustSearch(t, e, Query{Publishers: []string{"hssib"}, Facets: []string{FacetPublisher, FacetRegion}})
	if !sameSet(hitIDs(res), []string{"hssib:a1", "hssib:a2"}) {
		t.Errorf("publisher=hssib: %v", hitIDs(res))
	}
	m = facetMap(res.Facets[FacetPublisher])
	if m["test"] != 6 || m["HSSIB"] != 2 {
		t.Errorf("disjunctive publisher counts %s", fmtFacet(res.Facets[FacetPublisher]))
	}
	for _, v := range res.Facets[FacetPublisher] {
		if v.Selected != (v.Value == "HSSIB") {
			t.Errorf("selected %+v", v)
		}
	}

	res = mustSearch(t, e, Query{Publishers: []string{"HSSIB", "test"}, Regions: []string{"Ireland"}, Facets: []string{}})
	if !reflect.DeepEqual(hitIDs(res), []string{"t:r4"}) {
		t.Errorf("publisher HSSIB or test, region Ireland: %v", hitIDs(res))
	}

	res = mustSearch(t, e, Query{Text: "thromboembolism", Publishers: []string{"HSSIB"}, Facets: []string{}})
	if res.Total != 0 || res.NoResults == nil {
		t.Fatalf("thromboembolism from HSSIB: %d results", res.Total)
	}
	found := false
	for _, f := range res.NoResults.Filters {
		if f.Filter == FacetPublisher && reflect.DeepEqual(f.Values, []string{"HSSIB"}) && f.Count > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("no-results relief %+v lacks the publisher filter", res.NoResults.Filters)
	}

	if _, err := (Query{Publishers: make([]string, MaxFilterValues+1)}).Normalize(); err == nil || !strings.Contains(err.Error(), "publisher") {
		t.Errorf("too many publishers: %v", err)
	}
}
