package searchapi

// GET /api/v1/search.atom: a saved search as an Atom feed, newest first,
// with conditional GET so feed readers can poll cheaply.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// feedParamNames are the parameters a feed accepts: the search's, without
// the ones a feed decides itself (page, sort, facets, highlighting).
var feedParamNames = map[string]bool{
	"q": false, "region": true, "audience": true, "topic": true, "type": true,
	"tag": true, "author": true, "publisher": true, "from": false, "to": false, "year": true, "per_page": false,
	"has_attachment": false,
}

// handleFeed serves GET /api/v1/search.atom.
func (s *Server) handleFeed(c *gin.Context) {
	raw, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err == nil {
		err = checkParams(raw, feedParamNames)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	q, err := parseSearchParams(raw)
	if err != nil {
		s.fail(c, err)
		return
	}
	q.Sort, q.Page, q.Facets, q.Highlight = indexer.SortNewest, 1, []string{}, false

	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	var arts []article.Article
	err = s.searcher.Scan(ctx, q, q.PerPage, func(a article.Article) error {
		arts = append(arts, a)
		return nil
	})
	if err != nil {
		s.fail(c, withContextErr(ctx, err))
		return
	}

	// The page-level hits come with a search's hits, not with the scanned
	// articles: the same query, in the same order, gives them.
	var docs map[string][]indexer.DocumentHit
	if q.Text != "" && len(arts) > 0 {
		if docs, err = s.documentHits(ctx, q); err != nil {
			s.fail(c, withContextErr(ctx, err))
			return
		}
	}

	base := s.baseURL(c)
	params := pageParams(raw)
	pageVals := cloneValues(params)
	pageVals.Del("per_page")
	pageVals.Set("sort", string(indexer.SortNewest))
	meta := feedMeta{
		Title:    "safetysearch: " + describeSearch(params),
		SelfURL:  base + pageURL("/api/v1/search.atom", params),
		PageURL:  base + pageURL("/", pageVals),
		BaseURL:  base,
		Fallback: s.searcher.Status().BuiltAt,
	}
	feed, updated := buildFeed(meta, arts, docs)
	body, err := marshalFeed(feed)
	if err != nil {
		s.fail(c, err)
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := c.Writer.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", updated.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", s.publicCacheControl())
	if notModified(c.Request, etag, updated) {
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	h.Set("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", body)
}

// documentHits maps the ids of the first page of q's hits to the attached
// documents each matched inside.
func (s *Server) documentHits(ctx context.Context, q indexer.Query) (map[string][]indexer.DocumentHit, error) {
	n, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	res, err := s.searcher.SearchNormalized(ctx, n)
	if err != nil {
		return nil, err
	}
	out := map[string][]indexer.DocumentHit{}
	for _, h := range res.Hits {
		if len(h.Documents) > 0 {
			out[h.ID] = h.Documents
		}
	}
	return out, nil
}

// notModified applies RFC 9110's precedence: If-None-Match when present,
// otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, lastModified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false
	}
	return !lastModified.Truncate(time.Second).After(t)
}
