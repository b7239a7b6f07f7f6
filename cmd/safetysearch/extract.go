package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// logFlags are the setting flags of commands that need no data directory.
var logFlags = []string{"log-level", "log-format"}

// extractOptions are the flags of extract and check.
type extractOptions struct {
	url     string
	explain bool
}

func defineExtract(m *Main, fs *flag.FlagSet) {
	fs.StringVar(&m.extract.url, "url", "", "the page's `URL` (required): the article id and links are made from it")
	fs.BoolVar(&m.extract.explain, "explain", false, "also print, per field, the rule that produced it, the extractor and the language")
}

// explained is the output of extract --explain and of check.
type explained struct {
	// URL is the page's final URL after redirects (check only).
	URL       string            `json:"fetched_url,omitempty"`
	Extractor string            `json:"extractor"`
	Language  string            `json:"language"`
	Explain   map[string]string `json:"explain"`
	Article   article.Article   `json:"article"`
}

func (m *Main) runExtract(_ context.Context) error {
	if m.extract.url == "" {
		m.fs.Usage()
		return &usageError{err: errors.New("extract: --url is required: the URL the page was saved from")}
	}
	if len(m.args) > 1 {
		return &usageError{err: fmt.Errorf("extract: one FILE at most, got %q", m.args)}
	}
	u, err := url.Parse(m.extract.url)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") {
		return &usageError{err: fmt.Errorf("extract: --url %q is not an absolute http(s) URL", m.extract.url)}
	}
	in := m.Stdin
	name := "standard input"
	if len(m.args) == 1 {
		f, err := os.Open(m.args[0])
		if err != nil {
			return fmt.Errorf("extract: %w", err)
		}
		defer func() { _ = f.Close() }() // read only
		in, name = f, m.args[0]
	}
	if in == nil {
		return errors.New("extract: no FILE given and no standard input")
	}
	raw, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("extract: reading %s: %w", name, err)
	}
	body, err := crawler.DecodeHTML(raw, "")
	if err != nil {
		return fmt.Errorf("extract: %s: %w", name, err)
	}
	ex, err := m.extractPage(u, body, time.Now())
	if err != nil {
		return err
	}
	if m.extract.explain {
		return m.printJSON(explainedOf(ex, ""))
	}
	return m.printJSON(ex.Article)
}

// extractPage runs the crawler's choice of extractor on one page, with
// the source name a crawl of this host would use.
func (m *Main) extractPage(u *url.URL, body []byte, fetchedAt time.Time) (*crawler.Extraction, error) {
	tax, err := m.taxonomy()
	if err != nil {
		return nil, err
	}
	src := m.sourceFor(u)
	ex, err := crawler.ExtractArticle(u, body, crawler.ExtractOptions{
		Source: src.Name, Taxonomy: tax, FetchedAt: fetchedAt,
	})
	if err != nil {
		if crawler.IsNotArticle(err) {
			return nil, fmt.Errorf("not an article: %w", err)
		}
		return nil, err
	}
	crawler.ApplySource(ex, src, tax)
	return ex, nil
}

// sourceFor is the configured source on u's host (its name defaulted),
// or the source a crawl of that host would get by default.
func (m *Main) sourceFor(u *url.URL) crawler.SourceConfig {
	for _, s := range m.cfg.Sources {
		su, err := url.Parse(s.URL)
		if err != nil || su.Host != u.Host {
			continue
		}
		src := s.crawlerSource()
		src.Name = cmp.Or(src.Name, crawler.SourceName(u.Host))
		return src
	}
	return crawler.SourceConfig{Name: crawler.SourceName(u.Host), URL: u.String()}
}

func explainedOf(ex *crawler.Extraction, fetchedURL string) explained {
	return explained{URL: fetchedURL, Extractor: ex.Extractor, Language: ex.Language, Explain: ex.Rules, Article: *ex.Article}
}

func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
