package engine

// This file streams a whole result set (exports and feeds) in pages, from
// one generation, without the page-size and result-window limits.

import (
	"context"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// scan calls fn with every article of the result set of q, in the order of
// its sort, up to limit (0: no limit), for exports and feeds. Paging fields
// of q but PerPage are ignored; relaxation applies as in search, to fill
// PerPage.
func (e *Engine) Scan(ctx context.Context, raw Query, limit int, fn func(article.Article) error) error {
	raw.Page = 0
	q, err := raw.Normalize()
	if err != nil {
		return err
	}
	var text query.Query
	sel := selections(q)
	filters := filterQueries(q, sel, "")
	if q.Text != "" {
		plan, err := e.compile(q.Text)
		if err != nil {
			return err
		}
		lvl, err := e.textLevel(ctx, plan, filters, q.PerPage)
		if err != nil {
			return err
		}
		text = lvl.q
	}
	const pageSize = 200
	var after []string
	sent := 0
	for limit <= 0 || sent < limit {
		size := pageSize
		if limit > 0 && limit-sent < size {
			size = limit - sent
		}
		// The relevance order's ties follow the internal document order,
		// which SearchAfter cannot resume from: it pages by offset.
		from := 0
		if q.Sort == SortRelevance {
			from = sent
		}
		req := bleve.NewSearchRequestOptions(withFilters(text, filters), size, from, false)
		req.SortByCustom(sortOrder(q.Sort))
		req.Fields = []string{fArticle}
		if after != nil && q.Sort != SortRelevance {
			req.SearchAfter = after
		}
		res, err := e.run(ctx, req)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			a, err := decodeArticle(h)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
			sent++
		}
		if len(res.Hits) < size {
			return nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
	return nil
}
