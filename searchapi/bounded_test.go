package searchapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
)

// A query over a limit is refused with 400 query_too_complex naming the
// limit and the position of the first term over it.
func TestQueryTooComplex(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	cases := []struct {
		q     string
		limit string
		pos   int
	}{
		{"ab* cd* ef* gh* ij*", "prefixes", 16},
		{`"` + strings.Repeat("safety ", 72) + `"`, "phrase_words", 0},
		{strings.Repeat("care ", 70), "terms", 5 * 64},
		{strings.Repeat("a OR ", 8) + "b", "alternatives", 5 * 8},
	}
	for _, c := range cases {
		p := e.expectProblem(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(c.q), http.StatusBadRequest, codeTooComplex, "")
		if p.Limit != c.limit || p.Position == nil || *p.Position != c.pos {
			t.Errorf("q=%.30q…: limit %q at %v, want %q at %d (%s)", c.q, p.Limit, p.Position, c.limit, c.pos, p.Detail)
		}
	}
	// A syntax error is still invalid_query, with no limit.
	if p := e.expectProblem(http.MethodGet, "/api/v1/search?q=%22open", http.StatusBadRequest, codeInvalidQuery, ""); p.Limit != "" {
		t.Errorf("syntax error names limit %q", p.Limit)
	}
}

func TestInFlightPerClient(t *testing.T) {
	f := newInFlight(2, 50*time.Millisecond)
	ctx := context.Background()
	r1, ok1 := f.acquire(ctx, "a")
	r2, ok2 := f.acquire(ctx, "a")
	if !ok1 || !ok2 {
		t.Fatal("the first two requests of a client must run")
	}
	if _, ok := f.acquire(ctx, "a"); ok {
		t.Error("a third request of a client ran while two run")
	}
	rb, ok := f.acquire(ctx, "b")
	if !ok {
		t.Error("another client waits for the first one")
	}
	rb()
	// A waiting request runs as soon as a slot is released.
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(10 * time.Millisecond)
		r1()
	}()
	f.wait = time.Minute
	r3, ok := f.acquire(ctx, "a")
	if !ok {
		t.Fatal("a waiting request did not get the released slot")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, ok := f.acquire(canceled, "a"); ok {
		t.Error("a canceled request got a slot")
	}
	r2()
	r3()
	// r1's release frees the slot before it stops tracking the client.
	<-released
	if n := f.size(); n != 0 {
		t.Errorf("%d clients tracked after every request ended", n)
	}
}

// gateSearcher is the real index behind searches for "block", which wait
// for the gate (or the deadline).
type gateSearcher struct {
	*indexer.Index
	entered chan struct{}
	gate    chan struct{}
}

func (s gateSearcher) SearchNormalized(ctx context.Context, q indexer.Normalized) (*indexer.Result, error) {
	if q.Text == "block" {
		s.entered <- struct{}{}
		select {
		case <-s.gate:
		case <-ctx.Done():
		}
	}
	return s.Index.SearchNormalized(ctx, q)
}

// A client's burst cannot run more than maxInFlight searches at once: one
// more waits, then is refused; other clients are served meanwhile.
func TestRateLimitCapsSearchesInFlight(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	s := gateSearcher{Index: ix, entered: make(chan struct{}, maxInFlight), gate: make(chan struct{})}
	cfg := Config{RateLimit: 100, RateBurst: 20, SearchTimeout: time.Minute, TrustedProxies: []string{"127.0.0.1"}}
	e := newAPI(t, cfg, s, nil)
	const client = "X-Forwarded-For: 203.0.113.7"

	statuses := make([]int, maxInFlight)
	var wg sync.WaitGroup
	for i := range maxInFlight {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/search?q=block", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			resp, err := e.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			_ = resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	for range maxInFlight {
		<-s.entered
	}
	p := e.expectProblem(http.MethodGet, "/api/v1/search?q=falls", http.StatusTooManyRequests, codeRateLimited, "", client)
	if !strings.Contains(p.Detail, "running") {
		t.Errorf("detail %q does not say why", p.Detail)
	}
	e.get("/api/v1/search?q=falls", http.StatusOK, nil, "X-Forwarded-For: 203.0.113.8")
	close(s.gate)
	wg.Wait()
	for i, st := range statuses {
		if st != http.StatusOK {
			t.Errorf("running search %d: status %d", i, st)
		}
	}
	e.get("/api/v1/search?q=falls", http.StatusOK, nil, client)
}
