package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer"
)

var (
	indexedOnce sync.Once
	indexedDir  string
)

// indexedSampleHub crawls the sample hub and indexes it with the commands,
// once for the tests of this file, which only read it.
func indexedSampleHub(t *testing.T) string {
	t.Helper()
	indexedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "safetysearch-test-")
		if err != nil {
			t.Fatal(err)
		}
		tempDirs = append(tempDirs, dir)
		data := filepath.Join(dir, "data")
		crawlSampleHubInto(t, data)
		code, stdout, stderr := run(t, nil, "index", "--data", data)
		if code != 0 {
			t.Fatalf("index: exit %d: %s", code, stderr)
		}
		if !regexp.MustCompile(`^indexed \d+ documents into generation gen-\S+ in \S+\n$`).MatchString(stdout) {
			t.Errorf("index printed %q", stdout)
		}
		indexedDir = data
	})
	if indexedDir == "" {
		t.Fatal("indexing the sample hub failed in an earlier test")
	}
	return indexedDir
}

func searchJSON(t *testing.T, data string, args ...string) indexer.Result {
	t.Helper()
	code, stdout, stderr := run(t, nil, append([]string{"search", "--data", data, "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("search --json %v: exit %d: %s", args, code, stderr)
	}
	var res indexer.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, stdout)
	}
	return res
}

func TestSearchCommand(t *testing.T) {
	data := indexedSampleHub(t)

	// Filters reach the index.
	res := searchJSON(t, data, "--region", "UK", "--audience", "Everyone", "patient", "safety")
	checkDemoResult(t, &res)

	// The table shows every hit of the JSON result, its highlights as
	// [[…]] (not a terminal), the facets and the expansions.
	res = searchJSON(t, data, "--per-page", "5", "PSIRF")
	if len(res.Hits) == 0 || len(res.Expansions) == 0 {
		t.Fatalf("PSIRF: %d hits, %d expansions; want both", len(res.Hits), len(res.Expansions))
	}
	code, table, stderr := run(t, nil, "search", "--data", data, "--per-page", "5", "PSIRF")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("search logged at info level: %s", stderr)
	}
	for i, h := range res.Hits {
		if !strings.Contains(table, h.URL) {
			t.Errorf("table lacks hit %d %s", i+1, h.URL)
		}
	}
	for _, want := range []string{"PSIRF: ", " results, page 1 of ", "   1  ", "[[", "]]", "Facets:", "Also searched \"", "type:"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "<mark>") || strings.Contains(table, "\x1b[") {
		t.Errorf("table has raw marks or ANSI codes off a terminal:\n%s", table)
	}

	// Nothing found: the filters that emptied it and the spelling.
	code, table, stderr = run(t, nil, "search", "--data", data, "--region", "Ireland", "sepsis")
	if code != 0 || !strings.Contains(table, "No articles match.") || !strings.Contains(table, "Without the region filter (Ireland): 2 results") {
		t.Errorf("no results: exit %d %s\n%s", code, stderr, table)
	}
	code, table, _ = run(t, nil, "search", "--data", data, "sepsiss")
	if code != 0 || !strings.Contains(table, "Did you mean: sepsis") {
		t.Errorf("misspelt: exit %d\n%s", code, table)
	}

	// Sort and paging flags.
	newest := searchJSON(t, data, "--sort", "newest", "--per-page", "3", "--page", "2")
	if newest.Page != 2 || newest.PerPage != 3 || len(newest.Hits) != 3 {
		t.Errorf("page %d per_page %d hits %d", newest.Page, newest.PerPage, len(newest.Hits))
	}
	for i := 1; i < len(newest.Hits); i++ {
		if newest.Hits[i].Published.After(newest.Hits[i-1].Published) {
			t.Errorf("--sort newest: hit %d is newer than hit %d", i, i-1)
		}
	}

	// --publisher: every article of the sample hub has its one publisher.
	all := searchJSON(t, data, "sepsis")
	if len(all.Hits) == 0 || all.Hits[0].Publisher == "" {
		t.Fatalf("sepsis: %d results without a publisher", len(all.Hits))
	}
	if hub := searchJSON(t, data, "--publisher", strings.ToUpper(all.Hits[0].Publisher), "--publisher", "HSSIB", "sepsis"); hub.Total != all.Total {
		t.Errorf("--publisher %s: %d of %d results", all.Hits[0].Publisher, hub.Total, all.Total)
	}
	if none := searchJSON(t, data, "--publisher", "HSSIB", "sepsis"); none.Total != 0 || none.NoResults == nil || len(none.NoResults.Filters) != 1 || none.NoResults.Filters[0].Filter != "publisher" {
		t.Errorf("--publisher HSSIB: %d results, relief %+v", none.Total, none.NoResults)
	}
}

func TestSearchErrors(t *testing.T) {
	data := indexedSampleHub(t)
	code, _, stderr := run(t, nil, "search", "--data", data, `patient "safety`)
	if code != 2 {
		t.Errorf("unclosed quote: exit %d, want 2", code)
	}
	lines := strings.Split(stderr, "\n")
	if len(lines) < 3 || !strings.Contains(lines[0], "invalid query at position 8") ||
		lines[1] != `  patient "safety` || lines[2] != "          ^" {
		t.Errorf("want the message, the query and a caret under the quote; got:\n%s", stderr)
	}

	code, _, stderr = run(t, nil, "search", "--data", data, "--per-page", "500", "x")
	if code != 2 || !strings.Contains(stderr, "invalid --per-page") {
		t.Errorf("--per-page 500: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run(t, nil, "search", "--data", data, "--from", "yesterday", "x")
	if code != 2 || !strings.Contains(stderr, `--from "yesterday": expected a date YYYY-MM-DD`) {
		t.Errorf("--from: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run(t, nil, "search", "--data", filepath.Join(t.TempDir(), "none"), "x")
	if code != 1 || !strings.Contains(stderr, "no index in") {
		t.Errorf("no index: exit %d, stderr %s", code, stderr)
	}
	code, _, stderr = run(t, map[string]string{"SAFETYSEARCH_THESAURUS_FILE": "/nonexistent/th.yaml"}, "search", "--data", data, "x")
	if code != 2 || !strings.Contains(stderr, "thesaurus_file") || !strings.Contains(stderr, "/nonexistent/th.yaml") {
		t.Errorf("missing thesaurus: exit %d, stderr %s", code, stderr)
	}
}

func TestCaretPad(t *testing.T) {
	for _, tc := range []struct {
		text string
		pos  int
		want int
	}{{"abc", 0, 0}, {"abc", 2, 2}, {"abc", 9, 3}, {"é\"x", 2, 1}, {"x", -1, 0}} {
		if got := len(caretPad(tc.text, tc.pos)); got != tc.want {
			t.Errorf("caretPad(%q, %d) has %d spaces, want %d", tc.text, tc.pos, got, tc.want)
		}
	}
}

func TestRenderMarks(t *testing.T) {
	in := "a <mark>b&amp;c</mark> d&lt;e"
	if got := renderMarks(in, false); got != "a [[b&c]] d<e" {
		t.Errorf("plain: %q", got)
	}
	if got := renderMarks(in, true); got != "a \x1b[1mb&c\x1b[0m d<e" {
		t.Errorf("terminal: %q", got)
	}
	if got := renderMarks("x\x1b[31my", true); strings.Contains(got, "\x1b[31m") {
		t.Errorf("control characters of the text must not reach the terminal: %q", got)
	}
}

// TestStoreInUse: a command on a data directory another process writes to
// fails at once with a message naming the lock holder.
func TestStoreInUse(t *testing.T) {
	data := t.TempDir()
	st, err := crawler.OpenStore(filepath.Join(data, storeFile), crawler.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, _, stderr := run(t, nil, "export", "--data", data)
	if code != 1 || !strings.Contains(stderr, "in use by process") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

// TestThesaurusFile: the configured thesaurus replaces the built-in one for
// query expansion.
func TestThesaurusFile(t *testing.T) {
	data := indexedSampleHub(t)
	th := writeFile(t, "th.yaml", "groups:\n  - terms: [xyzzyq, duty of candour]\n")
	code, stdout, stderr := run(t, map[string]string{"SAFETYSEARCH_THESAURUS_FILE": th},
		"search", "--data", data, "--json", "xyzzyq")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res indexer.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Expansions) != 1 || len(res.Expansions[0].Expanded) != 1 || res.Expansions[0].Expanded[0] != "duty of candour" {
		t.Errorf("expansions %+v, want xyzzyq → duty of candour", res.Expansions)
	}
	if res.Total == 0 {
		t.Errorf("no hit for the expansion \"duty of candour\" (r8975 of the sample hub); the word itself is in no article")
	}
	// The built-in thesaurus is not used: PSIRF is not expanded.
	code, stdout, stderr = run(t, map[string]string{"SAFETYSEARCH_THESAURUS_FILE": th}, "search", "--data", data, "--json", "PSIRF")
	var custom indexer.Result
	if code != 0 || json.Unmarshal([]byte(stdout), &custom) != nil {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(custom.Expansions) != 0 {
		t.Errorf("PSIRF expanded with the custom thesaurus: %+v", custom.Expansions)
	}
	if builtIn := searchJSON(t, data, "PSIRF"); len(builtIn.Expansions) == 0 {
		t.Errorf("PSIRF not expanded by the built-in thesaurus")
	}
}

func TestSearchHasAttachmentFlag(t *testing.T) {
	data := indexedSampleHub(t)
	all := searchJSON(t, data, "--per-page", "100")
	with := searchJSON(t, data, "--has-attachment", "--per-page", "100")
	if with.Total == 0 || with.Total >= all.Total {
		t.Fatalf("--has-attachment: %d of %d articles", with.Total, all.Total)
	}
	code, table, _ := run(t, nil, "search", "--data", data, "--has-attachment", "sepsis")
	if code != 0 || !strings.Contains(table, "Without the has_attachment filter (true): ") {
		t.Errorf("no results with --has-attachment: exit %d\n%s", code, table)
	}
}

func TestPrintResultDocumentHits(t *testing.T) {
	res := &indexer.Result{Query: "tocilizumab", Total: 1, Page: 1, PerPage: 10, Hits: []indexer.Hit{{
		ID: "doc:r1", URL: "https://example.org/doc:r1", Title: "Investigation report",
		Documents: []indexer.DocumentHit{{
			Name: "HSSIB report.pdf", URL: "https://example.org/r.pdf", Pages: []int{37, 12},
			Link: "https://example.org/r.pdf#page=37", Highlight: "The <mark>tocilizumab</mark> dose",
		}},
	}}}
	var b strings.Builder
	if err := printResult(&b, res, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"matched in ‘HSSIB report.pdf’, pages 37, 12: https://example.org/r.pdf#page=37\n",
		"The [[tocilizumab]] dose\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}
