package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/safetysearch/safetysearch/indexer"
)

// safetysearchPeer is safetysearch's own indexer, in process.
type safetysearchPeer struct {
	scoring string // "bm25" (the service's) or "tf-idf" (Bleve's default, for comparison)
	ix      *indexer.Index
}

func (p *safetysearchPeer) name() string {
	if p.scoring == "tf-idf" {
		return "safetysearch-tfidf"
	}
	return "safetysearch"
}

// config disables the result cache: the per-class latencies compare the
// engines' work, and the warm-up queries are measured again afterwards.
// The HTTP phase serves with the cache and reports its hit ratio.
func (p *safetysearchPeer) config(dir string) indexer.Config {
	return indexer.Config{Dir: filepath.Join(dir, "index"), Scoring: p.scoring, ResultCache: indexer.ResultCacheConfig{Entries: -1}}
}

func (p *safetysearchPeer) build(ctx context.Context, dir string, src indexer.Source) (buildStats, error) {
	start := time.Now()
	ix, err := indexer.Open(ctx, p.config(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		return buildStats{}, err
	}
	defer ix.Close()
	counted := &countingSource{Source: src}
	rep, err := ix.Rebuild(ctx, counted)
	if err != nil {
		return buildStats{}, fmt.Errorf("safetysearch: rebuild: %w", err)
	}
	return buildStats{Docs: rep.Documents, TextBytes: counted.text, Seconds: since(start), DiskBytes: dirSize(dir)}, nil
}

// countingSource adds up the text a rebuild reads, for MB/s.
type countingSource struct {
	indexer.Source
	text int64
}

func (c *countingSource) Each(ctx context.Context, fn func(article.Article) error) error {
	c.text = 0
	return c.Source.Each(ctx, func(a article.Article) error {
		c.text += articleText(a)
		return fn(a)
	})
}

func (p *safetysearchPeer) open(ctx context.Context, dir string) error {
	ix, err := indexer.Open(ctx, p.config(dir), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if !ix.Status().Ready {
		ix.Close()
		return fmt.Errorf("safetysearch: no index generation in %s", dir)
	}
	p.ix = ix
	return nil
}

func (p *safetysearchPeer) close() error {
	if p.ix == nil {
		return nil
	}
	return p.ix.Close()
}

func (p *safetysearchPeer) query(ctx context.Context, q benchQuery) (queryResult, error) {
	res, err := p.ix.Search(ctx, q.indexerQuery())
	if err != nil {
		return queryResult{}, err
	}
	out := queryResult{Total: int(res.Total)}
	for _, h := range res.Hits {
		out.IDs = append(out.IDs, h.ID)
	}
	return out, nil
}

func (p *safetysearchPeer) rank(ctx context.Context, text string, k int) ([]string, error) {
	res, err := p.ix.Search(ctx, indexer.Query{Text: text, PerPage: k, Sort: indexer.SortRelevance, Facets: []string{}})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}
