package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/synthetic"
	"github.com/safetysearch/safetysearch/crawler/pdftext"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// indexGrowth is what a document page adds to the index: the same
// articles indexed with and without their documents.
type indexGrowth struct {
	seed                      int64
	articles, pagesPerArticle int
	pages                     int           // extracted, over all articles
	textBytes                 int64         // of those pages
	extract                   time.Duration // reading the corpus's PDFs
	without, with             buildStats
}

// Lines and words of a generated page, about a report page's worth of text.
const (
	linesPerPage = 40
	wordsPerLine = 10
)

// runDocumentIndexBench generates nArticles synthetic articles from seed,
// gives each one an attachment whose PDF (nPages pages of the corpus's
// text) ex reads as the crawler does, and builds the service's index of
// them twice: with the documents and with the attachments' documents
// removed, as a crawl with documents off stores them.
func runDocumentIndexBench(ctx context.Context, ex *pdftext.Extractor, seed int64, nArticles, nPages int) (*indexGrowth, error) {
	g := &indexGrowth{seed: seed, articles: nArticles, pagesPerArticle: nPages}
	words, err := corpusWords(seed+1, nArticles*nPages*linesPerPage*wordsPerLine)
	if err != nil {
		return nil, err
	}
	var with, without sliceSource
	err = synthetic.Generate(seed, nArticles, func(a article.Article) error {
		pages := make([][]string, nPages)
		for p := range pages {
			for range linesPerPage {
				pages[p] = append(pages[p], strings.Join(words[:wordsPerLine], " "))
				words = words[wordsPerLine:]
			}
		}
		pdf := pdfOfLines(pages)
		t0 := time.Now()
		text, err := ex.ExtractPages(ctx, bytes.NewReader(pdf), benchMaxBytes, benchMaxPages, benchTimeout)
		g.extract += time.Since(t0)
		if err != nil {
			return fmt.Errorf("article %s: its PDF: %w", a.ID, err)
		}
		g.pages += len(text)
		for _, p := range text {
			g.textBytes += int64(len(p))
		}
		name := "report-" + strconv.Itoa(len(with)+1) + ".pdf"
		att := article.Attachment{Name: name, URL: "https://synthetic.invalid/uploads/reports/" + name}
		without = append(without, withAttachment(a, att))
		att.Document = &article.Document{ContentType: "application/pdf", Bytes: int64(len(pdf)), SHA256: strings.Repeat("0", 64),
			Status: article.DocExtracted, PageCount: len(text), Pages: text, FetchedAt: a.FetchedAt}
		with = append(with, withAttachment(a, att))
		return nil
	})
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "safetysearch-bench-documents-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	// Each index is built buildRounds times, the two in turn, so that a
	// burst of other load on a shared machine does not land on one only.
	var runs [2][]buildStats
	peer := &safetysearchPeer{scoring: "bm25"}
	for r := range buildRounds {
		for i, src := range []sliceSource{without, with} {
			dir := filepath.Join(work, fmt.Sprintf("%d-%d", i, r))
			st, err := peer.build(ctx, dir, src)
			if err != nil {
				return nil, fmt.Errorf("index %s documents: %w", [2]string{"without", "with"}[i], err)
			}
			runs[i] = append(runs[i], st)
			if err := os.RemoveAll(dir); err != nil {
				return nil, err
			}
		}
	}
	g.without, g.with = typicalBuild(runs[0]), typicalBuild(runs[1])
	return g, nil
}

// buildRounds is how many times each index is built.
const buildRounds = 3

// typicalBuild is the fastest of runs' build times with the median of their
// sizes: time is only ever added by other load, while the size varies a
// little with the order in which segments were merged.
func typicalBuild(runs []buildStats) buildStats {
	out := slices.MinFunc(runs, func(a, b buildStats) int { return cmp.Compare(a.Seconds, b.Seconds) })
	sizes := make([]int64, len(runs))
	for i, r := range runs {
		sizes[i] = r.DiskBytes
	}
	slices.Sort(sizes)
	out.DiskBytes = sizes[len(sizes)/2]
	return out
}

// withAttachment is a with att after its own attachments (a copy: the
// generator's slice is not shared).
func withAttachment(a article.Article, att article.Attachment) article.Article {
	a.Attachments = append(append([]article.Attachment{}, a.Attachments...), att)
	return a
}

// corpusWords returns the first n words of the bodies of the synthetic
// corpus of seed: text with the corpus's vocabulary and word frequencies.
func corpusWords(seed int64, n int) ([]string, error) {
	errEnough := errors.New("enough words")
	words := make([]string, 0, n)
	err := synthetic.Generate(seed, math.MaxInt, func(a article.Article) error {
		words = append(words, strings.Fields(a.Body)...)
		if len(words) >= n {
			return errEnough
		}
		return nil
	})
	if !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("corpus words: %w", err)
	}
	return words[:n], nil
}

func (g *indexGrowth) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| index (%d articles, %d document pages) | without documents | with documents | difference |\n|---|---|---|---|\n",
		g.articles, g.pages)
	fmt.Fprintf(&b, "| on disk | %s | %s | %s |\n", inMiB(g.without.DiskBytes), inMiB(g.with.DiskBytes), inMiB(g.with.DiskBytes-g.without.DiskBytes))
	fmt.Fprintf(&b, "| build time | %.2fs | %.2fs | %.2fs |\n", g.without.Seconds, g.with.Seconds, g.with.Seconds-g.without.Seconds)
	if g.pages > 0 {
		fmt.Fprintf(&b, "| per document page (%d bytes of text) | | | %.0f bytes of index, %.2f ms of build |\n",
			g.textBytes/int64(g.pages), float64(g.with.DiskBytes-g.without.DiskBytes)/float64(g.pages), 1000*(g.with.Seconds-g.without.Seconds)/float64(g.pages))
	}
	if s := g.extract.Seconds(); s > 0 {
		fmt.Fprintf(&b, "| reading the corpus's PDFs | | %.1fs | %.1f pages/s |\n", s, float64(g.pages)/s)
	}
	return b.String()
}

func inMiB(n int64) string { return fmt.Sprintf("%.2f MiB", float64(n)/(1<<20)) }

// sliceSource is an indexer.Source of articles in memory.
type sliceSource []article.Article

func (s sliceSource) Count(context.Context) (int, error) { return len(s), nil }

func (s sliceSource) Each(ctx context.Context, fn func(article.Article) error) error {
	for _, a := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}
