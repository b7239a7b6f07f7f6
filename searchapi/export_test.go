package searchapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// exportArticles are articles with every character the formats must
// escape, plus two with the same key material (duplicate BibTeX keys).
func exportArticles() []article.Article {
	pub := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	return []article.Article{
		{
			ID: "pslhub:r1", URL: "https://www.pslhub.org/learn/r1-psirf/", Source: "pslhub",
			Title:  "PSIRF, \"the framework\"\nand its <script>alert(1)</script> rules",
			Author: "Patient Safety Learning", Published: pub, Updated: pub.Add(48 * time.Hour),
			Category: "Improving patient safety", ContentType: "News",
			Regions: []string{"UK"}, Audiences: []string{"Everyone"}, Topics: []string{"PSIRF"},
			Tags:     []string{"UK", "PSIRF", "incident_response"},
			Summary:  "Costs 100% & more: $5 #1 ~approx ^caret back\\slash {braces}\r\nsecond line",
			Comments: []article.Comment{{ID: "10", Author: "A", Body: "c"}},
		},
		{
			ID: "pslhub:r2", URL: "https://www.pslhub.org/learn/r2-psirf/", Source: "pslhub",
			Title: "PSIRF again", Published: pub,
		},
		{
			ID: "pslhub:r3", URL: "https://www.pslhub.org/learn/r3/", Source: "pslhub",
			Title: "PSIRF again", Published: pub, // same key material as r2
		},
		{ID: "pslhub:r4", Source: "pslhub", Title: "No date, no URL"},
	}
}

func writeExport(t *testing.T, format string, arts []article.Article) string {
	t.Helper()
	f, ok := lookupExportFormat(format)
	if !ok {
		t.Fatalf("format %q unknown", format)
	}
	var buf bytes.Buffer
	w := f.New(&buf, exportOptions{})
	for _, a := range arts {
		if err := w.Write(a); err != nil {
			t.Fatalf("%s Write: %v", format, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatalf("%s Flush: %v", format, err)
	}
	return buf.String()
}

func TestExportFormatsLookup(t *testing.T) {
	for _, name := range []string{"csv", "RIS", " bibtex ", "jsonl"} {
		if _, ok := lookupExportFormat(name); !ok {
			t.Errorf("lookupExportFormat(%q) = not found", name)
		}
	}
	for _, name := range []string{"", "xml", "bib"} {
		if _, ok := lookupExportFormat(name); ok {
			t.Errorf("lookupExportFormat(%q) found a format", name)
		}
	}
}

func TestExportCSVRoundTrip(t *testing.T) {
	arts := exportArticles()
	out := writeExport(t, "csv", arts)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("read back CSV: %v\n%s", err, out)
	}
	if len(recs) != len(arts)+1 {
		t.Fatalf("got %d records, want header + %d", len(recs), len(arts))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"id", "title", "url", "author", "published", "summary", "tags"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("header lacks %q: %v", h, recs[0])
		}
	}
	for i, a := range arts {
		r := recs[i+1]
		// encoding/csv reads a quoted CRLF back as LF (RFC 4180 readers differ).
		wantSummary := strings.ReplaceAll(a.Summary, "\r\n", "\n")
		if r[col["id"]] != a.ID || r[col["title"]] != a.Title || r[col["summary"]] != wantSummary ||
			r[col["url"]] != a.URL || r[col["author"]] != a.Author {
			t.Errorf("record %d does not round-trip:\n got %q\nwant id %q title %q summary %q", i, r, a.ID, a.Title, a.Summary)
		}
	}
	if got := recs[1][col["published"]]; got != "2024-03-05T10:00:00Z" {
		t.Errorf("published = %q, want 2024-03-05T10:00:00Z", got)
	}
	if got := recs[1][col["tags"]]; got != "UK; PSIRF; incident_response" {
		t.Errorf("tags = %q", got)
	}
	// An empty export is still a valid CSV with its header.
	empty := writeExport(t, "csv", nil)
	if recs, err := csv.NewReader(strings.NewReader(empty)).ReadAll(); err != nil || len(recs) != 1 {
		t.Errorf("empty export = %q (%v), want the header row only", empty, err)
	}
}

// risRecord is one parsed RIS record: tags in order with their values.
type risRecord struct {
	tags   []string
	values map[string][]string
}

// parseRIS reads RIS strictly: every non-blank line is "XX  - value"
// (CRLF-terminated), records start with TY and end with ER.
func parseRIS(t *testing.T, s string) []risRecord {
	t.Helper()
	line := regexp.MustCompile(`^([A-Z][A-Z0-9])  - (.*)$`)
	var recs []risRecord
	var cur *risRecord
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Split(scanCRLF(t))
	for sc.Scan() {
		l := sc.Text()
		if l == "" {
			if cur != nil {
				t.Fatalf("blank line inside a record")
			}
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("RIS line %q is not of the form 'XX  - value'", l)
		}
		tag, val := m[1], m[2]
		switch {
		case cur == nil && tag != "TY":
			t.Fatalf("record starts with %s, want TY", tag)
		case cur == nil:
			cur = &risRecord{values: map[string][]string{}}
		case tag == "TY":
			t.Fatalf("TY inside a record")
		}
		cur.tags = append(cur.tags, tag)
		cur.values[tag] = append(cur.values[tag], val)
		if tag == "ER" {
			if val != "" {
				t.Errorf("ER carries a value %q", val)
			}
			recs = append(recs, *cur)
			cur = nil
		}
	}
	if cur != nil {
		t.Fatalf("last record has no ER")
	}
	return recs
}

// scanCRLF splits lines on CRLF and fails on a bare LF or CR.
func scanCRLF(t *testing.T) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.Index(data, []byte("\r\n")); i >= 0 {
			if bytes.ContainsAny(data[:i], "\r\n") {
				t.Errorf("bare line break in %q", data[:i])
			}
			return i + 2, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		if atEOF {
			return 0, nil, io.EOF
		}
		return 0, nil, nil
	}
}

func TestExportRIS(t *testing.T) {
	arts := exportArticles()
	recs := parseRIS(t, writeExport(t, "ris", arts))
	if len(recs) != len(arts) {
		t.Fatalf("got %d RIS records, want %d", len(recs), len(arts))
	}
	for i, r := range recs {
		a := arts[i]
		if r.tags[0] != "TY" || r.tags[len(r.tags)-1] != "ER" {
			t.Errorf("record %d: tags %v must start with TY and end with ER", i, r.tags)
		}
		if got := r.values["TI"]; len(got) != 1 || got[0] != foldLine(a.Title) {
			t.Errorf("record %d: TI = %q, want %q", i, got, foldLine(a.Title))
		}
		if a.URL != "" && (len(r.values["UR"]) != 1 || r.values["UR"][0] != a.URL) {
			t.Errorf("record %d: UR = %q, want %q", i, r.values["UR"], a.URL)
		}
		if a.URL == "" && r.values["UR"] != nil {
			t.Errorf("record %d: empty UR written", i)
		}
		if !a.Published.IsZero() && (len(r.values["PY"]) != 1 || r.values["PY"][0] != "2024") {
			t.Errorf("record %d: PY = %q, want 2024", i, r.values["PY"])
		}
		if a.Author != "" && (len(r.values["AU"]) != 1 || r.values["AU"][0] != a.Author) {
			t.Errorf("record %d: AU = %q", i, r.values["AU"])
		}
	}
	first := recs[0]
	if got := first.values["DA"]; len(got) != 1 || got[0] != "2024/03/05/" {
		t.Errorf("DA = %q, want 2024/03/05/", got)
	}
	if got := first.values["KW"]; strings.Join(got, "|") != "UK|Everyone|PSIRF|incident_response" {
		t.Errorf("KW = %q: want each keyword once, in order", got)
	}
	if got := first.values["AB"][0]; strings.ContainsAny(got, "\r\n") || !strings.HasSuffix(got, "{braces} second line") {
		t.Errorf("AB = %q: line breaks must be folded", got)
	}
}

// bibEntry is one parsed BibTeX entry.
type bibEntry struct {
	typ, key string
	fields   map[string]string
}

// parseBibTeX reads the subset of BibTeX the exporter writes, checking that
// braces balance (ignoring escaped \{ \}) and that no field value holds an
// unescaped special character.
func parseBibTeX(t *testing.T, s string) []bibEntry {
	t.Helper()
	head := regexp.MustCompile(`^@([a-z]+)\{([A-Za-z0-9:_-]+),$`)
	field := regexp.MustCompile(`^  ([a-z]+) = (\{.*\}|[a-z]+),$`)
	var out []bibEntry
	var cur *bibEntry
	for _, l := range strings.Split(s, "\n") {
		switch {
		case l == "" && cur == nil:
		case cur == nil:
			m := head.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("entry head %q malformed", l)
			}
			cur = &bibEntry{typ: m[1], key: m[2], fields: map[string]string{}}
		case l == "}":
			out = append(out, *cur)
			cur = nil
		default:
			m := field.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("field line %q malformed", l)
			}
			if _, dup := cur.fields[m[1]]; dup {
				t.Errorf("entry %s: field %s twice", cur.key, m[1])
			}
			v := m[2]
			checkTeXValue(t, cur.key, m[1], v)
			cur.fields[m[1]] = v
		}
	}
	if cur != nil {
		t.Fatalf("entry %s not closed", cur.key)
	}
	return out
}

// checkTeXValue checks brace balance and escaping of one field value.
func checkTeXValue(t *testing.T, key, name, v string) {
	t.Helper()
	depth := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++ // the escaped character (or the first letter of a command)
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				t.Errorf("entry %s field %s: unbalanced braces in %q", key, name, v)
				return
			}
		case '%', '&', '$', '#', '_', '~', '^':
			if name != "url" && name != "howpublished" {
				t.Errorf("entry %s field %s: unescaped %q in %q", key, name, v[i], v)
			}
		}
	}
	if depth != 0 {
		t.Errorf("entry %s field %s: unbalanced braces in %q", key, name, v)
	}
}

func TestExportBibTeX(t *testing.T) {
	arts := exportArticles()
	out := writeExport(t, "bibtex", arts)
	entries := parseBibTeX(t, out)
	if len(entries) != len(arts) {
		t.Fatalf("got %d entries, want %d:\n%s", len(entries), len(arts), out)
	}
	keys := map[string]bool{}
	for i, e := range entries {
		if keys[e.key] {
			t.Errorf("duplicate key %s", e.key)
		}
		keys[e.key] = true
		if e.typ != "misc" {
			t.Errorf("entry %d type %s, want misc", i, e.typ)
		}
		// @misc has no required fields; we promise title, and year/url when known.
		if _, ok := e.fields["title"]; !ok {
			t.Errorf("entry %s lacks title", e.key)
		}
		if !arts[i].Published.IsZero() {
			if e.fields["year"] != "{2024}" || e.fields["month"] != "mar" {
				t.Errorf("entry %s year %q month %q", e.key, e.fields["year"], e.fields["month"])
			}
		}
		if arts[i].URL != "" && e.fields["url"] != "{"+arts[i].URL+"}" {
			t.Errorf("entry %s url %q", e.key, e.fields["url"])
		}
	}
	if entries[0].key != "pslhub2024psirf" || entries[1].key != "pslhub2024psirf-2" ||
		entries[2].key != "pslhub2024psirf-3" || entries[3].key != "pslhubdate" {
		t.Errorf("keys %s, %s, %s, %s: want pslhub2024psirf, -2, -3 and pslhubdate",
			entries[0].key, entries[1].key, entries[2].key, entries[3].key)
	}
	wantAbstract := `{Costs 100\% \& more: \$5 \#1 \textasciitilde{}approx \textasciicircum{}caret back\textbackslash{}slash \{braces\} second line}`
	if got := entries[0].fields["abstract"]; got != wantAbstract {
		t.Errorf("abstract =\n %s\nwant\n %s", got, wantAbstract)
	}
	if got := entries[0].fields["author"]; got != "{{Patient Safety Learning}}" {
		t.Errorf("author = %s: want double braces", got)
	}
	if got := entries[0].fields["keywords"]; got != `{UK, Everyone, PSIRF, incident\_response}` {
		t.Errorf("keywords = %s", got)
	}
}

func TestExportJSONL(t *testing.T) {
	arts := exportArticles()
	out := writeExport(t, "jsonl", arts)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(arts) {
		t.Fatalf("got %d lines, want %d", len(lines), len(arts))
	}
	for i, l := range lines {
		var a article.Article
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if a.ID != arts[i].ID || a.Title != arts[i].Title {
			t.Errorf("line %d: got %s %q", i, a.ID, a.Title)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(l), &m)
		if _, ok := m["tags"].([]any); !ok {
			t.Errorf("line %d: tags is %T, want a list (never null)", i, m["tags"])
		}
	}
}

func TestExportFilename(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ text, want string }{
		{"", "safetysearch-20261125.csv"},
		{`PSIRF "never events"`, "safetysearch-psirf-never-events-20261125.csv"},
		{strings.Repeat("abc ", 30), "safetysearch-abc-abc-abc-abc-abc-abc-abc-abc-abc-abc-20261125.csv"},
	} {
		if got := exportFilename(tc.text, "csv", now); got != tc.want {
			t.Errorf("exportFilename(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestExportHTTP(t *testing.T) {
	arts := sampleArticles(t)
	e := newAPI(t, testConfig(), openIndex(t, arts), nil)
	uk := 0
	for _, a := range arts {
		if hasFold(a.Regions, "UK") {
			uk++
		}
	}
	get := func(target string) (*http.Response, string) {
		t.Helper()
		resp, body := e.do(http.MethodGet, target, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", target, resp.StatusCode, body)
		}
		return resp, string(body)
	}

	resp, body := get("/api/v1/export?format=csv&region=UK&q=")
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("csv Content-Type %q", ct)
	}
	cd := resp.Header.Get("Content-Disposition")
	if !regexp.MustCompile(`^attachment; filename="safetysearch-\d{8}\.csv"$`).MatchString(cd) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if resp.Header.Get("X-Export-Total") != strconv.Itoa(uk) || resp.Header.Get("X-Export-Truncated") != "false" ||
		resp.Header.Get("X-Export-Limit") != strconv.Itoa(MaxExport) {
		t.Errorf("export headers total %q truncated %q limit %q, want %d false %d", resp.Header.Get("X-Export-Total"),
			resp.Header.Get("X-Export-Truncated"), resp.Header.Get("X-Export-Limit"), uk, MaxExport)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != uk+1 {
		t.Fatalf("csv: %d records (%v), want %d + header", len(recs), err, uk)
	}
	ids := map[string]bool{}
	for _, r := range recs[1:] {
		ids[r[0]] = true
	}
	if len(ids) != uk {
		t.Errorf("csv holds %d distinct ids, want %d", len(ids), uk)
	}
	if !strings.HasPrefix(body, "id,url,") || !strings.Contains(body, "\r\n") || strings.HasPrefix(body, "\uFEFF") {
		t.Errorf("csv without bom: want no BOM and CRLF line ends, got %q", body[:min(len(body), 80)])
	}
	if _, bom := get("/api/v1/export?format=csv&region=UK&bom=1"); !strings.HasPrefix(bom, "\uFEFFid,url,") {
		t.Errorf("csv with bom=1 starts %q, want the UTF-8 BOM", bom[:min(len(bom), 10)])
	}

	_, body = get("/api/v1/export?format=ris&region=UK")
	if recs := parseRIS(t, body); len(recs) != uk {
		t.Errorf("ris: %d records, want %d", len(recs), uk)
	}
	resp, body = get("/api/v1/export?format=bibtex&q=medication")
	if !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="safetysearch-medication-`) ||
		!strings.HasSuffix(resp.Header.Get("Content-Disposition"), `.bib"`) {
		t.Errorf("bibtex Content-Disposition %q", resp.Header.Get("Content-Disposition"))
	}
	total, _ := strconv.Atoi(resp.Header.Get("X-Export-Total"))
	if entries := parseBibTeX(t, body); len(entries) != total || total == 0 {
		t.Errorf("bibtex: %d entries, X-Export-Total %d", len(entries), total)
	}
	_, body = get("/api/v1/export?format=jsonl&sort=oldest")
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != len(arts) {
		t.Fatalf("jsonl: %d lines, want %d", len(lines), len(arts))
	}
	var prev time.Time
	for i, l := range lines {
		var a article.Article
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("jsonl line %d: %v", i, err)
		}
		if i > 0 && a.Published.Before(prev) {
			t.Errorf("sort=oldest: line %d is older than line %d", i, i-1)
		}
		prev = a.Published
	}

	// Capped: the first articles in sort order, and the header says so.
	e.srv.pages.exportLimit = 3
	resp, body = get("/api/v1/export?format=csv")
	if resp.Header.Get("X-Export-Truncated") != "true" || resp.Header.Get("X-Export-Limit") != "3" ||
		resp.Header.Get("X-Export-Total") != strconv.Itoa(len(arts)) {
		t.Errorf("capped export headers: truncated %q limit %q total %q", resp.Header.Get("X-Export-Truncated"),
			resp.Header.Get("X-Export-Limit"), resp.Header.Get("X-Export-Total"))
	}
	if recs, _ := csv.NewReader(strings.NewReader(body)).ReadAll(); len(recs) != 4 {
		t.Errorf("capped export: %d records, want header + 3", len(recs))
	}

	e.expectProblem(http.MethodGet, "/api/v1/export?format=xml", http.StatusBadRequest, codeInvalidParameter, "format")
	e.expectProblem(http.MethodGet, "/api/v1/export", http.StatusBadRequest, codeInvalidParameter, "format")
	e.expectProblem(http.MethodGet, "/api/v1/export?format=csv&bom=yes", http.StatusBadRequest, codeInvalidParameter, "bom")
	e.expectProblem(http.MethodGet, "/api/v1/export?format=csv&page=2", http.StatusBadRequest, codeInvalidParameter, "page")
	e.expectProblem(http.MethodGet, "/api/v1/export?format=csv&q=%22open", http.StatusBadRequest, codeInvalidQuery, "")
}

func TestExportNotReady(t *testing.T) {
	e := newAPI(t, testConfig(), openIndex(t, nil), nil)
	e.expectProblem(http.MethodGet, "/api/v1/export?format=ris", http.StatusServiceUnavailable, codeIndexUnavailable, "")
}

// TestExportsListTheAnswer: every export format of a request lists the
// same articles in the same order as the search's pages, for relaxed and
// strict answers and every sort, and the Atom feed begins with the same
// articles in date order.
func TestExportsListTheAnswer(t *testing.T) {
	arts := sampleArticles(t)
	e := newAPI(t, testConfig(), openIndex(t, arts), nil)
	byURL := map[string]string{}
	for _, a := range arts {
		byURL[a.URL] = a.ID
	}
	risID := regexp.MustCompile(`(?m)^ID  - (.+?)\r?$`)
	bibURL := regexp.MustCompile(`(?m)^  url = \{(.+)\},$`)
	formats := map[string]func(string) []string{
		"jsonl": func(body string) []string {
			var out []string
			for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
				var a struct{ ID string }
				if err := json.Unmarshal([]byte(line), &a); err != nil {
					t.Fatalf("jsonl: %v", err)
				}
				out = append(out, a.ID)
			}
			return out
		},
		"csv": func(body string) []string {
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatalf("csv: %v", err)
			}
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[0])
			}
			return out
		},
		"ris": func(body string) []string {
			var out []string
			for _, m := range risID.FindAllStringSubmatch(body, -1) {
				out = append(out, m[1])
			}
			return out
		},
		"bibtex": func(body string) []string {
			var out []string
			for _, m := range bibURL.FindAllStringSubmatch(body, -1) {
				out = append(out, byURL[m[1]])
			}
			return out
		},
	}
	for _, params := range []string{
		"q=staff+safety&region=UK",
		"q=staff+safety&region=UK&sort=newest",
		"q=What+are+the+warning+signs+of+sepsis+in+older+patients%3F",
		"q=safety&sort=oldest",
		"q=patient+safety",
		"region=UK",
	} {
		var pages []string
		var total uint64
		for page := 1; ; page++ {
			var res indexer.Result
			e.get("/api/v1/search?per_page=7&page="+strconv.Itoa(page)+"&"+params, http.StatusOK, &res)
			total = res.Total
			for _, h := range res.Hits {
				pages = append(pages, h.ID)
			}
			if len(res.Hits) < 7 {
				break
			}
		}
		if uint64(len(pages)) != total || total == 0 {
			t.Fatalf("%s: pages hold %d of total %d", params, len(pages), total)
		}
		for name, ids := range formats {
			resp, body := e.do(http.MethodGet, "/api/v1/export?format="+name+"&"+params, nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Export-Total") != strconv.FormatUint(total, 10) {
				t.Fatalf("%s %s: %d, X-Export-Total %q, want %d", params, name, resp.StatusCode, resp.Header.Get("X-Export-Total"), total)
			}
			if got := ids(string(body)); !slices.Equal(got, pages) {
				t.Errorf("%s %s:\n export %v\n pages  %v", params, name, got, pages)
			}
		}
	}
}
