package main

// Extraction health: the store measured after every crawl and at serve's
// start. Each crawl's measurement is kept in the store's run history, so
// that the next crawl, even after a restart, compares with it; every field
// whose share fell by more than health.DropPoints is logged as a warning
// and listed in the status (a site redesign that silently empties a
// field).

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/health"
)

// healthStore is what health needs of the crawler's store: the articles
// and the kept measurements.
type healthStore interface {
	Each(ctx context.Context, fn func(article.Article) error) error
	LastHealth(ctx context.Context) (health.Report, bool, error)
	AppendHealth(ctx context.Context, r health.Report) error
}

// measureStore measures the extraction health of every source in st.
func measureStore(ctx context.Context, st healthStore) ([]health.Source, error) {
	var hc health.Counter
	if err := st.Each(ctx, func(a article.Article) error {
		hc.Add(a)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("extraction health: %w", err)
	}
	return hc.Sources(), nil
}

// withHealthCheck runs crawl, then measures st, compares with the previous
// crawl's measurement, warns of the drops, keeps the measurement in st and
// hands it to report (when not nil). Without a kept measurement (a new
// store, or one from before they were kept) the store is measured before
// the crawl instead. A failure to measure is logged and does not fail the
// crawl; a crawl whose ctx ended is not measured, and the next crawl
// compares with the last one that was.
func withHealthCheck[T any](ctx context.Context, st healthStore, logger *slog.Logger, report func(health.Report), crawl func() (T, error)) (T, error) {
	prev, ok, err := st.LastHealth(ctx)
	if err != nil {
		logger.Warn("cannot read the last extraction health", "error", err)
	}
	before := prev.Sources
	if !ok {
		if before, err = measureStore(ctx, st); err != nil {
			logger.Warn("cannot measure extraction health before the crawl", "error", err)
		}
	}
	res, crawlErr := crawl()
	if ctx.Err() != nil {
		logger.Info("extraction health not measured: the crawl was stopped")
		return res, crawlErr
	}
	at := time.Now().UTC()
	after, err := measureStore(ctx, st)
	if err != nil {
		logger.Warn("cannot measure extraction health", "error", err)
		return res, crawlErr
	}
	rep := health.Report{MeasuredAt: at, Sources: after, Warnings: health.Drops(before, after)}
	for _, d := range rep.Warnings {
		logger.Warn("extraction health dropped", "source", d.Source, "field", d.Field,
			"share_before", d.Before, "share_after", d.After, "summary", d.String())
	}
	if err := st.AppendHealth(ctx, rep); err != nil {
		logger.Warn("extraction health not kept in the store", "error", err)
	}
	if report != nil {
		report(rep)
	}
	return res, crawlErr
}

// startupHealth measures st as serve finds it, so that the status shows
// the health before the first crawl; the warnings are the last crawl's,
// kept in st.
func startupHealth(ctx context.Context, st healthStore) (health.Report, error) {
	at := time.Now().UTC()
	srcs, err := measureStore(ctx, st)
	if err != nil {
		return health.Report{}, err
	}
	rep := health.Report{MeasuredAt: at, Sources: srcs, Warnings: []health.Drop{}}
	last, ok, err := st.LastHealth(ctx)
	if err != nil {
		return health.Report{}, fmt.Errorf("extraction health: %w", err)
	}
	if ok && last.Warnings != nil {
		rep.Warnings = last.Warnings
	}
	return rep, nil
}
