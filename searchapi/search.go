package searchapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

const contentTypeJSON = "application/json; charset=utf-8"

// maxArticleIDBytes bounds the id path parameter; longer ids cannot exist.
const maxArticleIDBytes = 256

// validArticleID is false for an id no article can have (empty, too long,
// not UTF-8): such a request is answered 404 without asking the index.
func validArticleID(id string) bool {
	return id != "" && len(id) <= maxArticleIDBytes && utf8.ValidString(id)
}

// errNoResult is a Searcher that returned neither a result nor an error.
var errNoResult = errors.New("searchapi: searcher returned no result and no error")

// handleSearch serves GET /api/v1/search.
func (s *Server) handleSearch(c *gin.Context) {
	vals, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err != nil {
		s.fail(c, err)
		return
	}
	q, err := parseSearchParams(vals)
	if err == nil {
		// The indexer's own validation (date range, defaults): parameter
		// errors become 400 even while no index is loaded.
		q, err = q.Normalize()
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	res, took, err := s.search(c, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setGenerationETag(c, res.Generation)
	setServerTiming(c, took)
	s.writeJSON(c, http.StatusOK, contentTypeJSON, normalizeResult(res))
}

// facetsResponse is the body of GET /api/v1/facets.
type facetsResponse struct {
	Total  uint64                          `json:"total"`
	Facets map[string][]indexer.FacetValue `json:"facets"`
}

// handleFacets serves GET /api/v1/facets: every facet over the whole index,
// up to MaxFacetSize values each, most frequent first.
func (s *Server) handleFacets(c *gin.Context) {
	vals, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err == nil {
		err = checkParams(vals, nil)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	q := indexer.Query{
		Page:      1,
		PerPage:   1,
		Facets:    allFacets,
		FacetSize: indexer.MaxFacetSize,
	}
	res, took, err := s.search(c, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setGenerationETag(c, res.Generation)
	setServerTiming(c, took)
	s.writeJSON(c, http.StatusOK, contentTypeJSON, facetsResponse{Total: res.Total, Facets: normalizeFacets(res.Facets)})
}

// handleArticle serves GET /api/v1/articles/:id: the whole article, in the
// same JSON as the export.
func (s *Server) handleArticle(c *gin.Context) {
	id := c.Param("id")
	if !validArticleID(id) {
		s.fail(c, indexer.ErrNotFound)
		return
	}
	if err := checkNoParams(c, s.cfg.MaxQueryValues); err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	gen := s.searcher.Status().Generation
	art, err := s.searcher.Article(ctx, id)
	if err != nil {
		s.fail(c, withContextErr(ctx, err))
		return
	}
	s.setGenerationETag(c, gen)
	s.writeJSON(c, http.StatusOK, contentTypeJSON, art)
}

// checkNoParams refuses any query parameter on routes that take none.
func checkNoParams(c *gin.Context, maxValues int) error {
	vals, err := parseRawQuery(c.Request.URL.RawQuery, maxValues)
	if err != nil {
		return err
	}
	return checkParams(vals, nil)
}

// search runs q under the search deadline and records its duration.
func (s *Server) search(c *gin.Context, q indexer.Query) (*indexer.Result, time.Duration, error) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.searcher.Search(ctx, q)
	took := time.Since(start)
	s.metrics.observeSearch(took)
	if err != nil {
		return nil, took, withContextErr(ctx, err)
	}
	if res == nil {
		return nil, took, errNoResult
	}
	return res, took, nil
}

// withContextErr makes sure an error caused by the deadline or by the
// client going away is recognisable as such, whatever the searcher wrapped.
func withContextErr(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	var pe *indexer.ParamError
	var qe *indexer.QueryError
	if errors.As(err, &pe) || errors.As(err, &qe) || errors.Is(err, indexer.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w (%w)", cerr, err)
}

func setServerTiming(c *gin.Context, took time.Duration) {
	c.Writer.Header().Set("Server-Timing",
		"search;dur="+strconv.FormatFloat(float64(took.Microseconds())/1000, 'f', 3, 64))
}

// normalizeResult returns a copy of r in which every list is non-nil, so
// the JSON never holds null where a list is documented.
func normalizeResult(r *indexer.Result) indexer.Result {
	out := *r
	out.Hits = make([]indexer.Hit, len(r.Hits))
	for i, h := range r.Hits {
		h.Regions = nonNilStrings(h.Regions)
		h.Audiences = nonNilStrings(h.Audiences)
		h.Topics = nonNilStrings(h.Topics)
		h.Tags = nonNilStrings(h.Tags)
		h.Highlights.Title = nonNilStrings(h.Highlights.Title)
		h.Highlights.Body = nonNilStrings(h.Highlights.Body)
		h.Highlights.Comments = nonNilStrings(h.Highlights.Comments)
		out.Hits[i] = h
	}
	out.Facets = normalizeFacets(r.Facets)
	out.Expansions = make([]indexer.Expansion, len(r.Expansions))
	for i, e := range r.Expansions {
		e.Expanded = nonNilStrings(e.Expanded)
		out.Expansions[i] = e
	}
	if r.Relaxed != nil {
		rel := *r.Relaxed
		rel.Optional = nonNilStrings(rel.Optional)
		out.Relaxed = &rel
	}
	return out
}

func normalizeFacets(f map[string][]indexer.FacetValue) map[string][]indexer.FacetValue {
	out := make(map[string][]indexer.FacetValue, len(f))
	for name, vals := range f {
		if vals == nil {
			vals = []indexer.FacetValue{}
		}
		out[name] = vals
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
