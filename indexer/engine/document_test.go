package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// TestTextFieldPhraseStaysInElement: fText is the array [title, summary,
// body]; a phrase matches inside one element, never across the end of the
// title and the start of the body.
func TestTextFieldPhraseStaysInElement(t *testing.T) {
	arts := []article.Article{
		{ID: "t:split", Title: "Falls prevention", Summary: "Ward checks.", Body: "Audit results from three wards."},
		{ID: "t:inside", Title: "Ward round", Summary: "Weekly.", Body: "Our falls prevention audit results."},
	}
	e := buildEngine(t, arts, Config{})
	if got := hitIDs(mustSearch(t, e, Query{Text: `"prevention audit"`})); !slices.Equal(got, []string{"t:inside"}) {
		t.Errorf(`"prevention audit": %v, want only t:inside`, got)
	}
	if got := hitIDs(mustSearch(t, e, Query{Text: `"checks audit"`})); len(got) != 0 {
		t.Errorf(`"checks audit" (end of summary, start of body): %v, want none`, got)
	}
}

// TestBodyHighlightFromTextField: body highlights come from the body
// element of fText, whose offsets are relative to the body, not shifted by
// the title and summary before it.
func TestBodyHighlightFromTextField(t *testing.T) {
	arts := []article.Article{{
		ID:      "t:hl",
		Title:   "A rather long title about sepsis screening in emergency departments",
		Summary: "What we learned about sepsis.",
		Body:    "Nurses screened every patient for sepsis on arrival. Screening took two minutes.",
	}}
	e := buildEngine(t, arts, Config{})
	res := mustSearch(t, e, Query{Text: "sepsis", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", hitIDs(res))
	}
	h := res.Hits[0].Highlights
	body := strings.Join(h.Body, "")
	if !strings.Contains(body, "patient for <mark>sepsis</mark> on arrival") {
		t.Errorf("body highlight %q", body)
	}
	if len(h.Title) != 1 || !strings.Contains(h.Title[0], "about <mark>sepsis</mark> screening") {
		t.Errorf("title highlight %q", h.Title)
	}
	// A word only in the body is highlighted there too.
	res = mustSearch(t, e, Query{Text: "arrival", Highlight: true})
	if len(res.Hits) != 1 || !strings.Contains(strings.Join(res.Hits[0].Highlights.Body, ""), "on <mark>arrival</mark>.") {
		t.Errorf("body-only word: %+v", res.Hits)
	}
}

// TestFillIndexSameOrderAcrossBuilds: several batches execute at once, so
// the internal document order differs between builds (here the input order
// is reversed too); searches must still return the same order, ties broken
// by article id.
func TestFillIndexSameOrderAcrossBuilds(t *testing.T) {
	n := 3*batchMaxDocs + 17 // several batches, written concurrently
	arts := make([]article.Article, n)
	for i := range arts {
		arts[i] = article.Article{
			ID:    fmt.Sprintf("t:%04d", i),
			Title: "Falls prevention on wards",
			Body:  "Falls prevention needs bed rails and checks.",
		}
		if i%7 == 0 { // a second score level
			arts[i].Body = "Falls prevention needs bed rails, checks and falls audits."
		}
	}
	reversed := slices.Clone(arts)
	slices.Reverse(reversed)
	e1, e2 := buildEngine(t, arts, Config{}), buildEngine(t, reversed, Config{})
	for _, q := range []Query{
		{Text: "falls prevention", PerPage: 100},
		{Text: "falls prevention", PerPage: 20, Page: 7},
		{Text: "bed rails", PerPage: 50, Page: 3},
	} {
		r1, r2 := mustSearch(t, e1, q), mustSearch(t, e2, q)
		if !slices.Equal(hitIDs(r1), hitIDs(r2)) {
			t.Errorf("%+v: build 1 %v, build 2 %v", q, hitIDs(r1), hitIDs(r2))
		}
		// Within equal scores, ascending ids.
		for i := 1; i < len(r1.Hits); i++ {
			a, b := r1.Hits[i-1], r1.Hits[i]
			if a.Score == b.Score && a.ID > b.ID {
				t.Errorf("%+v: tie %s before %s", q, a.ID, b.ID)
			}
		}
	}
	if res := mustSearch(t, e1, Query{Text: "falls prevention", PerPage: 100}); res.Total != uint64(n) {
		t.Errorf("total %d, want %d", res.Total, n)
	}
}

// TestFillIndexErrors: a producer error (duplicate id) or a canceled
// context stops the build with that error and the writers stop; the count
// returned is what was indexed.
func TestFillIndexErrors(t *testing.T) {
	fill := func(ctx context.Context, arts []article.Article, cancelAt int, cancel func()) (int, error) {
		dir := filepath.Join(t.TempDir(), "gen")
		idx, err := createIndex(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = idx.Close() }()
		return Fill(ctx, idx, dir, func(fn func(article.Article) error) error {
			for i, a := range arts {
				if i == cancelAt {
					cancel()
				}
				if err := fn(a); err != nil {
					return err
				}
			}
			return nil
		})
	}
	arts := make([]article.Article, 2*batchMaxDocs+10)
	for i := range arts {
		arts[i] = article.Article{ID: fmt.Sprintf("t:%04d", i), Title: "Sepsis", Body: "Sepsis screening."}
	}
	dup := append(slices.Clone(arts), arts[3])
	n, err := fill(context.Background(), dup, -1, func() {})
	if err == nil || !strings.Contains(err.Error(), "t:0003 produced twice") {
		t.Errorf("duplicate: %d, %v", n, err)
	}
	if n > len(arts) || n%batchMaxDocs != 0 && n != len(arts) {
		t.Errorf("duplicate: %d indexed, want whole batches", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, err = fill(ctx, arts, batchMaxDocs+5, cancel)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %d, %v", n, err)
	}
	if n > batchMaxDocs {
		t.Errorf("canceled after one batch: %d indexed", n)
	}
}

// TestBatchWritersFirstErrorWins: after a batch fails, later batches are
// not executed, get and put report the first error, and close returns it.
func TestBatchWritersFirstErrorWins(t *testing.T) {
	idx, err := createIndex(filepath.Join(t.TempDir(), "gen"))
	if err != nil {
		t.Fatal(err)
	}
	w := newBatchWriters(context.Background(), idx, 2)
	b, err := w.get()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Index("t:a", map[string]any{"_type": docType, fTitle: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := w.put(b, 1); err != nil {
		t.Fatal(err)
	}
	first := errors.New("first")
	w.fail(first)
	w.fail(errors.New("second"))
	if _, err := w.get(); !errors.Is(err, first) {
		t.Errorf("get after failure: %v", err)
	}
	if err := w.put(idx.NewBatch(), 1); !errors.Is(err, first) {
		t.Errorf("put after failure: %v", err)
	}
	n, err := w.close()
	if !errors.Is(err, first) || n > 1 {
		t.Errorf("close: %d, %v", n, err)
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}

	// A batch that fails in Bleve (the index is closed) is the first error.
	idx, err = createIndex(filepath.Join(t.TempDir(), "gen2"))
	if err != nil {
		t.Fatal(err)
	}
	w = newBatchWriters(context.Background(), idx, 2)
	b, _ = w.get()
	_ = b.Index("t:b", map[string]any{"_type": docType, fTitle: "y"})
	_ = idx.Close()
	if err := w.put(b, 1); err != nil {
		t.Fatal(err)
	}
	n, err = w.close()
	if err == nil || !strings.Contains(err.Error(), "index batch of 1") || n != 0 {
		t.Errorf("closed index: %d, %v", n, err)
	}
}
