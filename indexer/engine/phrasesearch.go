package engine

// This file searches phrases: the words of a phrase, all required, then a
// check of their positions. It scores like Bleve's phrase searcher (the
// same conjunction of the words' term searchers: same hits, same scores,
// TestCachedPhraseMatchesPhraseQuery) but checks positions on the matches'
// locations as they come, where Bleve's builds a map of every location of
// every candidate document (most of a phrase query's time on common words).
//
// A thesaurus expansion's matching documents are cached per generation
// (phraseCache): then the words' conjunction runs restricted to them and
// no position is read at all. Positions are read when the search asks for
// match locations (locate, for a page of hits): the phrase then reports
// the locations of its occurrences only, as Bleve's does.

import (
	"context"
	"slices"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/safetysearch/safetysearch/indexer/fold"
	"github.com/safetysearch/safetysearch/indexer/textquery"
)

// phraseQuery is a match-phrase query on one field.
type phraseQuery struct {
	phrase *query.MatchPhraseQuery
	cache  *phraseCache // nil: not cached
}

// newPhrase is the phrase query of text (folded) in field with boost; with
// a cache c, its matching documents are kept there.
func newPhrase(c *phraseCache, text, field string, boost float64) *phraseQuery {
	mp := query.NewMatchPhraseQuery(text)
	mp.SetField(field)
	mp.SetBoost(boost)
	return &phraseQuery{phrase: mp, cache: c}
}

// locateDocsKey is the context key of the external ids a search is
// restricted to (engine.locate): phrases then check only those documents.
type locateDocsKey struct{}

// Searcher implements query.Query.
func (q *phraseQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	field := q.phrase.FieldVal
	analyzer := m.AnalyzerNamed(m.AnalyzerNameForPath(field))
	if options.Explain || analyzer == nil {
		return q.phrase.Searcher(ctx, r, m, options)
	}
	// One term per phrase position; stop words leave empty positions, which
	// any word fills (as in Bleve's phrase).
	tokens := analyzer.Analyze([]byte(q.phrase.MatchPhrase))
	if len(tokens) < 2 {
		return q.phrase.Searcher(ctx, r, m, options)
	}
	first := tokens[0].Position
	for _, t := range tokens {
		first = min(first, t.Position)
	}
	terms := make([]string, 0, len(tokens))
	offs := make([]uint64, 0, len(tokens))
	for _, t := range tokens {
		off := uint64(t.Position - first)
		if len(offs) > 0 && off <= offs[len(offs)-1] {
			// Several terms at one position, or out of order: Bleve's.
			return q.phrase.Searcher(ctx, r, m, options)
		}
		terms = append(terms, string(t.Term))
		offs = append(offs, off)
	}
	var filters []search.Searcher
	closeAll := func() {
		for _, f := range filters {
			_ = f.Close()
		}
	}
	if ids, ok := ctx.Value(locateDocsKey{}).([]string); ok {
		ds, err := searcher.NewDocIDSearcher(ctx, r, ids, 0, options)
		if err != nil {
			return nil, err
		}
		filters = append(filters, ds)
	}
	verified := false
	if q.cache != nil {
		key := field + "\x00" + q.phrase.MatchPhrase
		docs, ok := q.cache.get(key)
		if !ok {
			var err error
			if docs, err = q.collect(ctx, r, m); err != nil {
				closeAll()
				return nil, err
			}
			ok = (docs.width > 0 || docs.empty) && q.cache.put(key, docs)
		}
		if ok {
			filters = append(filters, &docsSearcher{docs: docs})
			verified = true
		}
	}
	s, err := newPhraseSearcher(ctx, r, field, q.phrase.BoostVal.Value(), terms, offs, filters, !verified || options.IncludeTermVectors, options)
	if err != nil {
		closeAll()
		return nil, err
	}
	return s, nil
}

// collect runs the phrase unscored over r and returns the ids of every
// matching document.
func (q *phraseQuery) collect(ctx context.Context, r index.IndexReader, m mapping.IndexMapping) (phraseDocs, error) {
	uncached := &phraseQuery{phrase: q.phrase}
	s, err := uncached.Searcher(ctx, r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return phraseDocs{}, err
	}
	defer func() { _ = s.Close() }()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	d := phraseDocs{empty: true}
	for n := 0; ; n++ {
		if n%phraseCheckEvery == 0 {
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
			d.width, d.empty = len(id), false
		case len(id) != d.width:
			// docsSearcher seeks in ids of one width; Bleve's are
			// fixed-width. Keep nothing rather than guess.
			return phraseDocs{}, nil
		}
		d.ids = append(d.ids, id...)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// phraseSearcher matches the documents of must (the words' conjunction,
// possibly restricted by filters) whose word positions hold the phrase
// when check is set; it scores as must does.
type phraseSearcher struct {
	must  search.Searcher
	words search.Searcher // the words' conjunction alone (Count)
	field string
	terms []string
	offs  []uint64 // offset of terms[i] from terms[0] in the phrase
	// A word repeated in the phrase has one list of locations, read once:
	// slot[k] is the list of terms[k], termIdx maps a word to its list.
	termIdx  map[string]int
	slot     []int
	check    bool // read positions: check the phrase
	keepLocs bool // report the phrase's locations
	lists    [][]phraseLoc
	path     []search.FieldTermLocation
	ctx      context.Context
	checked  int // documents checked, for the deadline
}

// phraseCheckEvery is how many documents a phrase checks between looks at
// its context's deadline.
const phraseCheckEvery = 16

// phraseLoc is one location of a phrase word in a document.
type phraseLoc struct {
	ap0 uint64 // first array position + 1; 0 for none
	pos uint64
	i   int // index in FieldTermLocations
}

func newPhraseSearcher(ctx context.Context, r index.IndexReader, field string, boost float64, terms []string, offs []uint64, filters []search.Searcher, check bool, options search.SearcherOptions) (*phraseSearcher, error) {
	topts := options
	topts.IncludeTermVectors = check
	ts := make([]search.Searcher, 0, len(terms))
	fail := func(err error) (*phraseSearcher, error) {
		for _, s := range ts {
			_ = s.Close()
		}
		return nil, err
	}
	for _, t := range terms {
		s, err := searcher.NewTermSearcher(ctx, r, t, field, boost, topts)
		if err != nil {
			return fail(err)
		}
		ts = append(ts, s)
	}
	// The words' conjunction is built as Bleve's phrase searcher builds it
	// (same searchers, same order), so that scores are summed in the same
	// order; filters score 0 and weigh 0 around it.
	words, err := searcher.NewConjunctionSearcher(ctx, r, ts, topts)
	if err != nil {
		return fail(err)
	}
	must := words
	if len(filters) > 0 {
		if must, err = searcher.NewConjunctionSearcher(ctx, r, append(filters, words), topts); err != nil {
			_ = words.Close()
			return nil, err
		}
	}
	s := newPhraseCheck(ctx, field, terms, offs, options.IncludeTermVectors)
	s.must, s.words, s.check = must, words, check
	return s, nil
}

// newPhraseCheck is a phraseSearcher's position check, without searchers:
// one list of locations per distinct word.
func newPhraseCheck(ctx context.Context, field string, terms []string, offs []uint64, keepLocs bool) *phraseSearcher {
	s := &phraseSearcher{field: field, terms: terms, offs: offs, termIdx: map[string]int{},
		slot: make([]int, len(terms)), check: true, keepLocs: keepLocs, ctx: ctx}
	for k, t := range terms {
		i, ok := s.termIdx[t]
		if !ok {
			i = len(s.termIdx)
			s.termIdx[t] = i
		}
		s.slot[k] = i
	}
	s.lists = make([][]phraseLoc, len(s.termIdx))
	return s
}

func (s *phraseSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.must.Next(ctx)
	return s.first(ctx, dm, err)
}

func (s *phraseSearcher) Advance(ctx *search.SearchContext, ID index.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.must.Advance(ctx, ID)
	return s.first(ctx, dm, err)
}

// first returns dm if it holds the phrase, else the next match after it.
func (s *phraseSearcher) first(ctx *search.SearchContext, dm *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	for err == nil && dm != nil {
		if !s.check {
			dm.FieldTermLocations = dm.FieldTermLocations[:0]
			return dm, nil
		}
		// Checking positions is the costly part of a phrase: honour the
		// deadline between documents, not only between the collector's
		// batches.
		if s.checked++; s.checked%phraseCheckEvery == 0 {
			if err := s.ctx.Err(); err != nil {
				return nil, err
			}
		}
		if s.match(dm) {
			return dm, nil
		}
		ctx.DocumentMatchPool.Put(dm)
		dm, err = s.must.Next(ctx)
	}
	return nil, err
}

// match reports whether dm's word locations hold the phrase: terms[0] at
// some position p and every terms[k] at p+offs[k], in the same array
// element. With keepLocs, dm's locations become those of every occurrence
// of the phrase; otherwise they are dropped.
func (s *phraseSearcher) match(dm *search.DocumentMatch) bool {
	ftls := dm.FieldTermLocations
	for k := range s.lists {
		s.lists[k] = s.lists[k][:0]
	}
	for i, ftl := range ftls {
		if ftl.Field != s.field {
			continue
		}
		ap0 := uint64(0)
		if len(ftl.Location.ArrayPositions) > 0 {
			ap0 = ftl.Location.ArrayPositions[0] + 1
		}
		if k, ok := s.termIdx[ftl.Term]; ok {
			s.lists[k] = append(s.lists[k], phraseLoc{ap0, ftl.Location.Pos, i})
		}
	}
	cmp := func(a, b phraseLoc) int {
		if a.ap0 != b.ap0 {
			if a.ap0 < b.ap0 {
				return -1
			}
			return 1
		}
		if a.pos != b.pos {
			if a.pos < b.pos {
				return -1
			}
			return 1
		}
		return 0
	}
	for k := range s.lists {
		if !slices.IsSortedFunc(s.lists[k], cmp) {
			slices.SortStableFunc(s.lists[k], cmp)
		}
		// A repeated word's searchers each report its locations: keep one
		// of each, so that the check costs as for distinct words.
		s.lists[k] = slices.CompactFunc(s.lists[k], func(a, b phraseLoc) bool {
			return cmp(a, b) == 0 && ftls[a.i].Location.ArrayPositions.Equals(ftls[b.i].Location.ArrayPositions)
		})
	}
	s.path = s.path[:0]
	found := false
	for _, l0 := range s.lists[s.slot[0]] {
		ap := ftls[l0.i].Location.ArrayPositions
		start := len(s.path)
		if s.keepLocs {
			s.path = append(s.path, ftls[l0.i])
		}
		ok := true
		for k := 1; k < len(s.terms) && ok; k++ {
			want := phraseLoc{ap0: l0.ap0, pos: l0.pos + s.offs[k]}
			list := s.lists[s.slot[k]]
			j, _ := slices.BinarySearchFunc(list, want, cmp)
			ok = false
			for ; j < len(list) && cmp(list[j], want) == 0; j++ {
				if ftls[list[j].i].Location.ArrayPositions.Equals(ap) {
					ok = true
					if s.keepLocs {
						s.path = append(s.path, ftls[list[j].i])
					}
					break
				}
			}
		}
		if !ok {
			s.path = s.path[:start]
			continue
		}
		found = true
		if !s.keepLocs {
			break
		}
	}
	if !found {
		return false
	}
	if !s.keepLocs {
		dm.FieldTermLocations = ftls[:0]
		return true
	}
	// The term searchers reuse the array-position slices of a pooled
	// match: the kept locations get their own.
	out := make([]search.FieldTermLocation, len(s.path))
	for i, l := range s.path {
		out[i] = l
		if len(l.Location.ArrayPositions) > 0 {
			out[i].Location.ArrayPositions = append(search.ArrayPositions(nil), l.Location.ArrayPositions...)
		}
	}
	dm.FieldTermLocations = out
	return true
}

func (s *phraseSearcher) Close() error               { return s.must.Close() }
func (s *phraseSearcher) Weight() float64            { return s.must.Weight() }
func (s *phraseSearcher) SetQueryNorm(n float64)     { s.must.SetQueryNorm(n) }
func (s *phraseSearcher) Count() uint64              { return s.words.Count() }
func (s *phraseSearcher) Min() int                   { return 0 }
func (s *phraseSearcher) Size() int                  { return s.must.Size() + 64 }
func (s *phraseSearcher) DocumentMatchPoolSize() int { return s.must.DocumentMatchPoolSize() + 1 }

// expansionQuery is a thesaurus expansion searched in expansionFields, as
// fieldsQuery builds it, but with a phrase's matches cached.
func (e *Engine) expansionQuery(ctx context.Context, text string) query.Query {
	if len(e.analyze(text)) < 2 {
		return e.fieldsQuery(ctx, textquery.Term{Kind: textquery.Phrase, Text: text}, expansionFields)
	}
	qs := make([]query.Query, 0, len(expansionFields))
	for _, f := range expansionFields {
		qs = append(qs, newPhrase(&e.phrases, fold.Text(text), f.field, f.boost))
	}
	return query.NewDisjunctionQuery(qs)
}
