package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/crawler/pdftext"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// Data directory layout.
const (
	storeFile = "store.db" // <data>/store.db: the crawler's store
	indexDir  = "index"    // <data>/index/: the index generations
)

// openStore opens <data>/store.db, creating the data directory when
// writable. The store is closed at m.Close.
func (m *Main) openStore(readOnly bool) (*crawler.Store, error) {
	dir := m.cfg.DataDir
	path := filepath.Join(dir, storeFile)
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no store in %s (%v): run `safetysearch crawl` first, or pass --data DIR", dir, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	st, err := crawler.OpenStore(path, crawler.StoreOptions{ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	m.onClose(st.Close)
	return st, nil
}

// openIndex opens the index generations in <data>/index/, building new
// ones with builder (nil: in process). It is closed at m.Close.
// When another process (a running serve) owns the directory, the index is
// opened read-only: it serves searches but cannot be rebuilt.
func (m *Main) openIndex(ctx context.Context, builder indexer.Builder) (*indexer.Index, error) {
	th := indexer.DefaultThesaurus()
	if m.cfg.ThesaurusFile != "" {
		f, err := os.Open(m.cfg.ThesaurusFile)
		if err != nil {
			return nil, &usageError{err: fmt.Errorf("config: thesaurus_file: %w", err)}
		}
		th, err = indexer.LoadThesaurus(f)
		f.Close()
		if err != nil {
			return nil, &usageError{err: fmt.Errorf("config: thesaurus_file %s: %w", m.cfg.ThesaurusFile, err)}
		}
	}
	ix, err := indexer.Open(ctx, indexer.Config{
		Dir:         filepath.Join(m.cfg.DataDir, indexDir),
		Engine:      indexer.EngineConfig{Thesaurus: th, FragmentSize: m.cfg.FragmentSize},
		ResultCache: indexer.ResultCacheConfig{Entries: m.cfg.ResultCacheEntries},
		Builder:     builder,
	}, m.logger)
	if err != nil {
		return nil, err
	}
	m.onClose(func() error { return ix.Close() })
	return ix, nil
}

// fetchConfig is the part of the crawler's configuration that fetching one
// page needs (check uses it alone): User-Agent, delay, timeout, body cap and
// the private-network guard.
func (m *Main) fetchConfig() crawler.Config {
	c := m.cfg
	cc := crawler.Config{
		UserAgent:            c.UserAgent,
		Delay:                c.CrawlDelay,
		Timeout:              c.RequestTimeout,
		MaxBodyBytes:         c.MaxBodyBytes,
		AllowPrivateNetworks: c.AllowPrivateNetworks,
	}
	if cc.UserAgent == "" {
		cc.UserAgent = crawler.DefaultUserAgent(m.Version, c.ContactURL)
	}
	return cc
}

// crawlerConfig maps the configuration to the crawler's.
func (m *Main) crawlerConfig() (crawler.Config, error) {
	c := m.cfg
	cc := m.fetchConfig()
	cc.MaxPages = c.MaxPages
	cc.MaxQueuedURLs = c.MaxQueuedURLs
	cc.MaxLinksPerPage = c.MaxLinksPerPage
	cc.MaxCommentPages = c.MaxCommentPages
	cc.MaxSitemaps = c.MaxSitemaps
	cc.MaxDocumentBytes = c.MaxDocumentBytes
	cc.MaxDocumentPages = c.MaxDocumentPages
	cc.DocumentTimeout = c.DocumentTimeout
	for _, s := range c.Sources {
		cc.Sources = append(cc.Sources, s.crawlerSource())
	}
	tx, err := m.taxonomy()
	if err != nil {
		return cc, err
	}
	cc.Taxonomy = tx
	if err := cc.Validate(); err != nil {
		return cc, &usageError{err: err}
	}
	cc.Extractor = m.documentExtractor()
	return cc, nil
}

// crawlerSource maps one configured source to the crawler's.
func (s SourceSetting) crawlerSource() crawler.SourceConfig {
	cats := make(map[string]crawler.TagMapping, len(s.Categories))
	for k, v := range s.Categories {
		cats[k] = crawler.TagMapping(v)
	}
	return crawler.SourceConfig{
		Name: s.Name, URL: s.URL, AllowPrefixes: s.AllowPrefixes, StartURLs: s.StartURLs,
		Kind: s.Kind, Publisher: s.Publisher, Include: s.Include, Exclude: s.Exclude,
		Delay: s.CrawlDelay, FullPassEvery: s.FullPassEvery,
		DefaultTags: crawler.TagMapping(s.DefaultTags), Categories: cats,
		Documents: crawler.DocumentsMode(s.Documents),
	}
}

// documentExtractor returns the process's one PDF extractor, closed with
// the command. PDFium starts on the first document (a second or more), so
// a crawl without documents never pays for it. One worker, its memory
// capped: documents are read one at a time inside the crawl's goroutines,
// so a crawl within serve leaves the rest of the machine to the searches.
func (m *Main) documentExtractor() *pdftext.Extractor {
	if m.docs == nil {
		m.docs = pdftext.New(pdftext.Config{Workers: 1})
		m.onClose(m.docs.Close)
	}
	return m.docs
}

// taxonomy is the configured tag taxonomy (taxonomy_file), or nil for the
// crawler's built-in one.
func (m *Main) taxonomy() (*crawler.Taxonomy, error) {
	if m.cfg.TaxonomyFile == "" {
		return nil, nil
	}
	f, err := os.Open(m.cfg.TaxonomyFile)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("config: taxonomy_file: %w", err)}
	}
	defer f.Close()
	tx, err := crawler.LoadTaxonomy(f)
	if err != nil {
		return nil, &usageError{err: fmt.Errorf("config: taxonomy_file %s: %w", m.cfg.TaxonomyFile, err)}
	}
	return tx, nil
}

// storeHistory adapts the crawler's store to the scheduler's HistoryStore;
// both speak indexer/runlog's records.
type storeHistory struct{ st *crawler.Store }

func (h storeHistory) AppendIndexRun(ctx context.Context, r schedule.IndexRun) error {
	return h.st.AppendIndexRun(ctx, r)
}

func (h storeHistory) RunHistory(ctx context.Context) (schedule.History, error) {
	sources, index, err := h.st.History(ctx)
	if err != nil {
		return schedule.History{}, err
	}
	// Empty lists, not null, in the status JSON.
	if sources == nil {
		sources = []schedule.SourceHistory{}
	}
	if index == nil {
		index = []schedule.IndexRun{}
	}
	return schedule.History{Sources: sources, Index: index}, nil
}
