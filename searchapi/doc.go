// Package searchapi is the HTTP face of safetysearch: a Gin engine that
// serves the search API (/api/v1/search, /api/v1/articles/{id},
// /api/v1/facets), the admin API (rebuild and status, bearer token), health
// and readiness probes, Prometheus metrics (client_golang), and the OpenAPI
// 3.1 document that describes all of it.
//
// Data flows crawl → store → index → API: package crawler produces articles,
// package indexer indexes and searches them, and this package answers HTTP
// requests through two small interfaces it declares itself, Searcher and
// Rebuilder, which the indexer's concrete types satisfy. It never imports
// the crawler.
//
// Every error leaves as an RFC 9457 application/problem+json body with a
// stable machine code (see errors.go, the one error → status table), and
// every response carries the request's X-Request-Id.
package searchapi
