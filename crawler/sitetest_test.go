package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// siteRoot is the sample hub served by siteServer.
const siteRoot = "../testdata/site"

// fault lets a test take over one request: n is how many requests for the
// same path (query included) came before it. Returning false serves the
// normal file.
type fault func(w http.ResponseWriter, r *http.Request, n int) bool

// served is one request seen by siteServer.
type served struct {
	Path   string // path?query as requested (escaped)
	Start  time.Time
	Header http.Header
	Status int
}

// siteServer serves testdata/site (see its README) on 127.0.0.1 with
// {{BASE}} replaced by its own URL, ETag/Last-Modified validators and 304
// answers, and per-path fault injection. It logs every request.
type siteServer struct {
	*httptest.Server
	t    testing.TB
	root string

	mu       sync.Mutex
	faults   map[string]fault     // by r.URL.Path (decoded)
	replace  map[string][2]string // by decoded path: body substitution
	gone     map[string]bool      // decoded path → 404
	counts   map[string]int
	reqs     []served
	inflight int
	maxIn    int
}

func newSiteServer(t testing.TB) *siteServer {
	t.Helper()
	if _, err := os.Stat(filepath.Join(siteRoot, "robots.txt")); err != nil {
		t.Fatalf("sample hub fixtures missing: %v", err)
	}
	s := &siteServer{t: t, root: siteRoot, faults: map[string]fault{}, replace: map[string][2]string{},
		gone: map[string]bool{}, counts: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *siteServer) setFault(path string, f fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[path] = f
}

func (s *siteServer) clearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[string]fault{}
}

func (s *siteServer) setGone(path string, gone bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone[path] = gone
}

func (s *siteServer) setReplace(path, old, new string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replace[path] = [2]string{old, new}
}

// requests returns a copy of the request log.
func (s *siteServer) requests() []served {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]served(nil), s.reqs...)
}

func (s *siteServer) resetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = nil
	s.counts = map[string]int{}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *siteServer) handle(w http.ResponseWriter, r *http.Request) {
	key := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	s.mu.Lock()
	n := s.counts[key]
	s.counts[key]++
	idx := len(s.reqs)
	s.reqs = append(s.reqs, served{Path: key, Start: time.Now(), Header: r.Header.Clone()})
	s.inflight++
	s.maxIn = max(s.maxIn, s.inflight)
	f := s.faults[r.URL.Path]
	gone := s.gone[r.URL.Path]
	rep, hasRep := s.replace[r.URL.Path]
	s.mu.Unlock()
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		s.mu.Lock()
		s.inflight--
		s.reqs[idx].Status = rec.status
		s.mu.Unlock()
	}()
	if f != nil && f(rec, r, n) {
		return
	}
	if gone {
		http.NotFound(rec, r)
		return
	}
	body, ctype, ok := s.file(r)
	if !ok {
		http.NotFound(rec, r)
		return
	}
	if hasRep {
		body = bytes.ReplaceAll(body, []byte(rep[0]), []byte(rep[1]))
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	rec.Header().Set("ETag", etag)
	rec.Header().Set("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
		rec.WriteHeader(http.StatusNotModified)
		return
	}
	rec.Header().Set("Content-Type", ctype)
	rec.Write(body)
}

// file maps a request to a fixture file with {{BASE}} substituted, as the
// demo serves it (SampleHub).
func (s *siteServer) file(r *http.Request) ([]byte, string, bool) {
	b, ctype, err := NewSampleHub(os.DirFS(s.root), s.URL).File(r)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.t.Errorf("sample hub: %v", err)
		}
		return nil, "", false
	}
	return b, ctype, true
}

// maxInflight is the largest number of concurrent requests seen.
func (s *siteServer) maxInflight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
}
