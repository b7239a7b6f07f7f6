package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"

	"github.com/blevesearch/bleve/v2"
)

// day is a UTC date at noon.
var day = indextest.Day

// inlineCorpus is indextest's small hand-written corpus.
var inlineCorpus = indextest.InlineCorpus

// buildEngine indexes arts into a real on-disk index in t.TempDir(),
// reopens it read-only the way the generation manager does, and returns
// the engine.
func buildEngine(t testing.TB, arts []article.Article, cfg Config) *Engine {
	t.Helper()
	return buildEngineFolding(t, arts, cfg, 0)
}

// buildEngineFolding is buildEngine for a corpus in which the build folds
// folded articles into their duplicates.
func buildEngineFolding(t testing.TB, arts []article.Article, cfg Config, folded int) *Engine {
	t.Helper()
	dir := buildDir(t, arts, folded)
	ro, err := openReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ro.Close() })
	e, err := Open(ro, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// buildDir builds a generation of arts (folded of them folded into
// duplicates) in a directory under t.TempDir() and returns the directory,
// closed.
func buildDir(t testing.TB, arts []article.Article, folded int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	idx, err := createIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Fill(context.Background(), idx, dir, func(fn func(article.Article) error) error {
		for _, a := range arts {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(arts)-folded {
		t.Fatalf("Fill indexed %d, want %d", n, len(arts)-folded)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mustSearch runs a search and fails the test on error.
func mustSearch(t testing.TB, e *Engine, q Query) *Result {
	t.Helper()
	res, err := rawSearch(context.Background(), e, q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// hitIDs lists the ids of the hits in order.
func hitIDs(res *Result) []string {
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// sameSet reports whether got and want hold the same ids in any order.
func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// facetMap turns a facet's values into label → count.
func facetMap(vals []FacetValue) map[string]uint64 {
	m := map[string]uint64{}
	for _, v := range vals {
		m[v.Value] = v.Count
	}
	return m
}

func fmtFacet(vals []FacetValue) string {
	s := ""
	for _, v := range vals {
		s += fmt.Sprintf("%s=%d(sel=%v) ", v.Value, v.Count, v.Selected)
	}
	return s
}

// openReadOnly opens a generation read-only, as a serving index is opened.
func openReadOnly(dir string) (bleve.Index, error) {
	return bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": "5s"})
}

// rawSearch normalises q and runs it on e, as Index.Search does.
func rawSearch(ctx context.Context, e *Engine, q Query) (*Result, error) {
	n, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	return e.Search(ctx, n)
}
