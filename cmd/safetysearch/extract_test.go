package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

const (
	wpBase   = "https://saferwards.example"
	wpPost   = "/2025/03/psirf-one-year-on/"
	hubBase  = "https://www.pslhub.org"
	hubFiles = "../../testdata/site"
)

// savedPage writes a sample-publisher or sample-hub page to a temporary
// file with {{BASE}} replaced, as an operator would save it.
func savedPage(t *testing.T, fixture, base string) string {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(base)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestExtractPublisherPage(t *testing.T) {
	file := savedPage(t, "../../testdata/publishers/wordpress"+wpPost+"index.html", wpBase)
	code, stdout, stderr := run(t, nil, "extract", "--url", wpBase+wpPost, file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var a article.Article
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if a.Source != "saferwards" || !strings.HasPrefix(a.ID, "saferwards:u") || a.URL != wpBase+wpPost ||
		a.Title != "PSIRF one year on: what changed in how we learn" || a.Author != "Helen Marsh" || a.Published.IsZero() {
		t.Errorf("article %+v", a)
	}
	// The keys of `export` (an article's JSON), nothing more.
	var raw map[string]any
	_ = json.Unmarshal([]byte(stdout), &raw)
	if got, want := jsonKeys(t, raw), jsonKeys(t, a); !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	if strings.Contains(a.Body, "Ruth Evans") || strings.Contains(a.Body, "Would you share the template") {
		t.Errorf("the comments are in the body: %q", a.Body)
	}
}

func TestExtractExplain(t *testing.T) {
	file := savedPage(t, "../../testdata/publishers/wordpress"+wpPost+"index.html", wpBase)
	code, stdout, stderr := run(t, nil, "extract", "--explain", "--url", wpBase+wpPost, file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ex explained
	if err := json.Unmarshal([]byte(stdout), &ex); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	want := map[string]string{
		"title": "meta og:title", "author": "selector [rel=author]", "published": "meta article:published_time",
		"tags": "meta article:tag", "category": "selector a[rel~=category]", "language": "<html lang>",
		"body": "generic text (go-trafilatura main content)", "url": "link rel=canonical",
	}
	for k, v := range want {
		if ex.Explain[k] != v {
			t.Errorf("explain[%s] = %q, want %q", k, ex.Explain[k], v)
		}
	}
	if ex.Extractor != "generic" || ex.Language != "en-GB" || ex.Article.Title == "" || ex.URL != "" {
		t.Errorf("extractor %q language %q title %q fetched_url %q", ex.Extractor, ex.Language, ex.Article.Title, ex.URL)
	}
	if !strings.Contains(stdout, `"<html lang>"`) {
		t.Errorf("HTML escaped in the output: %s", stdout)
	}
}

// TestExtractHubRecord: an IPS record page is extracted by the IPS
// extractor, with the record id, from standard input.
func TestExtractHubRecord(t *testing.T) {
	rec := "/learn/investigations-risk-management-and-legal-issues/legal-and-regulatory-duties/being-open-the-duty-of-candour-in-practice-r8975/"
	b, err := os.ReadFile(hubFiles + rec + "index.html")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	m := &Main{Stdin: bytes.NewReader(bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(hubBase))), Stdout: &out, Stderr: &errOut,
		Getenv: envMap(nil), Version: "test"}
	if code := m.Execute(context.Background(), []string{"extract", "--explain", "--url", hubBase + rec}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var ex explained
	if err := json.Unmarshal([]byte(out.String()), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Extractor != "ips" || ex.Article.ID != "pslhub:r8975" || ex.Explain["title"] == "" || len(ex.Article.Comments) == 0 {
		t.Errorf("extractor %q id %q explain %v comments %d", ex.Extractor, ex.Article.ID, ex.Explain, len(ex.Article.Comments))
	}
}

func TestExtractNotArticle(t *testing.T) {
	for _, tc := range []struct{ fixture, base, path, why string }{
		{"../../testdata/publishers/wordpress/category/incident-response/index.html", wpBase, "/category/incident-response/", `body class "archive"`},
		{"../../testdata/publishers/wordpress/index.html", wpBase, "/", "CollectionPage"},
		{hubFiles + "/learn/index.html", hubBase, "/learn/", "not a record"},
	} {
		file := savedPage(t, tc.fixture, tc.base)
		code, stdout, stderr := run(t, nil, "extract", "--url", tc.base+tc.path, file)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "not an article") || !strings.Contains(stderr, tc.why) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", tc.path, code, stdout, stderr)
		}
	}
}

func TestExtractUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"extract", "page.html"}, 2, "--url is required"},
		{[]string{"extract", "--url", "/relative", "page.html"}, 2, "not an absolute http(s) URL"},
		{[]string{"extract", "--url", "https://example.org/", "a.html", "b.html"}, 2, "one FILE at most"},
		{[]string{"extract", "--url", "https://example.org/", filepath.Join(t.TempDir(), "missing.html")}, 1, "no such file"},
		{[]string{"extract", "--url", "https://example.org/"}, 1, "no standard input"},
		{[]string{"check"}, 2, "exactly one URL"},
	} {
		code, _, stderr := run(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
