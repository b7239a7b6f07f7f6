package engine

// This file streams a whole result set (exports and feeds) in pages, from
// one generation, without the page-size and result-window limits.

import (
	"context"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// scanChunk is how many hits scan asks for at a time.
const scanChunk = 500

// scan calls fn with every article of the answer to q, in the order of its
// pages (the same set, order and tie-breaks as search), up to limit (0: no
// limit), for exports and feeds. The paging fields of q are ignored.
func (e *Engine) Scan(ctx context.Context, raw Query, limit int, fn func(article.Article) error) error {
	raw.Page, raw.PerPage = 0, 0
	q, err := raw.Normalize()
	if err != nil {
		return err
	}
	p, err := e.prepare(ctx, q)
	if err != nil {
		return err
	}
	for sent := 0; limit <= 0 || sent < limit; {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := scanChunk
		if limit > 0 {
			size = min(size, limit-sent)
		}
		hits, err := e.page(ctx, p, sent, size, "")
		if err != nil {
			return err
		}
		for _, h := range hits {
			a, err := e.storedArticle(h.ID)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		sent += len(hits)
		if len(hits) < size {
			return nil
		}
	}
	return nil
}
