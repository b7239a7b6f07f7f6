package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/crawler/pdftext"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// The documents mode measures the crawler's PDF text extraction (issue
// 15): PDFium's one-time start, extraction throughput in pages per second
// over the fixtures of testdata/pdf plus generated multi-page reports, how
// much a document page adds to an article in the store (its JSON), and how
// much it adds to the index: a synthetic corpus whose articles each carry a
// generated PDF, read by the same extractor, is indexed by the service's
// own rebuild with and without the documents' text.
//
//	go run . documents [-pdf ../../testdata/pdf] [-docs 5] [-pages 40] [-articles 300] [-article-pages 4] [-report reports/documents.md]

func documentsMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("safetysearch-bench documents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("pdf", "../../testdata/pdf", "folder of PDF fixtures")
	docs := fs.Int("docs", 5, "generated documents")
	pages := fs.Int("pages", 40, "pages per generated document")
	articles := fs.Int("articles", 300, "articles of the index corpus, each with a generated PDF (0: no index measurement)")
	articlePages := fs.Int("article-pages", 4, "pages of each index corpus article's PDF")
	seed := fs.Int64("seed", 42, "index corpus seed")
	report := fs.String("report", "", "also write the Markdown report to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx := context.Background()
	ex := pdftext.New(pdftext.Config{Workers: 1})
	defer ex.Close()
	res, err := runDocumentsBench(ctx, ex, *dir, *docs, *pages)
	if err == nil && *articles > 0 {
		res.growth, err = runDocumentIndexBench(ctx, ex, *seed, *articles, *articlePages)
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "safetysearch-bench documents:", err)
		return 1
	}
	md := res.report()
	_, _ = fmt.Fprint(stdout, md)
	if *report != "" {
		if err := os.WriteFile(*report, []byte(md), 0o644); err != nil {
			_, _ = fmt.Fprintln(stderr, "safetysearch-bench documents:", err)
			return 1
		}
	}
	return 0
}

// documentsResult is what the documents mode measured.
type documentsResult struct {
	start         time.Duration
	docs, pages   int
	refused       map[string]int
	elapsed       time.Duration
	textBytes     int // page text extracted
	jsonPerPage   float64
	fixtureFiles  int
	generatedDocs int
	pagesPerDoc   int
	growth        *indexGrowth // nil when not measured
}

// runDocumentsBench reads the fixtures of dir and nDocs generated
// nPages-page reports with ex, which it starts.
func runDocumentsBench(ctx context.Context, ex *pdftext.Extractor, dir string, nDocs, nPages int) (*documentsResult, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var inputs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, b)
	}
	res := &documentsResult{refused: map[string]int{}, fixtureFiles: len(inputs), generatedDocs: nDocs, pagesPerDoc: nPages}
	for i := range nDocs {
		inputs = append(inputs, syntheticReport(i, nPages))
	}
	t0 := time.Now()
	if err := ex.Start(ctx); err != nil {
		return nil, err
	}
	res.start = time.Since(t0)
	var withText, without int
	t0 = time.Now()
	for _, in := range inputs {
		pages, err := ex.ExtractPages(ctx, bytes.NewReader(in), benchMaxBytes, benchMaxPages, benchTimeout)
		if err != nil {
			if r := ex.RefusalReason(err); r != "" {
				res.refused[r]++
				continue
			}
			return nil, err
		}
		res.docs++
		res.pages += len(pages)
		for _, p := range pages {
			res.textBytes += len(p)
		}
		d := article.Document{ContentType: "application/pdf", Bytes: int64(len(in)), SHA256: strings.Repeat("0", 64),
			Status: article.DocExtracted, PageCount: len(pages), FetchedAt: time.Now().UTC()}
		a, err := json.Marshal(article.Attachment{Name: "report.pdf", URL: "https://example.org/report.pdf", Document: &d})
		if err != nil {
			return nil, err
		}
		d.Pages = pages
		b, err := json.Marshal(article.Attachment{Name: "report.pdf", URL: "https://example.org/report.pdf", Document: &d})
		if err != nil {
			return nil, err
		}
		without += len(a)
		withText += len(b)
	}
	res.elapsed = time.Since(t0)
	if res.pages > 0 {
		res.jsonPerPage = float64(withText-without) / float64(res.pages)
	}
	return res, nil
}

// The crawler's default limits, a shorter deadline: the bomb is refused by
// memory or by time, either way without stalling the run.
const (
	benchMaxBytes = 50 << 20
	benchMaxPages = 2000
	benchTimeout  = 20 * time.Second
)

// report is the Markdown the mode prints and writes with -report.
func (r *documentsResult) report() string {
	var b strings.Builder
	b.WriteString("## Documents: PDF text extraction and index growth per document page\n\n")
	fmt.Fprintf(&b, "- run: %s, `go run . documents` on %s\n", time.Now().UTC().Format(time.RFC3339), describeMachine())
	fmt.Fprintf(&b, "- extraction: the fixtures of testdata/pdf and %d generated %d-page reports, one PDFium worker, the crawler's limits\n", r.generatedDocs, r.pagesPerDoc)
	if g := r.growth; g != nil {
		fmt.Fprintf(&b, "- index: %d synthetic articles (seed %d), each with a generated %d-page PDF of the corpus's text read by the same extractor, "+
			"indexed by `indexer.Rebuild` (what `safetysearch index` runs) once with the documents' page text and once without their documents; "+
			"each built %d times in turn: the fastest build time, the median size\n",
			g.articles, g.seed, g.pagesPerArticle, buildRounds)
	}
	b.WriteString("\n")
	b.WriteString(r.table())
	if r.growth != nil {
		b.WriteString("\n")
		b.WriteString(r.growth.table())
	}
	return b.String()
}

func (r *documentsResult) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| documents (%d fixtures + %d generated) | value |\n|---|---|\n", r.fixtureFiles, r.generatedDocs)
	fmt.Fprintf(&b, "| PDFium start (once per process) | %s |\n", r.start.Round(time.Millisecond))
	fmt.Fprintf(&b, "| documents read / pages | %d / %d |\n", r.docs, r.pages)
	reasons := make([]string, 0, len(r.refused))
	for k, v := range r.refused {
		reasons = append(reasons, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(reasons)
	fmt.Fprintf(&b, "| refused | %s |\n", strings.Join(reasons, ", "))
	fmt.Fprintf(&b, "| time (refusals included) | %s |\n", r.elapsed.Round(time.Millisecond))
	if s := r.elapsed.Seconds(); s > 0 {
		fmt.Fprintf(&b, "| throughput | %.1f pages/s |\n", float64(r.pages)/s)
	}
	if r.pages > 0 {
		fmt.Fprintf(&b, "| text per page | %d bytes |\n", r.textBytes/r.pages)
	}
	fmt.Fprintf(&b, "| store growth per page (article JSON) | %.0f bytes |\n", r.jsonPerPage)
	return b.String()
}

// syntheticReport writes an n-page PDF (Helvetica, 40 lines a page) whose
// lines differ from page to page, so none is dropped as a running header.
func syntheticReport(doc, n int) []byte {
	words := []string{"patient", "safety", "investigation", "medication", "handover", "infusion", "ward",
		"recommendation", "escalation", "deterioration", "sepsis", "falls", "learning", "incident", "review", "staff"}
	seed := uint32(doc*7919 + 1)
	pages := make([][]string, n)
	for p := range n {
		for l := range 40 {
			var line []string
			for range 10 {
				seed = seed*1664525 + 1013904223
				line = append(line, words[seed>>28])
			}
			pages[p] = append(pages[p], fmt.Sprintf("%d.%d %s", p+1, l+1, strings.Join(line, " ")))
		}
	}
	return pdfOfLines(pages)
}

// pdfOfLines writes a PDF with one page per element of pages, each line of
// it a line of Helvetica text (ASCII).
func pdfOfLines(pages [][]string) []byte {
	n := len(pages)
	var objs []string
	kids := make([]string, n)
	for i := range n {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	esc := strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)
	for p, lines := range pages {
		var cs strings.Builder
		cs.WriteString("BT /F1 10 Tf 14 TL 60 790 Td\n")
		for _, l := range lines {
			fmt.Fprintf(&cs, "(%s) Tj T*\n", esc.Replace(l))
		}
		cs.WriteString("ET")
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 5+2*p),
			fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", cs.Len(), cs.String()))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
