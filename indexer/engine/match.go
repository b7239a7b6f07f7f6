package engine

// This file is the match step of a search: the filters (OR within a facet,
// AND across facets, dates by day), and the text level a query is matched
// at: every unit required, or, when that finds too few results, the least
// informative words made optional (relaxation).

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// selections returns the normalised selected values of each facet.
func selections(q Normalized) map[string][]string {
	years := make([]string, 0, len(q.Years))
	for _, y := range q.Years {
		years = append(years, strconv.Itoa(y))
	}
	sel := map[string][]string{
		FacetRegion:   keys(q.Regions),
		FacetAudience: keys(q.Audiences),
		FacetTopic:    keys(q.Topics),
		FacetType:     keys(q.Types),
		FacetTag:      keys(q.Tags),
		FacetAuthor:   keys(q.Authors),
		FacetYear:     keys(years),

		FacetPublisher: keys(q.Publishers),
	}
	for f, v := range sel {
		if len(v) == 0 {
			delete(sel, f)
		}
	}
	return sel
}

// filterQueries returns one non-scoring filter per selected facet (OR of its
// values) except the facet named skip, plus the date range and, unless skip
// is FilterHasAttachment, the has_attachment filter.
func filterQueries(q Normalized, sel map[string][]string, skip string) []query.Query {
	names := make([]string, 0, len(sel))
	for f := range sel {
		if f != skip {
			names = append(names, f)
		}
	}
	sort.Strings(names)
	var out []query.Query
	for _, f := range names {
		out = append(out, keywordAny(facetFields[f], sel[f]))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		var start, end time.Time
		if !q.From.IsZero() {
			start = dayStart(q.From)
		}
		if !q.To.IsZero() {
			end = dayStart(q.To).AddDate(0, 0, 1)
		}
		incl, excl := true, false
		dr := query.NewDateRangeInclusiveQuery(start, end, &incl, &excl)
		dr.SetField(fPublished)
		dr.SetBoost(0)
		out = append(out, dr)
	}
	if q.HasAttachment && skip != FilterHasAttachment {
		out = append(out, hasAttachmentFilter())
	}
	return out
}

func dayStart(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// keywordAny matches any of the normalised values in a keyword field. Its
// clauses have boost 0: as filters they add nothing to scores (see
// withFilters).
func keywordAny(field string, vals []string) query.Query {
	qs := make([]query.Query, 0, len(vals))
	for _, v := range vals {
		tq := query.NewTermQuery(v)
		tq.SetField(field)
		tq.SetBoost(0)
		qs = append(qs, tq)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// withFilters combines a scoring text query (nil: everything) with filters
// that must not change scores.
//
// With text, it is a conjunction of the text and the filters, so that
// selective filters drive the iteration (the conjunction leapfrogs) instead
// of the text query being evaluated in full and filtered afterwards, as
// BooleanQuery.AddFilter does. Every filter leaf has boost 0: it scores 0
// and its weight is 0, so the query norm the conjunction hands to the text
// query is the text query's own, and scores are exactly those of the text
// query alone (TestEngineFiltersDoNotScore).
//
// Without text (browsing), everything is matched and filtered.
func withFilters(text query.Query, filters []query.Query) query.Query {
	if len(filters) == 0 {
		if text == nil {
			return query.NewMatchAllQuery()
		}
		return text
	}
	if text != nil {
		return query.NewConjunctionQuery(append([]query.Query{text}, filters...))
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	bq.AddMust(query.NewMatchAllQuery())
	if len(filters) == 1 {
		bq.AddFilter(filters[0])
	} else {
		bq.AddFilter(query.NewConjunctionQuery(filters))
	}
	return bq
}

// longQueryUnits is the number of units from which a query is a long
// question: relaxed, it has every plain word optional and is ranked as a bag
// of words with pseudo-relevance feedback.
const longQueryUnits = 4

// RelaxBelow is the number of articles under which a query's least
// informative words become optional. It depends on the query, the filters
// and the collection only, never on the page asked for, so every view of a
// search (any page size, the feed, the exports) answers the same set.
const RelaxBelow = 10

// relax implements optional words: when fewer than RelaxBelow articles
// hold every unit, the least informative plain words (the highest document
// frequency, counted exactly across the text fields; first those found
// nowhere) become optional, one at a time, until RelaxBelow articles match
// or one required unit remains (none for a query of longQueryUnits units or
// more; phrases, prefixes, field terms and OR groups always stay required).
// It returns the optional units in order and the number of articles that
// hold every unit.
func (e *Engine) relax(ctx context.Context, plan *textPlan, filters []query.Query) ([]int, uint64, error) {
	var cands []int
	for i, u := range plan.units {
		if u.relaxable {
			cands = append(cands, i)
		}
	}
	if len(plan.units) < 2 || len(cands) == 0 {
		return nil, 0, nil
	}
	strict, err := e.count(ctx, withFilters(plan.query(nil), filters))
	if err != nil || strict >= RelaxBelow {
		return nil, strict, err
	}
	df := make(map[int]uint64, len(cands))
	inTitles := make(map[int]uint64, len(cands))
	for _, i := range cands {
		if df[i], err = e.count(ctx, plan.units[i].q); err != nil {
			return nil, 0, err
		}
		if inTitles[i], err = e.titleFreq(plan.units[i]); err != nil {
			return nil, 0, err
		}
	}
	// Words found nowhere first (requiring them can only give nothing), then
	// the most frequent; on equal frequency the word in fewer titles (titles
	// name topics: "sepsis" before "signs"), then the later word.
	sort.SliceStable(cands, func(a, b int) bool {
		x, y := cands[a], cands[b]
		if (df[x] == 0) != (df[y] == 0) {
			return df[x] == 0
		}
		if df[x] != df[y] {
			return df[x] > df[y]
		}
		if inTitles[x] != inTitles[y] {
			return inTitles[x] < inTitles[y]
		}
		return x > y
	})
	// A long question (longQueryUnits units or more) is ranked as a bag of
	// words: every plain word optional at once, any match counts, ranked by
	// how many and how rare the matched words are (feedback.go). Shorter
	// queries make one word optional at a time and keep their rarest word.
	var optional []int
	total := strict
	if len(plan.units) >= longQueryUnits {
		optional = cands
		if total, err = e.count(ctx, withFilters(plan.query(optional), filters)); err != nil {
			return nil, 0, err
		}
	}
	for _, i := range cands {
		if len(optional) == len(cands) || len(plan.units)-len(optional) <= 1 {
			break
		}
		optional = append(optional, i)
		if total, err = e.count(ctx, withFilters(plan.query(optional), filters)); err != nil {
			return nil, 0, err
		}
		if total >= RelaxBelow {
			break
		}
	}
	if total == strict {
		// Loosening found nothing more: the answer is the strict one.
		return nil, strict, nil
	}
	return optional, strict, nil
}

// textLevel is the text query a search runs.
type textLevel struct {
	q        query.Query
	optional []int // units made optional by relaxation, in order
	// strict is the query with every unit required and strictTotal the
	// number of articles it matches: with optional units they form the
	// first tier of a relevance-ordered answer.
	strict      query.Query
	strictTotal uint64
	// located, when not nil, is the per-field query of the same level: q
	// ranks on the combined field alone, whose locations give no title or
	// comment matches, and locate takes the hits' locations (highlights,
	// matched comments) from located.
	located query.Query
}

// textLevel relaxes plan and builds its query: the plan's own, or, when a
// long question has every plain word optional, its bag-of-words level with
// pseudo-relevance feedback (feedback.go).
func (e *Engine) textLevel(ctx context.Context, plan *textPlan, filters []query.Query) (textLevel, error) {
	optional, strictTotal, err := e.relax(ctx, plan, filters)
	if err != nil {
		return textLevel{}, err
	}
	lvl := textLevel{q: plan.query(optional), optional: optional, strict: plan.query(nil), strictTotal: strictTotal}
	if !plan.bagOfWords(optional) {
		return lvl, nil
	}
	fq, err := e.feedbackQuery(ctx, plan, filters)
	if err != nil {
		return textLevel{}, err
	}
	lvl.located, lvl.q = lvl.q, fq
	return lvl, nil
}

// titleFreq is the number of titles holding a one-token word, from the
// term dictionary; 0 for other units.
func (e *Engine) titleFreq(u textUnit) (uint64, error) {
	if u.token == "" {
		return 0, nil
	}
	var n uint64
	err := e.withReader(func(r index.IndexReader) error {
		var err error
		n, err = termCount(r, fTitle, u.token)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("indexer: title frequency of %q: %w", u.token, err)
	}
	return n, nil
}
