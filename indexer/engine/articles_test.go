package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/docstore"
	"github.com/safetysearch/safetysearch/indexer/indextest"

	index "github.com/blevesearch/bleve_index_api"
)

// TestArticleStoreRefusedAtOpen: a generation whose article store is
// missing, truncated or another build's does not open, and the error names
// the store's file.
func TestArticleStoreRefusedAtOpen(t *testing.T) {
	for name, breakIt := range map[string]func(t *testing.T, path string){
		"missing": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		},
		"truncated": func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()-3); err != nil {
				t.Fatal(err)
			}
		},
		"another build's": func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			w, err := docstore.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Add("t:r1", []byte(`{"id":"t:r1"}`)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := buildDir(t, inlineCorpus(), 0)
			path := articleStorePath(dir)
			breakIt(t, path)
			ro, err := openReadOnly(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = ro.Close() }()
			e, err := Open(ro, dir, Config{})
			if err == nil {
				_ = e.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error does not name %s: %v", path, err)
			}
			if name == "truncated" && !errors.Is(err, docstore.ErrCorrupt) {
				t.Errorf("truncated store: %v", err)
			}
		})
	}
}

// TestStoredFieldsLeaveOutArticle: Bleve stores only the card of a
// document and, for one with extracted documents, the page table; the
// article itself is in the article store.
func TestStoredFieldsLeaveOutArticle(t *testing.T) {
	dir := buildDir(t, indextest.AttachmentCorpus(), 0)
	ro, err := openReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ro.Close() }()
	for id, want := range map[string][]string{
		"doc:r1": {fAttachmentPages, fCard},
		"doc:r4": {fCard},
	} {
		doc, err := ro.Document(id)
		if err != nil || doc == nil {
			t.Fatalf("document %s: %v", id, err)
		}
		var got []string
		doc.VisitFields(func(f index.Field) { got = append(got, f.Name()) })
		slices.Sort(got)
		got = slices.Compact(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s stores %v, want %v", id, got, want)
		}
	}
}

// TestCardHitsSkipArticleStore: a page without highlights is built from
// the cards alone: it answers with the article store closed, while a
// highlighted page reads it.
func TestCardHitsSkipArticleStore(t *testing.T) {
	e := buildEngine(t, append(indextest.AttachmentCorpus(), inlineCorpus()...), Config{})
	ctx := context.Background()
	want := map[string][]string{}
	queries := []Query{{}, {Text: "tocilizumab"}, {Text: "falls", Sort: SortRelevance}, {Text: "handover checklist"}}
	for _, q := range queries {
		want[q.Text] = hitIDs(mustSearch(t, e, q))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		res, err := rawSearch(ctx, e, q)
		if err != nil {
			t.Fatalf("%+v without highlights read the article store: %v", q, err)
		}
		if got := hitIDs(res); len(got) == 0 && q.Text != "" || !slices.Equal(got, want[q.Text]) {
			t.Errorf("%+v: %v, want %v", q, got, want[q.Text])
		}
	}
	q := Query{Text: "tocilizumab", Highlight: true}
	if _, err := rawSearch(ctx, e, q); err == nil || !strings.Contains(err.Error(), ArticleStoreFile) {
		t.Errorf("highlighted page with the article store closed: %v", err)
	}
}

// TestArticleStoreConcurrentReads: highlighted pages, articles and scans
// read the article store from several goroutines at once (run with -race).
func TestArticleStoreConcurrentReads(t *testing.T) {
	arts := append(indextest.AttachmentCorpus(), inlineCorpus()...)
	e := buildEngine(t, arts, Config{})
	ctx := context.Background()
	want := hitIDs(mustSearch(t, e, Query{Text: "wards", Highlight: true}))
	if len(want) == 0 {
		t.Fatal("no hits for wards")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*20)
	for g := range 4 {
		wg.Go(func() {
			for k := range 20 {
				a := arts[(g*20+k)%len(arts)]
				switch k % 3 {
				case 0:
					res, err := rawSearch(ctx, e, Query{Text: "wards", Highlight: true})
					if err == nil && !slices.Equal(hitIDs(res), want) {
						err = fmt.Errorf("hits %v, want %v", hitIDs(res), want)
					}
					if err != nil {
						errs <- err
					}
				case 1:
					got, err := e.Article(ctx, a.ID)
					if err == nil && got.Title != a.Title {
						err = fmt.Errorf("article %s: title %q, want %q", a.ID, got.Title, a.Title)
					}
					if err != nil {
						errs <- err
					}
				default:
					n := 0
					if err := e.Scan(ctx, Query{}, 0, func(article.Article) error { n++; return nil }); err != nil || n != len(arts) {
						errs <- fmt.Errorf("scan: %d of %d, %v", n, len(arts), err)
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
