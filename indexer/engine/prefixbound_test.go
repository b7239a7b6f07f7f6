package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// A prefix matches the maxPrefixTerms most frequent indexed words that start
// with it: an article whose only completion is rarer is not found by the
// prefix, but is by the word itself.
func TestPrefixBoundKeepsMostFrequent(t *testing.T) {
	n := maxPrefixTerms + 40
	// word k: "zq" + three letters from a set the stemmer leaves alone.
	const letters = "bdgkmptvxz"
	word := func(k int) string {
		return "zq" + string(letters[k/100%10]) + string(letters[k/10%10]) + string(letters[k%10])
	}
	var arts []article.Article
	// Article j holds words 0 … n-1-j, so word k is in n-k articles.
	for j := 0; j < n; j++ {
		var ws []string
		for k := 0; k < n-j; k++ {
			ws = append(ws, word(k))
		}
		arts = append(arts, article.Article{ID: fmt.Sprintf("t:r%d", j+1), Title: fmt.Sprintf("Report %d", j+1), Body: strings.Join(ws, " ")})
	}
	rare := word(n - 1) // in article 1 and the one below: 2 articles
	arts = append(arts, article.Article{ID: "t:rare", Title: "Odd one", Body: "only " + rare + " here"})
	e := buildEngine(t, arts, Config{})

	res := mustSearch(t, e, Query{Text: "zq*", PerPage: 100, Facets: []string{}})
	if res.Total != uint64(n) || slices.Contains(hitIDs(res), "t:rare") {
		t.Errorf("zq*: %d hits (want %d), rare article found: %v", res.Total, n, slices.Contains(hitIDs(res), "t:rare"))
	}
	res = mustSearch(t, e, Query{Text: rare, PerPage: 10, Facets: []string{}})
	if !slices.Contains(hitIDs(res), "t:rare") {
		t.Errorf("%s does not find the rare article: %v", rare, hitIDs(res))
	}
	if got := e.prefixTerms(context.Background(), fText, "zq"); len(got) != maxPrefixTerms || !slices.Contains(got, word(0)) || slices.Contains(got, rare) {
		t.Errorf("prefixTerms: %d terms, has the most frequent %v, has the rarest %v", len(got), slices.Contains(got, word(0)), slices.Contains(got, rare))
	}
}
