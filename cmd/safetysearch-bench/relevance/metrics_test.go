package relevance

import (
	"math"
	"slices"
	"testing"
)

const eps = 1e-9

func near(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > eps {
		t.Errorf("%s = %.10f, want %.10f", name, got, want)
	}
}

// The worked example used by the metric tests:
//
//	rank:   1   2   3   4   5
//	doc:    d1  d2  d3  d4  d5
//	grade:  3   –   2   –   0      (– = not judged; d6 has grade 1, not retrieved)
//
// Relevant documents (grade > 0): d1, d3, d6 → 3.
var (
	example = []string{"d1", "d2", "d3", "d4", "d5"}
	judged  = map[string]int{"d1": 3, "d3": 2, "d5": 0, "d6": 1}
)

func TestNDCG(t *testing.T) {
	// DCG@5   = 3/log2(2) + 2/log2(4)                 = 3 + 1            = 4
	// IDCG@5  = 3/log2(2) + 2/log2(3) + 1/log2(4)     = 3 + 1.26186 + 0.5 = 4.76186
	// nDCG@5  = 4 / 4.76186                                              = 0.840008
	near(t, "nDCG@5", NDCG(example, judged, 5), 4/(3+2/math.Log2(3)+0.5))
	near(t, "nDCG@5 value", NDCG(example, judged, 5), 0.8400079830158563)
	// nDCG@1 = 3/3.
	near(t, "nDCG@1", NDCG(example, judged, 1), 1)
	// nDCG@2 = (3 + 0) / (3 + 2/log2(3)) = 0.703918.
	near(t, "nDCG@2", NDCG(example, judged, 2), 0.7039180890341347)
	// The ideal comes from the judgments, not the run: cutting at 10 with
	// only 5 retrieved still divides by the full IDCG (3 relevant < 10).
	near(t, "nDCG@10", NDCG(example, judged, 10), 0.8400079830158563)
	// A repeated id counts at its first rank only and the rest move up:
	// [d3 d3 d1] ranks as [d3 d1]: (2 + 3/log2(3)) / (3 + 2/log2(3)) = 0.913402.
	near(t, "nDCG@2 dup", NDCG([]string{"d3", "d3", "d1"}, judged, 2), 0.9134015924715543)
	near(t, "nDCG perfect", NDCG([]string{"d1", "d3", "d6"}, judged, 10), 1)
	near(t, "nDCG empty run", NDCG(nil, judged, 10), 0)
	near(t, "nDCG no relevant", NDCG(example, map[string]int{"d1": 0}, 10), 0)
	near(t, "nDCG k=0", NDCG(example, judged, 0), 0)
}

func TestAveragePrecision(t *testing.T) {
	// Relevant hits: d1 at rank 1 (P@1 = 1/1), d3 at rank 3 (P@3 = 2/3);
	// d6 is never retrieved. AP = (1 + 2/3) / 3 = 0.555556.
	near(t, "AP", AveragePrecision(example, judged), (1+2.0/3)/3)
	near(t, "AP perfect", AveragePrecision([]string{"d6", "d1", "d3"}, judged), 1)
	// [d2 d3 d3 d1]: d3 at rank 2 (1/2), duplicate skipped, d1 at rank 3 (2/3).
	near(t, "AP dup", AveragePrecision([]string{"d2", "d3", "d3", "d1"}, judged), (0.5+2.0/3)/3)
	near(t, "AP no relevant", AveragePrecision(example, nil), 0)
}

func TestPrecisionRecall(t *testing.T) {
	near(t, "P@1", PrecisionAt(example, judged, 1), 1)
	near(t, "P@2", PrecisionAt(example, judged, 2), 0.5)
	near(t, "P@5", PrecisionAt(example, judged, 5), 0.4)
	// Ranks past the end of the run count as misses: 2 relevant / 10.
	near(t, "P@10", PrecisionAt(example, judged, 10), 0.2)
	near(t, "R@2", RecallAt(example, judged, 2), 1.0/3)
	near(t, "R@5", RecallAt(example, judged, 5), 2.0/3)
	near(t, "R@100", RecallAt(append(slices.Clone(example), "d6"), judged, 100), 1)
	near(t, "R no relevant", RecallAt(example, map[string]int{}, 5), 0)
	// A duplicate does not count twice: [d1 d1] → 1 relevant in the top 2.
	near(t, "P@2 dup", PrecisionAt([]string{"d1", "d1", "d3"}, judged, 2), 1)
}

func TestEvaluate(t *testing.T) {
	c := &Collection{
		Name:    "toy",
		Queries: []QueryJ{{ID: "1", Text: "a"}, {ID: "2", Text: "b"}, {ID: "3", Text: "c"}, {ID: "4", Text: "d"}},
		Judgments: map[string]map[string]int{
			"1": judged,
			"2": {"d1": 0}, // no relevant document: excluded
			"3": {"x": 1},  // relevant, but the run does not answer it: scores 0
			"4": {"d2": 2},
		},
	}
	run := map[string][]string{
		"1":     example,
		"2":     {"d1"},
		"4":     {"d2", "d2"},
		"other": {"d9"},
	}
	r := Evaluate(c, run, 5)
	if r.Queries != 3 || r.Excluded != 1 || r.Missing != 1 || r.Duplicates != 1 || r.K != 5 {
		t.Fatalf("counts: %+v", r)
	}
	// Per query (q1, q3, q4):
	//   nDCG@5: 0.840008, 0, 1      → mean 0.613336
	//   AP:     0.555556, 0, 1      → mean 0.518519
	//   P@5:    0.4,      0, 0.2    → mean 0.2
	//   R@100:  2/3,      0, 1      → mean 0.555556
	near(t, "mean nDCG", r.NDCG, (0.8400079830158563+0+1)/3)
	near(t, "MAP", r.MAP, ((1+2.0/3)/3+0+1)/3)
	near(t, "mean P@5", r.Precision, (0.4+0+0.2)/3)
	near(t, "mean R@100", r.Recall, (2.0/3+0+1)/3)
	if got := []string{r.PerQuery[0].ID, r.PerQuery[1].ID, r.PerQuery[2].ID}; !slices.Equal(got, []string{"1", "3", "4"}) {
		t.Errorf("per-query order %v", got)
	}
	if w := r.Worst(1); len(w) != 1 || w[0].ID != "3" {
		t.Errorf("Worst(1) = %+v, want query 3", w)
	}
	if r.PerQuery[2].Retrieved != 1 || r.PerQuery[0].Relevant != 3 {
		t.Errorf("per-query counts: %+v", r.PerQuery)
	}
	if s := r.String(); s == "" {
		t.Error("empty String")
	}
	empty := Evaluate(&Collection{Name: "none"}, nil, 10)
	if empty.Queries != 0 || empty.NDCG != 0 {
		t.Errorf("empty collection: %+v", empty)
	}
}

func TestRank(t *testing.T) {
	got := Rank([]Scored{{"b", 1}, {"c", 2}, {"a", 1}, {"d", 0.5}, {"10", 1}})
	// Score descending; the three tied at 1 in ascending byte order of id.
	want := []string{"c", "10", "a", "b", "d"}
	if !slices.Equal(got, want) {
		t.Errorf("Rank = %v, want %v", got, want)
	}
}
