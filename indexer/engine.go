package indexer

// This file executes searches on one opened index generation: relaxation,
// disjunctive facets, hits and highlights.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/highlight"
	"github.com/safetysearch/safetysearch/indexer/thesaurus"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// ErrIndexFailure wraps a panic raised inside Bleve (for instance on a
// corrupted segment). The generation should be rebuilt.
var ErrIndexFailure = errors.New("indexer: index failure")

// safely runs fn and turns a panic into an error wrapping ErrIndexFailure.
// Every call into Bleve on a search or indexing path goes through it.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: bleve panic: %v\n%s", ErrIndexFailure, r, firstLines(debug.Stack(), 12))
		}
	}()
	return fn()
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// EngineConfig configures the search engine of a generation.
type EngineConfig struct {
	Thesaurus    *Thesaurus // nil → DefaultThesaurus()
	FragmentSize int        // highlight fragment length in runes; 0 → 200
}

const defaultFragmentSize = 200

// engine searches one opened index generation. It is safe for concurrent use.
type engine struct {
	idx      bleve.Index
	thes     *Thesaurus
	fragSize int
	analyzer analysis.Analyzer
	labels   map[string]map[string]string // facet → key → published label

	thesaurus *thesaurus.Matcher

	counts countCache // disjunctive facet counts of recent searches

	phrases phraseCache // documents matching thesaurus expansion phrases
}

// openEngine wraps an opened generation. It fails with ErrSchemaMismatch when
// the generation was built with another SchemaVersion.
func openEngine(idx bleve.Index, cfg EngineConfig) (*engine, error) {
	v, err := storedSchemaVersion(idx)
	if err != nil {
		return nil, err
	}
	if v != SchemaVersion {
		return nil, fmt.Errorf("%w: index has %d, build wants %d", ErrSchemaMismatch, v, SchemaVersion)
	}
	e := &engine{idx: idx, thes: cfg.Thesaurus, fragSize: cfg.FragmentSize}
	if e.thes == nil {
		e.thes = DefaultThesaurus()
	}
	if e.fragSize <= 0 {
		e.fragSize = defaultFragmentSize
	}
	if err := safely(func() error {
		e.analyzer = idx.Mapping().AnalyzerNamed(analyzerText)
		if e.analyzer == nil {
			return fmt.Errorf("analyzer %s missing from the mapping", analyzerText)
		}
		raw, err := idx.GetInternal(internalLabelsKey)
		if err != nil {
			return err
		}
		e.labels = map[string]map[string]string{}
		if len(raw) > 0 {
			return json.Unmarshal(raw, &e.labels)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("indexer: open engine: %w", err)
	}
	e.thesaurus = thesaurus.NewMatcher(e.thes, e.analyze)
	return e, nil
}

// docCount is the number of articles in the generation.
func (e *engine) docCount() (uint64, error) {
	var n uint64
	err := safely(func() error {
		var err error
		n, err = e.idx.DocCount()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("indexer: doc count: %w", err)
	}
	return n, nil
}

// run executes one Bleve request.
func (e *engine) run(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	var res *bleve.SearchResult
	err := safely(func() error {
		var err error
		res, err = e.idx.SearchInContext(ctx, req)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: search: %w", err)
	}
	return res, nil
}

// count returns the number of documents matching q.
func (e *engine) count(ctx context.Context, q query.Query) (uint64, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = "none"
	res, err := e.run(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// article returns the stored article with this id, or ErrNotFound.
func (e *engine) article(ctx context.Context, id string) (article.Article, error) {
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fArticle}
	res, err := e.run(ctx, req)
	if err != nil {
		return article.Article{}, err
	}
	if len(res.Hits) == 0 {
		return article.Article{}, fmt.Errorf("indexer: article %s: %w", id, ErrNotFound)
	}
	return decodeArticle(res.Hits[0])
}

func decodeArticle(h *search.DocumentMatch) (article.Article, error) {
	raw, _ := h.Fields[fArticle].(string)
	if raw == "" {
		return article.Article{}, fmt.Errorf("indexer: article %s: stored document missing", h.ID)
	}
	var a article.Article
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		return article.Article{}, fmt.Errorf("indexer: article %s: decode: %w", h.ID, err)
	}
	return a, nil
}

// sortOrder is the Bleve sort of a query. Every order ends with the article
// id, so it is total and the same in every generation of the same articles:
// the internal document order, Bleve's own tie-break, depends on which of
// fillIndex's concurrent batches finished first
// (TestEngineRelevanceOrderDeterministic,
// TestFillIndexSameOrderAcrossBuilds). The id costs Bleve a lookup of the
// external id of every matching document (zap keeps it uncompressed at the
// head of the stored fields).
func sortOrder(s Sort) search.SortOrder {
	published := func(desc bool) *search.SortField {
		return &search.SortField{Field: fPublished, Desc: desc, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast}
	}
	switch s {
	case SortNewest:
		return search.SortOrder{published(true), &search.SortDocID{}}
	case SortOldest:
		return search.SortOrder{published(false), &search.SortDocID{}}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	}
}

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
	}
	for f, v := range sel {
		if len(v) == 0 {
			delete(sel, f)
		}
	}
	return sel
}

// filterQueries returns one non-scoring filter per selected facet (OR of its
// values) except the facet named skip, plus the date range.
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

// search runs a full search: validation, free-text compilation, relaxation,
// the page of hits, disjunctive facets and highlights.
func (e *engine) search(ctx context.Context, q Normalized) (*Result, error) {
	start := time.Now()
	var plan *textPlan
	var err error
	if q.Text != "" {
		if plan, err = e.compile(q.Text); err != nil {
			return nil, err
		}
	}
	sel := selections(q)
	allFilters := filterQueries(q, sel, "")

	res := &Result{
		Query:      q.Text,
		Page:       q.Page,
		PerPage:    q.PerPage,
		Hits:       []Hit{},
		Facets:     map[string][]FacetValue{},
		Expansions: []Expansion{},
	}
	var text query.Query
	var lvl textLevel
	if plan != nil {
		res.Expansions = append(res.Expansions, plan.expansions...)
		if lvl, err = e.textLevel(ctx, plan, allFilters, q.PerPage); err != nil {
			return nil, err
		}
		text = lvl.q
		if len(lvl.optional) > 0 {
			res.Relaxed = &Relaxation{Optional: plan.labels(lvl.optional)}
		}
	}

	req := bleve.NewSearchRequestOptions(withFilters(text, allFilters), q.PerPage, (q.Page-1)*q.PerPage, false)
	req.SortByCustom(sortOrder(q.Sort))
	req.Fields = []string{fArticle}
	// Match locations (highlights, matched comments) are read by locate for
	// the page's hits only: asking the main request for them decodes the
	// word positions of every matching document.
	req.IncludeLocations = false
	var disjunctive []string
	for _, f := range q.Facets {
		if _, selected := sel[f]; selected {
			disjunctive = append(disjunctive, f)
			continue
		}
		req.AddFacet(f, bleve.NewFacetRequest(facetFields[f], e.facetRequestSize(f, q.FacetSize)))
	}

	// The facets with a selection count with every other filter but not
	// their own, in one search run concurrently with the main request.
	var disjCounts map[string]map[string]int
	errs := make([]error, 2)
	var mainRes *bleve.SearchResult
	var wg sync.WaitGroup
	if len(disjunctive) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := countKey(q, lvl, sel, disjunctive)
			var ok bool
			if disjCounts, ok = e.counts.get(key); ok {
				return
			}
			if disjCounts, errs[1] = e.disjunctiveCounts(ctx, text, q, sel, disjunctive); errs[1] == nil {
				e.counts.put(key, disjCounts)
			}
		}()
	}
	// A relaxed query ranks the articles that hold every word first: the
	// main request then only counts and facets, and the page comes from
	// the strict tier followed by the rest (relaxed matches without every
	// word). The strict tier is smaller than a page, or there would be no
	// relaxation. Long questions ranked as a bag of words (located != nil)
	// and date sorts keep one ranking.
	tiered := plan != nil && len(lvl.optional) > 0 && lvl.located == nil && q.Sort == SortRelevance
	if tiered {
		req.Size, req.From = 0, 0
	}
	mainRes, errs[0] = e.run(ctx, req)
	var pageHits search.DocumentMatchCollection
	if tiered && errs[0] == nil {
		pageHits, errs[0] = e.tieredPage(ctx, plan, text, allFilters, req, (q.Page-1)*q.PerPage, q.PerPage)
	} else if errs[0] == nil {
		pageHits = mainRes.Hits
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	res.Total = mainRes.Total
	if plan != nil {
		located := lvl.located
		if located == nil {
			located = text
		}
		if err := e.locate(ctx, located, hitsToLocate(pageHits, q.Highlight)); err != nil {
			return nil, err
		}
	}
	for _, h := range pageHits {
		hit, err := e.hit(h, q.Highlight)
		if err != nil {
			return nil, err
		}
		res.Hits = append(res.Hits, hit)
	}
	for _, f := range q.Facets {
		counts, ok := disjCounts[f]
		if !ok {
			counts = bleveCounts(mainRes.Facets[f])
		}
		res.Facets[f] = e.facetValues(f, counts, sel[f], q.FacetSize)
	}
	res.TookMS = time.Since(start).Milliseconds()
	return res, nil
}

// tieredPage returns the hits from offset from, size of them, of the
// relaxed query text ranked in two tiers: the articles matching the strict
// query (every word) first, then the others. like is the main request,
// whose sort, fields and locations the tier requests copy.
func (e *engine) tieredPage(ctx context.Context, plan *textPlan, text query.Query, filters []query.Query, like *bleve.SearchRequest, from, size int) (search.DocumentMatchCollection, error) {
	tier := func(q query.Query, from, size int) (*bleve.SearchResult, error) {
		r := bleve.NewSearchRequestOptions(withFilters(q, filters), size, from, false)
		r.Sort = like.Sort
		r.Fields = like.Fields
		r.IncludeLocations = like.IncludeLocations
		return e.run(ctx, r)
	}
	strictQ := plan.query(nil)
	strict, err := tier(strictQ, from, size)
	if err != nil {
		return nil, err
	}
	hits := strict.Hits
	if need := size - len(hits); need > 0 {
		restFrom := max(0, from-int(strict.Total))
		rest, err := tier(query.NewBooleanQuery([]query.Query{text}, nil, []query.Query{strictQ}), restFrom, need)
		if err != nil {
			return nil, err
		}
		hits = append(hits, rest.Hits...)
	}
	return hits, nil
}

// facetRequestSize asks Bleve for every value of the facet (the label
// dictionary knows the cardinality), so that ordering and truncation are
// done here, deterministically.
func (e *engine) facetRequestSize(f string, size int) int {
	if n := len(e.labels[f]); n > size {
		return n
	}
	return size
}

// facetValues orders a facet's values (year: newest first; others: count
// desc, then label), keeps size values and adds every selected value,
// with its published label, even at count 0.
func (e *engine) facetValues(f string, counts map[string]int, selected []string, size int) []FacetValue {
	type kv struct {
		key   string
		count int
	}
	terms := make([]kv, 0, len(counts))
	for k, c := range counts {
		if c > 0 {
			terms = append(terms, kv{k, c})
		}
	}
	sort.Slice(terms, func(i, j int) bool {
		if f == FacetYear {
			return terms[i].key > terms[j].key
		}
		if terms[i].count != terms[j].count {
			return terms[i].count > terms[j].count
		}
		if li, lj := e.label(f, terms[i].key), e.label(f, terms[j].key); li != lj {
			return li < lj
		}
		return terms[i].key < terms[j].key
	})
	isSel := map[string]bool{}
	for _, s := range selected {
		isSel[s] = true
	}
	out := []FacetValue{}
	shown := map[string]bool{}
	for i, t := range terms {
		if i >= size && !isSel[t.key] {
			continue
		}
		out = append(out, FacetValue{Value: e.label(f, t.key), Count: uint64(t.count), Selected: isSel[t.key]})
		shown[t.key] = true
	}
	for _, s := range selected {
		if !shown[s] {
			out = append(out, FacetValue{Value: e.label(f, s), Count: 0, Selected: true})
			shown[s] = true
		}
	}
	return out
}

// label is the published spelling of a normalised facet value.
func (e *engine) label(f, key string) string {
	if l, ok := e.labels[f][key]; ok {
		return l
	}
	return key
}

// hit turns a Bleve match into a Hit, with highlights when asked.
func (e *engine) hit(h *search.DocumentMatch, marked bool) (Hit, error) {
	hit := Hit{
		Score:      h.Score,
		Highlights: Highlights{Title: []string{}, Body: []string{}, Comments: []string{}},
	}
	commentSpans := spansByArray(h.Locations[fComments])
	hit.MatchedComments = len(commentSpans)
	if !marked {
		// The hit needs no body or comment text: decode the stored JSON
		// into a narrower struct (the comments only to count them).
		var d struct {
			ID          string     `json:"id"`
			URL         string     `json:"url"`
			Title       string     `json:"title"`
			Author      string     `json:"author"`
			Published   time.Time  `json:"published"`
			ContentType string     `json:"content_type"`
			Regions     []string   `json:"regions"`
			Audiences   []string   `json:"audiences"`
			Topics      []string   `json:"topics"`
			Tags        []string   `json:"tags"`
			Comments    []struct{} `json:"comments"`
		}
		raw, _ := h.Fields[fArticle].(string)
		if raw == "" {
			return Hit{}, fmt.Errorf("indexer: article %s: stored document missing", h.ID)
		}
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return Hit{}, fmt.Errorf("indexer: article %s: decode: %w", h.ID, err)
		}
		hit.ID, hit.URL, hit.Title, hit.Published, hit.Author, hit.Type = d.ID, d.URL, d.Title, d.Published, d.Author, d.ContentType
		hit.Regions, hit.Audiences, hit.Topics, hit.Tags = article.NonNil(d.Regions), article.NonNil(d.Audiences), article.NonNil(d.Topics), article.NonNil(d.Tags)
		hit.CommentCount = len(d.Comments)
		return hit, nil
	}
	a, err := decodeArticle(h)
	if err != nil {
		return Hit{}, err
	}
	hit.ID, hit.URL, hit.Title, hit.Published, hit.Author, hit.Type = a.ID, a.URL, a.Title, a.Published, a.Author, a.ContentType
	hit.Regions, hit.Audiences, hit.Topics, hit.Tags = article.NonNil(a.Regions), article.NonNil(a.Audiences), article.NonNil(a.Topics), article.NonNil(a.Tags)
	hit.CommentCount = len(a.Comments)
	if sp := spansByArray(h.Locations[fTitle])[0]; len(sp) > 0 {
		hit.Highlights.Title = []string{highlight.MarkAll(a.Title, sp)}
	}
	// The body is the element textBody of fText (offsets relative to it).
	if sp := spansByArray(h.Locations[fText])[textBody]; len(sp) > 0 {
		hit.Highlights.Body = highlight.Fragments(a.Body, sp, e.fragSize, maxBodyFragments)
	} else if sp := spansByArray(h.Locations[fSummary])[0]; len(sp) > 0 {
		hit.Highlights.Body = highlight.Fragments(a.Summary, sp, e.fragSize, maxBodyFragments)
	}
	positions := make([]int, 0, len(commentSpans))
	for p := range commentSpans {
		positions = append(positions, p)
	}
	sort.Ints(positions)
	for _, p := range positions {
		if len(hit.Highlights.Comments) == maxCommentFragments {
			break
		}
		if p < len(a.Comments) {
			hit.Highlights.Comments = append(hit.Highlights.Comments, highlight.Fragments(a.Comments[p].Body, commentSpans[p], e.fragSize, 1)...)
		}
	}
	return hit, nil
}

// Highlight limits: body (or summary) fragments per hit, comments shown.
const (
	maxBodyFragments    = 2
	maxCommentFragments = 3
)

// spansByArray groups the match locations of one field by array position
// (comment index; 0 for single-valued fields), in the folded text's offsets.
func spansByArray(tlm search.TermLocationMap) map[int][]highlight.Span {
	out := map[int][]highlight.Span{}
	for _, locs := range tlm {
		for _, l := range locs {
			p := 0
			if len(l.ArrayPositions) > 0 {
				p = int(l.ArrayPositions[0])
			}
			out[p] = append(out[p], highlight.Span{Start: int(l.Start), End: int(l.End)})
		}
	}
	return out
}

// longQueryUnits is the number of units from which relaxation may make
// every word optional.
const longQueryUnits = 3

// relax implements optional words: when the query with every unit required
// finds fewer than perPage results, the least informative plain words (the
// highest document frequency, counted exactly across the text fields; first
// those found nowhere) become optional, one at a time, until the page
// fills or one required unit remains (none for a query of longQueryUnits
// units or more; phrases, prefixes, field terms and OR groups always stay
// required). Optional units still score, so results that match more words
// rank first. It returns the optional units in order.
func (e *engine) relax(ctx context.Context, plan *textPlan, filters []query.Query, perPage int) ([]int, error) {
	var cands []int
	for i, u := range plan.units {
		if u.relaxable {
			cands = append(cands, i)
		}
	}
	if len(plan.units) < 2 || len(cands) == 0 {
		return nil, nil
	}
	total, err := e.count(ctx, withFilters(plan.query(nil), filters))
	if err != nil || total >= uint64(perPage) {
		return nil, err
	}
	df := make(map[int]uint64, len(cands))
	inTitles := make(map[int]uint64, len(cands))
	for _, i := range cands {
		if df[i], err = e.count(ctx, plan.units[i].q); err != nil {
			return nil, err
		}
		if inTitles[i], err = e.titleFreq(plan.units[i]); err != nil {
			return nil, err
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
	// Short queries keep their rarest word required. A long question (three
	// units or more) may end with every word optional: any match counts,
	// ranked by how many and how rare the matched words are, which is what
	// plain BM25 does and what long natural-language questions need.
	minRequired := 1
	if len(plan.units) >= longQueryUnits {
		minRequired = 0
	}
	var optional []int
	for _, i := range cands {
		if len(plan.units)-len(optional) <= minRequired {
			break
		}
		optional = append(optional, i)
		if total, err = e.count(ctx, withFilters(plan.query(optional), filters)); err != nil {
			return nil, err
		}
		if total >= uint64(perPage) {
			break
		}
	}
	return optional, nil
}

// textLevel is the text query a search runs.
type textLevel struct {
	q        query.Query
	optional []int // units made optional by relaxation, in order
	// located, when not nil, is the per-field query of the same level: q
	// ranks on the combined field alone, whose locations give no title or
	// comment matches, and locate takes the hits' locations (highlights,
	// matched comments) from located.
	located query.Query
}

// textLevel relaxes plan and builds its query: the plan's own, or, when a
// long question has every plain word optional, its bag-of-words level with
// pseudo-relevance feedback (feedback.go).
func (e *engine) textLevel(ctx context.Context, plan *textPlan, filters []query.Query, perPage int) (textLevel, error) {
	optional, err := e.relax(ctx, plan, filters, perPage)
	if err != nil {
		return textLevel{}, err
	}
	lvl := textLevel{q: plan.query(optional), optional: optional}
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

// locate sets the match locations of hits from the per-field query q,
// searched among those hits only.
func (e *engine) locate(ctx context.Context, q query.Query, hits search.DocumentMatchCollection) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q}), len(ids), 0, false)
	req.IncludeLocations = true
	// Phrases check only these documents (phraseQuery).
	res, err := e.run(context.WithValue(ctx, locateDocsKey{}, ids), req)
	if err != nil {
		return err
	}
	locs := make(map[string]search.FieldTermLocationMap, len(res.Hits))
	for _, h := range res.Hits {
		locs[h.ID] = h.Locations
	}
	for _, h := range hits {
		h.Locations = locs[h.ID]
	}
	return nil
}

// scan calls fn with every article of the result set of q, in the order of
// its sort, up to limit (0: no limit), for exports and feeds. Paging fields
// of q but PerPage are ignored; relaxation applies as in search, to fill
// PerPage.
func (e *engine) scan(ctx context.Context, raw Query, limit int, fn func(article.Article) error) error {
	raw.Page = 0
	q, err := raw.Normalize()
	if err != nil {
		return err
	}
	var text query.Query
	sel := selections(q)
	filters := filterQueries(q, sel, "")
	if q.Text != "" {
		plan, err := e.compile(q.Text)
		if err != nil {
			return err
		}
		lvl, err := e.textLevel(ctx, plan, filters, q.PerPage)
		if err != nil {
			return err
		}
		text = lvl.q
	}
	const pageSize = 200
	var after []string
	sent := 0
	for limit <= 0 || sent < limit {
		size := pageSize
		if limit > 0 && limit-sent < size {
			size = limit - sent
		}
		// The relevance order's ties follow the internal document order,
		// which SearchAfter cannot resume from: it pages by offset.
		from := 0
		if q.Sort == SortRelevance {
			from = sent
		}
		req := bleve.NewSearchRequestOptions(withFilters(text, filters), size, from, false)
		req.SortByCustom(sortOrder(q.Sort))
		req.Fields = []string{fArticle}
		if after != nil && q.Sort != SortRelevance {
			req.SearchAfter = after
		}
		res, err := e.run(ctx, req)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			a, err := decodeArticle(h)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
			sent++
		}
		if len(res.Hits) < size {
			return nil
		}
		after = res.Hits[len(res.Hits)-1].Sort
	}
	return nil
}

// titleFreq is the number of titles holding a one-token word, from the
// term dictionary; 0 for other units.
func (e *engine) titleFreq(u textUnit) (uint64, error) {
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
