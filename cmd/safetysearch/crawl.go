package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/safetysearch/safetysearch/crawler"
)

func defineCrawl(*Main, *flag.FlagSet) {}

// runCrawl crawls every configured source once into the store. It fails
// only when the crawl failed as a whole; page errors are counted in the
// summary.
func (m *Main) runCrawl(ctx context.Context) error {
	if len(m.cfg.Sources) == 0 {
		return usageErrorf("crawl: no sources: pass --source URL, set SAFETYSEARCH_SOURCES or add sources to the config file")
	}
	cc, err := m.crawlerConfig()
	if err != nil {
		return err
	}
	st, err := m.openStore(false)
	if err != nil {
		return err
	}
	logger := m.logger
	var progress func(crawler.Progress)
	var bar *progressBar
	if isTerminal(m.Stderr) {
		bar = newProgressBar(m.Stderr)
		progress = func(p crawler.Progress) { bar.Update(p.Done, p.Queued, p.Errors, p.Documents) }
		logger = newLogger(bar.LogWriter(m.Stderr), m.cfg)
	}
	c, err := crawler.New(cc, st, logger)
	if err != nil {
		return err
	}
	sum, runErr := withHealthCheck(ctx, st, logger, nil, func() (crawler.Summary, error) { return c.Run(ctx, progress) })
	if bar != nil {
		bar.Finish(runErr == nil)
	}
	fmt.Fprintln(m.Stdout, sum.String())
	if runErr != nil && ctx.Err() != nil {
		return fmt.Errorf("crawl interrupted: every page fetched so far is stored; run crawl again to go on (%w)", runErr)
	}
	if runErr != nil {
		return fmt.Errorf("crawl failed: %w", runErr)
	}
	return nil
}
