package engine

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/blevesearch/bleve/v2/mapping"
)

// TestSelectFeedbackTerms checks the term weights on a hand-computed
// example: 10 documents in the index, two feedback documents of 4 terms,
// the second with half the first-pass score of the first.
//
//	doc 1 (weight 1): a×2 b q        doc 2 (weight 0.5): a c×2 d
//	df: a 5, b 2, c 1, d 10; q is a query term
//
//	a: (1·2/4 + 0.5·1/4)·ln(10/5) = 0.625·ln 2 ≈ 0.4332
//	b: (1·1/4)·ln(10/2)           = 0.25·ln 5  ≈ 0.4024
//	c: df 1 < 2, left out; d: ln(10/10) = 0, left out; q: skipped
func TestSelectFeedbackTerms(t *testing.T) {
	docs := []feedbackDoc{
		{counts: map[string]int{"a": 2, "b": 1, "q": 1}, weight: 1},
		{counts: map[string]int{"a": 1, "c": 2, "d": 1}, weight: 0.5},
	}
	dfs := map[string]uint64{"a": 5, "b": 2, "c": 1, "d": 10, "q": 3}
	var asked []string
	df := func(term string) (uint64, error) {
		asked = append(asked, term)
		d, ok := dfs[term]
		if !ok {
			t.Fatalf("df of unknown term %q", term)
		}
		return d, nil
	}
	skip := map[string]bool{"q": true}

	got, err := selectFeedbackTerms(docs, 10, df, skip, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []feedbackTerm{{"a", 0.625 * math.Ln2}, {"b", 0.25 * math.Log(5)}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Term != want[i].Term || math.Abs(got[i].Weight-want[i].Weight) > 1e-12 {
			t.Fatalf("term %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if slices.Contains(asked, "q") {
		t.Errorf("df asked for the skipped query term: %v", asked)
	}

	// With k = 1, b (at most 0.25·ln 5 < 0.4332) cannot enter: its df is
	// never looked up.
	asked = nil
	got, err = selectFeedbackTerms(docs, 10, df, skip, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Term != "a" {
		t.Fatalf("k=1: got %v, want [a]", got)
	}
	if slices.Contains(asked, "b") {
		t.Errorf("k=1: df of b looked up although it cannot rank: %v", asked)
	}

	// Equal weights: alphabetical order.
	got, err = selectFeedbackTerms([]feedbackDoc{{counts: map[string]int{"y": 1, "x": 1}, weight: 1}}, 10,
		func(string) (uint64, error) { return 2, nil }, nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Term != "x" || got[1].Term != "y" {
		t.Errorf("ties: got %v, want x then y", got)
	}

	boom := errors.New("boom")
	if _, err := selectFeedbackTerms(docs, 10, func(string) (uint64, error) { return 0, boom }, nil, 3); !errors.Is(err, boom) {
		t.Errorf("df error: got %v, want boom", err)
	}
	if got, err := selectFeedbackTerms(nil, 10, df, nil, 3); err != nil || len(got) != 0 {
		t.Errorf("no documents: got %v, %v", got, err)
	}
}

// feedbackCorpus: two articles about insulin pumps share "pump" and
// "hypoglycaemia" with a third that has none of the question's words.
func feedbackCorpus() []article.Article {
	arts := inlineCorpus()
	arts = append(arts,
		article.Article{ID: "f:1", Title: "Insulin pump settings", Summary: "Insulin pump hypoglycaemia.",
			Body:     "Insulin pump settings and hypoglycaemia.",
			Comments: []article.Comment{{ID: "fc1", Author: "N", Body: "Insulin charts were unclear."}}},
		article.Article{ID: "f:2", Title: "Insulin pump checks", Body: "Insulin pump use and hypoglycaemia."},
		article.Article{ID: "f:3", Title: "Pump alarms", Body: "Hypoglycaemia alarms on every pump."},
	)
	for i := range arts {
		arts[i].Source = "test"
		arts[i].URL = "https://example.org/" + arts[i].ID
	}
	return arts
}

func TestEngineFeedback(t *testing.T) {
	e := buildEngine(t, feedbackCorpus(), Config{})

	// A long question, relaxed to every word optional: the two articles with
	// "insulin" rank first, then the one sharing their most characteristic
	// terms (pump, hypoglycaemia) but no word of the question; articles
	// sharing only weaker feedback terms follow.
	res := mustSearch(t, e, Query{Text: "insulin overdose by tired clinicians", Highlight: true})
	if res.Relaxed == nil {
		t.Fatalf("not relaxed: %+v", res)
	}
	ids := hitIDs(res)
	if len(ids) < 3 || !sameSet(ids[:2], []string{"f:1", "f:2"}) || ids[2] != "f:3" {
		t.Fatalf("hits %v, want f:1, f:2 then f:3", ids)
	}
	if res.Total != uint64(len(ids)) {
		t.Errorf("total %d, hits %d", res.Total, len(ids))
	}
	if len(res.Expansions) != 0 {
		t.Errorf("feedback terms reported as thesaurus expansions: %+v", res.Expansions)
	}
	// Highlights and matched comments still come from the per-field query.
	h := res.Hits[slices.Index(ids, "f:1")]
	if len(h.Highlights.Title) != 1 || !strings.Contains(h.Highlights.Title[0], "<mark>Insulin</mark>") {
		t.Errorf("f:1 title highlight %q", h.Highlights.Title)
	}
	if len(h.Highlights.Body) == 0 || !strings.Contains(h.Highlights.Body[0], "<mark>Insulin</mark>") {
		t.Errorf("f:1 body highlight %q", h.Highlights.Body)
	}
	if h.MatchedComments != 1 || len(h.Highlights.Comments) != 1 {
		t.Errorf("f:1 matched comments %d, highlights %q; want 1", h.MatchedComments, h.Highlights.Comments)
	}
	if f3 := res.Hits[2]; len(f3.Highlights.Title)+len(f3.Highlights.Body) != 0 {
		t.Errorf("f:3 matches no typed word but is highlighted: %+v", f3.Highlights)
	}

	// Same order without highlighting, and through scan.
	plain := mustSearch(t, e, Query{Text: "insulin overdose by tired clinicians"})
	if !slices.Equal(hitIDs(plain), ids) {
		t.Errorf("without highlights %v, with %v", hitIDs(plain), ids)
	}
	var scanned []string
	if err := e.Scan(context.Background(), Query{Text: "insulin overdose by tired clinicians"}, 0, func(a article.Article) error {
		scanned = append(scanned, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scanned, ids) {
		t.Errorf("scan %v, search %v", scanned, ids)
	}

	// Filters apply to both passes.
	filtered := mustSearch(t, e, Query{Text: "insulin overdose by tired clinicians", Regions: []string{"UK"}})
	if len(filtered.Hits) != 0 {
		t.Errorf("UK filter: hits %v, want none", hitIDs(filtered))
	}

	// A long question whose words occur only in a comment finds its
	// article at the bag-of-words level too (the combined field holds
	// title, summary and body only).
	onlyComment := mustSearch(t, e, Query{Text: "unclear charts worried grandparents"})
	if onlyComment.Relaxed == nil || len(onlyComment.Hits) == 0 || onlyComment.Hits[0].ID != "f:1" {
		t.Errorf("question matching a comment only: relaxed %+v, hits %v; want f:1 first", onlyComment.Relaxed, hitIDs(onlyComment))
	}

	// A short query keeps its strict, per-field level: no feedback.
	short := mustSearch(t, e, Query{Text: "insulin pump"})
	if !sameSet(hitIDs(short), []string{"f:1", "f:2"}) {
		t.Errorf("short query hits %v, want f:1 and f:2", hitIDs(short))
	}
	// Three words keep their rarest word; loosening the others finds no
	// other article, so the answer is the strict one, without feedback.
	strict := mustSearch(t, e, Query{Text: "insulin pump hypoglycaemia"})
	if strict.Relaxed != nil || !sameSet(hitIDs(strict), []string{"f:1", "f:2"}) {
		t.Errorf("three words: relaxed %+v, hits %v; want f:1 and f:2 only", strict.Relaxed, hitIDs(strict))
	}
	// The articles holding every word of a long question come first,
	// whatever feedback finds after them.
	long := mustSearch(t, e, Query{Text: "insulin pump hypoglycaemia settings unclear"})
	if long.Relaxed == nil || long.Relaxed.AllWords != 1 || len(long.Hits) < 3 || long.Hits[0].ID != "f:1" {
		t.Errorf("long question: relaxed %+v, hits %v; want f:1 (every word) first", long.Relaxed, hitIDs(long))
	}
}

func TestScoringModel(t *testing.T) {
	for in, want := range map[string]string{"": "bm25", "bm25": "bm25", "tf-idf": "tf-idf"} {
		got, err := ScoringModel(in)
		if err != nil || got != want {
			t.Errorf("ScoringModel(%q) = %q, %v; want %q", in, got, err, want)
		}
		im, err := buildMapping(in)
		if err != nil {
			t.Fatal(err)
		}
		if m := im.(*mapping.IndexMappingImpl).ScoringModel; m != want {
			t.Errorf("buildMapping(%q): scoring %q, want %q", in, m, want)
		}
	}
	im, err := BuildMapping()
	if err != nil {
		t.Fatal(err)
	}
	if m := im.(*mapping.IndexMappingImpl).ScoringModel; m != ScoringBM25 {
		t.Errorf("BuildMapping scoring %q, want bm25", m)
	}
}
