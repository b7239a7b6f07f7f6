package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer"
)

// searchOptions are the flags of `search`.
type searchOptions struct {
	json     bool
	query    indexer.Query
	fromText string
	toText   string
}

func defineSearch(m *Main, fs *flag.FlagSet) {
	o := &m.search
	fs.BoolVar(&o.json, "json", false, "print the result as JSON (the body of GET /api/v1/search)")
	list := func(name, help string, dst *[]string) {
		fs.Func(name, help+" (repeatable; OR within, AND across filters)", func(v string) error {
			*dst = append(*dst, v)
			return nil
		})
	}
	list("region", "only articles for `REGION`, e.g. UK", &o.query.Regions)
	list("audience", "only articles for `AUDIENCE`, e.g. Everyone", &o.query.Audiences)
	list("topic", "only articles about `TOPIC`", &o.query.Topics)
	list("type", "only articles of content `TYPE`, e.g. \"Reports and articles\", Guides or Blogs; a prefix is enough (--type report)", &o.query.Types)
	list("tag", "only articles with raw `TAG`", &o.query.Tags)
	list("author", "only articles by `AUTHOR`", &o.query.Authors)
	list("publisher", "only articles published by `PUBLISHER` (or folded duplicates of theirs), e.g. HSSIB", &o.query.Publishers)
	fs.Func("year", "only articles published in `YEAR` (repeatable)", func(v string) error {
		y, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("expected a year such as 2024")
		}
		o.query.Years = append(o.query.Years, y)
		return nil
	})
	fs.StringVar(&o.fromText, "from", "", "published on or after `DATE` (YYYY-MM-DD)")
	fs.StringVar(&o.toText, "to", "", "published on or before `DATE` (YYYY-MM-DD)")
	fs.Func("sort", "`ORDER`: relevance, newest or oldest (default relevance with text, newest without)", func(v string) error {
		switch indexer.Sort(v) {
		case indexer.SortRelevance, indexer.SortNewest, indexer.SortOldest:
			o.query.Sort = indexer.Sort(v)
			return nil
		}
		return errors.New("expected relevance, newest or oldest")
	})
	fs.BoolVar(&o.query.HasAttachment, "has-attachment", false, "only articles with an attachment (an attached or linked document)")
	fs.IntVar(&o.query.Page, "page", 1, "result `PAGE`, from 1")
	fs.IntVar(&o.query.PerPage, "per-page", 10, "results per page, at most "+strconv.Itoa(indexer.MaxPerPage))
}

// buildQuery completes the query from the positional arguments and dates.
func (o *searchOptions) buildQuery(args []string) (indexer.Query, error) {
	q := o.query
	q.Text = strings.Join(args, " ")
	q.Highlight = true
	for _, d := range []struct {
		flag, text string
		dst        *time.Time
	}{{"--from", o.fromText, &q.From}, {"--to", o.toText, &q.To}} {
		if d.text == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.text)
		if err != nil {
			return q, usageErrorf("%s %q: expected a date YYYY-MM-DD", d.flag, d.text)
		}
		*d.dst = t
	}
	return q, nil
}

func (m *Main) runSearch(ctx context.Context) error {
	q, err := m.search.buildQuery(m.args)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(m.cfg.DataDir, indexDir)); err != nil {
		return fmt.Errorf("search: no index in %s (%v): run `safetysearch index` (after a crawl), or pass --data DIR", m.cfg.DataDir, err)
	}
	ix, err := m.openIndex(ctx, nil)
	if err != nil {
		return err
	}
	if q.Types, err = resolveTypes(ctx, ix, q.Types); err != nil {
		return err
	}
	res, err := ix.Search(ctx, q)
	if err != nil {
		return m.searchError(q.Text, err)
	}
	if m.search.json {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printResult(m.Stdout, res, isTerminal(m.Stdout))
}

// searchError explains an invalid query; a query-text error gets a caret
// under the position.
func (m *Main) searchError(text string, err error) error {
	var qe *indexer.QueryError
	var pe *indexer.ParamError
	switch {
	case errors.As(err, &qe):
		fmt.Fprintf(m.Stderr, "safetysearch: %v\n  %s\n  %s^\n", qe, text, caretPad(text, qe.Pos))
		return &usageError{err: err, printed: true}
	case errors.As(err, &pe):
		name := "--" + strings.ReplaceAll(pe.Param, "_", "-")
		if pe.Param == "q" {
			name = "QUERY"
		}
		return &usageError{err: fmt.Errorf("search: invalid %s: %s", name, pe.Msg)}
	case errors.Is(err, indexer.ErrUnavailable):
		return fmt.Errorf("search: no index in %s: run `safetysearch index` (or crawl first): %w", m.cfg.DataDir, err)
	}
	return fmt.Errorf("search: %w", err)
}

// caretPad is the blank space that puts a caret under byte offset pos.
func caretPad(text string, pos int) string {
	if pos < 0 {
		pos = 0
	}
	if pos > len(text) {
		pos = len(text)
	}
	return strings.Repeat(" ", utf8.RuneCountInString(text[:pos]))
}

// printResult writes a result for people: a ranked list with highlighted
// snippets, then facet counts, expansions, relaxation, total and time.
func printResult(w io.Writer, r *indexer.Result, terminal bool) error {
	ew := &errWriter{w: w}
	pages := 1
	if r.PerPage > 0 {
		pages = int((r.Total + uint64(r.PerPage) - 1) / uint64(r.PerPage))
	}
	query := r.Query
	if query == "" {
		query = "(all articles)"
	}
	ew.printf("%s: %d result%s, page %d of %d, %d ms\n\n", query, r.Total, plural(r.Total), r.Page, max(pages, 1), r.TookMS)
	if len(r.Hits) == 0 {
		ew.printf("No articles match.\n")
		if nr := r.NoResults; nr != nil {
			if nr.DidYouMean != "" {
				ew.printf("Did you mean: %s\n", nr.DidYouMean)
			}
			for _, f := range nr.Filters {
				ew.printf("Without the %s filter (%s): %d result%s\n", f.Filter, strings.Join(f.Values, ", "), f.Count, plural(f.Count))
			}
		}
	} else {
		ew.printf("%4s  %-10s  %-14s  %7s  %s\n", "#", "DATE", "TYPE", "SCORE", "TITLE")
	}
	first := (max(r.Page, 1)-1)*r.PerPage + 1
	for i, h := range r.Hits {
		date := ""
		if !h.Published.IsZero() {
			date = h.Published.Format("2006-01-02")
		}
		title := h.Title
		if len(h.Highlights.Title) > 0 {
			title = renderMarks(h.Highlights.Title[0], terminal)
		}
		ew.printf("%4d  %-10s  %-14s  %7.3f  %s\n", first+i, date, truncate(h.Type, 14), h.Score, title)
		indent := strings.Repeat(" ", 6)
		if facets := strings.Join(append(append([]string{}, h.Regions...), h.Audiences...), ", "); facets != "" {
			ew.printf("%s%s\n", indent, facets)
		}
		for _, frag := range h.Highlights.Body {
			ew.printf("%s%s\n", indent, renderMarks(oneLine(frag), terminal))
		}
		if h.MatchedComments > 0 {
			ew.printf("%smatched in %d of %d comments\n", indent, h.MatchedComments, h.CommentCount)
			for _, frag := range h.Highlights.Comments {
				ew.printf("%s  comment: %s\n", indent, renderMarks(oneLine(frag), terminal))
			}
		}
		for _, d := range h.Documents {
			ew.printf("%s%s: %s\n", indent, d.Sentence(), d.Link)
			if d.Highlight != "" {
				ew.printf("%s  %s\n", indent, renderMarks(oneLine(d.Highlight), terminal))
			}
		}
		ew.printf("%s%s\n", indent, h.URL)
		for _, d := range h.AlsoPublished {
			ew.printf("%salso published by %s: %s\n", indent, d.Publisher, d.URL)
		}
	}
	if hasFacetValues(r.Facets) {
		ew.printf("\nFacets:\n")
		names := make([]string, 0, len(r.Facets))
		for n := range r.Facets {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if len(r.Facets[n]) == 0 {
				continue
			}
			var parts []string
			for _, v := range r.Facets[n] {
				mark := ""
				if v.Selected {
					mark = "*"
				}
				parts = append(parts, fmt.Sprintf("%s%s (%d)", mark, v.Value, v.Count))
			}
			ew.printf("  %-9s %s\n", n+":", strings.Join(parts, ", "))
		}
	}
	for _, e := range r.Expansions {
		ew.printf("\nAlso searched %q as: %s", e.Term, strings.Join(e.Expanded, ", "))
	}
	if len(r.Expansions) > 0 {
		ew.printf("\n")
	}
	if r.Relaxed != nil && len(r.Relaxed.Optional) > 0 {
		ew.printf("\n%s\n", r.Relaxed.Sentence())
	}
	return ew.err
}

func hasFacetValues(f map[string][]indexer.FacetValue) bool {
	for _, v := range f {
		if len(v) > 0 {
			return true
		}
	}
	return false
}

// renderMarks turns an HTML-escaped fragment with <mark> into plain text:
// bold on a terminal, [[word]] otherwise.
func renderMarks(frag string, terminal bool) string {
	open, closing := "[[", "]]"
	if terminal {
		open, closing = "\x1b[1m", "\x1b[0m"
	}
	frag = strings.ReplaceAll(frag, "<mark>", "\x00")
	frag = strings.ReplaceAll(frag, "</mark>", "\x01")
	frag = html.UnescapeString(frag)
	// Drop any control character that came from the text itself.
	frag = strings.Map(func(r rune) rune {
		if r < 0x20 && r != 0 && r != 1 {
			return ' '
		}
		return r
	}, frag)
	frag = strings.ReplaceAll(frag, "\x00", open)
	return strings.ReplaceAll(frag, "\x01", closing)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
