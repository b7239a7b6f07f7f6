package relevance

import (
	"fmt"
	"slices"
	"strings"
)

// RecallDepth is the cutoff of Report.Recall (Recall@100).
const RecallDepth = 100

// Doc is one document of a test collection.
type Doc struct {
	ID    string
	Title string
	Text  string
}

// QueryJ is one judged query of a test collection.
type QueryJ struct {
	ID   string
	Text string
}

// Collection is a judged test collection: documents, queries and graded
// relevance judgments (query id → document id → grade; documents that are
// not listed have grade 0).
type Collection struct {
	Name      string
	Docs      []Doc
	Queries   []QueryJ
	Judgments map[string]map[string]int
}

// QueryScore holds the metrics of one evaluated query.
type QueryScore struct {
	ID        string
	Relevant  int // judged documents with grade > 0
	Retrieved int // distinct documents in the run for this query
	NDCG      float64
	AP        float64
	Precision float64
	Recall    float64
}

// Report holds the means of the metrics over the evaluated queries of a
// collection. NDCG and Precision are cut at K, Recall at RecallDepth, and AP
// uses the whole ranking given for each query.
type Report struct {
	Collection string
	K          int
	Queries    int     // queries evaluated (those with at least one relevant document)
	Excluded   int     // queries of the collection with no relevant document
	Missing    int     // evaluated queries absent from the run (scored 0)
	Duplicates int     // repeated document ids across the run's rankings (ignored)
	NDCG       float64 // mean nDCG@K, graded gains
	MAP        float64 // mean average precision, binary (grade > 0)
	Precision  float64 // mean P@K
	Recall     float64 // mean Recall@RecallDepth
	PerQuery   []QueryScore
}

// String renders the report on one line, e.g. for test logs.
func (r Report) String() string {
	return fmt.Sprintf("%s: queries=%d excluded=%d missing=%d nDCG@%d=%.4f MAP=%.4f P@%d=%.4f R@%d=%.4f",
		r.Collection, r.Queries, r.Excluded, r.Missing, r.K, r.NDCG, r.MAP, r.K, r.Precision, RecallDepth, r.Recall)
}

// Evaluate scores run (query id → ranked document ids, best first) against
// the judgments of c and returns the per-query metrics and their means.
// Every query of c with at least one relevant document is evaluated, in the
// order of c.Queries; a query the run does not answer scores 0 everywhere.
// Queries of the run that c does not hold are ignored.
func Evaluate(c *Collection, run map[string][]string, k int) Report {
	r := Report{Collection: c.Name, K: k}
	for _, q := range c.Queries {
		judged := c.Judgments[q.ID]
		rel := countRelevant(judged)
		if rel == 0 {
			r.Excluded++
			continue
		}
		ranking, ok := run[q.ID]
		if !ok {
			r.Missing++
		}
		r.Duplicates += duplicates(ranking)
		s := QueryScore{
			ID:        q.ID,
			Relevant:  rel,
			Retrieved: len(firstOccurrences(ranking, len(ranking))),
			NDCG:      NDCG(ranking, judged, k),
			AP:        AveragePrecision(ranking, judged),
			Precision: PrecisionAt(ranking, judged, k),
			Recall:    RecallAt(ranking, judged, RecallDepth),
		}
		r.PerQuery = append(r.PerQuery, s)
		r.NDCG += s.NDCG
		r.MAP += s.AP
		r.Precision += s.Precision
		r.Recall += s.Recall
	}
	r.Queries = len(r.PerQuery)
	if r.Queries > 0 {
		n := float64(r.Queries)
		r.NDCG /= n
		r.MAP /= n
		r.Precision /= n
		r.Recall /= n
	}
	return r
}

// Worst returns up to n evaluated queries with the lowest nDCG, worst
// first (ties by query id), to show where a ranking fails.
func (r Report) Worst(n int) []QueryScore {
	qs := slices.Clone(r.PerQuery)
	slices.SortStableFunc(qs, func(a, b QueryScore) int {
		if a.NDCG != b.NDCG {
			if a.NDCG < b.NDCG {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	if n < len(qs) {
		qs = qs[:n]
	}
	return qs
}
