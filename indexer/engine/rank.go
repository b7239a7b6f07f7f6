package engine

// This file is the rank step of a search: the sort orders, and the two-tier
// page of a relaxed query, which ranks the articles holding every word
// before the others. Pseudo-relevance feedback for long questions is in
// feedback.go.

import (
	"context"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// sortOrder is the Bleve sort of a query. Every order ends with the article
// id, so it is total and the same in every generation of the same articles:
// the internal document order, Bleve's own tie-break, depends on which of
// Fill's concurrent batches finished first
// (TestEngineRelevanceOrderDeterministic,
// TestFillIndexSameOrderAcrossBuilds). The id costs Bleve a lookup of the
// external id of every matching document (zap keeps it uncompressed at the
// head of the stored fields).
func sortOrder(s Sort) search.SortOrder {
	published := func(desc bool) *search.SortField {
		return &search.SortField{Field: fPublished, Desc: desc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}
	}
	switch s {
	case SortNewest:
		return search.SortOrder{published(true), &search.SortDocID{}}
	case SortOldest:
		return search.SortOrder{published(false), &search.SortDocID{}}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	}
}

// page returns hits from..from+size of the prepared answer, in its order,
// with the stored field named stored.
func (e *Engine) page(ctx context.Context, p *prepared, from, size int, stored string) (search.DocumentMatchCollection, error) {
	if p.tiered() {
		return e.tieredPage(ctx, p, from, size, stored)
	}
	res, err := e.run(ctx, p.request(p.text, from, size, stored))
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// tieredPage returns hits from..from+size of a relaxed answer ranked in two
// tiers: the articles holding every word (the strict query) by their score
// under it, then the others by their score under the relaxed query. A
// first-tier score is raised by the best second-tier score, so that scores
// never increase down the list and a page's scores do not depend on which
// page it is.
func (e *Engine) tieredPage(ctx context.Context, p *prepared, from, size int, stored string) (search.DocumentMatchCollection, error) {
	strictTotal := int(p.lvl.strictTotal)
	rest := query.NewBooleanQuery([]query.Query{p.text}, nil, []query.Query{p.lvl.strict})
	var hits search.DocumentMatchCollection
	if from < strictTotal {
		strict, err := e.run(ctx, p.request(p.lvl.strict, from, size, stored))
		if err != nil {
			return nil, err
		}
		// Only its score is read: no stored field.
		best, err := e.run(ctx, p.request(rest, 0, 1, ""))
		if err != nil {
			return nil, err
		}
		lift := 0.0
		if len(best.Hits) > 0 {
			lift = best.Hits[0].Score
		}
		for _, h := range strict.Hits {
			h.Score += lift
		}
		hits = strict.Hits
	}
	if need := size - len(hits); need > 0 {
		more, err := e.run(ctx, p.request(rest, max(0, from-strictTotal), need, stored))
		if err != nil {
			return nil, err
		}
		hits = append(hits, more.Hits...)
	}
	return hits, nil
}
