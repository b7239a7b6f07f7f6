// Package csvexport writes articles as CSV, the one schema shared by
// `safetysearch export --format csv` and GET /api/v1/export?format=csv.
//
// The output is RFC 4180 (CRLF line ends, quoted fields where needed) and
// safe to open in a spreadsheet: a cell that begins with a character a
// spreadsheet reads as a formula is prefixed with an apostrophe (OWASP's
// advice against CSV injection), since cells hold crawled text.
package csvexport

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Header is the column row. Lists are joined with "; "; attachments are
// "name <url>"; comment_count is the number of comments and comments their
// JSON array (the objects of the JSON export); times are RFC 3339 UTC,
// empty when unknown. publisher is the article's publisher (its source in
// older stores); also_published lists the copies the index folded into it
// as "publisher <url>".
var Header = []string{
	"id", "url", "source", "publisher", "title", "author", "published", "updated", "category", "content_type",
	"regions", "audiences", "topics", "tags", "summary", "body", "reactions", "attachments",
	"comment_count", "comments", "fetched_at", "also_published",
}

// BOM is the UTF-8 byte order mark; spreadsheet programs need it to read
// the file as UTF-8 rather than a legacy code page.
const BOM = "\uFEFF"

// Options change the output.
type Options struct {
	// BOM starts the output with the UTF-8 byte order mark.
	BOM bool
}

// Writer writes the header, then one row per article. The header is
// written before the first row, or by Flush when there is none.
type Writer struct {
	out    io.Writer
	w      *csv.Writer
	opts   Options
	header bool
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer, opts Options) *Writer {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &Writer{out: w, w: cw, opts: opts}
}

func (e *Writer) start() error {
	if e.header {
		return nil
	}
	e.header = true
	if e.opts.BOM {
		if _, err := io.WriteString(e.out, BOM); err != nil {
			return fmt.Errorf("csvexport: %w", err)
		}
	}
	if err := e.w.Write(Header); err != nil {
		return fmt.Errorf("csvexport: %w", err)
	}
	return nil
}

// Write appends one article's row.
func (e *Writer) Write(a article.Article) error {
	if err := e.start(); err != nil {
		return err
	}
	row, err := Row(a)
	if err != nil {
		return err
	}
	if err := e.w.Write(row); err != nil {
		return fmt.Errorf("csvexport: %w", err)
	}
	return nil
}

// Flush writes the header if no row was written, then everything
// buffered.
func (e *Writer) Flush() error {
	if err := e.start(); err != nil {
		return err
	}
	e.w.Flush()
	if err := e.w.Error(); err != nil {
		return fmt.Errorf("csvexport: %w", err)
	}
	return nil
}

// Row is one article's cells in Header's order, neutralised.
func Row(a article.Article) ([]string, error) {
	comments := a.Comments
	if comments == nil {
		comments = []article.Comment{}
	}
	cj, err := json.Marshal(comments)
	if err != nil {
		return nil, fmt.Errorf("csvexport: comments of %s: %w", a.ID, err)
	}
	atts := make([]string, len(a.Attachments))
	for i, at := range a.Attachments {
		atts[i] = at.Name + " <" + at.URL + ">"
	}
	also := make([]string, len(a.AlsoPublished))
	for i, d := range a.AlsoPublished {
		also[i] = d.Publisher + " <" + d.URL + ">"
	}
	row := []string{
		a.ID, a.URL, a.Source, a.PublisherName(), a.Title, a.Author, timeCell(a.Published), timeCell(a.Updated), a.Category, a.ContentType,
		joinList(a.Regions), joinList(a.Audiences), joinList(a.Topics), joinList(a.Tags), a.Summary, a.Body,
		strconv.Itoa(a.Reactions), joinList(atts), strconv.Itoa(len(a.Comments)), string(cj), timeCell(a.FetchedAt),
		joinList(also),
	}
	for i, c := range row {
		row[i] = Neutralise(c)
	}
	return row, nil
}

// Neutralise prefixes a cell that a spreadsheet would read as a formula
// (it begins with =, +, -, @, tab or CR) with an apostrophe.
func Neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

func joinList(s []string) string { return strings.Join(s, "; ") }

func timeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
