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
	rateLimited bool      // per-client-IP token bucket, 429 rate_limited
	admin       bool      // bearer token required; 404 when no token is configured
	cache       cacheMode // Cache-Control / ETag handling
}

// The policies the routes use.
var (
	// policyPublic: search API and pages. Rate limited; cacheable, with an ETag
	// tied to the index generation and the request URL.
	policyPublic = policy{rateLimited: true, cache: cacheGeneration}
	// policyProbe: health, readiness and metrics. Never limited, never cached.
	policyProbe = policy{cache: cacheNoStore}
	// policyAdmin: rebuild and status. Rate limited (failed tokens cost too),
	// token required, never cached.
	policyAdmin = policy{rateLimited: true, admin: true, cache: cacheNoStore}
	// policyDocument: fixed content (OpenAPI, static files). Rate limited; the
	// handler sets its own validators.
	policyDocument = policy{rateLimited: true, cache: cacheHandler}
)

// routes is the one routing table of the server.
func (s *Server) routes() []route {
	return []route{
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
		{http.MethodGet, "/metrics", policyProbe, s.handleMetrics},
		{http.MethodGet, "/openapi.json", policyDocument, s.handleOpenAPI},

		// HTML pages, saved-search feeds and citation export (page.go,
		// feed.go, export.go).
		{http.MethodGet, "/", policyPublic, s.handleSearchPage},
		{http.MethodGet, "/articles/:id", policyPublic, s.handleArticlePage},
		{http.MethodGet, "/status", policyDocument, s.handleStatusPage},
		{http.MethodGet, "/static/*filepath", policyDocument, s.handleStatic},
		{http.MethodGet, "/api/v1/search.atom", policyDocument, s.handleFeed},
		{http.MethodGet, "/api/v1/export", policyPublic, s.handleExport},
	}
}

// chain is the per-route middleware of rt followed by its handler.
func (s *Server) chain(rt route) []gin.HandlerFunc {
	var hs []gin.HandlerFunc
	if rt.policy.rateLimited && s.limiter != nil {
		hs = append(hs, s.rateLimit)
	}
	hs = append(hs, s.cachePolicy(rt.policy.cache))
	if rt.policy.admin {
		hs = append(hs, s.requireAdmin)
	}
	return append(hs, rt.handler)
}
