package indexer

// This file re-exports the query and result model of package engine, so
// that the API and the command line speak to the index alone.

import (
	"errors"

	"github.com/safetysearch/safetysearch/indexer/engine"
)

type (
	// Query is one search: free text, filters, sort, paging, facets.
	Query = engine.Query
	// Normalized is a Query that Query.Normalize accepted.
	Normalized = engine.Normalized
	// Result is the answer to a Query; its lists are never nil.
	Result = engine.Result
	// Hit is one article in a result page.
	Hit = engine.Hit
	// DocumentHit is an attached document a hit matched inside.
	DocumentHit = engine.DocumentHit
	// Highlights are HTML-escaped fragments with <mark> around matches.
	Highlights = engine.Highlights
	// FacetValue is one value of a facet with its disjunctive count.
	FacetValue = engine.FacetValue
	// Expansion says what a thesaurus term was also searched as.
	Expansion = engine.Expansion
	// Relaxation says how a query that too few articles matched with
	// every word was loosened, with the counts of both tiers.
	Relaxation = engine.Relaxation
	// NoResults helps when nothing matched: a spelling correction and the
	// filters without which the search finds something.
	NoResults = engine.NoResults
	// FilterRelief is one filter of a search that found nothing, with the
	// number of results without it.
	FilterRelief = engine.FilterRelief
	// Sort orders the hits of a search.
	Sort = engine.Sort
	// QueryError is invalid free-text syntax at a byte position.
	QueryError = engine.QueryError
	// ParamError is an invalid query parameter, named as in the API.
	ParamError = engine.ParamError
	// EngineConfig configures the engine of each generation.
	EngineConfig = engine.Config
)

// Sorts.
const (
	SortRelevance = engine.SortRelevance
	SortNewest    = engine.SortNewest
	SortOldest    = engine.SortOldest
)

// Facet names, as used in Query.Facets, Query filters and Result.Facets.
const (
	FacetRegion   = engine.FacetRegion
	FacetAudience = engine.FacetAudience
	FacetTopic    = engine.FacetTopic
	FacetType     = engine.FacetType
	FacetYear     = engine.FacetYear
	FacetTag      = engine.FacetTag
	FacetAuthor   = engine.FacetAuthor

	FacetPublisher = engine.FacetPublisher
)

// RelaxBelow is the number of articles under which a query's least
// informative words become optional (README, "Matching and ranking").
const RelaxBelow = engine.RelaxBelow

// FilterHasAttachment names the has_attachment filter in FilterRelief.
const FilterHasAttachment = engine.FilterHasAttachment

// MaxAttachmentText bounds the page text ArticleText returns, in bytes.
const MaxAttachmentText = 4 << 20

// DefaultFacets are counted when a query names none.
var DefaultFacets = engine.DefaultFacets

// Limits every caller of Search shares (see engine's model).
const (
	DefaultPerPage   = engine.DefaultPerPage
	MaxPerPage       = engine.MaxPerPage
	MaxResultWindow  = engine.MaxResultWindow
	MaxTextLength    = engine.MaxTextLength
	MaxFilterValues  = engine.MaxFilterValues
	DefaultFacetSize = engine.DefaultFacetSize
	MaxFacetSize     = engine.MaxFacetSize
)

// Scoring models of Config.Scoring, and the schema version of the
// generations this build makes and serves.
const (
	ScoringBM25   = engine.ScoringBM25
	ScoringTFIDF  = engine.ScoringTFIDF
	SchemaVersion = engine.SchemaVersion
)

// Errors callers branch on. Check them with errors.Is / errors.As.
var (
	ErrNotFound       = engine.ErrNotFound
	ErrUnavailable    = errors.New("indexer: no index generation is loaded")
	ErrSchemaMismatch = engine.ErrSchemaMismatch
)
