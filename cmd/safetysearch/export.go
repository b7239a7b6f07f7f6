package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/searchapi/csvexport"
)

// exportFormat is a value of `export --format`.
type exportFormat string

const (
	formatJSONL exportFormat = "jsonl"
	formatCSV   exportFormat = "csv"
)

func defineExport(m *Main, fs *flag.FlagSet) {
	fs.Func("format", "output `FORMAT`: jsonl (one article JSON per line) or csv (default jsonl)", func(v string) error {
		f := exportFormat(v)
		if f != formatJSONL && f != formatCSV {
			return fmt.Errorf("expected jsonl or csv")
		}
		m.exportFormat = f
		return nil
	})
	fs.BoolVar(&m.exportBOM, "bom", false, "start a CSV with the UTF-8 byte order mark, for spreadsheet programs")
	fs.Func("include", "`WHAT` to add to each article: attachment_text (the text of each attached or linked document, page by page)", func(v string) error {
		if v != includeAttachmentText {
			return fmt.Errorf("expected %s", includeAttachmentText)
		}
		m.exportAttachmentText = true
		return nil
	})
}

// includeAttachmentText is the value of `export --include` that keeps the
// documents' page text, left out by default for its size.
const includeAttachmentText = "attachment_text"

// withoutAttachmentText returns a with each document's Pages left out;
// status and page count stay.
func withoutAttachmentText(a article.Article) article.Article {
	if len(a.Attachments) == 0 {
		return a
	}
	atts := make([]article.Attachment, len(a.Attachments))
	for i, at := range a.Attachments {
		if at.Document != nil {
			d := *at.Document
			d.Pages = nil
			at.Document = &d
		}
		atts[i] = at
	}
	a.Attachments = atts
	return a
}

func (m *Main) runExport(ctx context.Context) error {
	format := m.exportFormat
	if format == "" {
		format = formatJSONL
	}
	st, err := m.openStore(true)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(m.Stdout)
	ex, err := newExporter(bw, format, m.exportBOM)
	if err != nil {
		return err
	}
	n := 0
	err = st.Each(ctx, func(a article.Article) error {
		n++
		if !m.exportAttachmentText {
			a = withoutAttachmentText(a)
		}
		return ex.Write(a)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ex.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	m.logger.Info("export done", "articles", n, "format", format)
	return nil
}

// exporter writes articles in one format.
type exporter interface {
	Write(article.Article) error
	Flush() error
}

func newExporter(w io.Writer, format exportFormat, bom bool) (exporter, error) {
	switch format {
	case formatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return jsonlExporter{enc}, nil
	case formatCSV:
		// The schema the HTTP export writes too (README, "Export").
		return csvexport.NewWriter(w, csvexport.Options{BOM: bom}), nil
	}
	return nil, usageErrorf("export: unknown format %q: expected jsonl or csv", format)
}

// jsonlExporter writes one Article JSON (article.Article.MarshalJSON) per
// line.
type jsonlExporter struct{ enc *json.Encoder }

func (e jsonlExporter) Write(a article.Article) error { return e.enc.Encode(a) }
func (e jsonlExporter) Flush() error                  { return nil }
