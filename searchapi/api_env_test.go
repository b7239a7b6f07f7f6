package searchapi

// Test harness of the API tests: a real on-disk index built from the sample
// hub's extraction goldens, the server behind httptest, and an HTTP client
// whose transport validates every response against openapi.json.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// goldenGlob holds the sample hub's extracted pages (crawler Page JSON).
const goldenGlob = "../testdata/golden/extract/*.json"

var ginTestMode sync.Once

// sampleArticles loads the articles of the extraction goldens, one per id
// (comment pages of the same article are skipped). A glob that matches
// nothing fails the test.
func sampleArticles(t testing.TB) []article.Article {
	t.Helper()
	files, err := filepath.Glob(goldenGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures match %s", goldenGlob)
	}
	seen := map[string]bool{}
	var arts []article.Article
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Article *article.Article
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if page.Article == nil || seen[page.Article.ID] || strings.Contains(f, "__page-") {
			continue
		}
		seen[page.Article.ID] = true
		arts = append(arts, *page.Article)
	}
	if len(arts) < 10 {
		t.Fatalf("only %d articles in %s", len(arts), goldenGlob)
	}
	return arts
}

// openIndex opens a real index in a fresh directory; with arts it is built
// from them, without it has no generation (not ready).
func openIndex(t testing.TB, arts []article.Article) *indexer.Index {
	t.Helper()
	ctx := context.Background()
	ix, err := indexer.Open(ctx, indexer.Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Close(); err != nil {
			t.Errorf("close index: %v", err)
		}
	})
	if arts != nil {
		if _, err := ix.Rebuild(ctx, indextest.SliceSource(arts)); err != nil {
			t.Fatal(err)
		}
	}
	return ix
}

// spec is the loaded OpenAPI document and a router over it.
type spec struct {
	doc    *openapi3.T
	router routers.Router
}

func loadSpec(t testing.TB) *spec {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiJSON)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not valid: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi.json is version %s, want 3.1", doc.OpenAPI)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &spec{doc: doc, router: router}
}

// check validates one response against the document: the operation's
// declared status, headers and body schema (kin-openapi, JSON Schema 2020-12
// for 3.1), plus the API-wide rules every response follows.
func (sp *spec) check(req *http.Request, status int, header http.Header, body []byte) error {
	var errs []error
	if !validRequestID(header.Get(headerRequestID)) {
		errs = append(errs, fmt.Errorf("X-Request-Id %q missing or malformed", header.Get(headerRequestID)))
	}
	isProblem := strings.HasPrefix(header.Get("Content-Type"), "application/problem+json")
	switch {
	case status >= 400 && !isProblem:
		errs = append(errs, fmt.Errorf("status %d with Content-Type %q, want application/problem+json", status, header.Get("Content-Type")))
	case status < 400 && isProblem:
		errs = append(errs, fmt.Errorf("problem body with status %d", status))
	}
	if isProblem {
		var p problem
		if err := json.Unmarshal(body, &p); err != nil {
			errs = append(errs, fmt.Errorf("problem body: %v", err))
		} else {
			if p.Status != status {
				errs = append(errs, fmt.Errorf("problem status %d, response status %d", p.Status, status))
			}
			if p.RequestID != header.Get(headerRequestID) {
				errs = append(errs, fmt.Errorf("problem request_id %q, header %q", p.RequestID, header.Get(headerRequestID)))
			}
			if header.Get("Cache-Control") != "no-store" || header.Get("ETag") != "" {
				errs = append(errs, fmt.Errorf("problem with Cache-Control %q and ETag %q", header.Get("Cache-Control"), header.Get("ETag")))
			}
		}
	}
	if status == http.StatusNotModified && (len(body) != 0 || header.Get("ETag") == "") {
		errs = append(errs, fmt.Errorf("304 with %d body bytes and ETag %q", len(body), header.Get("ETag")))
	}

	route, params, err := sp.router.FindRoute(req)
	switch {
	case err != nil && req.Method == http.MethodOptions && status == http.StatusNoContent:
		// A CORS preflight: not an operation of the document.
		if len(body) != 0 {
			errs = append(errs, errors.New("preflight answer with a body"))
		}
	case err != nil && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed):
		// No operation: the body must still be a Problem.
		if err := sp.checkSchema("Problem", body); err != nil {
			errs = append(errs, err)
		}
	case err != nil:
		errs = append(errs, fmt.Errorf("%s %s is not in openapi.json (%v) but answered %d", req.Method, req.URL.Path, err, status))
	default:
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
			Status:                 status,
			Header:                 header,
			Body:                   io.NopCloser(bytes.NewReader(body)),
			Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s %s → %d: %w\nbody: %.600s", req.Method, req.URL.RequestURI(), status, err, body)
	}
	return nil
}

// checkSchema validates a JSON body against a component schema.
func (sp *spec) checkSchema(name string, body []byte) error {
	ref := sp.doc.Components.Schemas[name]
	if ref == nil {
		return fmt.Errorf("no schema %s", name)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s body: %v", name, err)
	}
	return ref.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())
}

// validatingTransport checks every response it carries against the spec.
type validatingTransport struct {
	t    testing.TB
	spec *spec
	base http.RoundTripper

	mu    sync.Mutex
	count int
}

func (vt *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := vt.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := vt.spec.check(req, resp.StatusCode, resp.Header, body); err != nil {
		vt.t.Errorf("OpenAPI: %v", err)
	}
	vt.mu.Lock()
	vt.count++
	vt.mu.Unlock()
	return resp, nil
}

// apiEnv is a running server and a validating client.
type apiEnv struct {
	t      testing.TB
	srv    *Server
	ts     *httptest.Server
	client *http.Client
	vt     *validatingTransport
	logs   *indextest.LogBuffer
}

// testConfig is the configuration of most tests: rate limiting off, so
// tests do not depend on their own speed.
func testConfig() Config {
	return Config{RateLimit: -1}
}

func newAPI(t testing.TB, cfg Config, s Searcher, r Rebuilder) *apiEnv {
	t.Helper()
	ginTestMode.Do(func() { gin.SetMode(gin.TestMode) })
	logs := &indextest.LogBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(cfg, s, r, logger)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	vt := &validatingTransport{t: t, spec: loadSpec(t), base: http.DefaultTransport}
	t.Cleanup(func() {
		vt.mu.Lock()
		defer vt.mu.Unlock()
		if vt.count == 0 && !t.Failed() {
			t.Errorf("no response went through the OpenAPI validator")
		}
	})
	return &apiEnv{t: t, srv: srv, ts: ts, client: &http.Client{Transport: vt}, vt: vt, logs: logs}
}

// do sends a request with optional headers ("Name: value") and returns the
// response with its body read.
func (e *apiEnv) do(method, target string, body io.Reader, headers ...string) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+target, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			e.t.Fatalf("bad header %q", h)
		}
		if strings.EqualFold(strings.TrimSpace(k), "Host") {
			req.Host = strings.TrimSpace(v) // net/http sends req.Host, not Header["Host"]
			continue
		}
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// get sends a GET and decodes a JSON body into out (when non-nil), failing
// unless the status is want.
func (e *apiEnv) get(target string, want int, out any, headers ...string) *http.Response {
	e.t.Helper()
	resp, body := e.do(http.MethodGet, target, nil, headers...)
	if resp.StatusCode != want {
		e.t.Fatalf("GET %s: status %d, want %d\n%s", target, resp.StatusCode, want, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			e.t.Fatalf("GET %s: %v\n%s", target, err, body)
		}
	}
	return resp
}

// problemOf decodes a problem body.
func problemOf(t testing.TB, body []byte) problem {
	t.Helper()
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("not a problem body: %v\n%s", err, body)
	}
	return p
}

// expectProblem checks status, code and (when non-empty) parameter.
func (e *apiEnv) expectProblem(method, target string, status int, code, param string, headers ...string) problem {
	e.t.Helper()
	resp, body := e.do(method, target, nil, headers...)
	if resp.StatusCode != status {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", method, target, resp.StatusCode, status, body)
	}
	p := problemOf(e.t, body)
	if p.Code != code {
		e.t.Errorf("%s %s: code %q, want %q (%s)", method, target, p.Code, code, p.Detail)
	}
	if param != "" && p.Parameter != param {
		e.t.Errorf("%s %s: parameter %q, want %q (%s)", method, target, p.Parameter, param, p.Detail)
	}
	return p
}

// hasFold reports whether list holds v, case-insensitively.
func hasFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}
