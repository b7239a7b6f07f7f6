package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/textquery"
)

// repeat is w n times, space-separated.
func repeat(w string, n int) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }

// A word repeated in a phrase is read into one list of locations, once: the
// check keeps as many locations as the document has, not one per repetition
// per searcher, and still tells a long enough run from a shorter one.
func TestPhraseCheckRepeatedWords(t *testing.T) {
	const reps, n = 72, 100
	terms := make([]string, reps)
	offs := make([]uint64, reps)
	for k := range terms {
		terms[k], offs[k] = "safeti", uint64(k)
	}
	// The conjunction of the phrase's reps term searchers reports every
	// location of the word once per searcher.
	doc := func(skip uint64) *search.DocumentMatch {
		dm := &search.DocumentMatch{}
		for range reps {
			for p := uint64(1); p <= n; p++ {
				if p != skip {
					dm.FieldTermLocations = append(dm.FieldTermLocations, search.FieldTermLocation{
						Field: fText, Term: "safeti", Location: search.Location{Pos: p}})
				}
			}
		}
		return dm
	}
	s := newPhraseCheck(context.Background(), fText, terms, offs, false)
	if !s.match(doc(0)) {
		t.Errorf("a run of %d holds a phrase of %d: no match", n, reps)
	}
	kept := 0
	for _, l := range s.lists {
		kept += len(l)
	}
	if len(s.lists) != 1 || kept != n {
		t.Errorf("check kept %d lists, %d locations; want 1 list of the document's %d locations", len(s.lists), kept, n)
	}
	// Runs of 49 and 50: too short for 72.
	if s.match(doc(50)) {
		t.Errorf("runs of 49 and 50 match a phrase of %d", reps)
	}
	s = newPhraseCheck(context.Background(), fText, terms, offs, true)
	if dm := doc(0); !s.match(dm) || len(dm.FieldTermLocations) != reps*(n-reps+1) {
		t.Errorf("with locations: %d kept, want %d (every word of every occurrence)", len(dm.FieldTermLocations), reps*(n-reps+1))
	}
}

// hostileCorpus is n generated articles whose text is mostly a handful of
// common words, "safety" above all: the worst case for phrases of repeated
// words and for short prefixes.
func hostileCorpus(n int) []article.Article {
	r := rand.New(rand.NewPCG(12, 12))
	vocab := []string{"patient", "care", "risk", "harm", "medication", "falls", "sepsis", "staff", "report", "pressure", "ulcer", "ward"}
	arts := make([]article.Article, 0, n)
	for i := range n {
		words := make([]string, 150)
		for j := range words {
			if r.IntN(3) == 0 {
				words[j] = "safety"
			} else {
				words[j] = vocab[r.IntN(len(vocab))]
			}
		}
		arts = append(arts, article.Article{
			ID:        fmt.Sprintf("h:%d", i),
			Title:     fmt.Sprintf("Safety report %d", i),
			Body:      strings.Join(words, " ") + " " + repeat("safety", 1+i%20),
			Published: day(fmt.Sprintf("%d-%02d-%02d", 2020+i%5, 1+i%12, 1+i%28)),
			Regions:   []string{[]string{"England", "Wales", "Scotland"}[i%3]},
			Tags:      []string{vocab[i%len(vocab)]},
		})
	}
	return arts
}

// Hostile queries answer within the search deadline, plus a margin for a
// loaded machine: with results, a refusal naming the limit, or the
// deadline's error. Never later.
func TestHostileQueriesAnswerWithinDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a generated collection of a few thousand articles")
	}
	const deadline, margin = 300 * time.Millisecond, 3 * time.Second
	e := buildEngine(t, hostileCorpus(2500), Config{})

	orOf := func(ws ...string) string { return strings.Join(ws, " OR ") }
	cases := []struct {
		name, text string
		limit      string // the limit a refusal must name; "" for none
	}{
		{"repeated-word phrase", `"` + repeat("safety", 72) + `"`, textquery.LimitPhraseWords},
		{"repeated-word phrase at the limit", `"` + repeat("safety", textquery.MaxPhraseWords) + `"`, ""},
		{"hyphenated repeated word", strings.Repeat("safety-", 40) + "safety", textquery.LimitPhraseWords},
		{"long OR of prefixes", orOf("sa*", "pa*", "ca*", "ri*", "ha*", "me*", "fa*", "st*"), textquery.LimitPrefixes},
		{"OR of prefixes at the limit", orOf("sa*", "pa*", "ca*", "ri*"), ""},
		{"many OR alternatives", orOf(strings.Fields(repeat("care", 20))...), textquery.LimitAlternatives},
		{"many terms", repeat("safety patient care risk", 20), textquery.LimitTerms},
		{"many terms at the limit", repeat("safety patient care risk", textquery.MaxTerms/4), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			start := time.Now()
			q := Query{Text: c.text, PerPage: 20, Highlight: true, Regions: []string{"wales"},
				Facets: []string{FacetRegion, FacetYear, FacetTag}}
			res, err := rawSearch(ctx, e, q)
			took := time.Since(start)
			if took > deadline+margin {
				t.Errorf("answered after %s, deadline %s", took, deadline)
			}
			var qe *QueryError
			switch {
			case errors.As(err, &qe):
				if qe.Limit != c.limit || c.limit == "" {
					t.Errorf("refused naming limit %q (%v), want %q", qe.Limit, err, c.limit)
				}
			case c.limit != "":
				t.Errorf("not refused (err %v), want limit %q", err, c.limit)
			case err == nil:
				if res.Total == 0 {
					t.Errorf("no results")
				}
			case !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("error %v, want results or the deadline", err)
			}
		})
	}
}

// The engine stops a phrase past its deadline even when nothing else
// refuses it: a phrase of 72 repetitions compiled without the parser's
// limits, on every document of a generated collection.
func TestPhraseHonoursDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("indexes a generated collection of a few thousand articles")
	}
	const deadline, margin = 300 * time.Millisecond, 3 * time.Second
	e := buildEngine(t, hostileCorpus(2500), Config{})
	for _, reps := range []int{2, 72} {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		req := bleve.NewSearchRequestOptions(newPhrase(nil, repeat("safety", reps), fText, 1), 10, 0, false)
		res, err := e.run(ctx, req)
		took := time.Since(start)
		cancel()
		if took > deadline+margin {
			t.Errorf("%d repetitions: answered after %s, deadline %s", reps, took, deadline)
		}
		switch {
		case err != nil && !errors.Is(err, context.DeadlineExceeded):
			t.Errorf("%d repetitions: error %v, want results or the deadline", reps, err)
		case err == nil && reps == 2 && res.Total == 0:
			t.Errorf("%d repetitions: no results", reps)
		}
	}
}
