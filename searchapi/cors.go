package searchapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// Kept instead of gin-contrib/cors, which answers every OPTIONS from an
// allowed origin with 204 (unknown paths too, with a fixed method list),
// refuses other origins with 403 and trusts the Host header.

// corsPolicy answers cross-origin requests from the configured origins.
type corsPolicy struct {
	any     bool                // "*" configured
	origins map[string]struct{} // exact origins
}

// Headers of CORS responses.
const (
	corsAllowHeaders  = "Authorization, Content-Type, If-None-Match"
	corsExposeHeaders = "X-Request-Id, ETag, Retry-After, Location, Server-Timing"
	corsMaxAge        = "600"
)

func newCORSPolicy(origins []string) *corsPolicy {
	p := &corsPolicy{origins: make(map[string]struct{}, len(origins))}
	for _, o := range origins {
		if o == "*" {
			p.any = true
			continue
		}
		p.origins[strings.ToLower(o)] = struct{}{}
	}
	return p
}

func (p *corsPolicy) allows(origin string) bool {
	if p.any {
		return true
	}
	_, ok := p.origins[strings.ToLower(origin)]
	return ok
}

// corsHeaders adds CORS headers for allowed origins and answers preflight
// requests. With CORS off it does nothing, so preflights get 405.
//
// A preflight (OPTIONS with Access-Control-Request-Method) reaches this
// middleware through gin's 405 chain. gin sets the Allow header of the
// matched path before running that chain, so an Allow header means the
// path exists and the preflight can be answered with 204; without one the
// path is unknown and the request falls through to the 404 problem.
func (s *Server) corsHeaders(c *gin.Context) {
	if s.cors == nil {
		c.Next()
		return
	}
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	origin := c.GetHeader("Origin")
	if origin == "" || !s.cors.allows(origin) {
		c.Next()
		return
	}
	if s.cors.any {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	preflight := c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != ""
	if !preflight {
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		c.Next()
		return
	}
	allow := h.Get("Allow")
	if allow == "" {
		c.Next()
		return
	}
	h.Del("Allow")
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", allow)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	h.Set("Cache-Control", "no-store")
	c.AbortWithStatus(http.StatusNoContent)
}
