package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/safetysearch/safetysearch/indexer"
)

// peer is one search engine under test. build runs in a child process of
// its own (so its memory figures are its own); open/query/close run in the
// parent against what build left in dir.
type peer interface {
	name() string
	build(ctx context.Context, dir string, src indexer.Source) (buildStats, error)
	open(ctx context.Context, dir string) error
	query(ctx context.Context, q benchQuery) (queryResult, error)
	// rank runs a plain OR-of-words relevance query (for the judged
	// collections) and returns up to k document ids, best first.
	rank(ctx context.Context, text string, k int) ([]string, error)
	close() error
}

type buildStats struct {
	Docs      int     `json:"docs"`
	TextBytes int64   `json:"text_bytes"`
	DiskBytes int64   `json:"disk_bytes"`
	Seconds   float64 `json:"seconds"`
	PeakRSS   int64   `json:"peak_rss"` // filled by the parent from the child's rusage
}

type queryResult struct {
	IDs      []string
	Total    int
	measured bool // set by the bench when the query ran within its budget
}

func newPeer(name string) (peer, error) {
	switch name {
	case "safetysearch":
		return &safetysearchPeer{scoring: "bm25"}, nil
	case "safetysearch-tfidf":
		return &safetysearchPeer{scoring: "tf-idf"}, nil
	case "sqlite":
		return &sqlitePeer{}, nil
	case "postgres":
		return &postgresPeer{}, nil
	}
	return nil, fmt.Errorf("bench: unknown peer %q (want safetysearch, safetysearch-tfidf, sqlite or postgres)", name)
}

// articleText is the text a peer indexes for one article, for MB/s figures.
func articleText(a article.Article) int64 {
	n := len(a.Title) + len(a.Summary) + len(a.Body)
	for _, c := range a.Comments {
		n += len(c.Body)
	}
	return int64(n)
}

func dirSize(dir string) int64 {
	var n int64
	// A file that vanishes during the walk is not counted.
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

func since(t time.Time) float64 { return time.Since(t).Seconds() }

func itoa(n int) string { return strconv.Itoa(n) }
