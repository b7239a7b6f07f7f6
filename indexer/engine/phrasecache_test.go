package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/fold"
	"github.com/safetysearch/safetysearch/indexer/textquery"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// phraseCorpus has articles whose text mixes the words of thesaurus
// expansions in and out of order, so that many hold every word of a phrase
// without the phrase.
func phraseCorpus(n int) []article.Article {
	words := strings.Fields("patient safety incident response framework acute kidney injury learning from events the of and care quality commission trust")
	r := rand.New(rand.NewPCG(7, 7))
	text := func(k int) string {
		var b []string
		for range k {
			switch r.IntN(12) {
			case 0:
				b = append(b, "Patient Safety Incident Response Framework")
			case 1:
				b = append(b, "acute kidney injury")
			default:
				b = append(b, words[r.IntN(len(words))])
			}
		}
		return strings.Join(b, " ")
	}
	arts := make([]article.Article, n)
	for i := range arts {
		arts[i] = article.Article{
			ID: fmt.Sprintf("p:r%d", i), Title: text(3 + r.IntN(6)), Summary: text(r.IntN(10)),
			Body: text(5 + r.IntN(60)), Tags: []string{"PSIRF"}, Published: day("2024-01-02"),
			Comments: []article.Comment{{Body: text(r.IntN(12))}, {Body: text(r.IntN(12))}},
		}
	}
	return arts
}

// TestCachedPhraseMatchesPhraseQuery: the cached phrase finds the same
// documents with the same scores as Bleve's phrase query, alone and inside
// the queries a search builds, on a cold and on a warm cache.
func TestCachedPhraseMatchesPhraseQuery(t *testing.T) {
	e := buildEngine(t, phraseCorpus(400), Config{})
	ctx := context.Background()
	type pair struct {
		name            string
		cached, uncache query.Query
	}
	var pairs []pair
	for _, phrase := range []string{"Patient Safety Incident Response Framework", "acute kidney injury", "learning from events", "safety incident"} {
		var cs, ps []query.Query
		for _, f := range expansionFields {
			c := newPhrase(&e.phrases, fold.Text(phrase), f.field, f.boost)
			p := query.NewMatchPhraseQuery(fold.Text(phrase))
			p.SetField(f.field)
			p.SetBoost(f.boost)
			pairs = append(pairs, pair{phrase + " in " + f.field, c, p},
				pair{phrase + " in " + f.field + ", uncached", newPhrase(nil, fold.Text(phrase), f.field, f.boost), p})
			cs, ps = append(cs, c), append(ps, p)
		}
		c := newPhrase(nil, fold.Text(phrase), fComments, 0.5)
		p := query.NewMatchPhraseQuery(fold.Text(phrase))
		p.SetField(fComments)
		p.SetBoost(0.5)
		pairs = append(pairs, pair{phrase + " in comments, uncached", c, p})
		word := e.termQuery(ctx, textquery.Term{Kind: textquery.Word, Text: "trust"})
		pairs = append(pairs,
			pair{phrase + " in any field", query.NewDisjunctionQuery(cs), query.NewDisjunctionQuery(ps)},
			pair{phrase + " or trust", query.NewDisjunctionQuery([]query.Query{word, query.NewDisjunctionQuery(cs)}), query.NewDisjunctionQuery([]query.Query{word, query.NewDisjunctionQuery(ps)})},
			pair{phrase + " and trust", query.NewConjunctionQuery([]query.Query{word, query.NewDisjunctionQuery(cs)}), query.NewConjunctionQuery([]query.Query{word, query.NewDisjunctionQuery(ps)})},
		)
	}
	locations := map[string]string{}
	// run returns each hit's score and its match locations, as text.
	run := func(q query.Query) map[string]float64 {
		t.Helper()
		res, err := e.run(ctx, bleve.NewSearchRequestOptions(q, 1000, 0, false))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
		req.IncludeLocations = true
		if res, err = e.run(ctx, req); err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			var locs []string
			for f, tlm := range h.Locations {
				for term, ls := range tlm {
					for _, l := range ls {
						locs = append(locs, fmt.Sprintf("%s/%s@%d%v", f, term, l.Pos, l.ArrayPositions))
					}
				}
			}
			slices.Sort(locs)
			locations[fmt.Sprintf("%p", q)+h.ID] = strings.Join(locs, " ")
		}
		if uint64(len(out)) != res.Total {
			t.Fatalf("total %d, %d hits", res.Total, len(out))
		}
		return out
	}
	for pass := range 2 {
		for _, p := range pairs {
			got, want := run(p.cached), run(p.uncache)
			if len(want) == 0 && strings.HasSuffix(p.name, "any field") {
				t.Fatalf("%s: the corpus should match", p.name)
			}
			if len(got) != len(want) {
				t.Errorf("pass %d, %s: %d hits, want %d", pass, p.name, len(got), len(want))
				continue
			}
			for id := range want {
				if g, w := locations[fmt.Sprintf("%p", p.cached)+id], locations[fmt.Sprintf("%p", p.uncache)+id]; g != w {
					t.Errorf("pass %d, %s: %s locations\n%s\nwant\n%s", pass, p.name, id, g, w)
				}
			}
			for id, s := range want {
				if g, ok := got[id]; !ok || g != s {
					t.Errorf("pass %d, %s: %s score %v (found %v), want %v", pass, p.name, id, g, ok, s)
				}
			}
		}
	}
	if len(e.phrases.m) == 0 {
		t.Fatal("nothing cached")
	}
	// Match locations are the phrase's own (the real phrase searcher runs).
	res := mustSearch(t, e, Query{Text: "PSIRF", Highlight: true, PerPage: 50})
	// The corpus writes the phrase capitalised and its loose words in lower
	// case: only the phrase is marked.
	found := false
	for _, h := range res.Hits {
		for _, f := range append(h.Highlights.Title, h.Highlights.Body...) {
			found = found || strings.Contains(f, "<mark>Patient</mark> <mark>Safety</mark> <mark>Incident</mark> <mark>Response</mark> <mark>Framework</mark>")
			for _, w := range []string{"patient", "safety", "incident", "response", "framework"} {
				if strings.Contains(f, "<mark>"+w+"</mark>") {
					t.Fatalf("a loose word of the phrase marked: %s", f)
				}
			}
		}
	}
	if !found {
		t.Fatalf("no highlighted expansion in %+v", res.Hits[0].Highlights)
	}
}

// TestPhraseCacheBound: the cache refuses an entry past its bound (the
// phrase is then searched uncached) and still takes one that fits.
func TestPhraseCacheBound(t *testing.T) {
	var c phraseCache
	if !c.put("a", phraseDocs{ids: make([]byte, maxPhraseCacheBytes-8), width: 8}) {
		t.Fatal("first entry refused")
	}
	if c.put("b", phraseDocs{ids: make([]byte, 16), width: 8}) {
		t.Fatal("entry past the bound stored")
	}
	if !c.put("c", phraseDocs{ids: make([]byte, 8), width: 8}) {
		t.Fatal("entry within the bound refused")
	}
	if _, ok := c.get("b"); ok {
		t.Fatal("b cached")
	}
}
