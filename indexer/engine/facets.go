package engine

// This file is the facets step of a search: Bleve's term facets for the
// facets without a selection, disjunctive counts (each selected facet
// counted with every filter but its own) with their per-generation cache,
// and the published labels of the facet values.

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// facetRequestSize asks Bleve for every value of the facet (the label
// dictionary knows the cardinality), so that ordering and truncation are
// done here, deterministically.
func (e *Engine) facetRequestSize(f string, size int) int {
	if n := len(e.labels[f]); n > size {
		return n
	}
	return size
}

// facetValues orders a facet's values (year: newest first; others: count
// desc, then label), keeps size values and adds every selected value,
// with its published label, even at count 0.
func (e *Engine) facetValues(f string, counts map[string]int, selected []string, size int) []FacetValue {
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
func (e *Engine) label(f, key string) string {
	if l, ok := e.labels[f][key]; ok {
		return l
	}
	return key
}

// facetCheckEvery is how many documents a count visits between looks at
// its context's deadline.
const facetCheckEvery = 256

// disjunctiveCounts counts the values of every facet in disj (facets with a
// selection) as if by one request per facet filtered by everything but its
// own selection, in one search instead of len(disj):
//
// A document counts in facet f exactly when it matches text and every
// filter but f's. So the search matches text, the filters of the other
// selected facets and the date range, and all but at most one of the
// disj selections (a disjunction with a minimum); for each document the
// values of the disj fields are read from doc values, and the selections
// it misses are found. Missing none, its values count in every disj facet;
// missing one, only in that facet's. The doc values of a keyword field are
// its indexed terms, which is what the term filters match and what Bleve's
// own term facets count, so the counts are Bleve's
// (TestEngineDisjunctiveCountsMatchBleve).
//
// It returns, for each facet of disj, value key → count.
func (e *Engine) disjunctiveCounts(ctx context.Context, text query.Query, q Normalized, sel map[string][]string, disj []string) (map[string]map[string]int, error) {
	rest := make(map[string][]string, len(sel))
	for f, v := range sel {
		rest[f] = v
	}
	fields := make([]string, len(disj))
	fieldIdx := make(map[string]int, len(disj))
	selected := make([]map[string]bool, len(disj))
	var either []query.Query
	for i, f := range disj {
		delete(rest, f)
		fields[i] = facetFields[f]
		fieldIdx[fields[i]] = i
		selected[i] = make(map[string]bool, len(sel[f]))
		for _, v := range sel[f] {
			selected[i][v] = true
		}
		either = append(either, keywordAny(facetFields[f], sel[f]))
	}
	filters := filterQueries(q, rest, "")
	if len(disj) > 1 {
		dq := query.NewDisjunctionQuery(either)
		dq.SetMin(float64(len(disj) - 1))
		dq.SetBoost(0)
		filters = append(filters, dq)
	}

	counts := make([]map[string]int, len(disj))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		dvr, err := sctx.IndexReader.DocValueReader(fields)
		if err != nil {
			return nil, false, err
		}
		vals := make([][]string, len(disj))
		var visitErr error
		visit := func(field string, term []byte) {
			if i, ok := fieldIdx[field]; ok {
				vals[i] = append(vals[i], string(term))
			}
		}
		seen := 0
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return visitErr
			}
			// Reading doc values is most of a count's cost: honour the
			// deadline between batches smaller than the collector's.
			if seen++; seen%facetCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			for i := range vals {
				vals[i] = vals[i][:0]
			}
			err := dvr.VisitDocValues(d.IndexInternalID, index.DocValueVisitor(visit))
			sctx.DocumentMatchPool.Put(d)
			if err != nil {
				return err
			}
			misses, missed := 0, -1
			for i, vs := range vals {
				hit := false
				for _, v := range vs {
					if selected[i][v] {
						hit = true
						break
					}
				}
				if !hit {
					misses++
					missed = i
				}
			}
			switch misses {
			case 0:
				for i, vs := range vals {
					for _, v := range vs {
						counts[i][v]++
					}
				}
			case 1:
				for _, v := range vals[missed] {
					counts[missed][v]++
				}
				if len(vals[missed]) == 0 {
					counts[missed][missingKey]++
				}
			}
			return nil
		}, false, nil
	}
	req := bleve.NewSearchRequestOptions(withFilters(text, filters), 0, 0, false)
	req.Score = "none"
	if _, err := e.run(context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker)), req); err != nil {
		return nil, err
	}
	out := make(map[string]map[string]int, len(disj))
	for i, f := range disj {
		out[f] = counts[i]
	}
	return out, nil
}

// bleveCounts is a Bleve term facet's value key → count.
func bleveCounts(fr *search.FacetResult) map[string]int {
	out := map[string]int{}
	if fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out[t.Term] = t.Count
		}
	}
	if fr != nil && fr.Missing > 0 {
		out[missingKey] = fr.Missing
	}
	return out
}

// missingKey counts, among a facet's counts, the results without a value
// in the facet (no facet value is empty).
const missingKey = ""

// maxCachedCounts bounds the disjunctive counts an engine keeps.
const maxCachedCounts = 512

// countCache keeps the disjunctive facet counts of recent searches. A
// generation never changes, so counts stay valid as long as its engine;
// the cache goes with the engine. When full it is emptied. Values are
// shared and never modified. Safe for concurrent use; the zero value is
// ready.
type countCache struct {
	mu sync.Mutex
	m  map[string]map[string]map[string]int
}

func (c *countCache) get(key string) (map[string]map[string]int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *countCache) put(key string, v map[string]map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedCounts {
		c.m = make(map[string]map[string]map[string]int)
	}
	c.m[key] = v
}

// countKey identifies what the disjunctive counts of a normalised query
// depend on: its text and relaxation level (the text query is a pure
// function of these within a generation), the selections, the date range
// and the facets counted.
func countKey(q Normalized, lvl textLevel, sel map[string][]string, disj []string) string {
	// %q quotes every string; fmt prints maps sorted by key.
	return fmt.Sprintf("%q|%v|%t|%q|%s|%s|%q", q.Text, lvl.optional, lvl.located != nil, sel,
		q.From.UTC().Format("2006-01-02"), q.To.UTC().Format("2006-01-02"), disj)
}
