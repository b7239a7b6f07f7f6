// Package relevance measures how well a ranking answers judged queries.
//
// It holds two things: pure retrieval metrics (nDCG@k, average precision,
// precision@k, recall@k) with an Evaluate function that averages them over a
// collection, and loaders for the classic judged test collections kept in
// shared/external (SMART MED and Cystic Fibrosis). Nothing here knows about
// Bleve or the index: a run is just query id → ranked document ids, so the
// same evaluator serves the index tests, the benchmark program and any
// baseline engine.
//
// Definitions (the same as trec_eval's ndcg_cut, map, P and recall):
//
//   - gain of a document = its relevance grade for the query (0 when the
//     document is not judged); a document is relevant when its grade > 0;
//   - DCG@k = Σ_{i=1..k} gain(doc at rank i) / log2(i+1);
//   - ideal DCG@k = DCG@k of all judged documents of the query sorted by grade
//     descending (the ideal ranking is built from the judgments, not from the
//     run), and nDCG@k = DCG@k / ideal DCG@k;
//   - AP = (Σ over relevant documents retrieved at rank r of P@r) / number of
//     relevant documents (relevant but not retrieved ones count as 0);
//   - P@k = relevant documents in the top k / k (k, not the number
//     retrieved: a short ranking is not rewarded);
//   - Recall@k = relevant documents in the top k / number of relevant documents.
//
// A document id that appears more than once in a ranking counts only at its
// first rank; later occurrences are ignored, and Evaluate reports how many
// there were. A query with no relevant document cannot be scored by any of
// these measures: Evaluate excludes it and counts it in Report.Excluded.
package relevance

import (
	"cmp"
	"math"
	"slices"
)

// NDCG returns nDCG@k of ranking for the graded judgments of one query
// (document id → grade). It returns 0 when the query has no document with a
// positive grade (its ideal DCG is 0); Evaluate excludes such queries.
func NDCG(ranking []string, judged map[string]int, k int) float64 {
	if k <= 0 {
		return 0
	}
	ideal := idealDCG(judged, k)
	if ideal == 0 {
		return 0
	}
	var dcg float64
	for i, id := range firstOccurrences(ranking, k) {
		if g := judged[id]; g > 0 {
			dcg += float64(g) / math.Log2(float64(i+2))
		}
	}
	return dcg / ideal
}

func idealDCG(judged map[string]int, k int) float64 {
	grades := make([]int, 0, len(judged))
	for _, g := range judged {
		if g > 0 {
			grades = append(grades, g)
		}
	}
	slices.SortFunc(grades, func(a, b int) int { return cmp.Compare(b, a) })
	var dcg float64
	for i, g := range grades {
		if i == k {
			break
		}
		dcg += float64(g) / math.Log2(float64(i+2))
	}
	return dcg
}

// AveragePrecision returns the (binary) average precision of ranking: a
// document is relevant when its grade is > 0. It returns 0 when the query
// has no relevant document.
func AveragePrecision(ranking []string, judged map[string]int) float64 {
	total := countRelevant(judged)
	if total == 0 {
		return 0
	}
	var sum float64
	hits := 0
	for i, id := range firstOccurrences(ranking, len(ranking)) {
		if judged[id] > 0 {
			hits++
			sum += float64(hits) / float64(i+1)
		}
	}
	return sum / float64(total)
}

// PrecisionAt returns the fraction of the top k ranks that hold a relevant
// document. Ranks beyond the end of a short ranking count as non-relevant.
func PrecisionAt(ranking []string, judged map[string]int, k int) float64 {
	if k <= 0 {
		return 0
	}
	return float64(relevantIn(ranking, judged, k)) / float64(k)
}

// RecallAt returns the fraction of the query's relevant documents found in
// the top k ranks, or 0 when the query has no relevant document.
func RecallAt(ranking []string, judged map[string]int, k int) float64 {
	total := countRelevant(judged)
	if total == 0 || k <= 0 {
		return 0
	}
	return float64(relevantIn(ranking, judged, k)) / float64(total)
}

func relevantIn(ranking []string, judged map[string]int, k int) int {
	n := 0
	for _, id := range firstOccurrences(ranking, k) {
		if judged[id] > 0 {
			n++
		}
	}
	return n
}

func countRelevant(judged map[string]int) int {
	n := 0
	for _, g := range judged {
		if g > 0 {
			n++
		}
	}
	return n
}

// firstOccurrences returns the first k distinct ids of ranking: each id
// keeps its first rank and a repeated id is skipped (the ranks after it move
// up, as the duplicate was not a new result).
func firstOccurrences(ranking []string, k int) []string {
	if k > len(ranking) {
		k = len(ranking)
	}
	seen := make(map[string]struct{}, k)
	out := make([]string, 0, k)
	for _, id := range ranking {
		if len(out) == k {
			break
		}
		if _, ok := seen[id]; ok {
			continue
		}
		seen[id] = struct{}{}
		out = append(out, id)
	}
	return out
}

func duplicates(ranking []string) int {
	seen := make(map[string]struct{}, len(ranking))
	n := 0
	for _, id := range ranking {
		if _, ok := seen[id]; ok {
			n++
			continue
		}
		seen[id] = struct{}{}
	}
	return n
}

// Scored is one retrieved document with the score an engine gave it.
type Scored struct {
	ID    string
	Score float64
}

// Rank orders scored documents by score, highest first, and breaks ties by
// document id in ascending byte order, so that a run with equal scores always
// produces the same ranking (and so the same metrics). It returns the ids.
// The input slice is sorted in place.
func Rank(scored []Scored) []string {
	slices.SortFunc(scored, func(a, b Scored) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	ids := make([]string, len(scored))
	for i, s := range scored {
		ids[i] = s.ID
	}
	return ids
}
