package crawler

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

const (
	publishersDir      = "../testdata/publishers"
	publisherGoldenDir = "../testdata/golden/generic"
)

// publisherBases are the hosts the sample publishers' goldens are made
// with ({{BASE}} in the fixtures).
var publisherBases = map[string]string{
	"wordpress": "https://saferwards.example",
	"govuk":     "https://publishing.service.example",
}

// goldenExtraction is one golden file: the explained article, or the
// reason the page is not an article.
type goldenExtraction struct {
	Extractor  string            `json:"extractor,omitempty"`
	Language   string            `json:"language,omitempty"`
	Explain    map[string]string `json:"explain,omitempty"`
	Article    *article.Article  `json:"article,omitempty"`
	NotArticle string            `json:"not_article,omitempty"`
}

// TestPublisherGolden extracts every page of the sample publishers as the
// crawl would and compares it with its golden file.
func TestPublisherGolden(t *testing.T) {
	fetched := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seen := map[string]bool{}
	for pub, base := range publisherBases {
		root := filepath.Join(publishersDir, pub)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			urlPath := "/" + strings.TrimSuffix(filepath.ToSlash(rel), "index.html")
			if pub == "govuk" && urlPath != "/" {
				urlPath = strings.TrimSuffix(urlPath, "/")
			}
			// <path>/index.html → <path>.json; the home page → index.json.
			name := filepath.Join(pub, "index.json")
			if rel != "index.html" {
				name = filepath.Join(pub, filepath.Dir(rel)+".json")
			}
			seen[name] = true
			t.Run(name, func(t *testing.T) {
				raw, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				body := bytes.ReplaceAll(raw, []byte("{{BASE}}"), []byte(base))
				u, _ := url.Parse(base + urlPath)
				var g goldenExtraction
				ex, err := ExtractArticle(u, body, ExtractOptions{Source: pub, FetchedAt: fetched})
				switch {
				case IsNotArticle(err):
					g.NotArticle = err.Error()
				case err != nil:
					t.Fatal(err)
				default:
					g = goldenExtraction{Extractor: ex.Extractor, Language: ex.Language, Explain: ex.Rules, Article: ex.Article}
					if ex.Extractor != ExtractorGeneric {
						t.Errorf("extractor %s, want generic", ex.Extractor)
					}
				}
				var got bytes.Buffer
				enc := json.NewEncoder(&got)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(g); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, filepath.Join(publisherGoldenDir, name), got.Bytes())
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// No stale goldens.
	_ = filepath.WalkDir(publisherGoldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(publisherGoldenDir, path)
		if !seen[rel] {
			if *update {
				return os.Remove(path)
			}
			t.Errorf("golden %s has no page", rel)
		}
		return nil
	})
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from golden %s (run with -update and review the diff)\ngot:\n%s", path, got)
	}
}

// TestExtractArticleHub: on the sample hub the IPS extractor stays in
// charge: every record page is extracted by it exactly as Extract does (the
// generic extractor would take a comment's date or a commenter's name), and
// every other page is refused as not a record.
func TestExtractArticleHub(t *testing.T) {
	records := 0
	for _, f := range loadSite(t, false) {
		ex, err := ExtractArticle(f.url, f.body, ExtractOptions{Source: testSource, FetchedAt: fixtureFetchedAt})
		pg, perr := Extract(f.url, f.body, ExtractOptions{Source: testSource, FetchedAt: fixtureFetchedAt})
		if perr != nil || pg.Article == nil {
			if !IsNotArticle(err) {
				t.Errorf("%s: not a record for Extract (%v), ExtractArticle err %v", f.rel, perr, err)
			}
			continue
		}
		records++
		if err != nil {
			t.Errorf("%s: %v", f.rel, err)
			continue
		}
		a, _ := json.Marshal(ex.Article)
		b, _ := json.Marshal(pg.Article)
		if ex.Extractor != ExtractorIPS || !bytes.Equal(a, b) {
			t.Errorf("%s: extractor %s, article differs from Extract's", f.rel, ex.Extractor)
		}
		for _, k := range []string{"id", "url", "title", "body"} {
			if ex.Rules[k] == "" {
				t.Errorf("%s: no rule for %s: %v", f.rel, k, ex.Rules)
			}
		}
		if ex.Article.Author != "" && ex.Rules["author"] == "" || !ex.Article.Published.IsZero() && ex.Rules["published"] == "" {
			t.Errorf("%s: author or published without a rule: %v", f.rel, ex.Rules)
		}
	}
	if records < minFixtures {
		t.Errorf("only %d record pages", records)
	}
}
