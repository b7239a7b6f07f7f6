package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/crawler/pdftext"
)

// TestDocumentIndexGrowth builds the two indexes of a small corpus: every
// generated page is read back, the same articles are indexed both times
// and the document text makes the index larger.
func TestDocumentIndexGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PDFium")
	}
	ctx := context.Background()
	ex := pdftext.New(pdftext.Config{Workers: 1})
	defer ex.Close()
	if err := ex.Start(ctx); err != nil {
		t.Fatal(err)
	}

	// Parentheses and backslashes are escaped in the generated PDFs.
	got, err := ex.ExtractPages(ctx, bytes.NewReader(pdfOfLines([][]string{{`dose (mg) a\b`}, {"second page"}})), benchMaxBytes, benchMaxPages, benchTimeout)
	if err != nil || len(got) != 2 || got[0] != `dose (mg) a\b` || got[1] != "second page" {
		t.Fatalf("pdfOfLines read back as %q, %v", got, err)
	}

	g, err := runDocumentIndexBench(ctx, ex, 7, 6, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.pages != 12 {
		t.Errorf("pages = %d, want 6 articles × 2", g.pages)
	}
	if g.with.Docs != 6 || g.without.Docs != 6 {
		t.Errorf("indexed %d and %d articles, want 6 each", g.with.Docs, g.without.Docs)
	}
	if g.with.DiskBytes <= g.without.DiskBytes || g.without.DiskBytes == 0 {
		t.Errorf("index sizes: with %d, without %d bytes", g.with.DiskBytes, g.without.DiskBytes)
	}
	if tab := g.table(); !strings.Contains(tab, "| per document page (") || !strings.Contains(tab, "12 document pages") {
		t.Errorf("table:\n%s", tab)
	}
}

// TestCorpusWords: the pages' text is the corpus's, the same for a seed.
func TestCorpusWords(t *testing.T) {
	a, err := corpusWords(3, 5000)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := corpusWords(3, 5000)
	if len(a) != 5000 || strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("corpusWords: %d words, deterministic %v", len(a), strings.Join(a, " ") == strings.Join(b, " "))
	}
}
