package searchapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
	"github.com/safetysearch/safetysearch/indexer/schedule"

	"github.com/safetysearch/safetysearch/indexer"
)

// newTestScheduler is a real scheduler (schedule off) over ix, rebuilding
// from arts after crawl (nil: index only).
func newTestScheduler(t testing.TB, ix *indexer.Index, arts []article.Article, crawl schedule.CrawlFunc) *schedule.Scheduler {
	t.Helper()
	return newSourceScheduler(t, ix, indextest.SliceSource(arts), crawl)
}

// newSourceScheduler is newTestScheduler rebuilding from src.
func newSourceScheduler(t testing.TB, ix *indexer.Index, src indexer.Source, crawl schedule.CrawlFunc) *schedule.Scheduler {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := schedule.New(ctx, schedule.Config{Spec: "off"}, crawl, ix, src, nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(func() {
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		if err := s.Stop(stopCtx); err != nil {
			t.Errorf("stop scheduler: %v", err)
		}
		cancel()
	})
	return s
}

// gatedCrawl is a crawl step that blocks until released.
type gatedCrawl struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGatedCrawl() *gatedCrawl {
	return &gatedCrawl{started: make(chan struct{}, 8), release: make(chan struct{})}
}

func (g *gatedCrawl) crawl(ctx context.Context) (map[string]int, error) {
	g.started <- struct{}{}
	select {
	case <-g.release:
		return map[string]int{"pages_fetched": 3}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *gatedCrawl) open() { g.once.Do(func() { close(g.release) }) }

func TestAdminDisabledWithoutToken(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	sched := newTestScheduler(t, ix, arts, nil)
	e := newAPI(t, testConfig(), ix, sched) // no AdminToken
	for _, auth := range []string{"Authorization: Bearer ", "Authorization: Bearer anything", "X-None: 1"} {
		e.expectProblem(http.MethodPost, "/api/v1/admin/rebuild", http.StatusNotFound, codeNotFound, "", auth)
		e.expectProblem(http.MethodGet, "/api/v1/admin/status", http.StatusNotFound, codeNotFound, "", auth)
	}
	if sched.Status().Last != nil {
		t.Error("a rebuild ran through the disabled admin API")
	}
}

func TestAdminAuth(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	cfg := testConfig()
	cfg.AdminToken = "correct-horse-battery-staple"
	e := newAPI(t, cfg, ix, nil)
	cases := []struct {
		name, header, challenge string
	}{
		{"no header", "", `Bearer realm="safetysearch-admin"`},
		{"basic scheme", "Authorization: Basic Y29ycmVjdDpob3JzZQ==", `Bearer realm="safetysearch-admin"`},
		{"empty token", "Authorization: Bearer", `Bearer realm="safetysearch-admin"`},
		{"wrong token", "Authorization: Bearer correct-horse", `Bearer realm="safetysearch-admin", error="invalid_token"`},
		{"longer token", "Authorization: Bearer correct-horse-battery-staple!", `Bearer realm="safetysearch-admin", error="invalid_token"`},
		{"case differs", "Authorization: Bearer Correct-horse-battery-staple", `Bearer realm="safetysearch-admin", error="invalid_token"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			if tc.header != "" {
				hs = append(hs, tc.header)
			}
			for _, m := range []string{http.MethodGet + " /api/v1/admin/status", http.MethodPost + " /api/v1/admin/rebuild"} {
				method, target, _ := strings.Cut(m, " ")
				resp, body := e.do(method, target, nil, hs...)
				if resp.StatusCode != http.StatusUnauthorized || problemOf(t, body).Code != codeUnauthorized {
					t.Fatalf("%s: %d\n%s", m, resp.StatusCode, body)
				}
				if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
					t.Errorf("%s: WWW-Authenticate %q, want %q", m, got, tc.challenge)
				}
			}
		})
	}
	// The right token, any case of the scheme.
	var st AdminStatus
	e.get("/api/v1/admin/status", http.StatusOK, &st, "Authorization: bearer correct-horse-battery-staple")
	if !st.Ready || st.Documents != uint64(len(arts)) || st.Generation == "" || st.Schedule != "off" {
		t.Errorf("status %+v", st)
	}
	// Without a Rebuilder there is no manual rebuild.
	e.expectProblem(http.MethodPost, "/api/v1/admin/rebuild", http.StatusNotFound, codeNotFound, "",
		"Authorization: Bearer correct-horse-battery-staple")
	// The token never reaches the log.
	if strings.Contains(e.logs.String(), "battery") {
		t.Error("the admin token appears in the log")
	}
}

func TestAdminRebuildAndConflict(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	before := ix.Status().Generation
	gate := newGatedCrawl()
	sched := newTestScheduler(t, ix, arts, gate.crawl)
	defer gate.open()
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, sched)
	auth := "Authorization: Bearer s3cret"

	resp, body := e.do(http.MethodPost, "/api/v1/admin/rebuild", nil, auth)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("rebuild: %d\n%s", resp.StatusCode, body)
	}
	if resp.Header.Get("Location") != "/api/v1/admin/status" || !strings.Contains(string(body), `"status_url":"/api/v1/admin/status"`) {
		t.Errorf("rebuild answer: Location %q body %s", resp.Header.Get("Location"), body)
	}
	<-gate.started

	// While the crawl runs, a second rebuild is refused, concurrently too.
	var wg sync.WaitGroup
	codes := make(chan int, 4)
	for range 4 {
		wg.Go(func() {
			resp, body := e.do(http.MethodPost, "/api/v1/admin/rebuild", nil, auth)
			if resp.StatusCode == http.StatusConflict && problemOf(t, body).Code != codeRebuildRunning {
				t.Errorf("409 with code %s", problemOf(t, body).Code)
			}
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusConflict {
			t.Errorf("concurrent rebuild: %d, want 409", c)
		}
	}
	var st AdminStatus
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	if !st.Running || st.Last == nil || st.Last.Outcome != "running" || st.Last.Trigger != "manual" {
		t.Errorf("status while running: %+v last %+v", st, st.Last)
	}

	gate.open()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st = AdminStatus{}
		e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
		if !st.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("rebuild did not finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st.Last == nil || st.Last.Outcome != "ok" || st.Last.Counts["pages_fetched"] != 3 || st.Generation == before {
		t.Errorf("status after the run: %+v last %+v (generation before %s)", st, st.Last, before)
	}
	if st.Last != nil && (st.Last.Errors == nil || st.Last.Counts == nil) {
		t.Errorf("null lists in the last run: %+v", st.Last)
	}
	// A new rebuild is accepted again.
	resp, _ = e.do(http.MethodPost, "/api/v1/admin/rebuild", nil, auth)
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("rebuild after the run: %d", resp.StatusCode)
	}
}

// failingRebuilder is a Rebuilder whose Trigger fails with an internal
// error, for the 500 path of the rebuild route.
type failingRebuilder struct{}

func (failingRebuilder) Trigger(string) error { return errors.New("disk on fire at /var/lib/x") }

func (failingRebuilder) Status() schedule.RunStatus { return schedule.RunStatus{Schedule: "off"} }

func TestAdminRebuildInternalError(t *testing.T) {
	ix := openIndex(t, sampleArticles(t))
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, failingRebuilder{})
	resp, body := e.do(http.MethodPost, "/api/v1/admin/rebuild", nil, "Authorization: Bearer s3cret")
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(string(body), "disk on fire") {
		t.Errorf("failing trigger: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(e.logs.String(), "disk on fire") {
		t.Error("the internal error is not logged")
	}
}

// TestAdminRebuildDuringStartupRebuild: serve's start-up rebuild goes
// through the scheduler's guard, so the admin status shows it running and
// a manual rebuild asked for meanwhile is refused with 409 without being
// recorded as a failed run.
func TestAdminRebuildDuringStartupRebuild(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	src := indextest.NewGatedSource(arts)
	sched := newSourceScheduler(t, ix, src, newGatedCrawl().crawl)
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, sched)
	auth := "Authorization: Bearer s3cret"

	if err := sched.TriggerRebuild("startup"); err != nil {
		t.Fatal(err)
	}
	<-src.Started
	var st AdminStatus
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	if !st.Running || st.Last == nil || st.Last.Trigger != "startup" || st.Last.Outcome != "running" {
		t.Fatalf("status during the start-up rebuild: %+v last %+v", st, st.Last)
	}
	e.expectProblem(http.MethodPost, "/api/v1/admin/rebuild", http.StatusConflict, codeRebuildRunning, "", auth)
	st = AdminStatus{}
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	if st.Last == nil || st.Last.Trigger != "startup" || st.Last.Outcome != "running" {
		t.Errorf("the refused rebuild was recorded: %+v", st.Last)
	}
	src.Release()
	deadline := time.Now().Add(30 * time.Second)
	for st.Running {
		if time.Now().After(deadline) {
			t.Fatal("start-up rebuild did not finish")
		}
		time.Sleep(20 * time.Millisecond)
		st = AdminStatus{}
		e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	}
	if st.Last == nil || st.Last.Trigger != "startup" || st.Last.Outcome != "ok" || st.Last.Counts["indexed"] != len(arts) {
		t.Errorf("after the start-up rebuild: %+v", st.Last)
	}
}
