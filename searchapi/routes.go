package searchapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// route is one row of the routing table.
type route struct {
	method  string
	path    string
	policy  policy
	handler gin.HandlerFunc
}

// policy says which per-route middleware a route gets.
type policy struct {
	limit   limitClass // which per-client token bucket, 429 rate_limited
	admin   bool       // admin bearer token required; 404 when no token is configured
	metrics bool       // metrics bearer token required when one is configured
	cache   cacheMode  // Cache-Control / ETag handling
}

// limitClass picks the rate limiter of a route. Pages get their own, more
// generous bucket: one page view loads a stylesheet and a script, and
// people follow links faster than API clients poll.
type limitClass int

const (
	limitNone limitClass = iota
	limitAPI
	limitPages
)

// The policies the routes use.
var (
	// policyPublic: search API and pages. Rate limited; cacheable, with an ETag
	// tied to the index generation and the request URL.
	policyPublic = policy{limit: limitAPI, cache: cacheGeneration}
	// policyPage: the HTML search and article pages, like policyPublic on the
	// pages' bucket.
	policyPage = policy{limit: limitPages, cache: cacheGeneration}
	// policyProbe: health and readiness. Never limited, never cached.
	policyProbe = policy{cache: cacheNoStore}
	// policyMetrics: /metrics. Never limited or cached; token when configured.
	policyMetrics = policy{metrics: true, cache: cacheNoStore}
	// policyAdmin: rebuild and status. Rate limited (failed tokens cost too),
	// token required, never cached.
	policyAdmin = policy{limit: limitAPI, admin: true, cache: cacheNoStore}
	// policyDocument: fixed content (OpenAPI, feeds). Rate limited; the
	// handler sets its own validators.
	policyDocument = policy{limit: limitAPI, cache: cacheHandler}
	// policyPageDocument: the status page and static files, on the pages'
	// bucket; the handler sets its own validators.
	policyPageDocument = policy{limit: limitPages, cache: cacheHandler}
)

// routes is the one routing table of the server. Every GET route answers
// HEAD too (New registers it).
func (s *Server) routes() []route {
	rs := []route{
		// Search API.
		{http.MethodGet, "/api/v1/search", policyPublic, s.handleSearch},
		{http.MethodGet, "/api/v1/articles/:id", policyPublic, s.handleArticle},
		{http.MethodGet, "/api/v1/facets", policyPublic, s.handleFacets},

		// Admin API.
		{http.MethodPost, "/api/v1/admin/rebuild", policyAdmin, s.handleRebuild},
		{http.MethodGet, "/api/v1/admin/status", policyAdmin, s.handleAdminStatus},

		// Operations.
		{http.MethodGet, "/healthz", policyProbe, s.handleHealthz},
		{http.MethodGet, "/readyz", policyProbe, s.handleReadyz},
		{http.MethodGet, "/openapi.json", policyDocument, s.handleOpenAPI},

		// HTML pages, saved-search feeds and citation export (page.go,
		// feed.go, export.go).
		{http.MethodGet, "/", policyPage, s.handleSearchPage},
		{http.MethodGet, "/articles/:id", policyPage, s.handleArticlePage},
		{http.MethodGet, "/status", policyPageDocument, s.handleStatusPage},
		{http.MethodGet, "/static/*filepath", policyPageDocument, s.handleStatic},
		{http.MethodGet, "/api/v1/search.atom", policyDocument, s.handleFeed},
		{http.MethodGet, "/api/v1/export", policyPublic, s.handleExport},
	}
	if !s.cfg.MetricsElsewhere {
		rs = append(rs, route{http.MethodGet, "/metrics", policyMetrics, s.handleMetrics})
	}
	return rs
}

// chain is the per-route middleware of rt followed by its handler.
func (s *Server) chain(rt route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	switch {
	case rt.policy.limit == limitAPI && s.limiter != nil:
		hs = append(hs, s.rateLimit(s.limiter))
	case rt.policy.limit == limitPages && s.pageLimiter != nil:
		hs = append(hs, s.rateLimit(s.pageLimiter))
	}
	hs = append(hs, s.cachePolicy(rt.policy.cache))
	if rt.policy.admin {
		hs = append(hs, s.requireAdmin)
	}
	if rt.policy.metrics {
		hs = append(hs, s.requireMetricsToken)
	}
	return append(hs, rt.handler)
}
