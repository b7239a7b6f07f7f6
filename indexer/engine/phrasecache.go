package engine

// This file keeps, per generation, the documents matching each thesaurus
// expansion phrase in each field, so that an abbreviation query ("PSIRF")
// does not check word positions over the huge postings of very common words
// ("patient safety incident response framework") on every search
// (phrasesearch.go uses it).
//
// A generation is opened read-only and never changes (no merges, no
// updates), so its internal document numbers, and the cache, stay valid as
// long as its engine; the cache goes with the engine.

import (
	"bytes"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/search"
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
	empty bool // no document matches
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
