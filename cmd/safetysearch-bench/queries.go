package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/safetysearch/safetysearch/indexer"
)

// Query classes, in report order.
var classes = []string{"rare", "common", "and2", "phrase", "prefix", "abbreviation", "browse", "standard"}

// benchQuery is one query, described once and translated by each peer.
type benchQuery struct {
	Class    string
	Words    []string // every word must match
	Phrase   []string // consecutive words
	Prefix   string   // word prefix
	Abbrev   string   // abbreviation (peers search it OR its expansion)
	Expanded string   // the expansion, for the peers
	Regions  []string // filters, OR within, AND across
	Audience []string
	Facets   bool // count region, audience, topic, type, year (disjunctive)
	Snippets bool
	Sort     string // "relevance" or "newest"
	Size     int
	Page     int // from 1; 0 means 1
}

// text is the safetysearch free-text form of the query.
func (q benchQuery) text() string {
	switch {
	case q.Abbrev != "":
		return q.Abbrev
	case len(q.Phrase) > 0:
		return `"` + strings.Join(q.Phrase, " ") + `"`
	case q.Prefix != "":
		return q.Prefix + "*"
	}
	return strings.Join(q.Words, " ")
}

// indexerQuery is the query as safetysearch's in-process API takes it.
func (q benchQuery) indexerQuery() indexer.Query {
	iq := indexer.Query{
		Text:      q.text(),
		Regions:   q.Regions,
		Audiences: q.Audience,
		Sort:      indexer.Sort(q.Sort),
		PerPage:   q.Size,
		Page:      q.Page,
		Highlight: q.Snippets,
		Facets:    []string{},
	}
	if q.Facets {
		iq.Facets = nil // the default five
	}
	return iq
}

// thesaurus pairs used by the abbreviation class; the synthetic corpus uses
// both forms.
var abbreviations = [][2]string{
	{"PSIRF", "patient safety incident response framework"},
	{"VTE", "venous thromboembolism"},
	{"AKI", "acute kidney injury"},
	{"CQC", "care quality commission"},
	{"HSSIB", "health services safety investigations body"},
	{"RCA", "root cause analysis"},
	{"NEWS2", "national early warning score"},
	{"LFPSE", "learn from patient safety events"},
}

func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) })
}

// buildQueries draws perClass queries of every class from a sample of the
// corpus, deterministically from seed. Rare words are taken with a sample
// document frequency of 2–5, common words from the top of the distribution.
func buildQueries(ctx context.Context, src indexer.Source, seed int64, sample, perClass int) ([]benchQuery, error) {
	df := map[string]int{}
	var bodies [][]string
	n := 0
	errStop := fmt.Errorf("enough")
	err := src.Each(ctx, func(a article.Article) error {
		if n >= sample {
			return errStop
		}
		n++
		toks := tokens(a.Title + " " + a.Summary + " " + a.Body)
		seen := map[string]bool{}
		for _, t := range toks {
			if len(t) > 3 && !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
		bodies = append(bodies, tokens(a.Body))
		return nil
	})
	if err != nil && err != errStop {
		return nil, err
	}
	var rare, mid, common []string
	for w, c := range df {
		switch {
		case c >= 2 && c <= 5 && len(w) > 4:
			rare = append(rare, w)
		case c > n/50 && c < n/5:
			mid = append(mid, w)
		case c >= n/3 && !stop[w]:
			common = append(common, w)
		}
	}
	slices.Sort(rare)
	slices.Sort(mid)
	slices.Sort(common)
	if len(rare) == 0 || len(mid) < 2 || len(common) == 0 {
		return nil, fmt.Errorf("bench: corpus sample too small for the query classes (rare %d, mid %d, common %d)", len(rare), len(mid), len(common))
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	regions := []string{"UK", "England", "Scotland", "Global"}
	var qs []benchQuery
	for i := 0; i < perClass; i++ {
		qs = append(qs,
			benchQuery{Class: "rare", Words: []string{pick(rare)}, Sort: "relevance", Size: 20},
			benchQuery{Class: "common", Words: []string{pick(common)}, Sort: "relevance", Size: 20},
			benchQuery{Class: "and2", Words: []string{pick(mid), pick(mid)}, Sort: "relevance", Size: 20},
			benchQuery{Class: "phrase", Phrase: phraseFrom(rng, bodies), Sort: "relevance", Size: 20},
			benchQuery{Class: "prefix", Prefix: pick(mid)[:4], Sort: "relevance", Size: 20},
		)
		ab := abbreviations[rng.IntN(len(abbreviations))]
		qs = append(qs,
			benchQuery{Class: "abbreviation", Abbrev: ab[0], Expanded: ab[1], Sort: "relevance", Size: 20},
			benchQuery{Class: "browse", Regions: []string{regions[rng.IntN(len(regions))]}, Audience: []string{"Everyone"}, Facets: true, Sort: "newest", Size: 20},
			benchQuery{Class: "standard", Words: []string{pick(mid), pick(mid)}, Regions: []string{"UK"}, Audience: []string{"Everyone"}, Facets: true, Snippets: true, Sort: "relevance", Size: 20},
		)
	}
	return qs, nil
}

// phraseFrom takes two consecutive non-stop words of a sampled body.
func phraseFrom(rng *rand.Rand, bodies [][]string) []string {
	for range 100 {
		b := bodies[rng.IntN(len(bodies))]
		if len(b) < 3 {
			continue
		}
		i := rng.IntN(len(b) - 1)
		if len(b[i]) > 3 && len(b[i+1]) > 3 && !stop[b[i]] && !stop[b[i+1]] {
			return []string{b[i], b[i+1]}
		}
	}
	return []string{"patient", "safety"}
}

// stop is a small English stop list, so that "common" words are content
// words every peer indexes (PostgreSQL's english config drops stop words).
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`about above after again against also been before being below between both
	could does doing down during each from further have having here into itself more most other over same should
	some such than that their theirs them then there these they this those through under until very were what when
	where which while with would your will shall only just`) {
		m[w] = true
	}
	return m
}()
