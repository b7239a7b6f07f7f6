package synthetic

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// digest hashes the JSON of n articles from seed.
func digest(t *testing.T, seed int64, n int) string {
	t.Helper()
	h := sha256.New()
	err := Generate(seed, n, func(a article.Article) error {
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	a, b := digest(t, 42, 500), digest(t, 42, 500)
	if a != b {
		t.Fatalf("same seed, different output: %s vs %s", a, b)
	}
	if c := digest(t, 43, 500); c == a {
		t.Fatal("different seeds gave the same output")
	}
	// Article i depends only on the seed and i: the 10th article of a
	// 20-article corpus is Article(seed, 9), and the first 10 of 20 are the
	// 10-article corpus.
	var got []article.Article
	if err := Generate(42, 20, func(a article.Article) error { got = append(got, a); return nil }); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(Article(42, 9))
	if g, _ := json.Marshal(got[9]); string(g) != string(want) {
		t.Error("Article(42, 9) differs from the 10th generated article")
	}
	if digest(t, 42, 10) == digest(t, 42, 20) {
		t.Error("digest does not depend on n")
	}
	ids := map[string]bool{}
	for _, a := range got {
		if ids[a.ID] {
			t.Errorf("duplicate id %s", a.ID)
		}
		ids[a.ID] = true
	}
	if got[0].ID != "synthetic:r1000" || got[19].ID != "synthetic:r1019" {
		t.Errorf("ids %s … %s", got[0].ID, got[19].ID)
	}
}

var titleRE = regexp.MustCompile(`^(?:[^:()]+: .+ \(\d{1,2} [A-Z][a-z]+ 20\d\d\)|.+ \([^,()]+, \d{1,2} [A-Z][a-z]+ 20\d\d\))$`)

// TestDistributions checks the shape of 3,000 articles against what the
// package doc promises.
func TestDistributions(t *testing.T) {
	const n = 3000
	var (
		bodyWords                             []int
		noComments, fewComments, manyComments int
		uk, everyone, newness                 int
		topicSet                              = map[string]bool{}
		authorCount                           = map[string]int{}
		abbrev, words                         int
	)
	lo, hi := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	err := Generate(7, n, func(a article.Article) error {
		if !titleRE.MatchString(a.Title) {
			t.Errorf("title %q does not follow the pslhub convention", a.Title)
		}
		if a.Published.Before(lo) || a.Published.After(hi) || a.Published.Location() != time.UTC {
			t.Errorf("published %v out of 2015–2026 UTC", a.Published)
		}
		if !a.Updated.IsZero() && a.Updated.Before(a.Published) {
			t.Errorf("updated %v before published %v", a.Updated, a.Published)
		}
		if s := strings.Count(a.Summary, ". ") + 1; s < 1 || s > 3 || !strings.HasSuffix(a.Summary, ".") {
			t.Errorf("summary of %d sentences: %q", s, a.Summary)
		}
		w := strings.Fields(a.Body)
		bodyWords = append(bodyWords, len(w))
		words += len(w)
		for _, x := range w {
			x = strings.TrimRight(x, ".,")
			for _, ab := range abbreviations {
				if x == ab.Short {
					abbrev++
				}
			}
		}
		switch c := len(a.Comments); {
		case c == 0:
			noComments++
		case c <= 5:
			fewComments++
		case c >= 20:
			manyComments++
		}
		for _, c := range a.Comments {
			if c.Body == "" || c.Published.Before(a.Published) || len(strings.Fields(c.Body)) > 100 {
				t.Errorf("comment %+v", c)
			}
		}
		if slices.Contains(a.Regions, "UK") {
			uk++
		}
		if slices.Contains(a.Audiences, "Everyone") {
			everyone++
		}
		if slices.Contains(a.Tags, "New") {
			newness++
		}
		for _, tp := range a.Topics {
			topicSet[tp] = true
		}
		authorCount[a.Author]++
		if want := len(a.Regions) + 2 + len(a.Audiences) + len(a.Topics); len(a.Tags) != want {
			t.Errorf("tags %v do not list regions, type, newness, audiences and topics", a.Tags)
		}
		if a.Tags[len(a.Regions)] != a.ContentType {
			t.Errorf("tag order %v: content type %q not after the regions", a.Tags, a.ContentType)
		}
		if len(a.Regions) == 0 || len(a.Audiences) == 0 || len(a.Topics) == 0 || a.ContentType == "" {
			t.Errorf("missing taxonomy: %+v", a.Tags)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Ints(bodyWords)
	median, maxW := bodyWords[n/2], bodyWords[n-1]
	if median < 500 || median > 700 {
		t.Errorf("median body %d words, want ~600", median)
	}
	// The cap counts word slots; a slot may hold a multi-word expansion,
	// hence the 5% allowance on whitespace-separated words.
	if maxW > 8400 || bodyWords[n*99/100] < 2500 || bodyWords[0] < 40 {
		t.Errorf("body lengths min %d p99 %d max %d: want a long tail up to 8,000", bodyWords[0], bodyWords[n*99/100], maxW)
	}
	if noComments < n*6/10 || fewComments < n/10 || manyComments == 0 || manyComments > n/50 {
		t.Errorf("comments: %d none, %d with 1–5, %d with 20+", noComments, fewComments, manyComments)
	}
	if uk < n*45/100 || uk > n*75/100 {
		t.Errorf("UK on %d of %d articles, want dominant", uk, n)
	}
	if everyone < n/2 {
		t.Errorf("Everyone on %d of %d articles, want dominant", everyone, n)
	}
	if newness < n*3/4 {
		t.Errorf("New on %d of %d", newness, n)
	}
	if len(topicSet) < 120 {
		t.Errorf("%d distinct topics, want a long tail of ~160", len(topicSet))
	}
	if authorCount["Patient Safety Learning"] < n/10 || len(authorCount) < 100 {
		t.Errorf("authors: PSL %d, %d distinct", authorCount["Patient Safety Learning"], len(authorCount))
	}
	// Short forms appear a couple of times per thousand words (half of the
	// 0.4% abbreviation slots, plus topic keywords).
	if r := float64(abbrev) / float64(words) * 1000; r < 1 || r > 10 {
		t.Errorf("%.2f abbreviations per 1000 words", r)
	}
}

func TestWordFrequencies(t *testing.T) {
	counts := map[string]int{}
	total := 0
	err := Generate(3, 300, func(a article.Article) error {
		for _, w := range strings.Fields(strings.ToLower(a.Body)) {
			counts[strings.TrimRight(w, ".,")]++
			total++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	the := float64(counts["the"]) / float64(total)
	if the < 0.03 || the > 0.08 {
		t.Errorf(`"the" is %.3f of words, want ~0.05`, the)
	}
	// Zipf: the 10th most frequent word is roughly a tenth as frequent as
	// the first, and the vocabulary used is large.
	freq := make([]int, 0, len(counts))
	for _, c := range counts {
		freq = append(freq, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(freq)))
	if r := float64(freq[0]) / float64(freq[9]); r < 4 || r > 20 {
		t.Errorf("rank1/rank10 frequency ratio %.1f, want ~10", r)
	}
	if len(counts) < 10000 {
		t.Errorf("only %d distinct words in %d", len(counts), total)
	}
}

func TestCorpusSource(t *testing.T) {
	ctx := context.Background()
	c := Corpus{Seed: 5, N: 25}
	if n, err := c.Count(ctx); n != 25 || err != nil {
		t.Fatalf("Count = %d, %v", n, err)
	}
	seen := 0
	if err := c.Each(ctx, func(article.Article) error { seen++; return nil }); err != nil || seen != 25 {
		t.Fatalf("Each: %d articles, %v", seen, err)
	}
	stop := errors.New("stop")
	seen = 0
	if err := c.Each(ctx, func(article.Article) error { seen++; return stop }); !errors.Is(err, stop) || seen != 1 {
		t.Fatalf("Each with a failing fn: %d articles, %v", seen, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	seen = 0
	err := c.Each(cctx, func(article.Article) error {
		seen++
		if seen == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || seen != 3 {
		t.Fatalf("Each after cancel: %d articles, %v", seen, err)
	}
	if _, err := c.Count(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Count after cancel: %v", err)
	}
}

func TestQueries(t *testing.T) {
	q1, q2 := Queries(9, 400), Queries(9, 400)
	if !slices.Equal(q1, q2) {
		t.Fatal("Queries is not deterministic")
	}
	distinct := map[string]bool{}
	for _, q := range q1 {
		if q == "" || strings.ContainsAny(q, `"():*`) || strings.HasPrefix(q, "-") || strings.Contains(q, " -") {
			t.Errorf("query %q is empty or uses syntax", q)
		}
		distinct[q] = true
	}
	if len(distinct) < 100 {
		t.Errorf("%d distinct queries of 400", len(distinct))
	}
}

func TestAliasTable(t *testing.T) {
	tab := newAliasTable([]float64{1, 2, 7})
	counts := make([]int, 3)
	for i := range uint64(1 << 16) {
		// Spread i over the 64-bit range deterministically.
		counts[tab.draw(i*0x9E3779B97F4A7C15)]++
	}
	for i, want := range []float64{0.1, 0.2, 0.7} {
		if got := float64(counts[i]) / (1 << 16); got < want-0.01 || got > want+0.01 {
			t.Errorf("p[%d] = %.3f, want %.1f", i, got, want)
		}
	}
}

// BenchmarkGenerate measures generation speed in MB/s of text (title,
// summary, body, comments), to confirm it does not dominate the index
// benchmarks.
func BenchmarkGenerate(b *testing.B) {
	g := newGenerator(1)
	var bytes int64
	i := 0
	for b.Loop() {
		a := g.article(i)
		i++
		bytes += int64(len(a.Title) + len(a.Summary) + len(a.Body))
		for _, c := range a.Comments {
			bytes += int64(len(c.Body))
		}
	}
	b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "articles/s")
}
