package searchapi

// Citation export writers: CSV, RIS, BibTeX and JSON Lines. Each writer
// takes one article at a time so a whole result set streams to the client
// without being held in memory.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/searchapi/csvexport"
)

// exportWriter writes articles in one export format.
type exportWriter interface {
	Write(a article.Article) error
	// Flush writes anything buffered; it is called once at the end and may be
	// called between articles to push bytes to the client.
	Flush() error
}

// exportFormat describes one value of the export "format" parameter.
type exportFormat struct {
	Name        string
	Label       string // on the search page
	ContentType string
	Ext         string
	New         func(w io.Writer, o exportOptions) exportWriter
}

// exportOptions are the export parameters besides the search and format.
type exportOptions struct {
	BOM bool // start a CSV with the UTF-8 byte order mark
}

// exportFormats lists the formats in the order the page offers them.
func exportFormats() []exportFormat {
	return []exportFormat{
		{Name: "csv", Label: "CSV", ContentType: "text/csv; charset=utf-8", Ext: "csv", New: newCSVExport},
		{Name: "ris", Label: "RIS", ContentType: "application/x-research-info-systems; charset=utf-8", Ext: "ris", New: newRISExport},
		{Name: "bibtex", Label: "BibTeX", ContentType: "application/x-bibtex; charset=utf-8", Ext: "bib", New: newBibTeXExport},
		{Name: "jsonl", Label: "JSON Lines", ContentType: "application/x-ndjson; charset=utf-8", Ext: "jsonl", New: newJSONLExport},
	}
}

// lookupExportFormat finds a format by name (case-insensitive).
func lookupExportFormat(name string) (exportFormat, bool) {
	for _, f := range exportFormats() {
		if strings.EqualFold(f.Name, strings.TrimSpace(name)) {
			return f, true
		}
	}
	return exportFormat{}, false
}

// exportFormatNames is the list of accepted names, for error messages.
func exportFormatNames() []string {
	var names []string
	for _, f := range exportFormats() {
		names = append(names, f.Name)
	}
	return names
}

// ---- CSV ----
// The schema and its neutralisation live in package csvexport, shared with
// `safetysearch export --format csv`.

func newCSVExport(w io.Writer, o exportOptions) exportWriter {
	return csvexport.NewWriter(w, csvexport.Options{BOM: o.BOM})
}

// ---- RIS ----
// RIS (Research Information Systems): one "XX  - value" tag per line, each
// record starting with TY and ending with ER. Lines end in CRLF as in the
// format's specification; values never contain line breaks (folded to a
// space).

// stickyWriter buffers output; a write error is kept by bufio.Writer and
// returned by the next Flush, which every exporter calls per article.
type stickyWriter struct{ *bufio.Writer }

func (w stickyWriter) put(s string) { _, _ = w.WriteString(s) }

type risExport struct{ w stickyWriter }

func newRISExport(w io.Writer, _ exportOptions) exportWriter {
	return &risExport{w: stickyWriter{bufio.NewWriter(w)}}
}

// foldLine turns every run of whitespace (line breaks included) into one
// space and trims the ends.
func foldLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func (e *risExport) tag(tag, value string) {
	value = foldLine(value)
	if value == "" {
		return
	}
	e.w.put(tag + "  - " + value + "\r\n")
}

func (e *risExport) Write(a article.Article) error {
	e.w.put("TY  - ELEC\r\n")
	e.tag("ID", a.ID)
	e.tag("TI", a.Title)
	if family, given, ok := personName(foldLine(a.Author)); ok {
		e.tag("AU", family+", "+given)
	} else {
		e.tag("AU", a.Author)
	}
	if !a.Published.IsZero() {
		p := a.Published.UTC()
		e.tag("PY", strconv.Itoa(p.Year()))
		e.tag("DA", p.Format("2006/01/02/"))
	}
	e.tag("UR", a.URL)
	e.tag("DB", a.Source)
	e.tag("PB", a.PublisherName())
	e.tag("M3", a.ContentType)
	e.tag("N1", a.Category)
	e.tag("AB", a.Summary)
	for _, k := range dedupe(a.Regions, a.Audiences, a.Topics, a.Tags) {
		e.tag("KW", k)
	}
	e.w.put("ER  - \r\n\r\n")
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("searchapi: export ris: %w", err)
	}
	return nil
}

func (e *risExport) Flush() error {
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("searchapi: export ris: %w", err)
	}
	return nil
}

// dedupe joins lists keeping the first occurrence of each value
// (case-insensitive) and dropping empty ones.
func dedupe(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, v := range l {
			k := strings.ToLower(strings.TrimSpace(v))
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// ---- BibTeX ----
// Every article is a @misc entry (a web publication: no journal, volume or
// pages). Keys are unique within one export; values are brace-delimited
// with TeX special characters escaped.

type bibtexExport struct {
	w    stickyWriter
	keys map[string]bool
}

func newBibTeXExport(w io.Writer, _ exportOptions) exportWriter {
	return &bibtexExport{w: stickyWriter{bufio.NewWriter(w)}, keys: map[string]bool{}}
}

var texEscaper = strings.NewReplacer(
	`\`, `\textbackslash{}`,
	`{`, `\{`,
	`}`, `\}`,
	`%`, `\%`,
	`&`, `\&`,
	`$`, `\$`,
	`#`, `\#`,
	`_`, `\_`,
	`~`, `\textasciitilde{}`,
	`^`, `\textasciicircum{}`,
)

// texEscape escapes TeX's special characters and folds line breaks.
func texEscape(s string) string { return texEscaper.Replace(foldLine(s)) }

// bibURL keeps a URL verbatim except for characters that would break a
// brace-delimited field or \url{}.
func bibURL(u string) string {
	var b strings.Builder
	for _, r := range foldLine(u) {
		switch r {
		case '{', '}', '\\', ' ', '"':
			fmt.Fprintf(&b, "%%%02X", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// bibKeyWord is the first word of the title of at least four letters,
// lower-case ASCII only.
func bibKeyWord(title string) string {
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}) {
		if len(w) >= 4 {
			return w
		}
	}
	return "article"
}

func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (e *bibtexExport) key(a article.Article) string {
	base := asciiLower(a.Source)
	if base == "" {
		base = "safetysearch"
	}
	if !a.Published.IsZero() {
		base += strconv.Itoa(a.Published.UTC().Year())
	}
	base += bibKeyWord(a.Title)
	k := base
	for n := 2; e.keys[k]; n++ {
		k = base + "-" + strconv.Itoa(n)
	}
	e.keys[k] = true
	return k
}

var bibMonths = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func (e *bibtexExport) field(name, value string) {
	if value == "" {
		return
	}
	e.w.put("  " + name + " = {" + value + "},\n")
}

func (e *bibtexExport) Write(a article.Article) error {
	e.w.put("@misc{" + e.key(a) + ",\n")
	e.field("title", texEscape(a.Title))
	if family, given, ok := personName(foldLine(a.Author)); ok {
		e.field("author", texEscape(family+", "+given))
	} else if a.Author != "" {
		// Double braces keep an organisation one literal name.
		e.field("author", "{"+texEscape(a.Author)+"}")
	}
	if !a.Published.IsZero() {
		p := a.Published.UTC()
		e.field("year", strconv.Itoa(p.Year()))
		e.w.put("  month = " + bibMonths[p.Month()-1] + ",\n")
		e.field("date", p.Format("2006-01-02"))
	}
	if a.URL != "" {
		u := bibURL(a.URL)
		e.field("url", u)
		e.field("howpublished", `\url{`+u+`}`)
	}
	e.field("organization", texEscape(a.Source))
	e.field("publisher", texEscape(a.PublisherName()))
	e.field("type", texEscape(a.ContentType))
	e.field("keywords", texEscape(strings.Join(dedupe(a.Regions, a.Audiences, a.Topics, a.Tags), ", ")))
	e.field("abstract", texEscape(a.Summary))
	e.field("note", texEscape(a.Category))
	e.w.put("}\n\n")
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("searchapi: export bibtex: %w", err)
	}
	return nil
}

func (e *bibtexExport) Flush() error {
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("searchapi: export bibtex: %w", err)
	}
	return nil
}

// ---- JSON Lines ----
// One Article per line, in the same JSON shape as GET /api/v1/articles/{id}.

type jsonlExport struct{ enc *json.Encoder }

func newJSONLExport(w io.Writer, _ exportOptions) exportWriter {
	return &jsonlExport{enc: json.NewEncoder(w)}
}

func (e *jsonlExport) Write(a article.Article) error {
	if err := e.enc.Encode(a); err != nil {
		return fmt.Errorf("searchapi: export jsonl: %w", err)
	}
	return nil
}

func (e *jsonlExport) Flush() error { return nil }

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// exportFilename is "safetysearch-<query slug>-<yyyymmdd>.<ext>".
func exportFilename(text, ext string, now time.Time) string {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(text), "-"), "-")
	if len(slug) > 40 {
		slug = strings.TrimRight(slug[:40], "-")
	}
	name := "safetysearch"
	if slug != "" {
		name += "-" + slug
	}
	return name + "-" + now.UTC().Format("20060102") + "." + ext
}
