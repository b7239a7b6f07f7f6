package indexer

// This file executes searches on one opened index generation: relaxation,
// disjunctive facets, hits and highlights.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"maps"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer/article"

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

	thesaurusKeys []thesKey

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
	e.thesaurusKeys = e.thesKeys()
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
func selections(q Query) map[string][]string {
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
func filterQueries(q Query, sel map[string][]string, skip string) []query.Query {
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

// prepared is a validated query compiled for one generation: what search
// and scan share, so that every view of a search answers the same set in
// the same order.
type prepared struct {
	q       Query
	plan    *textPlan // nil without free text
	sel     map[string][]string
	filters []query.Query
	lvl     textLevel
	text    query.Query // the level's query; nil browses
}

func (e *engine) prepare(ctx context.Context, q Query) (*prepared, error) {
	q, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	p := &prepared{q: q, sel: selections(q)}
	p.filters = filterQueries(q, p.sel, "")
	if q.Text == "" {
		return p, nil
	}
	if p.plan, err = e.compile(q.Text); err != nil {
		return nil, err
	}
	if p.lvl, err = e.textLevel(ctx, p.plan, p.filters); err != nil {
		return nil, err
	}
	p.text = p.lvl.q
	return p, nil
}

// tiered reports whether the answer is ranked in two tiers: a relaxed query
// in relevance order lists the articles holding every word first, whatever
// their score under the relaxed query; date orders are one list.
func (p *prepared) tiered() bool {
	return p.plan != nil && len(p.lvl.optional) > 0 && p.q.Sort == SortRelevance
}

// request is the Bleve request for hits from..from+size of query qq in the
// prepared order, with the stored article.
func (p *prepared) request(qq query.Query, from, size int) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(withFilters(qq, p.filters), size, from, false)
	req.SortByCustom(sortOrder(p.q.Sort))
	req.Fields = []string{fArticle}
	// Match locations (highlights, matched comments) are read by locate for
	// the page's hits only: asking the main request for them decodes the
	// word positions of every matching document.
	req.IncludeLocations = false
	return req
}

// search runs a full search: validation, free-text compilation, relaxation,
// the page of hits, disjunctive facets and highlights.
func (e *engine) search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	p, err := e.prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	q = p.q
	res := &Result{
		Query:      q.Text,
		Page:       q.Page,
		PerPage:    q.PerPage,
		Hits:       []Hit{},
		Facets:     map[string][]FacetValue{},
		Expansions: []Expansion{},
	}
	if p.plan != nil {
		res.Expansions = append(res.Expansions, p.plan.expansions...)
	}

	req := p.request(p.text, (q.Page-1)*q.PerPage, q.PerPage)
	var disjunctive []string
	for _, f := range q.Facets {
		if _, selected := p.sel[f]; selected {
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
			key := countKey(q, p.lvl, p.sel, disjunctive)
			var ok bool
			if disjCounts, ok = e.counts.get(key); ok {
				return
			}
			if disjCounts, errs[1] = e.disjunctiveCounts(ctx, p.text, q, p.sel, disjunctive); errs[1] == nil {
				e.counts.put(key, disjCounts)
			}
		}()
	}
	// A tiered answer's main request only counts and facets; the page
	// comes from the tiers.
	if p.tiered() {
		req.Size, req.From = 0, 0
	}
	mainRes, errs[0] = e.run(ctx, req)
	var pageHits search.DocumentMatchCollection
	if p.tiered() && errs[0] == nil {
		pageHits, errs[0] = e.tieredPage(ctx, p, (q.Page-1)*q.PerPage, q.PerPage)
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
	if len(p.lvl.optional) > 0 {
		res.Relaxed = &Relaxation{
			Optional:      p.plan.labels(p.lvl.optional),
			AllWords:      p.lvl.strictTotal,
			Others:        mainRes.Total - min(mainRes.Total, p.lvl.strictTotal),
			AllWordsFirst: p.tiered(),
		}
	}
	if p.plan != nil {
		located := p.lvl.located
		if located == nil {
			located = p.text
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
		res.Facets[f] = e.facetValues(f, counts, p.sel[f], q.FacetSize)
		if f == FacetYear {
			undated := uint64(counts[missingKey])
			res.Undated = &undated
		}
	}
	if res.Total == 0 {
		if res.NoResults, err = e.noResults(ctx, p); err != nil {
			return nil, err
		}
	}
	res.TookMS = time.Since(start).Milliseconds()
	return res, nil
}

// noResults says what would find something when p found nothing: the
// spelling correction of its text and each filter whose removal alone gives
// results (most results first).
func (e *engine) noResults(ctx context.Context, p *prepared) (*NoResults, error) {
	nr := &NoResults{Filters: []FilterRelief{}}
	if p.q.Text != "" {
		sug, err := e.suggest(ctx, p.q.Text)
		if err != nil {
			return nil, err
		}
		if sug != "" && !strings.EqualFold(sug, p.q.Text) {
			nr.DidYouMean = sug
		}
	}
	countWithout := func(filters []query.Query) (uint64, error) {
		return e.count(ctx, withFilters(p.text, filters))
	}
	for _, f := range slices.Sorted(maps.Keys(p.sel)) {
		n, err := countWithout(filterQueries(p.q, p.sel, f))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			nr.Filters = append(nr.Filters, FilterRelief{Filter: f, Values: p.q.selectedValues(f), Count: n})
		}
	}
	if !p.q.From.IsZero() || !p.q.To.IsZero() {
		noDates := p.q
		noDates.From, noDates.To = time.Time{}, time.Time{}
		n, err := countWithout(filterQueries(noDates, p.sel, ""))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			var vals []string
			for _, d := range []time.Time{p.q.From, p.q.To} {
				if !d.IsZero() {
					vals = append(vals, d.UTC().Format(time.DateOnly))
				}
			}
			nr.Filters = append(nr.Filters, FilterRelief{Filter: "date", Values: vals, Count: n})
		}
	}
	slices.SortStableFunc(nr.Filters, func(a, b FilterRelief) int { return cmp.Compare(b.Count, a.Count) })
	return nr, nil
}

// page returns hits from..from+size of the prepared answer, in its order.
func (e *engine) page(ctx context.Context, p *prepared, from, size int) (search.DocumentMatchCollection, error) {
	if p.tiered() {
		return e.tieredPage(ctx, p, from, size)
	}
	res, err := e.run(ctx, p.request(p.text, from, size))
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// tieredPage returns hits from..from+size of a relaxed answer ranked in two
// tiers: the articles holding every word (the strict query) by their score
// under it, then the others by their score under the relaxed query. A
// first-tier score is raised by the best second-tier score, so that scores
// never increase down the list and a page's scores do not depend on which
// page it is.
func (e *engine) tieredPage(ctx context.Context, p *prepared, from, size int) (search.DocumentMatchCollection, error) {
	strictTotal := int(p.lvl.strictTotal)
	rest := query.NewBooleanQuery([]query.Query{p.text}, nil, []query.Query{p.lvl.strict})
	var hits search.DocumentMatchCollection
	if from < strictTotal {
		strict, err := e.run(ctx, p.request(p.lvl.strict, from, size))
		if err != nil {
			return nil, err
		}
		best, err := e.run(ctx, p.request(rest, 0, 1))
		if err != nil {
			return nil, err
		}
		lift := 0.0
		if len(best.Hits) > 0 {
			lift = best.Hits[0].Score
		}
		for _, h := range strict.Hits {
			h.Score += lift
		}
		hits = strict.Hits
	}
	if need := size - len(hits); need > 0 {
		more, err := e.run(ctx, p.request(rest, max(0, from-strictTotal), need))
		if err != nil {
			return nil, err
		}
		hits = append(hits, more.Hits...)
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
		if c > 0 && k != missingKey {
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
		// Every year is listed: there are few, and a chart of results by
		// year needs them all.
		if i >= size && !isSel[t.key] && f != FacetYear {
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
func (e *engine) hit(h *search.DocumentMatch, highlight bool) (Hit, error) {
	hit := Hit{
		Score:      h.Score,
		Highlights: Highlights{Title: []string{}, Body: []string{}, Comments: []string{}},
	}
	commentSpans := spansByArray(h.Locations[fComments])
	hit.MatchedComments = len(commentSpans)
	if !highlight {
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
		hit.Highlights.Title = []string{markAll(a.Title, sp)}
	}
	// The body is the element textBody of fText (offsets relative to it).
	if sp := spansByArray(h.Locations[fText])[textBody]; len(sp) > 0 {
		hit.Highlights.Body = fragments(a.Body, sp, e.fragSize, maxBodyFragments)
	} else if sp := spansByArray(h.Locations[fSummary])[0]; len(sp) > 0 {
		hit.Highlights.Body = fragments(a.Summary, sp, e.fragSize, maxBodyFragments)
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
			hit.Highlights.Comments = append(hit.Highlights.Comments, fragments(a.Comments[p].Body, commentSpans[p], e.fragSize, 1)...)
		}
	}
	return hit, nil
}

// Highlight limits: body (or summary) fragments per hit, comments shown.
const (
	maxBodyFragments    = 2
	maxCommentFragments = 3
)

// span is a match in a text, as byte offsets [start, end).
type span struct{ start, end int }

// spansByArray groups the match locations of one field by array position
// (comment index; 0 for single-valued fields), in the folded text's offsets.
func spansByArray(tlm search.TermLocationMap) map[int][]span {
	out := map[int][]span{}
	for _, locs := range tlm {
		for _, l := range locs {
			p := 0
			if len(l.ArrayPositions) > 0 {
				p = int(l.ArrayPositions[0])
			}
			out[p] = append(out[p], span{int(l.Start), int(l.End)})
		}
	}
	return out
}

// origSpans maps spans in foldText(text) back to text, sorted and merged.
func origSpans(text string, sp []span) []span {
	folded := foldText(text)
	out := make([]span, 0, len(sp))
	for _, s := range sp {
		if s.start >= 0 && s.end <= len(folded) && s.start < s.end {
			out = append(out, s)
		}
	}
	if folded != text {
		out = unfold(text, out)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].end > out[j].end
	})
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start <= merged[n-1].end {
			if s.end > merged[n-1].end {
				merged[n-1].end = s.end
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// unfold maps spans given in offsets of foldText(text) to offsets in text,
// in one pass over text: a span starts where the rune that produced its
// first folded byte starts and ends where the rune of its last byte ends.
func unfold(text string, sp []span) []span {
	type need struct {
		off   int
		idx   int
		isEnd bool
	}
	needs := make([]need, 0, 2*len(sp))
	for i, s := range sp {
		needs = append(needs, need{s.start, i, false}, need{s.end - 1, i, true})
	}
	sort.Slice(needs, func(a, b int) bool { return needs[a].off < needs[b].off })
	out := make([]span, len(sp))
	k, folded := 0, 0
	for i := 0; i < len(text) && k < len(needs); {
		r, size := utf8.DecodeRuneInString(text[i:])
		n := 1
		if r >= utf8.RuneSelf {
			n = len(foldRune(r))
		}
		for k < len(needs) && needs[k].off < folded+n {
			if needs[k].isEnd {
				out[needs[k].idx].end = i + size
			} else {
				out[needs[k].idx].start = i
			}
			k++
		}
		folded += n
		i += size
	}
	return out
}

// markAll returns the whole text, HTML-escaped, with <mark> around spans.
func markAll(text string, sp []span) string {
	return markRange(text, origSpans(text, sp), 0, len(text))
}

// markRange escapes text[from:to] and wraps the spans inside it in <mark>.
func markRange(text string, sp []span, from, to int) string {
	var b strings.Builder
	pos := from
	for _, s := range sp {
		if s.start < from || s.end > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.start:s.end]))
		b.WriteString("</mark>")
		pos = s.end
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	return b.String()
}

// fragments returns up to maxFrags windows of about size runes of text, the
// ones holding the most matches first chosen, shown in text order; each is
// cut at word boundaries, HTML-escaped, with <mark> around matches and "…"
// where text was cut.
func fragments(text string, folded []span, size, maxFrags int) []string {
	sp := origSpans(text, folded)
	type window struct{ from, to int }
	var chosen []window
	left := sp
	for len(chosen) < maxFrags && len(left) > 0 {
		best, bestN := window{}, -1
		for _, anchor := range left {
			from := wordStart(text, backRunes(text, anchor.start, size/5))
			if from > anchor.start {
				from = anchor.start
			}
			to := wordEnd(text, forwardRunes(text, from, size))
			if to < anchor.end {
				to = anchor.end
			}
			// left is sorted and non-overlapping: count by binary search.
			lo := sort.Search(len(left), func(i int) bool { return left[i].start >= from })
			hi := sort.Search(len(left), func(i int) bool { return left[i].end > to })
			n := max(hi-lo, 0)
			overlaps := false
			for _, c := range chosen {
				overlaps = overlaps || (from < c.to && c.from < to)
			}
			if n > bestN && !overlaps {
				best, bestN = window{from, to}, n
			}
		}
		if bestN < 0 {
			break
		}
		chosen = append(chosen, best)
		var rest []span
		for _, s := range left {
			if s.start < best.from || s.end > best.to {
				rest = append(rest, s)
			}
		}
		left = rest
	}
	sort.Slice(chosen, func(i, j int) bool { return chosen[i].from < chosen[j].from })
	out := make([]string, 0, len(chosen))
	for _, w := range chosen {
		f := strings.TrimSpace(markRange(text, sp, w.from, w.to))
		if w.from > 0 {
			f = "…" + f
		}
		if w.to < len(text) {
			f += "…"
		}
		out = append(out, f)
	}
	return out
}

// backRunes moves n runes back from byte offset i.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forwardRunes moves n runes forward from byte offset i.
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// wordStart moves i forward to the start of the next word unless it is at
// the start of the text or of a word already.
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if unicode.IsSpace(r) {
		return i
	}
	j := strings.IndexFunc(s[i:], unicode.IsSpace)
	if j < 0 || j > 40 {
		return i
	}
	return i + j + 1
}

// wordEnd moves i back to the end of the previous whole word unless it is at
// the end of the text or of a word already.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if unicode.IsSpace(r) {
		return i
	}
	j := strings.LastIndexFunc(s[:i], unicode.IsSpace)
	if j < 0 || i-j > 40 {
		return i
	}
	return j
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
func (e *engine) relax(ctx context.Context, plan *textPlan, filters []query.Query) ([]int, uint64, error) {
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
func (e *engine) textLevel(ctx context.Context, plan *textPlan, filters []query.Query) (textLevel, error) {
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

// scanChunk is how many hits scan asks for at a time.
const scanChunk = 500

// scan calls fn with every article of the answer to q, in the order of its
// pages (the same set, order and tie-breaks as search), up to limit (0: no
// limit), for exports and feeds. The paging fields of q are ignored.
func (e *engine) scan(ctx context.Context, q Query, limit int, fn func(article.Article) error) error {
	q.Page, q.PerPage = 0, 0
	p, err := e.prepare(ctx, q)
	if err != nil {
		return err
	}
	for sent := 0; limit <= 0 || sent < limit; {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := scanChunk
		if limit > 0 {
			size = min(size, limit-sent)
		}
		hits, err := e.page(ctx, p, sent, size)
		if err != nil {
			return err
		}
		for _, h := range hits {
			a, err := decodeArticle(h)
			if err != nil {
				return err
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		sent += len(hits)
		if len(hits) < size {
			return nil
		}
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
