package engine

// This file is the rank step of a search: the sort orders, and the two-tier
// page of a relaxed query, which ranks the articles holding every word
// before the others. Pseudo-relevance feedback for long questions is in
// feedback.go.

import (
	"context"

	"github.com/blevesearch/bleve/v2"
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

// tieredPage returns the hits from offset from, size of them, of the
// relaxed query text ranked in two tiers: the articles matching the strict
// query (every word) first, then the others. like is the main request,
// whose sort, fields and locations the tier requests copy.
func (e *Engine) tieredPage(ctx context.Context, plan *textPlan, text query.Query, filters []query.Query, like *bleve.SearchRequest, from, size int) (search.DocumentMatchCollection, error) {
	tier := func(q query.Query, from, size int) (*bleve.SearchResult, error) {
		r := bleve.NewSearchRequestOptions(withFilters(q, filters), size, from, false)
		r.Sort = like.Sort
		r.Fields = like.Fields
		r.IncludeLocations = like.IncludeLocations
		return e.run(ctx, r)
	}
	strictQ := plan.query(nil)
	strict, err := tier(strictQ, from, size)
	if err != nil {
		return nil, err
	}
	hits := strict.Hits
	if need := size - len(hits); need > 0 {
		restFrom := max(0, from-int(strict.Total))
		rest, err := tier(query.NewBooleanQuery([]query.Query{text}, nil, []query.Query{strictQ}), restFrom, need)
		if err != nil {
			return nil, err
		}
		hits = append(hits, rest.Hits...)
	}
	return hits, nil
}
