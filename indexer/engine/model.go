package engine

// This file is the query and result model shared by the API, the command line
// and the search engine; package indexer re-exports it. No Bleve here.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/textquery"
)

// Sort orders the hits of a search.
type Sort string

const (
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortOldest    Sort = "oldest"
)

// Facet names, as used in Query.Facets, Query filters and Result.Facets.
const (
	FacetRegion   = "region"
	FacetAudience = "audience"
	FacetTopic    = "topic"
	FacetType     = "type"
	FacetYear     = "year"
	FacetTag      = "tag"
	FacetAuthor   = "author"
	// FacetPublisher is the organisation that published an article
	// (Article.Publisher, or its Source in older stores), and of every
	// duplicate folded into it at index build.
	FacetPublisher = "publisher"
)

// FilterHasAttachment names the has_attachment filter (Query.HasAttachment)
// in FilterRelief.
const FilterHasAttachment = "has_attachment"

// DefaultFacets are counted when a query names none.
var DefaultFacets = []string{FacetRegion, FacetAudience, FacetTopic, FacetType, FacetYear}

// Limits every caller of Search shares. The API and the command line validate
// against them through Query.Validate.
const (
	DefaultPerPage   = 20
	MaxPerPage       = 100
	MaxResultWindow  = 1000 // page × per_page
	MaxTextLength    = 512  // bytes of free text
	MaxFilterValues  = 20   // values per filter
	DefaultFacetSize = 10
	MaxFacetSize     = 100
)

// Query is one search: free text, filters, sort, paging, facets.
// Filters are OR within one list and AND across lists. Values are matched
// case-insensitively.
type Query struct {
	Text      string
	Regions   []string
	Audiences []string
	Topics    []string
	Types     []string // content types
	Tags      []string // raw tags
	Authors   []string
	Years     []int
	From, To  time.Time // published date range, inclusive days; zero means open
	Sort      Sort      // "" means relevance with text, newest without
	Page      int       // from 1; 0 means 1
	PerPage   int       // 0 means DefaultPerPage
	Facets    []string  // nil means DefaultFacets; empty non-nil means none
	FacetSize int       // 0 means DefaultFacetSize
	Highlight bool
	// HasAttachment keeps only the articles with at least one attachment
	// (attached or linked document).
	HasAttachment bool

	// Publishers are publisher names (source names in stores without
	// publishers).
	Publishers []string
}

// selectedValues returns the values of the filter on facet f as given.
func (q Query) selectedValues(f string) []string {
	switch f {
	case FacetRegion:
		return q.Regions
	case FacetAudience:
		return q.Audiences
	case FacetTopic:
		return q.Topics
	case FacetType:
		return q.Types
	case FacetTag:
		return q.Tags
	case FacetAuthor:
		return q.Authors
	case FacetPublisher:
		return q.Publishers
	case FacetYear:
		out := make([]string, len(q.Years))
		for i, y := range q.Years {
			out[i] = strconv.Itoa(y)
		}
		return out
	}
	return nil
}

// Result is the answer to a Query. Its JSON form is the body of
// GET /api/v1/search. The engine builds every list of a Result and of its
// Hits non-nil, so that the JSON holds [] and never null where a list is
// documented; callers need no fix-up.
type Result struct {
	Query      string                  `json:"query"`
	Total      uint64                  `json:"total"` // exact
	Page       int                     `json:"page"`
	PerPage    int                     `json:"per_page"`
	TookMS     int64                   `json:"processing_time_ms"`
	Hits       []Hit                   `json:"hits"`
	Facets     map[string][]FacetValue `json:"facets"`
	Expansions []Expansion             `json:"expanded_terms"`
	Relaxed    *Relaxation             `json:"relaxed,omitempty"`
	NoResults  *NoResults              `json:"no_results,omitempty"` // only when Total is 0
	// Undated, with the year facet, counts the results without a
	// publication date among those the year facet counts (the results
	// without the year filter): with the year counts it draws a chart.
	Undated    *uint64 `json:"undated,omitempty"`
	Generation string  `json:"-"` // index generation that answered
}

// Hit is one article in a result page.
type Hit struct {
	ID              string     `json:"id"`
	URL             string     `json:"url"`
	Title           string     `json:"title"`
	Published       time.Time  `json:"published,omitzero"`
	Author          string     `json:"author"`
	Publisher       string     `json:"publisher"` // Article.Publisher, or its Source when empty
	Type            string     `json:"type"`
	Regions         []string   `json:"regions"`
	Audiences       []string   `json:"audiences"`
	Topics          []string   `json:"topics"`
	Tags            []string   `json:"tags"`
	Score           float64    `json:"score"`
	Highlights      Highlights `json:"highlights"`
	CommentCount    int        `json:"comment_count"`
	MatchedComments int        `json:"matched_comments"`
	// AlsoPublished lists the duplicates of this article from other
	// sources or URLs that the index build folded into it.
	AlsoPublished []article.Duplicate `json:"also_published"`
	// Documents are the attached documents the query matched inside, best
	// first: the page-level hits.
	Documents []DocumentHit `json:"documents"`
}

// DocumentHit is an attached document a hit matched inside: its name and
// URL, the matched pages (best first, at most a few), a link that opens
// the best page, and with highlights a fragment of the best page with
// <mark> around matched words ("" without).
type DocumentHit struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	Pages     []int  `json:"pages"`
	Link      string `json:"link"`
	Highlight string `json:"highlight"`
}

// Sentence says where the hit matched, for people: "matched in ‘HSSIB
// report.pdf’, pages 37, 12". The page, the feed and the command line
// print it.
func (d DocumentHit) Sentence() string {
	var b strings.Builder
	b.WriteString("matched in ‘" + d.Name + "’")
	switch len(d.Pages) {
	case 0:
		return b.String()
	case 1:
		b.WriteString(", page ")
	default:
		b.WriteString(", pages ")
	}
	for i, p := range d.Pages {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// Highlights are HTML-escaped fragments with <mark> around matched words.
type Highlights struct {
	Title    []string `json:"title"`
	Body     []string `json:"body"`
	Comments []string `json:"comments"`
}

// FacetValue is one value of a facet with its disjunctive count: the number
// of results the query would have with this value selected in this facet and
// every other facet's selection kept.
type FacetValue struct {
	Value    string `json:"value"` // the label as published
	Count    uint64 `json:"count"`
	Selected bool   `json:"selected"`
}

// Expansion says what a thesaurus term was also searched as.
type Expansion struct {
	Term     string   `json:"term"`
	Expanded []string `json:"expanded"`
}

// Relaxation says how a query that too few articles matched with every
// word was loosened, and what the answer holds: first the AllWords articles
// that contain every word, then Others that lack at least one optional
// word.
type Relaxation struct {
	Optional []string `json:"optional"` // words no longer required, least informative first
	AllWords uint64   `json:"all_words"`
	Others   uint64   `json:"others"`
	// AllWordsFirst: the AllWords articles are listed before the others
	// (relevance order); date orders interleave them.
	AllWordsFirst bool `json:"all_words_first"`
}

// Sentence says what the relaxed answer holds, for people: the page's
// banner and the command line print it.
func (r *Relaxation) Sentence() string {
	var words strings.Builder
	for i, w := range r.Optional {
		if i > 0 {
			if i == len(r.Optional)-1 {
				words.WriteString(" and ")
			} else {
				words.WriteString(", ")
			}
		}
		words.WriteString("“" + w + "”")
	}
	lack := "do not contain " + words.String()
	if len(r.Optional) > 1 {
		lack = "lack at least one of " + words.String()
	}
	if r.AllWords == 0 {
		return fmt.Sprintf("No article contains every word: %s %s.", count(r.Others, "result", "results"), lack)
	}
	listed := ""
	if r.AllWordsFirst {
		listed = ", listed first"
	}
	verb := "contain"
	if r.AllWords == 1 {
		verb = "contains"
	}
	return fmt.Sprintf("%s %s every word%s; %d more %s.", count(r.AllWords, "article", "articles"), verb, listed, r.Others, lack)
}

func count(n uint64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// NoResults helps when nothing matched: a spelling correction of the text,
// and the filters without which the search would find something.
type NoResults struct {
	DidYouMean string         `json:"did_you_mean,omitempty"` // corrected query text; "" when none
	Filters    []FilterRelief `json:"filters"`
}

// FilterRelief is one filter of a search that found nothing, with the
// number of results the search has without it. Filter is a facet name
// (region, audience, publisher, …), "date" for the from/to range or
// FilterHasAttachment.
type FilterRelief struct {
	Filter string   `json:"filter"`
	Values []string `json:"values"`
	Count  uint64   `json:"count"`
}

// ErrNotFound is returned for an article ID the generation does not hold.
var ErrNotFound = errors.New("indexer: not found")

// QueryError is invalid free-text syntax; Pos is the byte offset in the
// query text where the problem is. The parser (package textquery) makes it.
type QueryError = textquery.Error

// ParamError is an invalid query parameter (paging, facet name, dates…).
// Param is the API parameter name, e.g. "per_page".
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("invalid parameter %s: %s", e.Param, e.Msg)
}
