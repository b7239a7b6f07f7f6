// Package engine searches one index generation: the Bleve mapping and the
// projection of articles onto it (mapping.go, document.go), and the search,
// which runs its steps in order: parse (package textquery) → plan
// (plan.go) → match (match.go) → rank (rank.go, feedback.go) → facets
// (facets.go) → highlight (hit.go, package highlight).
package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/docstore"
	"github.com/safetysearch/safetysearch/indexer/thesaurus"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// errIndexPanic wraps a panic raised inside Bleve (for instance on a
// corrupted segment): the request fails instead of the process.
var errIndexPanic = errors.New("indexer: index failure")

// Safely runs fn and turns a panic into an error wrapping errIndexPanic.
// Every call into Bleve on a search or indexing path goes through it.
func Safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: bleve panic: %v\n%s", errIndexPanic, r, firstLines(debug.Stack(), 12))
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

// Config configures the engine of a generation.
type Config struct {
	Thesaurus    *thesaurus.Thesaurus // nil → thesaurus.Default()
	FragmentSize int                  // highlight fragment length in runes; 0 → 200
}

const defaultFragmentSize = 200

// Engine searches one opened index generation. It is safe for concurrent
// use, except Close, which must come after the last call.
type Engine struct {
	idx      bleve.Index
	articles *docstore.Reader // the generation's articles (articles.go)
	thes     *thesaurus.Thesaurus
	fragSize int
	analyzer analysis.Analyzer
	labels   map[string]map[string]string // facet → key → published label

	thesaurus *thesaurus.Matcher

	counts countCache // disjunctive facet counts of recent searches

	phrases phraseCache // documents matching thesaurus expansion phrases
}

// Open wraps an opened generation whose directory is dir (the index's and
// its article store's, see Fill). It fails with ErrSchemaMismatch when the
// generation was built with another SchemaVersion, and when its article
// store is missing, damaged or does not match the index. Close closes the
// article store; idx stays the caller's to close.
func Open(idx bleve.Index, dir string, cfg Config) (*Engine, error) {
	v, err := storedSchemaVersion(idx)
	if err != nil {
		return nil, err
	}
	if v != SchemaVersion {
		return nil, fmt.Errorf("%w: index has %d, build wants %d", ErrSchemaMismatch, v, SchemaVersion)
	}
	e := &Engine{idx: idx, thes: cfg.Thesaurus, fragSize: cfg.FragmentSize}
	docs, err := e.DocCount()
	if err != nil {
		return nil, err
	}
	if e.articles, err = openArticles(dir, docs); err != nil {
		return nil, err
	}
	if e.thes == nil {
		e.thes = thesaurus.Default()
	}
	if e.fragSize <= 0 {
		e.fragSize = defaultFragmentSize
	}
	if err := Safely(func() error {
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
		_ = e.articles.Close()
		return nil, fmt.Errorf("indexer: open engine: %w", err)
	}
	e.thesaurus = thesaurus.NewMatcher(e.thes, e.analyze)
	return e, nil
}

// Close closes the generation's article store.
func (e *Engine) Close() error {
	return e.articles.Close()
}

// docCount is the number of articles in the generation.
func (e *Engine) DocCount() (uint64, error) {
	var n uint64
	err := Safely(func() error {
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
func (e *Engine) run(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	var res *bleve.SearchResult
	err := Safely(func() error {
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
func (e *Engine) count(ctx context.Context, q query.Query) (uint64, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = "none"
	res, err := e.run(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.Total, nil
}

// Article returns the stored article with this id, or ErrNotFound.
func (e *Engine) Article(ctx context.Context, id string) (article.Article, error) {
	if err := ctx.Err(); err != nil {
		return article.Article{}, fmt.Errorf("indexer: article %s: %w", id, err)
	}
	raw, found, err := e.rawArticle(id)
	if err != nil {
		return article.Article{}, err
	}
	if !found {
		return article.Article{}, fmt.Errorf("indexer: article %s: %w", id, ErrNotFound)
	}
	var a article.Article
	if err := decodeRaw(id, raw, &a); err != nil {
		return article.Article{}, err
	}
	return a, nil
}

// prepared is a validated query compiled for one generation: what search
// and scan share, so that every view of a search answers the same set in
// the same order.
type prepared struct {
	q       Normalized
	plan    *textPlan // nil without free text
	sel     map[string][]string
	filters []query.Query
	lvl     textLevel
	text    query.Query // the level's query; nil browses
}

func (e *Engine) prepare(ctx context.Context, q Normalized) (*prepared, error) {
	var err error
	p := &prepared{q: q, sel: selections(q)}
	p.filters = filterQueries(q, p.sel, "")
	if q.Text == "" {
		return p, nil
	}
	if p.plan, err = e.compile(ctx, q.Text); err != nil {
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
// prepared order, with the stored field named stored (fCard, or "" for
// none).
func (p *prepared) request(qq query.Query, from, size int, stored string) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(withFilters(qq, p.filters), size, from, false)
	req.SortByCustom(sortOrder(p.q.Sort))
	if stored != "" {
		req.Fields = []string{stored}
	}
	// Match locations (highlights, matched comments) are read by locate for
	// the page's hits only: asking the main request for them decodes the
	// word positions of every matching document.
	req.IncludeLocations = false
	return req
}

// search runs a full search: validation, free-text compilation, relaxation,
// the page of hits, disjunctive facets and highlights.
func (e *Engine) Search(ctx context.Context, q Normalized) (*Result, error) {
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

	// A hit without highlights needs its card; with them, the article's
	// text, read from the article store (hit).
	stored := fCard
	if q.Highlight {
		stored = ""
	}
	req := p.request(p.text, (q.Page-1)*q.PerPage, q.PerPage, stored)
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
		pageHits, errs[0] = e.tieredPage(ctx, p, (q.Page-1)*q.PerPage, q.PerPage, stored)
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
	pages, err := e.pagesOfHits(ctx, pageHits)
	if err != nil {
		return nil, err
	}
	for _, h := range pageHits {
		hit, err := e.hit(h, q.Highlight, pages[h.ID])
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
func (e *Engine) noResults(ctx context.Context, p *prepared) (*NoResults, error) {
	nr := &NoResults{Filters: []FilterRelief{}}
	if p.q.Text != "" {
		sug, err := e.Suggest(ctx, p.q.Text)
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
	if p.q.HasAttachment {
		n, err := countWithout(filterQueries(p.q, p.sel, FilterHasAttachment))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			nr.Filters = append(nr.Filters, FilterRelief{Filter: FilterHasAttachment, Values: []string{"true"}, Count: n})
		}
	}
	slices.SortStableFunc(nr.Filters, func(a, b FilterRelief) int { return cmp.Compare(b.Count, a.Count) })
	return nr, nil
}
