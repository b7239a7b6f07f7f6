package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// benchCorpus is n generated articles shaped like the crawled ones: a
// title, a summary, a body of a few hundred words and a few comments,
// drawn from a small patient-safety vocabulary with a Zipf-like skew.
func benchCorpus(n int) []article.Article {
	r := rand.New(rand.NewPCG(21, 21))
	vocab := strings.Fields(`patient safety medication error falls harm risk staff ward report incident
		sepsis pressure ulcer handover nurse doctor pharmacy dose infusion monitoring escalation learning
		investigation theatre surgery consent discharge frailty dementia delirium deterioration oxygen
		chart checklist culture leadership feedback family carer community primary care hospital trust`)
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))
	text := func(words int) string {
		out := make([]string, words)
		for i := range out {
			out[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(out, " ")
	}
	arts := make([]article.Article, n)
	for i := range arts {
		comments := make([]article.Comment, r.IntN(4))
		for c := range comments {
			comments[c] = article.Comment{Author: "Reader", Body: text(20 + r.IntN(60))}
		}
		arts[i] = article.Article{
			ID:        fmt.Sprintf("bench:%d", i),
			URL:       fmt.Sprintf("https://example.org/bench/%d", i),
			Source:    "bench",
			Title:     text(6 + r.IntN(8)),
			Summary:   text(30 + r.IntN(30)),
			Body:      text(300 + r.IntN(900)),
			Comments:  comments,
			Published: day(fmt.Sprintf("%d-%02d-%02d", 2015+i%10, 1+i%12, 1+i%28)),
			Regions:   []string{[]string{"England", "Wales", "Scotland"}[i%3]},
			Topics:    []string{vocab[i%len(vocab)]},
			Tags:      []string{vocab[(i*7)%len(vocab)]},
		}
	}
	return arts
}

// BenchmarkPageOfHits is one search for a page of 20 hits on a generated
// collection: with highlights (each hit's article read and marked) and
// without (each hit's card), for a two-word query and a browse; no facets,
// which would dominate the time.
func BenchmarkPageOfHits(b *testing.B) {
	e := buildEngine(b, benchCorpus(3000), Config{})
	ctx := context.Background()
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"highlighted", Query{Text: "medication dose", PerPage: 20, Highlight: true, Sort: SortRelevance, Facets: []string{}}},
		{"cards", Query{Text: "medication dose", PerPage: 20, Sort: SortRelevance, Facets: []string{}}},
		{"browse-cards", Query{PerPage: 20, Facets: []string{}}},
	} {
		n, err := c.q.Normalize()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := e.Search(ctx, n)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Hits) != 20 {
					b.Fatalf("%d hits", len(res.Hits))
				}
			}
		})
	}
}
