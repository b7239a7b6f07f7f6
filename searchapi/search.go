package searchapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	s.writeJSON(c, http.StatusOK, contentTypeJSON, res)
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
	s.writeJSON(c, http.StatusOK, contentTypeJSON, facetsResponse{Total: res.Total, Facets: res.Facets})
}

// handleArticle serves GET /api/v1/articles/:id: the whole article, in the
// same JSON as the export, its documents with status and page count;
// include=attachment_text adds their page text (at most
// indexer.MaxAttachmentText bytes of it).
func (s *Server) handleArticle(c *gin.Context) {
	id := c.Param("id")
	if !validArticleID(id) {
		s.fail(c, indexer.ErrNotFound)
		return
	}
	vals, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err == nil {
		err = checkParams(vals, articleParams)
	}
	withText := false
	if err == nil {
		withText, err = parseInclude(vals)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	get := s.searcher.Article
	if withText {
		get = s.searcher.ArticleText
	}
	art, gen, err := get(ctx, id)
	if err != nil {
		s.fail(c, withContextErr(ctx, err))
		return
	}
	s.setGenerationETag(c, gen)
	s.writeJSON(c, http.StatusOK, contentTypeJSON, art)
}

// articleParams are the parameters of GET /api/v1/articles/{id}.
var articleParams = map[string]bool{"include": false}

// parseInclude reads include= of the article route: "attachment_text" (the
// one thing that can be included) or nothing.
func parseInclude(vals url.Values) (bool, error) {
	switch v := strings.TrimSpace(vals.Get("include")); v {
	case "":
		return false, nil
	case "attachment_text":
		return true, nil
	default:
		return false, &indexer.ParamError{Param: "include", Msg: fmt.Sprintf("%q is not attachment_text, the one thing that can be included", clip(v))}
	}
}

// checkNoParams refuses any query parameter on routes that take none.
func checkNoParams(c *gin.Context, maxValues int) error {
	vals, err := parseRawQuery(c.Request.URL.RawQuery, maxValues)
	if err != nil {
		return err
	}
	return checkParams(vals, nil)
}

// search normalises q, the one time a request's query is normalised (so
// that parameter errors are 400 even while no index is loaded), runs it
// under the search deadline and records its duration.
func (s *Server) search(c *gin.Context, raw indexer.Query) (*indexer.Result, time.Duration, error) {
	q, err := raw.Normalize()
	if err != nil {
		return nil, 0, err
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.searcher.SearchNormalized(ctx, q)
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
