package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
)

// The extraction mode scores `safetysearch extract` on the Scrapinghub
// article-extraction benchmark (181 news pages) beside the peers'
// published outputs kept in the same folder. The pages are read from
// there and never copied into the repository.
//
//	go run . extraction [-data DIR] [-report reports/extraction.md]

// extractionTarget is the F1 the generic extractor must reach.
const extractionTarget = 0.96

func extractionMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("safetysearch-bench extraction", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "../../../shared/external/article-extraction-benchmark", "the benchmark folder (html/, ground-truth.json, output/)")
	report := fs.String("report", "", "also write the Markdown table to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	rows, err := runExtractionBench(*data, stderr)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "safetysearch-bench extraction:", err)
		return 1
	}
	md := extractionTable(rows)
	_, _ = fmt.Fprint(stdout, md)
	if *report != "" {
		if err := os.WriteFile(*report, []byte(md), 0o644); err != nil {
			_, _ = fmt.Fprintln(stderr, "safetysearch-bench extraction:", err)
			return 1
		}
	}
	if rows[0].F1 < extractionTarget {
		_, _ = fmt.Fprintf(stderr, "safetysearch-bench extraction: F1 %.3f is below the target %.2f\n", rows[0].F1, extractionTarget)
		return 1
	}
	return 0
}

// extractionRow is one extractor's score; the first row is ours.
type extractionRow struct {
	Name string
	extractionScore
	Failed  int // pages our extractor refused (not an article, errors)
	Elapsed time.Duration
}

type groundTruth map[string]struct {
	ArticleBody string `json:"articleBody"`
	URL         string `json:"url"`
}

func runExtractionBench(dir string, stderr io.Writer) ([]extractionRow, error) {
	var gt groundTruth
	if err := readJSON(filepath.Join(dir, "ground-truth.json"), &gt); err != nil {
		return nil, err
	}
	truth := make(map[string]string, len(gt))
	for id, v := range gt {
		truth[id] = v.ArticleBody
	}
	ours := extractionRow{Name: "safetysearch extract"}
	pred := map[string]string{}
	start := time.Now()
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for id := range gt {
			if !yield(id) {
				return
			}
		}
	}) {
		body, err := readGzip(filepath.Join(dir, "html", id+".html.gz"))
		if err != nil {
			return nil, err
		}
		text, err := extractBody(gt[id].URL, body)
		if err != nil {
			ours.Failed++
			_, _ = fmt.Fprintf(stderr, "%s: %v\n", id[:min(12, len(id))], err)
		}
		pred[id] = text
	}
	ours.Elapsed = time.Since(start)
	ours.extractionScore = scoreExtraction(truth, pred, 1)
	rows := []extractionRow{ours}

	peers, err := filepath.Glob(filepath.Join(dir, "output", "*.json"))
	if err != nil {
		return nil, err
	}
	for _, p := range peers {
		out, err := readPeerOutput(p)
		if err != nil {
			return nil, err
		}
		rows = append(rows, extractionRow{Name: strings.TrimSuffix(filepath.Base(p), ".json"), extractionScore: scoreExtraction(truth, out, 1)})
	}
	slices.SortStableFunc(rows[1:], func(a, b extractionRow) int {
		switch {
		case a.F1 > b.F1:
			return -1
		case a.F1 < b.F1:
			return 1
		}
		return 0
	})
	return rows, nil
}

// extractBody is what `safetysearch extract` stores as the body of the page.
func extractBody(pageURL string, body []byte) (string, error) {
	u, err := url.Parse(pageURL)
	if err != nil {
		return "", err
	}
	ex, err := crawler.ExtractArticle(u, body, crawler.ExtractOptions{Source: "bench"})
	if err != nil {
		return "", err
	}
	return ex.Article.Body, nil
}

// readPeerOutput reads {id: {"articleBody": …}}, bare or wrapped in
// {"version": v, "output": {…}}.
func readPeerOutput(path string) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := readJSON(path, &raw); err != nil {
		return nil, err
	}
	if o, ok := raw["output"]; ok {
		raw = nil
		if err := json.Unmarshal(o, &raw); err != nil {
			return nil, fmt.Errorf("%s: output: %w", path, err)
		}
	}
	out := make(map[string]string, len(raw))
	for id, v := range raw {
		var d struct {
			ArticleBody string `json:"articleBody"`
		}
		if err := json.Unmarshal(v, &d); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, id, err)
		}
		out[id] = d.ArticleBody
	}
	return out, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readGzip(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "(unknown)"
}

func extractionTable(rows []extractionRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Article extraction (Scrapinghub benchmark, %d pages, 4-gram shingle F1)\n\n", rows[0].Docs)
	fmt.Fprintf(&b, "- run: %s, %s, go-trafilatura %s\n", time.Now().UTC().Format(time.RFC3339), runtime.Version(), moduleVersion("github.com/markusmobius/go-trafilatura"))
	b.WriteString("- ours: `crawler.ExtractArticle`, the function `safetysearch extract` calls, on each page with its ground-truth URL; the peers: their published outputs in the benchmark's `output/`, scored here the same way\n")
	b.WriteString("- score: tokens are `\\w+` runs, 4-gram shingles, per-page TP/FP/FN normalised to 1; precision and recall are means over pages, F1 of the means; ± is the bootstrap standard deviation of F1 (1000 resamples); accuracy is the share of pages whose token lists are equal\n\n")
	b.WriteString("| extractor | F1 | ± | precision | recall | accuracy |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %.4f | %.3f | %.3f | %.3f | %.3f |\n", r.Name, r.F1, r.F1Std, r.Precision, r.Recall, r.Accuracy)
	}
	fmt.Fprintf(&b, "\nsafetysearch extract: %d pages refused as not an article, %s in all; target F1 ≥ %.2f.\n",
		rows[0].Failed, rows[0].Elapsed.Round(time.Millisecond), extractionTarget)
	return b.String()
}
