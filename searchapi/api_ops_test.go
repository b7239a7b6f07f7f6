package searchapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/indextest"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/safetysearch/safetysearch/indexer"
)

func TestHealthAndReadinessBeforeAndAfterBuild(t *testing.T) {
	ix := openIndex(t, nil) // empty directory: no generation
	e := newAPI(t, testConfig(), ix, nil)

	e.get("/healthz", http.StatusOK, nil)
	p := e.expectProblem(http.MethodGet, "/readyz", http.StatusServiceUnavailable, codeIndexUnavailable, "")
	if p.Title == "" || p.Type != problemTypeBase+codeIndexUnavailable {
		t.Errorf("readyz problem %+v", p)
	}
	// A 503 of /readyz during start-up is expected: not an error or warning.
	for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		if strings.Contains(l, `"/readyz"`) && (strings.Contains(l, `"level":"ERROR"`) || strings.Contains(l, `"level":"WARN"`)) {
			t.Errorf("readyz 503 logged as %s", l)
		}
	}
	e.expectProblem(http.MethodGet, "/api/v1/search?q=falls", http.StatusServiceUnavailable, codeIndexUnavailable, "")
	e.expectProblem(http.MethodGet, "/api/v1/facets", http.StatusServiceUnavailable, codeIndexUnavailable, "")
	e.expectProblem(http.MethodGet, "/api/v1/articles/pslhub:r2514", http.StatusServiceUnavailable, codeIndexUnavailable, "")
	// Parameter errors are still reported as such.
	e.expectProblem(http.MethodGet, "/api/v1/search?per_page=0", http.StatusBadRequest, codeInvalidParameter, "per_page")
	resp, _ := e.do(http.MethodGet, "/api/v1/search", nil)
	if resp.Header.Get("ETag") != "" {
		t.Errorf("ETag %q while no index is loaded", resp.Header.Get("ETag"))
	}

	arts := sampleArticles(t)
	rep, err := ix.Rebuild(context.Background(), indextest.SliceSource(arts))
	if err != nil {
		t.Fatal(err)
	}
	var ready readyBody
	e.get("/readyz", http.StatusOK, &ready)
	if ready.Generation != rep.Generation || ready.Documents != uint64(len(arts)) || ready.Status != "ready" {
		t.Errorf("readyz %+v after building %+v", ready, rep)
	}
	var res indexer.Result
	e.get("/api/v1/search?q=falls", http.StatusOK, &res)
	if res.Total == 0 {
		t.Error("no results after the build")
	}
	var h healthBody
	e.get("/healthz", http.StatusOK, &h)
	if h.Status != "ok" {
		t.Errorf("healthz %+v", h)
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	for _, target := range []string{"/nope", "/api/v1/serach", "/api/v1/search/", "/api/v2/search", "/api/v1/articles/"} {
		p := e.expectProblem(http.MethodGet, target, http.StatusNotFound, codeNotFound, "")
		if p.Instance != target {
			t.Errorf("instance %q, want %q", p.Instance, target)
		}
	}
	cases := []struct{ method, target, allow string }{
		{http.MethodPost, "/api/v1/search", "GET, HEAD"},
		{http.MethodDelete, "/api/v1/articles/pslhub:r2514", "GET, HEAD"},
		{http.MethodPut, "/healthz", "GET, HEAD"},
		{http.MethodGet, "/api/v1/admin/rebuild", "POST"},
		{http.MethodOptions, "/api/v1/search", "GET, HEAD"}, // CORS off: a preflight is just another method
	}
	for _, tc := range cases {
		resp, body := e.do(tc.method, tc.target, nil, "Origin: https://example.org", "Access-Control-Request-Method: GET")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("%s %s: %d\n%s", tc.method, tc.target, resp.StatusCode, body)
		}
		if p := problemOf(t, body); p.Code != codeMethodNotAllowed {
			t.Errorf("%s %s: code %q", tc.method, tc.target, p.Code)
		}
		if resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.target, resp.Header.Get("Allow"), tc.allow)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("CORS header with CORS off")
		}
	}
}

func TestRequestIDs(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	seen := map[string]bool{}
	for range 5 {
		resp, _ := e.do(http.MethodGet, "/healthz", nil)
		id := resp.Header.Get(headerRequestID)
		if seen[id] {
			t.Errorf("request id %q repeated", id)
		}
		seen[id] = true
	}
	resp, _ := e.do(http.MethodGet, "/healthz", nil, "X-Request-Id: proxy-42.abc")
	if got := resp.Header.Get(headerRequestID); got != "proxy-42.abc" {
		t.Errorf("incoming request id not kept: %q", got)
	}
	resp, _ = e.do(http.MethodGet, "/healthz", nil, "X-Request-Id: bad id with spaces")
	if got := resp.Header.Get(headerRequestID); got == "bad id with spaces" || !validRequestID(got) {
		t.Errorf("malformed incoming request id kept: %q", got)
	}
	// The request log has method, route, status, duration, id and client.
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		if strings.Contains(l, `"proxy-42.abc"`) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, k := range []string{"method", "route", "status", "duration_ms", "request_id", "client_ip", "component"} {
		if _, ok := line[k]; !ok {
			t.Errorf("request log line lacks %s: %v", k, line)
		}
	}
	if line["route"] != "/healthz" || line["status"] != float64(200) || line["client_ip"] != "127.0.0.1" {
		t.Errorf("request log line %v", line)
	}
}

// panicSearcher is the real index whose Search panics, for the recovery
// test.
type panicSearcher struct{ *indexer.Index }

func (panicSearcher) SearchNormalized(context.Context, indexer.Normalized) (*indexer.Result, error) {
	panic("secret internal detail 0xdeadbeef")
}

func TestPanicBecomesInternalProblem(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	e := newAPI(t, testConfig(), panicSearcher{ix}, nil)
	resp, body := e.do(http.MethodGet, "/api/v1/search?q=falls", nil)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	p := problemOf(t, body)
	if p.Code != codeInternal || strings.Contains(string(body), "deadbeef") || strings.Contains(string(body), "goroutine") {
		t.Errorf("500 body leaks details or has the wrong code: %s", body)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "secret internal detail 0xdeadbeef") || !strings.Contains(logs, p.RequestID) ||
		!strings.Contains(logs, "goroutine") {
		t.Errorf("panic not logged with value, stack and request id %s:\n%.2000s", p.RequestID, logs)
	}
	// The server keeps serving.
	e.get("/api/v1/articles/pslhub:r2514", http.StatusOK, nil)
}

// slowSearcher is the real index behind a search that outlives the
// deadline.
type slowSearcher struct{ *indexer.Index }

func (s slowSearcher) SearchNormalized(ctx context.Context, q indexer.Normalized) (*indexer.Result, error) {
	<-ctx.Done()
	return s.Index.SearchNormalized(ctx, q)
}

func TestSearchDeadline(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	cfg := testConfig()
	cfg.SearchTimeout = 50 * time.Millisecond
	e := newAPI(t, cfg, slowSearcher{ix}, nil)
	e.expectProblem(http.MethodGet, "/api/v1/search?q=falls", http.StatusServiceUnavailable, codeSearchTimeout, "")
	e.expectProblem(http.MethodGet, "/api/v1/facets", http.StatusServiceUnavailable, codeSearchTimeout, "")
}

func TestETagAndNotModified(t *testing.T) {
	e, arts, ix := searchEnv(t, testConfig())
	for _, target := range []string{"/api/v1/search?q=falls", "/api/v1/articles/pslhub:r2514", "/api/v1/facets"} {
		resp, _ := e.do(http.MethodGet, target, nil)
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(tag, `W/"`) {
			t.Fatalf("%s: %d ETag %q", target, resp.StatusCode, tag)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", target, cc)
		}
		resp, body := e.do(http.MethodGet, target, nil, "If-None-Match: "+tag)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != tag {
			t.Errorf("%s with If-None-Match: %d, %d bytes, ETag %q", target, resp.StatusCode, len(body), resp.Header.Get("ETag"))
		}
		resp, _ = e.do(http.MethodGet, target, nil, `If-None-Match: "other", `+strings.TrimPrefix(tag, "W/"))
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: a list with the strong form of the tag: %d", target, resp.StatusCode)
		}
		resp, _ = e.do(http.MethodGet, target, nil, `If-None-Match: W/"0000"`)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: a stale tag gave %d", target, resp.StatusCode)
		}
	}
	r1, _ := e.do(http.MethodGet, "/api/v1/search?q=falls", nil)
	r2, _ := e.do(http.MethodGet, "/api/v1/search?q=sepsis", nil)
	if r1.Header.Get("ETag") == r2.Header.Get("ETag") {
		t.Error("two URLs share an ETag")
	}
	// A new generation changes the tag: the old one no longer matches.
	if _, err := ix.Rebuild(context.Background(), indextest.SliceSource(arts)); err != nil {
		t.Fatal(err)
	}
	r3, _ := e.do(http.MethodGet, "/api/v1/search?q=falls", nil, "If-None-Match: "+r1.Header.Get("ETag"))
	if r3.StatusCode != http.StatusOK || r3.Header.Get("ETag") == r1.Header.Get("ETag") {
		t.Errorf("after a rebuild: %d, ETag %q (was %q)", r3.StatusCode, r3.Header.Get("ETag"), r1.Header.Get("ETag"))
	}
	// Problems, probes and the admin API are never cached.
	for _, target := range []string{"/api/v1/search?sort=x", "/healthz", "/readyz", "/metrics", "/api/v1/admin/status"} {
		resp, _ := e.do(http.MethodGet, target, nil)
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("ETag") != "" {
			t.Errorf("%s: Cache-Control %q ETag %q", target, resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
		}
	}
}

func TestCORS(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	cfg := testConfig()
	cfg.CORSOrigins = []string{"https://app.example.org"}
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, nil)

	resp, _ := e.do(http.MethodGet, "/api/v1/search?q=falls", nil, "Origin: https://app.example.org")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.org" ||
		!strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") ||
		!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("allowed origin: %v", resp.Header)
	}
	resp, _ = e.do(http.MethodGet, "/api/v1/search?q=falls", nil, "Origin: https://evil.example.com")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", resp.Header)
	}
	// Problems carry CORS headers too, so a browser can read them.
	resp, _ = e.do(http.MethodGet, "/api/v1/search?sort=x", nil, "Origin: https://app.example.org")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("problem without CORS: %d %v", resp.StatusCode, resp.Header)
	}

	// Preflight of a known path.
	resp, body := e.do(http.MethodOptions, "/api/v1/admin/rebuild", nil, "Origin: https://app.example.org",
		"Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 ||
		resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.org" ||
		resp.Header.Get("Access-Control-Allow-Methods") != "POST" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") ||
		resp.Header.Get("Access-Control-Max-Age") == "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// Preflight from another origin or of an unknown path is not answered.
	resp, _ = e.do(http.MethodOptions, "/api/v1/search", nil, "Origin: https://evil.example.com", "Access-Control-Request-Method: GET")
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = e.do(http.MethodOptions, "/api/v1/nothing", nil, "Origin: https://app.example.org", "Access-Control-Request-Method: GET")
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight of an unknown path: %d %v", resp.StatusCode, resp.Header)
	}

	// "*" allows every origin.
	cfg.CORSOrigins = []string{"*"}
	any := newAPI(t, cfg, ix, nil)
	resp, _ = any.do(http.MethodGet, "/healthz", nil, "Origin: https://whoever.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("wildcard: %v", resp.Header)
	}

	// Bad origins are refused at start-up.
	for _, bad := range []string{"app.example.org", "https://app.example.org/", "https://app.example.org/path", "ftp://x.example"} {
		if _, err := New(Config{CORSOrigins: []string{bad}}, ix, nil, nil); err == nil {
			t.Errorf("origin %q accepted", bad)
		}
	}
}

func TestRateLimit(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	// One token per 20 s: no refill can happen during the test, however
	// slow the machine.
	cfg := Config{RateLimit: 0.05, RateBurst: 3, TrustedProxies: []string{"127.0.0.1"}}
	e := newAPI(t, cfg, ix, nil)
	client := "X-Forwarded-For: 203.0.113.7"
	for range 3 {
		e.get("/api/v1/search?q=falls", http.StatusOK, nil, client)
	}
	resp, body := e.do(http.MethodGet, "/api/v1/articles/pslhub:r2514", nil, client)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d\n%s", resp.StatusCode, body)
	}
	if p := problemOf(t, body); p.Code != codeRateLimited {
		t.Errorf("code %q", p.Code)
	}
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 20 {
		t.Errorf("Retry-After %q, want 1–20 s at 0.05 req/s", resp.Header.Get("Retry-After"))
	}
	// Another client has its own bucket; probes are never limited.
	e.get("/api/v1/search?q=falls", http.StatusOK, nil, "X-Forwarded-For: 203.0.113.8")
	for range 5 {
		e.get("/healthz", http.StatusOK, nil, client)
		e.get("/metrics", http.StatusOK, nil, client)
	}
	// Failed admin attempts cost tokens too.
	e.expectProblem(http.MethodGet, "/api/v1/admin/status", http.StatusTooManyRequests, codeRateLimited, "", client)

	// Without a trusted proxy, X-Forwarded-For is ignored: every request
	// below comes from 127.0.0.1 whatever it claims.
	cfg.TrustedProxies = nil
	direct := newAPI(t, cfg, ix, nil)
	for i := range 3 {
		direct.get("/api/v1/search", http.StatusOK, nil, fmt.Sprintf("X-Forwarded-For: 198.51.100.%d", i))
	}
	direct.expectProblem(http.MethodGet, "/api/v1/search", http.StatusTooManyRequests, codeRateLimited, "", "X-Forwarded-For: 198.51.100.99")
}

func TestRateLimiterEviction(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newIPLimiter(0.1, 1, 3, time.Minute)
	l.now = func() time.Time { return now }
	for _, ip := range []string{"a", "b", "c"} {
		if ok, _ := l.allow(ip); !ok {
			t.Fatalf("%s refused on its first request", ip)
		}
		now = now.Add(time.Second)
	}
	if ok, wait := l.allow("a"); ok || wait <= 0 || wait > 10*time.Second {
		t.Errorf("a again at once: ok=%v wait=%s", ok, wait)
	}
	// Full: a new client evicts the least recently seen (b).
	if ok, _ := l.allow("d"); !ok || l.size() != 3 {
		t.Fatalf("d: ok=%v size=%d", ok, l.size())
	}
	l.mu.Lock()
	_, hasB := l.clients["b"]
	l.mu.Unlock()
	if hasB {
		t.Error("b, the least recently seen, was not evicted")
	}
	// Idle clients are swept.
	now = now.Add(2 * time.Minute)
	l.allow("e")
	if l.size() != 1 {
		t.Errorf("after the idle time: %d clients, want 1", l.size())
	}
}

func TestBodyLimit(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	cfg.MaxBodyBytes = 64
	e := newAPI(t, cfg, ix, nil)
	resp, body := e.do(http.MethodPost, "/api/v1/admin/rebuild", bytes.NewReader(make([]byte, 65)), "Authorization: Bearer s3cret")
	if resp.StatusCode != http.StatusRequestEntityTooLarge || problemOf(t, body).Code != codeTooLarge {
		t.Errorf("oversized body: %d\n%s", resp.StatusCode, body)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	resp, body := e.do(http.MethodGet, "/openapi.json", nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, openapiJSON) {
		t.Fatalf("openapi.json: %d, %d bytes (embedded %d)", resp.StatusCode, len(body), len(openapiJSON))
	}
	resp, _ = e.do(http.MethodGet, "/openapi.json", nil, "If-None-Match: "+resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("openapi.json revalidation: %d", resp.StatusCode)
	}
	// Every API and operations route of the routing table is documented
	// with its method; HTML pages and static files are not API routes.
	sp := loadSpec(t)
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	for _, rt := range e.srv.routes() {
		if !strings.HasPrefix(rt.path, "/api/") && !strings.Contains("/healthz /readyz /metrics /openapi.json", rt.path) {
			continue
		}
		if rt.path == "/" {
			continue
		}
		p := param.ReplaceAllString(rt.path, "{$1}")
		item := sp.doc.Paths.Value(p)
		if item == nil || item.GetOperation(rt.method) == nil {
			t.Errorf("route %s %s is not in openapi.json", rt.method, p)
		}
	}
	// And every documented operation exists.
	for path, item := range sp.doc.Paths.Map() {
		for method := range item.Operations() {
			req := httptest.NewRequest(method, regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x"), nil)
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, req)
			if err := sp.check(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Errorf("OpenAPI: %v", err)
			}
			if rec.Code == http.StatusNotFound && problemOf(t, rec.Body.Bytes()).Detail == "no route matches this path" ||
				rec.Code == http.StatusMethodNotAllowed {
				t.Errorf("documented %s %s is not routed (%d)", method, path, rec.Code)
			}
		}
	}
}

// TestOpenAPIValidatorCatchesMismatches makes sure the validating client is
// not vacuous: responses that break the document are reported.
func TestOpenAPIValidatorCatchesMismatches(t *testing.T) {
	sp := loadSpec(t)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		h.Set(headerRequestID, "abc")
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	search := httptest.NewRequest(http.MethodGet, "/api/v1/search?q=x", nil)
	good := `{"query":"x","total":0,"page":1,"per_page":20,"processing_time_ms":1,"hits":[],"facets":{},"expanded_terms":[]}`
	if err := sp.check(search, 200, hdr("Content-Type", contentTypeJSON), []byte(good)); err != nil {
		t.Fatalf("a good result is refused: %v", err)
	}
	bad := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		{"null hits", search, 200, hdr("Content-Type", contentTypeJSON), strings.Replace(good, `"hits":[]`, `"hits":null`, 1)},
		{"missing total", search, 200, hdr("Content-Type", contentTypeJSON), strings.Replace(good, `"total":0,`, ``, 1)},
		{"extra key", search, 200, hdr("Content-Type", contentTypeJSON), strings.Replace(good, `{`, `{"debug":1,`, 1)},
		{"unknown facet", search, 200, hdr("Content-Type", contentTypeJSON), strings.Replace(good, `"facets":{}`, `"facets":{"colour":[]}`, 1)},
		{"no request id", search, 200, http.Header{"Content-Type": {contentTypeJSON}}, good},
		{"undocumented status", search, 418, hdr("Content-Type", contentTypeJSON), good},
		{"problem as json", search, 400, hdr("Content-Type", contentTypeJSON), `{"error":"x"}`},
		{"bad problem code", search, 400, hdr("Content-Type", "application/problem+json", "Cache-Control", "no-store"),
			`{"type":"t","title":"t","status":400,"code":"oops","request_id":"abc"}`},
		{"429 without Retry-After", search, 429, hdr("Content-Type", "application/problem+json", "Cache-Control", "no-store"),
			`{"type":"t","title":"t","status":429,"code":"rate_limited","request_id":"abc"}`},
		{"undocumented route", httptest.NewRequest(http.MethodGet, "/api/v1/secret", nil), 200, hdr("Content-Type", contentTypeJSON), `{}`},
		{"article without id", httptest.NewRequest(http.MethodGet, "/api/v1/articles/x", nil), 200, hdr("Content-Type", contentTypeJSON), `{"title":"t"}`},
	}
	for _, tc := range bad {
		if err := sp.check(tc.req, tc.status, tc.header, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// promSample is one parsed sample line.
type promSample struct {
	name   string
	labels map[string]string
	value  float64
}

var promLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$`)
var promLabel = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)`)

// parseProm is a small parser of the text exposition format 0.0.4: it
// checks that every sample belongs to a family announced by HELP and TYPE
// lines, that families are not repeated, and parses labels and values.
func parseProm(t *testing.T, text string) (map[string]string, []promSample) {
	t.Helper()
	types := map[string]string{}
	helped := map[string]bool{}
	var samples []promSample
	current := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			f := strings.SplitN(strings.TrimPrefix(line, "# HELP "), " ", 2)
			if helped[f[0]] {
				t.Errorf("family %s announced twice", f[0])
			}
			helped[f[0]] = true
			current = f[0]
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(strings.TrimPrefix(line, "# TYPE "))
			if len(f) != 2 || f[0] != current {
				t.Errorf("TYPE line %q does not follow its HELP", line)
				continue
			}
			switch f[1] {
			case "counter", "gauge", "histogram", "summary", "untyped":
			default:
				t.Errorf("type %q", f[1])
			}
			types[f[0]] = f[1]
		case line == "":
			t.Error("empty line in exposition")
		default:
			m := promLine.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("malformed sample line %q", line)
				continue
			}
			s := promSample{name: m[1], labels: map[string]string{}}
			if m[3] != "" {
				rest := m[3]
				for rest != "" {
					lm := promLabel.FindStringSubmatch(rest)
					if lm == nil || !strings.HasPrefix(rest, lm[0]) {
						t.Errorf("malformed labels in %q", line)
						break
					}
					s.labels[lm[1]] = lm[2]
					rest = rest[len(lm[0]):]
				}
			}
			v, err := strconv.ParseFloat(m[4], 64)
			if err != nil && m[4] != "+Inf" {
				t.Errorf("value in %q: %v", line, err)
			}
			s.value = v
			family := s.name
			if types[current] == "histogram" || types[current] == "summary" {
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if strings.HasSuffix(s.name, suf) {
						family = strings.TrimSuffix(s.name, suf)
					}
				}
			}
			if family != current || types[family] == "" {
				t.Errorf("sample %q outside its family (current %q)", line, current)
			}
			samples = append(samples, s)
		}
	}
	return types, samples
}

func TestMetrics(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	sched := newTestScheduler(t, ix, arts, nil)
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, sched)
	if _, err := sched.RunNow(context.Background(), "manual"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.get("/api/v1/search?q=falls", http.StatusOK, nil)
	}
	e.do(http.MethodGet, "/api/v1/search?sort=x", nil)
	e.do(http.MethodGet, "/nope", nil)
	resp, body := e.do(http.MethodGet, "/metrics", nil)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4; charset=utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	types, samples := parseProm(t, string(body))
	for name, typ := range map[string]string{
		"safetysearch_http_requests_total": "counter", "safetysearch_http_request_duration_seconds": "histogram",
		"safetysearch_search_duration_seconds": "histogram", "safetysearch_index_documents": "gauge", "safetysearch_index_generation_info": "gauge",
		"safetysearch_rebuild_last_outcome": "gauge", "safetysearch_rebuild_last_duration_seconds": "gauge", "safetysearch_rebuild_running": "gauge",
		"safetysearch_search_result_cache_hits_total": "counter", "safetysearch_search_result_cache_entries": "gauge",
	} {
		if types[name] != typ {
			t.Errorf("family %s: type %q, want %s", name, types[name], typ)
		}
	}
	find := func(name string, labels map[string]string) (float64, bool) {
		for _, s := range samples {
			if s.name != name {
				continue
			}
			match := true
			for k, v := range labels {
				if s.labels[k] != v {
					match = false
				}
			}
			if match {
				return s.value, true
			}
		}
		return 0, false
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"safetysearch_http_requests_total", map[string]string{"route": "/api/v1/search", "method": "GET", "status": "200"}, 3},
		{"safetysearch_http_requests_total", map[string]string{"route": "/api/v1/search", "method": "GET", "status": "400"}, 1},
		{"safetysearch_http_requests_total", map[string]string{"route": "unmatched", "method": "GET", "status": "404"}, 1},
		{"safetysearch_http_request_duration_seconds_count", map[string]string{"route": "/api/v1/search"}, 4},
		{"safetysearch_search_duration_seconds_count", nil, 3},
		{"safetysearch_index_documents", nil, float64(len(arts))},
		{"safetysearch_index_generation_info", map[string]string{"generation": ix.Status().Generation}, 1},
		{"safetysearch_rebuild_last_outcome", map[string]string{"outcome": "ok"}, 1},
		{"safetysearch_rebuild_last_outcome", map[string]string{"outcome": "failed"}, 0},
		{"safetysearch_rebuild_running", nil, 0},
		// The three identical searches: one computed, two from the cache.
		{"safetysearch_search_result_cache_misses_total", nil, 1},
		{"safetysearch_search_result_cache_hits_total", nil, 2},
		{"safetysearch_search_result_cache_entries", nil, 1},
	}
	for _, c := range checks {
		if v, ok := find(c.name, c.labels); !ok || v != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	// Histograms: cumulative buckets ending in +Inf = _count.
	var prev float64
	var lastLe string
	for _, s := range samples {
		if s.name != "safetysearch_http_request_duration_seconds_bucket" || s.labels["route"] != "/api/v1/search" {
			continue
		}
		if s.value < prev {
			t.Errorf("bucket le=%s decreases", s.labels["le"])
		}
		prev, lastLe = s.value, s.labels["le"]
	}
	if lastLe != "+Inf" || prev != 4 {
		t.Errorf("last bucket le=%s value %v", lastLe, prev)
	}
	if v, _ := find("safetysearch_rebuild_last_duration_seconds", nil); v < 0 || math.IsNaN(v) {
		t.Errorf("rebuild duration %v", v)
	}
}

func TestMetricsRuntimeAndOwnRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := testConfig()
	cfg.Registry = reg
	e := newAPI(t, cfg, openIndex(t, nil), nil)
	e.srv.metrics.observeRequest(`/x"y`, "GET", 200, 3*time.Second)
	_, body := e.do(http.MethodGet, "/metrics", nil)
	types, samples := parseProm(t, string(body))
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "safetysearch_http_requests_total"} {
		if types[name] == "" {
			t.Errorf("family %s missing", name)
		}
	}
	if runtime.GOOS == "linux" && types["safetysearch_process_resident_memory_bytes"] == "" {
		t.Errorf("process collector missing: no safetysearch_process_resident_memory_bytes")
	}
	for _, s := range samples {
		if s.name == "safetysearch_http_request_duration_seconds_bucket" && s.labels["route"] == `/x"y` {
			if s.labels["le"] == "2.5" && s.value != 0 || s.labels["le"] == "5" && s.value != 1 {
				t.Errorf("3 s observation: le=%s = %v", s.labels["le"], s.value)
			}
		}
	}
	// The metrics went to the registry passed in, not to the global default.
	if mfs, _ := prometheus.DefaultGatherer.Gather(); slices.ContainsFunc(mfs, func(mf *dto.MetricFamily) bool {
		return strings.HasPrefix(mf.GetName(), "safetysearch_")
	}) {
		t.Error("safetysearch metrics registered on the global default registry")
	}
	if mfs, err := reg.Gather(); err != nil || len(mfs) == 0 {
		t.Errorf("registry passed in gathers %d families (%v)", len(mfs), err)
	}
}

// Every GET route answers HEAD with the GET's status and headers and no
// body (curl -I, link checkers, uptime monitors).
func TestHeadOnGetRoutes(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	e.get("/healthz", http.StatusOK, nil)
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json", "/api/v1/search?q=falls",
		"/api/v1/articles/pslhub:r2514", "/", "/status", "/api/v1/search.atom"} {
		resp, err := http.Head(e.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d, %d body bytes, Content-Type %q", p, resp.StatusCode, len(b), resp.Header.Get("Content-Type"))
		}
	}
}

func TestMetricsAccess(t *testing.T) {
	ix := openIndex(t, nil)
	cfg := testConfig()
	cfg.MetricsToken = "m3trics"
	e := newAPI(t, cfg, ix, nil)
	e.expectProblem(http.MethodGet, "/metrics", http.StatusUnauthorized, codeUnauthorized, "")
	e.expectProblem(http.MethodGet, "/metrics", http.StatusUnauthorized, codeUnauthorized, "", "Authorization: Bearer wrong")
	e.get("/metrics", http.StatusOK, nil, "Authorization: Bearer m3trics")

	// Served elsewhere: not on the main handler, and MetricsHandler serves it.
	cfg = testConfig()
	cfg.MetricsElsewhere = true
	e = newAPI(t, cfg, ix, nil)
	e.expectProblem(http.MethodGet, "/metrics", http.StatusNotFound, codeNotFound, "")
	ms := httptest.NewServer(e.srv.MetricsHandler())
	defer ms.Close()
	resp, err := http.Get(ms.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "safetysearch_index_ready") {
		t.Errorf("MetricsHandler: %d\n%.200s", resp.StatusCode, b)
	}
}
