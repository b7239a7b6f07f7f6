package main

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// tinyCollection has every combination of two regions, two audiences, two
// topics and "falls" in the body or not, with distinct dates.
func tinyCollection() sliceSource {
	var out sliceSource
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for _, region := range []string{"UK", "Scotland"} {
		for _, aud := range []string{"Everyone", "Nurses"} {
			for _, topic := range []string{"Falls", "Medication"} {
				for _, falls := range []bool{true, false} {
					n++
					body := "ward round notes"
					if falls {
						body = "patient falls on the ward " + strings.Repeat("falls ", n%3)
					}
					out = append(out, article.Article{
						ID:          "a" + itoa(100+n),
						Title:       "note " + itoa(n),
						Body:        body,
						Regions:     []string{region},
						Audiences:   []string{aud},
						Topics:      []string{topic},
						ContentType: "news",
						Published:   day.AddDate(0, 0, n*7%16),
					})
				}
			}
		}
	}
	return out
}

// bruteFacet counts facet values over the articles that pass every filter
// but the one on the facet itself.
func bruteFacet(arts []article.Article, pass func(article.Article, string) bool, facet string) map[string]int {
	m := map[string]int{}
	for _, a := range arts {
		if pass(a, facet) {
			for _, v := range facetValues(a)[facet] {
				m[v]++
			}
		}
	}
	return m
}

func TestSQLitePeerMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	arts := tinyCollection()
	dir := t.TempDir()
	p := &sqlitePeer{}
	if _, err := p.build(ctx, dir, arts); err != nil {
		t.Fatal(err)
	}
	if err := p.open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.close() })

	// Both facet counting plans: driven by the match set (every set is
	// "small" against a huge count) and by a scan of the tags.
	for _, docs := range []int64{1 << 40, p.docs} {
		p.docs = docs
		testSQLiteQueries(t, p, arts)
	}
}

func testSQLiteQueries(t *testing.T, p *sqlitePeer, arts []article.Article) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []benchQuery{
		{Class: "standard", Words: []string{"falls"}, Regions: []string{"UK"}, Audience: []string{"Everyone"}, Facets: true, Snippets: true, Sort: "relevance", Size: 20},
		{Class: "browse", Regions: []string{"Scotland"}, Audience: []string{"Everyone", "Nurses"}, Facets: true, Sort: "newest", Size: 3},
	} {
		t.Run(q.Class, func(t *testing.T) {
			pass := func(a article.Article, skip string) bool {
				if len(q.Words) > 0 && !strings.Contains(a.Body, "falls") {
					return false
				}
				if skip != "region" && !slices.ContainsFunc(q.Regions, func(r string) bool { return slices.Contains(a.Regions, r) }) {
					return false
				}
				return skip == "audience" || slices.ContainsFunc(q.Audience, func(r string) bool { return slices.Contains(a.Audiences, r) })
			}
			var want []article.Article
			for _, a := range arts {
				if pass(a, "") {
					want = append(want, a)
				}
			}
			ans, err := p.answer(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if ans.res.Total != len(want) {
				t.Errorf("total = %d, want %d", ans.res.Total, len(want))
			}
			for _, facet := range []string{"region", "audience", "topic", "type", "year"} {
				got := map[string]int{}
				for _, c := range ans.facets[facet] {
					got[c.Value] = c.N
				}
				if w := bruteFacet(arts, pass, facet); !maps.Equal(got, w) {
					t.Errorf("facet %s = %v, want %v", facet, got, w)
				}
			}
			if q.Sort == "newest" {
				slices.SortStableFunc(want, func(a, b article.Article) int {
					if c := b.Published.Compare(a.Published); c != 0 {
						return c
					}
					return strings.Compare(a.ID, b.ID)
				})
			} else {
				// More "falls" in the same short body ranks higher; ties by id.
				slices.SortStableFunc(want, func(a, b article.Article) int {
					if c := strings.Count(b.Body, "falls") - strings.Count(a.Body, "falls"); c != 0 {
						return c
					}
					return strings.Compare(a.ID, b.ID)
				})
			}
			var wantIDs []string
			for _, a := range want[:min(q.Size, len(want))] {
				wantIDs = append(wantIDs, a.ID)
			}
			if !slices.Equal(ans.res.IDs, wantIDs) {
				t.Errorf("page = %v, want %v", ans.res.IDs, wantIDs)
			}
		})
	}
}
