package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/safetysearch/safetysearch/crawler"
)

func defineCheck(*Main, *flag.FlagSet) {}

// runCheck fetches one page through the crawler's fetch code (robots.txt,
// User-Agent, delays, limits as configured) and prints what the crawl
// would extract from it, field by field, so a new source or a redesigned
// page can be validated before a crawl.
func (m *Main) runCheck(ctx context.Context) error {
	if len(m.args) != 1 {
		m.fs.Usage()
		return &usageError{err: errors.New("check: exactly one URL is required")}
	}
	pg, err := crawler.FetchPage(ctx, m.fetchConfig(), m.args[0])
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	m.logger.Info("page fetched", "url", pg.URL.String(), "bytes", len(pg.Body), "delay", pg.Delay)
	ex, err := m.extractPage(pg.URL, pg.Body, pg.FetchedAt)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	return m.printJSON(explainedOf(ex, pg.URL.String()))
}
