// Package engine searches one index generation: the Bleve mapping and the
// projection of articles onto it (mapping.go, document.go), and the search,
// which runs its steps in order: parse (package textquery) → plan
// (plan.go) → match (match.go) → rank (rank.go, feedback.go) → facets
// (facets.go) → highlight (hit.go, package highlight).
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
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

// Engine searches one opened index generation. It is safe for concurrent use.
type Engine struct {
	idx      bleve.Index
	thes     *thesaurus.Thesaurus
	fragSize int
	analyzer analysis.Analyzer
	labels   map[string]map[string]string // facet → key → published label

	thesaurus *thesaurus.Matcher

	counts countCache // disjunctive facet counts of recent searches

	phrases phraseCache // documents matching thesaurus expansion phrases
}

// Open wraps an opened generation. It fails with ErrSchemaMismatch when
// the generation was built with another SchemaVersion.
func Open(idx bleve.Index, cfg Config) (*Engine, error) {
	v, err := storedSchemaVersion(idx)
	if err != nil {
		return nil, err
	}
	if v != SchemaVersion {
		return nil, fmt.Errorf("%w: index has %d, build wants %d", ErrSchemaMismatch, v, SchemaVersion)
	}
	e := &Engine{idx: idx, thes: cfg.Thesaurus, fragSize: cfg.FragmentSize}
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
		return nil, fmt.Errorf("indexer: open engine: %w", err)
	}
	e.thesaurus = thesaurus.NewMatcher(e.thes, e.analyze)
	return e, nil
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

// article returns the stored article with this id, or ErrNotFound.
func (e *Engine) Article(ctx context.Context, id string) (article.Article, error) {
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

// search runs a full search: validation, free-text compilation, relaxation,
// the page of hits, disjunctive facets and highlights.
func (e *Engine) Search(ctx context.Context, q Normalized) (*Result, error) {
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
