package indexer

// This file keeps, per generation, the documents matching each thesaurus
// expansion phrase in each field, so that an abbreviation query ("PSIRF")
// does not check word positions over the huge postings of very common words
// ("patient safety incident response framework") on every search.
//
// A cached phrase is searched as the conjunction of its cached documents
// (scoring 0, weight 0) and its words' term searchers: exactly the
// conjunction Bleve's phrase searcher scores, restricted to the documents
// the phrase matched, so hits and scores are those of the phrase query
// (TestCachedPhraseMatchesPhraseQuery). Positions are read only when the
// search asks for match locations (locate, on a page of hits): then the
// real phrase searcher runs, and its locations are the phrase's own.
//
// A generation is opened read-only and never changes (no merges, no
// updates), so its internal document numbers, and the cache, stay valid as
// long as its engine; the cache goes with the engine.

import (
	"bytes"
	"context"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// maxPhraseCacheBytes bounds the document numbers an engine keeps for
// phrases (8 bytes a document: 100k articles fit about 20 phrases that
// match every article). Phrases met once it is full are searched as
// phrases, uncached.
const maxPhraseCacheBytes = 16 << 20

// phraseCache maps a field and phrase to the internal ids of the documents
// matching it, each width bytes, ascending, concatenated. Safe for
// concurrent use; the zero value is ready.
type phraseCache struct {
	mu    sync.Mutex
	m     map[string]phraseDocs
	bytes int
}

type phraseDocs struct {
	ids   []byte
	width int
}

func (c *phraseCache) get(key string) (phraseDocs, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[key]
	return d, ok
}

// put stores d unless the cache is full; it reports whether d is stored.
func (c *phraseCache) put(key string, d phraseDocs) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		return true
	}
	if c.bytes+len(d.ids) > maxPhraseCacheBytes {
		return false
	}
	if c.m == nil {
		c.m = map[string]phraseDocs{}
	}
	c.m[key] = d
	c.bytes += len(d.ids)
	return true
}

// cachedPhraseQuery is a match-phrase query on one field whose matching
// documents are cached in the engine's phraseCache.
type cachedPhraseQuery struct {
	phrase *query.MatchPhraseQuery
	cache  *phraseCache
}

// newCachedPhrase is the phrase query of text (folded) in field with boost,
// with its matches cached in c.
func newCachedPhrase(c *phraseCache, text, field string, boost float64) *cachedPhraseQuery {
	mp := query.NewMatchPhraseQuery(text)
	mp.SetField(field)
	mp.SetBoost(boost)
	return &cachedPhraseQuery{phrase: mp, cache: c}
}

// Searcher implements query.Query.
func (q *cachedPhraseQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	field := q.phrase.FieldVal
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(field))
	if options.IncludeTermVectors || options.Explain || analyzer == nil {
		return q.phrase.Searcher(ctx, r, m, options)
	}
	// One term per phrase position (stop words leave empty positions), as
	// the phrase searcher builds its conjunction.
	tokens := analyzer.Analyze([]byte(q.phrase.MatchPhrase))
	byPos := map[int][]string{}
	for _, t := range tokens {
		byPos[t.Position] = append(byPos[t.Position], string(t.Term))
	}
	positions := make([]int, 0, len(byPos))
	for p, ts := range byPos {
		if len(ts) != 1 {
			return q.phrase.Searcher(ctx, r, m, options)
		}
		positions = append(positions, p)
	}
	if len(positions) < 2 {
		return q.phrase.Searcher(ctx, r, m, options)
	}
	sort.Ints(positions)
	key := field + "\x00" + q.phrase.MatchPhrase
	docs, ok := q.cache.get(key)
	if !ok {
		var err error
		if docs, err = q.collect(ctx, r, m); err != nil {
			return nil, err
		}
		if !q.cache.put(key, docs) {
			return q.phrase.Searcher(ctx, r, m, options)
		}
	}
	boost := q.phrase.BoostVal.Value()
	terms := make([]search.Searcher, 0, len(positions))
	closeAll := func(ss []search.Searcher) {
		for _, s := range ss {
			_ = s.Close()
		}
	}
	for _, p := range positions {
		ts, err := searcher.NewTermSearcher(ctx, r, byPos[p][0], field, boost, options)
		if err != nil {
			closeAll(terms)
			return nil, err
		}
		terms = append(terms, ts)
	}
	words, err := searcher.NewConjunctionSearcher(ctx, r, terms, options)
	if err != nil {
		closeAll(terms)
		return nil, err
	}
	both, err := searcher.NewConjunctionSearcher(ctx, r, []search.Searcher{&docsSearcher{docs: docs}, words}, options)
	if err != nil {
		_ = words.Close()
		return nil, err
	}
	return countAs{both, words}, nil
}

// countAs is a searcher whose Count (the estimate a parent conjunction
// orders its searchers by) is that of another: the cached phrase reports
// the phrase searcher's, so a query ranks its parts in the same order, and
// sums their scores in the same order, as with the phrase searcher.
type countAs struct {
	search.Searcher
	as search.Searcher
}

func (c countAs) Count() uint64 { return c.as.Count() }

// expansionQuery is a thesaurus expansion searched in expansionFields: as
// fieldsQuery builds it, but a phrase's matches are cached (cachedPhraseQuery).
func (e *engine) expansionQuery(text string) query.Query {
	tokens := e.analyze(text)
	if len(tokens) < 2 {
		return e.fieldsQuery(textTerm{Kind: kindPhrase, Text: text}, expansionFields)
	}
	qs := make([]query.Query, 0, len(expansionFields))
	for _, f := range expansionFields {
		qs = append(qs, newCachedPhrase(&e.phrases, foldText(text), f.field, f.boost))
	}
	return query.NewDisjunctionQuery(qs)
}

// collect runs the phrase searcher unscored over r and returns the ids of
// every matching document.
func (q *cachedPhraseQuery) collect(ctx context.Context, r index.IndexReader, m mapping.IndexMapping) (phraseDocs, error) {
	s, err := q.phrase.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return phraseDocs{}, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	var d phraseDocs
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return phraseDocs{}, err
			}
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return phraseDocs{}, err
		}
		if dm == nil {
			return d, nil
		}
		id := dm.IndexInternalID
		switch {
		case d.width == 0:
			d.width = len(id)
		case len(id) != d.width:
			// Ids of one width are what the searcher below seeks in;
			// Bleve's are fixed-width. Keep nothing rather than guess.
			return phraseDocs{}, nil
		}
		d.ids = append(d.ids, id...)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// docsSearcher iterates cached document ids; its matches score 0 and it
// weighs 0, so in a conjunction it filters without changing scores.
type docsSearcher struct {
	docs phraseDocs
	pos  int // index of the next id
}

func (s *docsSearcher) n() int {
	if s.docs.width == 0 {
		return 0
	}
	return len(s.docs.ids) / s.docs.width
}

func (s *docsSearcher) id(i int) []byte {
	return s.docs.ids[i*s.docs.width : (i+1)*s.docs.width]
}

func (s *docsSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.pos >= s.n() {
		return nil, nil
	}
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = append(dm.IndexInternalID[:0], s.id(s.pos)...)
	dm.Score = 0
	s.pos++
	return dm, nil
}

func (s *docsSearcher) Advance(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	n := s.n()
	s.pos += sort.Search(n-s.pos, func(i int) bool { return bytes.Compare(s.id(s.pos+i), ID) >= 0 })
	return s.Next(ctx)
}

func (s *docsSearcher) Close() error               { return nil }
func (s *docsSearcher) Weight() float64            { return 0 }
func (s *docsSearcher) SetQueryNorm(float64)       {}
func (s *docsSearcher) Count() uint64              { return uint64(s.n()) }
func (s *docsSearcher) Min() int                   { return 0 }
func (s *docsSearcher) Size() int                  { return 64 }
func (s *docsSearcher) DocumentMatchPoolSize() int { return 1 }
