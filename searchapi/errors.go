package searchapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// problem is an RFC 9457 problem details body with this API's extension
// members: a stable machine code, the request id, and for invalid_query the
// byte position, for invalid_parameter the parameter name, for
// query_too_complex the position and the limit exceeded.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	Code      string `json:"code"`
	RequestID string `json:"request_id"`
	Parameter string `json:"parameter,omitempty"`
	Position  *int   `json:"position,omitempty"`
	Limit     string `json:"limit,omitempty"`

	retryAfter time.Duration // Retry-After header, when > 0
}

// problemTypeBase prefixes the code to form the problem type URI. Tag URIs
// (RFC 4151) identify without promising a page to dereference.
const problemTypeBase = "tag:safetysearch,2026:problems/"

// Stable problem codes. Clients branch on these; never rename one.
const (
	codeInvalidParameter = "invalid_parameter"  // 400: a query parameter is unknown, repeated or invalid
	codeInvalidQuery     = "invalid_query"      // 400: free-text syntax error, with position
	codeTooComplex       = "query_too_complex"  // 400: free text over a limit (terms, phrase words, prefixes, OR alternatives), named in limit
	codeUnauthorized     = "unauthorized"       // 401: admin token missing or wrong
	codeNotFound         = "not_found"          // 404: unknown route, article, or disabled admin API
	codeMethodNotAllowed = "method_not_allowed" // 405: known path, other method (Allow header lists them)
	codeRebuildRunning   = "rebuild_running"    // 409: a crawl + rebuild already runs
	codeTooLarge         = "request_too_large"  // 413: request body over MaxBodyBytes
	codeRateLimited      = "rate_limited"       // 429: per-IP token bucket empty (Retry-After)
	codeCanceled         = "canceled"           // 499: the client went away before the answer
	codeInternal         = "internal"           // 500: anything else; details only in the log
	codeIndexUnavailable = "index_unavailable"  // 503: no index generation is loaded yet
	codeSearchTimeout    = "search_timeout"     // 503: the search exceeded SearchTimeout
)

// statusClientClosedRequest is the nginx convention for a request whose
// client disconnected; nobody reads the body, but logs and metrics do.
const statusClientClosedRequest = 499

// Errors raised by this package's own routes and middleware.
var (
	errNoRoute          = errors.New("searchapi: no such route")
	errMethodNotAllowed = errors.New("searchapi: method not allowed")
	errAdminDisabled    = errors.New("searchapi: the admin API is disabled (no admin token configured)")
	errRebuildDisabled  = errors.New("searchapi: manual rebuilds are not configured")
	errUnauthorized     = errors.New("searchapi: missing or wrong bearer token")
	errPanic            = errors.New("searchapi: handler panicked") // mapped to 500 internal
)

// rateLimitedError is a request refused by the rate limiter: over the
// client's rate, or, with running, over its requests running at once.
type rateLimitedError struct {
	retryAfter time.Duration
	running    bool
}

func (e *rateLimitedError) Error() string {
	if e.running {
		return "searchapi: too many requests of this client running at once, retry after " + e.retryAfter.String()
	}
	return "searchapi: rate limit exceeded, retry after " + e.retryAfter.String()
}

// bodyTooLargeError is a request whose declared body exceeds the cap.
type bodyTooLargeError struct{ limit int64 }

func (e *bodyTooLargeError) Error() string {
	return "searchapi: request body exceeds " + strconv.FormatInt(e.limit, 10) + " bytes"
}

// problemFor is the one error → status mapping of the API. Client errors
// carry a detail made from the error; a 500 never shows internal text.
func problemFor(err error) problem {
	var (
		pe  *indexer.ParamError
		qe  *indexer.QueryError
		rl  *rateLimitedError
		tl  *bodyTooLargeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &pe):
		p := newProblem(http.StatusBadRequest, codeInvalidParameter, "Invalid parameter", pe.Error())
		p.Parameter = pe.Param
		return p
	case errors.As(err, &qe):
		p := newProblem(http.StatusBadRequest, codeInvalidQuery, "Invalid query syntax", qe.Error())
		if qe.Limit != "" {
			p = newProblem(http.StatusBadRequest, codeTooComplex, "Query too complex", qe.Error())
			p.Limit = qe.Limit
		}
		pos := qe.Pos
		p.Position = &pos
		return p
	case errors.Is(err, errUnauthorized):
		return newProblem(http.StatusUnauthorized, codeUnauthorized, "Unauthorized",
			"this route needs the header Authorization: Bearer <token> (the admin token; for /metrics the metrics token)")
	case errors.Is(err, indexer.ErrNotFound):
		return newProblem(http.StatusNotFound, codeNotFound, "Not found", "no article has this id")
	case errors.Is(err, errNoRoute):
		return newProblem(http.StatusNotFound, codeNotFound, "Not found",
			"nothing is served at this path; the API's routes are listed in /openapi.json")
	case errors.Is(err, errAdminDisabled), errors.Is(err, errRebuildDisabled):
		return newProblem(http.StatusNotFound, codeNotFound, "Not found", trimPrefix(err.Error()))
	case errors.Is(err, errMethodNotAllowed):
		return newProblem(http.StatusMethodNotAllowed, codeMethodNotAllowed, "Method not allowed",
			"this path does not accept this method; see the Allow header")
	case errors.Is(err, indexer.ErrRunning):
		return newProblem(http.StatusConflict, codeRebuildRunning, "Rebuild already running",
			"a crawl and rebuild is already running; see /api/v1/admin/status")
	case errors.As(err, &tl):
		return newProblem(http.StatusRequestEntityTooLarge, codeTooLarge, "Request too large", trimPrefix(tl.Error()))
	case errors.As(err, &mbe):
		return newProblem(http.StatusRequestEntityTooLarge, codeTooLarge, "Request too large",
			"request body exceeds "+strconv.FormatInt(mbe.Limit, 10)+" bytes")
	case errors.As(err, &rl):
		detail := "rate limit exceeded for this client; see the Retry-After header"
		if rl.running {
			detail = "this client already has its maximum of requests running; wait for one to finish (see the Retry-After header)"
		}
		p := newProblem(http.StatusTooManyRequests, codeRateLimited, "Too many requests", detail)
		p.retryAfter = rl.retryAfter
		return p
	case errors.Is(err, indexer.ErrUnavailable):
		return newProblem(http.StatusServiceUnavailable, codeIndexUnavailable, "Index unavailable",
			"no search index is loaded yet; try again after the first build")
	case errors.Is(err, context.DeadlineExceeded):
		return newProblem(http.StatusServiceUnavailable, codeSearchTimeout, "Search timed out",
			"the search took too long; narrow the query or try again")
	case errors.Is(err, context.Canceled):
		return newProblem(statusClientClosedRequest, codeCanceled, "Request canceled",
			"the client closed the request")
	default:
		return newProblem(http.StatusInternalServerError, codeInternal, "Internal server error",
			"the server failed to answer; quote the request id when reporting this")
	}
}

func newProblem(status int, code, title, detail string) problem {
	return problem{Type: problemTypeBase + code, Title: title, Status: status, Detail: detail, Code: code}
}

// trimPrefix drops the "searchapi: " package prefix from a message meant
// for clients.
func trimPrefix(msg string) string {
	const prefix = "searchapi: "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

// fail answers the request with the problem for err and aborts the chain.
// Server errors are logged with the request id; their text never reaches
// the client.
func (s *Server) fail(c *gin.Context, err error) {
	p := problemFor(err)
	p.Instance = c.Request.URL.Path
	p.RequestID = requestIDOf(c)
	switch {
	case p.Status >= http.StatusInternalServerError && p.Code == codeInternal:
		s.log.ErrorContext(c.Request.Context(), "request failed",
			"request_id", p.RequestID, "route", routeLabel(c), "err", err)
	case p.Status >= http.StatusInternalServerError && p.Code != codeIndexUnavailable:
		// No index yet is the normal state during start-up; the request
		// line (observe) records it.
		s.log.WarnContext(c.Request.Context(), "request failed",
			"request_id", p.RequestID, "route", routeLabel(c), "code", p.Code, "err", err)
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	if p.retryAfter > 0 {
		secs := int64((p.retryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if wantsPage(c.Request) {
		s.renderError(c, err)
		return
	}
	s.writeJSON(c, p.Status, "application/problem+json", p)
	c.Abort()
}

// wantsPage reports whether a failed request is a browser reading the
// site's pages (a mistyped address, a rate-limited page view) rather than
// an API client: it then gets the friendly HTML error page, not a problem
// body. API paths, probes, metrics and assets always get problem+json.
func wantsPage(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/"), strings.HasPrefix(p, "/static/"),
		p == "/healthz", p == "/readyz", p == "/metrics", p == "/openapi.json":
		return false
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// noRoute answers paths no route matches.
func (s *Server) noRoute(c *gin.Context) { s.fail(c, errNoRoute) }

// noMethod answers known paths asked with another method. gin has already
// set the Allow header.
func (s *Server) noMethod(c *gin.Context) { s.fail(c, errMethodNotAllowed) }
