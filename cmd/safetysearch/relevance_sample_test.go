package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer"
)

// relevanceFloor is the mean nDCG@10 under which TestRelevanceSampleHub
// fails: a little below what the engine measures on the judged set, so
// that a ranking change that loses relevance shows, and noise does not.
const relevanceFloor = 0.95

// judgedQuery is one query of testdata/relevance/sample-hub.json.
type judgedQuery struct {
	ID     string         `json:"id"`
	Kind   string         `json:"kind"`
	Text   string         `json:"text"`
	Top    string         `json:"top,omitempty"`
	Judged map[string]int `json:"judged"`
}

func loadJudgedQueries(t *testing.T) []judgedQuery {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "relevance", "sample-hub.json"))
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Queries []judgedQuery `json:"queries"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("sample-hub.json: %v", err)
	}
	records := sampleHubRecords(t)
	seen := map[string]bool{}
	for _, q := range set.Queries {
		if q.ID == "" || q.Text == "" || len(q.Judged) == 0 || seen[q.ID] {
			t.Fatalf("sample-hub.json: query %q: want a unique id, a text and judgments", q.ID)
		}
		seen[q.ID] = true
		for rec, g := range q.Judged {
			if !records[rec] || g < 1 || g > 2 {
				t.Fatalf("sample-hub.json: query %s judges %s with grade %d: want a crawlable record of testdata/site, grade 1 or 2", q.ID, rec, g)
			}
		}
		if q.Top != "" && q.Judged[q.Top] != 2 {
			t.Fatalf("sample-hub.json: query %s: top %s must be judged 2", q.ID, q.Top)
		}
	}
	return set.Queries
}

// ndcg is nDCG@k with linear gains: the discounted gains of the ranking
// over those of the ideal ranking of the judged records.
func ndcg(ranking []string, judged map[string]int, k int) float64 {
	dcg := func(gains []int) float64 {
		s := 0.0
		for i, g := range gains[:min(k, len(gains))] {
			s += float64(g) / math.Log2(float64(i+2))
		}
		return s
	}
	got := make([]int, len(ranking))
	for i, id := range ranking {
		got[i] = judged[id]
	}
	var ideal []int
	for _, g := range judged {
		ideal = append(ideal, g)
	}
	slices.SortFunc(ideal, func(a, b int) int { return b - a })
	if best := dcg(ideal); best > 0 {
		return dcg(got) / best
	}
	return 0
}

func TestNDCG(t *testing.T) {
	judged := map[string]int{"a": 2, "b": 1}
	for _, c := range []struct {
		ranking []string
		want    float64
	}{
		{[]string{"a", "b", "x"}, 1},
		{[]string{"b", "a"}, (1 + 2/math.Log2(3)) / (2 + 1/math.Log2(3))},
		{[]string{"x", "y"}, 0},
		{nil, 0},
		{[]string{"x", "a"}, (2 / math.Log2(3)) / (2 + 1/math.Log2(3))},
	} {
		if got := ndcg(c.ranking, judged, 10); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("ndcg(%v) = %.4f, want %.4f", c.ranking, got, c.want)
		}
	}
	if got := ndcg([]string{"x", "a"}, judged, 1); got != 0 {
		t.Errorf("ndcg@1 with the relevant record second = %v, want 0", got)
	}
}

// TestRelevanceSampleHub runs the judged queries of
// testdata/relevance/sample-hub.json on an index built from a real crawl
// of the sample hub, as a user types them (relevance order, first page),
// and checks the mean nDCG@10 and the first result of every unambiguous
// query.
func TestRelevanceSampleHub(t *testing.T) {
	queries := loadJudgedQueries(t)
	data := indexedSampleHub(t)
	ctx := context.Background()
	ix, err := indexer.Open(ctx, indexer.Config{Dir: filepath.Join(data, indexDir)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	}()
	const k = 10
	sum := 0.0
	for _, q := range queries {
		res, err := ix.Search(ctx, indexer.Query{Text: q.Text, Sort: indexer.SortRelevance, PerPage: k, Facets: []string{}})
		if err != nil {
			t.Errorf("%s %q: %v", q.ID, q.Text, err)
			continue
		}
		// Judgments name records; the source prefix ("demo:") is configuration.
		ranking := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			ranking[i] = h.ID[strings.LastIndex(h.ID, ":")+1:]
		}
		score := ndcg(ranking, q.Judged, k)
		sum += score
		t.Logf("%-26s %-12s nDCG@10 %.3f  %q → %v", q.ID, q.Kind, score, q.Text, ranking)
		if q.Top != "" && (len(ranking) == 0 || ranking[0] != q.Top) {
			t.Errorf("%s %q: first result %v, want %s", q.ID, q.Text, ranking, q.Top)
		}
	}
	mean := sum / float64(len(queries))
	t.Logf("mean nDCG@10 over %d queries: %.4f (floor %.2f)", len(queries), mean, relevanceFloor)
	if mean < relevanceFloor {
		t.Errorf("mean nDCG@10 %.4f below the floor %.2f", mean, relevanceFloor)
	}
}
