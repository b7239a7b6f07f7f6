package searchapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// cacheMode is how a route's responses may be cached.
type cacheMode int

const (
	// cacheNoStore: Cache-Control no-store, no validators.
	cacheNoStore cacheMode = iota
	// cacheGeneration: Cache-Control public with CacheMaxAge and a weak
	// ETag of the index generation and the request URL. A matching
	// If-None-Match is answered 304 before the handler runs. No ETag while
	// no generation is loaded.
	cacheGeneration
	// cacheHandler: the handler sets Cache-Control and validators itself.
	cacheHandler
)

// cachePolicy applies mode to the response before the handler runs.
// Problem responses replace these headers with no-store (see fail).
func (s *Server) cachePolicy(mode cacheMode) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		switch mode {
		case cacheNoStore:
			h.Set("Cache-Control", "no-store")
		case cacheGeneration:
			h.Set("Cache-Control", s.publicCacheControl())
			if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
				break
			}
			tag := generationETag(s.searcher.Status().Generation, c.Request.URL.RequestURI())
			if tag == "" {
				break
			}
			h.Set("ETag", tag)
			if etagMatches(c.GetHeader("If-None-Match"), tag) {
				c.AbortWithStatus(http.StatusNotModified)
				return
			}
		case cacheHandler:
		}
		c.Next()
	}
}

func (s *Server) publicCacheControl() string {
	if s.cfg.CacheMaxAge < 0 {
		return "no-cache"
	}
	return "public, max-age=" + strconv.FormatInt(int64(s.cfg.CacheMaxAge.Seconds()), 10)
}

// setGenerationETag replaces the ETag after a handler learnt which
// generation actually answered (a swap may have happened since the
// cachePolicy middleware ran).
func (s *Server) setGenerationETag(c *gin.Context, generation string) {
	if generation == "" {
		return
	}
	if tag := generationETag(generation, c.Request.URL.RequestURI()); tag != "" {
		c.Writer.Header().Set("ETag", tag)
	}
}

// generationETag is a weak validator for a response that is a function of
// the index generation and the request URL: weak, because the body also
// carries a timing that differs between two equivalent responses. "" when
// no generation is loaded.
func generationETag(generation, requestURI string) string {
	if generation == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(generation + "\x00" + requestURI))
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// etagMatches applies the weak comparison of If-None-Match (RFC 9110
// 13.1.2) against the current tag: "*" or any listed tag equal to it once
// W/ prefixes are ignored.
func etagMatches(ifNoneMatch, current string) bool {
	if ifNoneMatch == "" || current == "" {
		return false
	}
	cur := strings.TrimPrefix(current, "W/")
	for _, t := range strings.Split(ifNoneMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == cur {
			return true
		}
	}
	return false
}

// staticDoc is a fixed response body with a strong ETag of its content.
type staticDoc struct {
	body        []byte
	contentType string
	etag        string
}

func newStaticDoc(body []byte, contentType string) staticDoc {
	sum := sha256.Sum256(body)
	return staticDoc{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// serve writes the document, or 304 on a matching If-None-Match.
func (d staticDoc) serve(c *gin.Context, cacheControl string) {
	h := c.Writer.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("ETag", d.etag)
	if etagMatches(c.GetHeader("If-None-Match"), d.etag) {
		c.AbortWithStatus(http.StatusNotModified)
		return
	}
	h.Set("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, d.contentType, d.body)
}
