package main

// Extraction health around a crawl: measured from the store before and
// after, and every field whose share fell by more than
// crawler.HealthDropPoints logged as a warning (a site redesign that
// silently empties a field).

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// articleStore is what health needs of the crawler's store.
type articleStore interface {
	Each(ctx context.Context, fn func(article.Article) error) error
}

// storeHealth measures the extraction health of every source in st.
func storeHealth(ctx context.Context, st articleStore) ([]crawler.SourceHealth, error) {
	var hc crawler.HealthCounter
	if err := st.Each(ctx, func(a article.Article) error {
		hc.Add(a)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("extraction health: %w", err)
	}
	return hc.Health(), nil
}

// withHealthCheck runs crawl between two measurements of st and warns of
// the drops; a failure to measure is logged and does not fail the crawl.
func withHealthCheck[T any](ctx context.Context, st articleStore, logger *slog.Logger, crawl func() (T, error)) (T, error) {
	before, berr := storeHealth(ctx, st)
	res, err := crawl()
	if berr != nil {
		logger.Warn("cannot measure extraction health", "error", berr)
		return res, err
	}
	after, aerr := storeHealth(context.WithoutCancel(ctx), st)
	if aerr != nil {
		logger.Warn("cannot measure extraction health", "error", aerr)
		return res, err
	}
	for _, d := range crawler.HealthDrops(before, after) {
		logger.Warn("extraction health dropped", "source", d.Source, "field", d.Field,
			"share_before", d.Before, "share_after", d.After, "summary", d.String())
	}
	return res, err
}
