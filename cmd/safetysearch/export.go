package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Export formats.
const (
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

func defineExport(m *Main, fs *flag.FlagSet) {
	fs.Func("format", "output `FORMAT`: jsonl (one article JSON per line) or csv (default jsonl)", func(v string) error {
		if v != formatJSONL && v != formatCSV {
			return fmt.Errorf("expected jsonl or csv")
		}
		m.exportFormat = v
		return nil
	})
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
	ex, err := newExporter(bw, format)
	if err != nil {
		return err
	}
	n := 0
	err = st.Each(ctx, func(a article.Article) error {
		n++
		return ex.Write(a)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := ex.Close(); err != nil {
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
	Close() error
}

func newExporter(w io.Writer, format string) (exporter, error) {
	switch format {
	case formatJSONL:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return jsonlExporter{enc}, nil
	case formatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return nil, err
		}
		return &csvExporter{cw}, nil
	}
	return nil, usageErrorf("export: unknown format %q: expected jsonl or csv", format)
}

// jsonlExporter writes one Article JSON (article.Article.MarshalJSON) per
// line.
type jsonlExporter struct{ enc *json.Encoder }

func (e jsonlExporter) Write(a article.Article) error { return e.enc.Encode(a) }
func (e jsonlExporter) Close() error                  { return nil }

// csvHeader are the columns of the CSV export. Lists are joined with "; ";
// attachments are "name <url>"; comment_count is the number of comments and
// comments is their JSON array (the same objects as in the JSON export);
// times are RFC 3339 UTC, empty when unknown.
var csvHeader = []string{
	"id", "url", "source", "title", "author", "published", "updated", "category", "content_type",
	"regions", "audiences", "topics", "tags", "summary", "body", "reactions", "attachments",
	"comment_count", "comments", "fetched_at",
}

type csvExporter struct{ w *csv.Writer }

func (e *csvExporter) Write(a article.Article) error {
	comments := a.Comments
	if comments == nil {
		comments = []article.Comment{}
	}
	cj, err := json.Marshal(comments)
	if err != nil {
		return err
	}
	atts := make([]string, len(a.Attachments))
	for i, at := range a.Attachments {
		atts[i] = at.Name + " <" + at.URL + ">"
	}
	return e.w.Write([]string{
		a.ID, a.URL, a.Source, a.Title, a.Author, csvTime(a.Published), csvTime(a.Updated), a.Category, a.ContentType,
		joinList(a.Regions), joinList(a.Audiences), joinList(a.Topics), joinList(a.Tags), a.Summary, a.Body,
		strconv.Itoa(a.Reactions), joinList(atts), strconv.Itoa(len(a.Comments)), string(cj), csvTime(a.FetchedAt),
	})
}

func (e *csvExporter) Close() error {
	e.w.Flush()
	return e.w.Error()
}

func joinList(s []string) string { return strings.Join(s, "; ") }

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
