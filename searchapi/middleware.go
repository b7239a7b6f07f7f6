package searchapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// requestIDKey is the gin context key of the request id.
const requestIDKey = "searchapi.request_id"

// headerRequestID carries the request id on every response (and may come in
// on the request, from a proxy that already assigned one).
const headerRequestID = "X-Request-Id"

// requestID adopts a well-formed incoming X-Request-Id or makes a new one,
// and returns it on the response.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader(headerRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Set(requestIDKey, id)
	c.Writer.Header().Set(headerRequestID, id)
	c.Next()
}

// validRequestID accepts 1–64 characters of [A-Za-z0-9._:-], so ids from
// proxies pass and nothing odd reaches logs or headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9',
			b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// requestIDOf returns the request id set by the requestID middleware.
func requestIDOf(c *gin.Context) string {
	return c.GetString(requestIDKey)
}

// routeLabel is the matched route pattern, or "unmatched" for requests no
// route matched (404, 405), so metrics labels stay bounded.
func routeLabel(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return p
	}
	return "unmatched"
}

// observe logs every request once and records its metrics.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	d := time.Since(start)
	status := c.Writer.Status()
	route := routeLabel(c)
	s.metrics.observeRequest(route, methodLabel(c.Request.Method), status, d)

	level := slog.LevelInfo
	switch {
	case isProbeRoute(route) && status != http.StatusInternalServerError:
		// Probes and scrapes would drown the log, and /readyz answers 503
		// by design until the first index is loaded.
		level = slog.LevelDebug
	case status >= http.StatusInternalServerError:
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "http request",
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)), // gin reports -1 before any write
		slog.String("request_id", requestIDOf(c)),
		slog.String("client_ip", c.ClientIP()),
	)
}

// methodLabel is the request method for metrics, with methods outside RFC
// 9110's set folded into "other" so clients cannot grow the label space.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// isProbeRoute reports the routes that monitoring polls.
func isProbeRoute(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics"
}

// recovery turns a panic in a handler into a 500 internal problem. The
// panic value and stack go to the log with the request id; the client sees
// neither. http.ErrAbortHandler is re-raised, as net/http expects.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.ErrorContext(c.Request.Context(), "panic serving request",
			"request_id", requestIDOf(c),
			"route", routeLabel(c),
			"panic", fmt.Sprint(v),
			"stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		s.fail(c, errPanic)
	}()
	c.Next()
}

// limitBody caps the request body: a declared length over the cap is
// refused at once with 413, and any body is wrapped so reading past the cap
// fails.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		s.fail(c, &bodyTooLargeError{limit: s.cfg.MaxBodyBytes})
		return
	}
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	}
	c.Next()
}
