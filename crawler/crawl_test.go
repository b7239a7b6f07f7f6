package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Paths (decoded) of sample-hub records used by the fault tests.
const (
	pathR7412  = "/learn/improving-patient-safety/design-for-safety/processes/wrong-site-surgery-a-never-event-that-keeps-happening-r7412/"
	pathR8975  = "/learn/investigations-risk-management-and-legal-issues/legal-and-regulatory-duties/being-open-the-duty-of-candour-in-practice-r8975/"
	pathR2514  = "/learn/improving-patient-safety/human-factors-improving-human-performance-in-care-delivery/human-factors-in-the-operating-theatre-r2514/"
	pathR6200  = "/learn/improving-patient-safety/design-for-safety/processes/preventing-falls-in-care-homes-r6200/"
	pathR7715  = "/learn/patient-safety-in-health-and-care/medication/ismp-canada-safety-bulletins-r7715/"
	pathR11783 = "/learn/improving-patient-safety/human-factors-improving-human-performance-in-care-delivery/accelerated-learning-through-after-action-reviews-r11783/"
)

func testConfig(base string) Config {
	return Config{
		Sources:              []SourceConfig{{Name: "pslhub", URL: base + "/"}},
		Delay:                time.Millisecond,
		Timeout:              300 * time.Millisecond,
		BackoffBase:          10 * time.Millisecond,
		MaxRetryAfter:        3 * time.Second,
		AllowPrivateNetworks: true,
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var recordDir = regexp.MustCompile(`-r([0-9]+)$`)

// fixtureRecordIDs lists the article ids of the record pages in the sample
// hub, excluding those under robots-disallowed /learn/private-drafts/.
func fixtureRecordIDs(t *testing.T) (public []string, disallowed []string) {
	t.Helper()
	set := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(siteRoot, "learn"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		m := recordDir.FindStringSubmatch(d.Name())
		if m == nil {
			return nil
		}
		id := ArticleID("pslhub", m[1])
		if strings.Contains(filepath.ToSlash(p), "/private-drafts/") {
			disallowed = append(disallowed, id)
		} else if !set[id] {
			set[id] = true
			public = append(public, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(public) < 20 || len(disallowed) == 0 {
		t.Fatalf("sample hub: %d public and %d disallowed records found under %s; fixtures missing?", len(public), len(disallowed), siteRoot)
	}
	sort.Strings(public)
	return public, disallowed
}

func storedArticles(t *testing.T, s *Store) map[string]article.Article {
	t.Helper()
	out := map[string]article.Article{}
	if err := s.Each(context.Background(), func(a article.Article) error {
		if _, dup := out[a.ID]; dup {
			t.Errorf("article %s visited twice", a.ID)
		}
		out[a.ID] = a
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// pauseFault answers the first request with status and Retry-After and
// records when that answer was sent and when the host may be asked again.
type pauseFault struct {
	status     int
	dateForm   bool
	answeredAt time.Time
	resumeAt   time.Time
}

func (p *pauseFault) fault() fault {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 0 {
			return false
		}
		now := time.Now()
		if p.dateForm {
			// HTTP-dates have whole seconds: ask for 1–2 s from now.
			at := now.Add(2 * time.Second).Truncate(time.Second)
			w.Header().Set("Retry-After", at.UTC().Format(http.TimeFormat))
			p.resumeAt = at
		} else {
			w.Header().Set("Retry-After", "1")
			p.resumeAt = now.Add(time.Second)
		}
		p.answeredAt = now
		w.WriteHeader(p.status)
		return true
	}
}

// sleepFault sleeps d (or until the client gives up) on the first n requests.
func sleepFault(d time.Duration, times int) fault {
	return func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n >= times {
			return false
		}
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
		return true
	}
}

func TestCrawlSampleHub(t *testing.T) {
	ctx := context.Background()
	want, disallowed := fixtureRecordIDs(t)
	srv := newSiteServer(t)

	// Faults of the first crawl; all are transient, so every article ends up stored.
	tooMany := &pauseFault{status: http.StatusTooManyRequests}
	unavailable := &pauseFault{status: http.StatusServiceUnavailable, dateForm: true}
	srv.setFault(pathR7412, tooMany.fault())
	srv.setFault(pathR8975, unavailable.fault())
	srv.setFault(pathR2514, func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}
		return false
	})
	srv.setFault(pathR6200, sleepFault(time.Second, 1)) // past the 300ms client timeout, once
	srv.setFault(pathR7715, func(w http.ResponseWriter, r *http.Request, n int) bool {
		// a slow body that still completes within the timeout
		b, ctype, _ := srv.file(r)
		w.Header().Set("Content-Type", ctype)
		half := len(b) / 2
		w.Write(b[:half])
		w.(http.Flusher).Flush()
		time.Sleep(100 * time.Millisecond)
		w.Write(b[half:])
		return true
	})

	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(testConfig(srv.URL), store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var progress []Progress
	sum, err := c.Run(ctx, func(p Progress) { progress = append(progress, p) })
	if err != nil {
		t.Fatalf("first crawl failed as a whole: %v\n%s", err, sum)
	}
	t.Logf("first crawl:\n%s", sum)

	// What is STORED: every public sample article, once.
	arts := storedArticles(t, store)
	if got := sortedKeys(arts); !slices.Equal(got, want) {
		t.Fatalf("stored articles\n got %v\nwant %v", got, want)
	}
	for _, id := range disallowed {
		if _, ok := arts[id]; ok {
			t.Errorf("robots-disallowed record %s was stored", id)
		}
	}
	psirf := arts["pslhub:r12504"]
	if len(psirf.Comments) != 57 {
		t.Errorf("r12504 has %d comments, want 57 (3 comment pages)", len(psirf.Comments))
	}
	ids := map[string]bool{}
	for _, cm := range psirf.Comments {
		if ids[cm.ID] {
			t.Errorf("r12504 comment %s stored twice", cm.ID)
		}
		ids[cm.ID] = true
	}
	if strings.Contains(psirf.URL, "/page/") {
		t.Errorf("r12504 keyed by a comment page URL: %s", psirf.URL)
	}
	if got := arts["pslhub:r11783"].URL; got != srv.URL+pathR11783 {
		t.Errorf("r11783 (linked under two URLs) stored with URL %s, want the canonical %s", got, srv.URL+pathR11783)
	}
	if got := arts["pslhub:r14316"].URL; !strings.Contains(got, "doesn%E2%80%99t") {
		t.Errorf("r14316 URL %s lost its percent-encoding", got)
	}
	for id, a := range arts {
		if a.Title == "" || a.Source != "pslhub" || !strings.HasPrefix(a.URL, srv.URL+"/learn/") || a.FetchedAt.IsZero() {
			t.Errorf("article %s incomplete: title=%q source=%q url=%q fetched=%v", id, a.Title, a.Source, a.URL, a.FetchedAt)
		}
	}

	// Counts and politeness.
	if sum.New != len(want) || sum.Changed != 0 || sum.Removed != 0 {
		t.Errorf("new=%d changed=%d removed=%d, want %d/0/0", sum.New, sum.Changed, sum.Removed, len(want))
	}
	if sum.SkippedRobots == 0 {
		t.Error("the robots-disallowed draft was not counted as skipped")
	}
	if sum.Errors[KindHTTP4xx] != 1 {
		t.Errorf("errors %v: want exactly the one stale sitemap entry (r5001) as http_4xx", sum.Errors)
	}
	if sum.HostPauses < 4 {
		t.Errorf("host pauses = %d, want ≥ 4 (429, 503, 500, timeout)", sum.HostPauses)
	}
	if len(progress) == 0 || progress[len(progress)-1].Queued != 0 || progress[len(progress)-1].Done < len(want) {
		t.Errorf("progress = %v…", progress[max(0, len(progress)-1):])
	}
	if n := srv.maxInflight(); n != 1 {
		t.Errorf("%d requests were in flight at once; want 1 per host", n)
	}
	reqs := srv.requests()
	if reqs[0].Path != "/robots.txt" {
		t.Errorf("first request %s, want /robots.txt", reqs[0].Path)
	}
	ua := reqs[0].Header.Get("User-Agent")
	if !strings.HasPrefix(ua, "safetysearch/") || !strings.Contains(ua, "(+http") {
		t.Errorf("User-Agent %q", ua)
	}
	fetched := map[string]int{}
	for _, r := range reqs {
		fetched[r.Path]++
		for _, bad := range []string{"/tags/", "/profile/", "/learn/private-drafts/", "sortby=", "do=", "tab=", "/applications/"} {
			if strings.Contains(r.Path, bad) {
				t.Errorf("fetched %s (out of scope or disallowed)", r.Path)
			}
		}
	}
	for p, n := range fetched {
		limit := 1
		switch p {
		case pathR7412, pathR8975, pathR2514, pathR6200:
			limit = 2
		}
		if n > limit {
			t.Errorf("%s fetched %d times in one crawl", p, n)
		}
	}

	// 429 / 503 with Retry-After paused the WHOLE host until the time asked.
	for name, f := range map[string]*pauseFault{"429 Retry-After seconds": tooMany, "503 Retry-After HTTP-date": unavailable} {
		if f.answeredAt.IsZero() {
			t.Errorf("%s: fault never triggered", name)
			continue
		}
		for _, r := range reqs {
			if r.Start.After(f.answeredAt) && r.Start.Before(f.resumeAt.Add(-20*time.Millisecond)) {
				t.Errorf("%s: %s requested %s after the answer, before the host's pause ended (%s)",
					name, r.Path, r.Start.Sub(f.answeredAt), f.resumeAt.Sub(f.answeredAt))
			}
		}
	}

	// Second crawl: the server answers 304; nothing is rewritten.
	before, _ := json.Marshal(arts)
	srv.clearFaults()
	srv.resetLog()
	sum2, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("second crawl: %v", err)
	}
	t.Logf("second crawl:\n%s", sum2)
	if sum2.NotModified < len(want) || sum2.New != 0 || sum2.Changed != 0 {
		t.Errorf("second crawl: not_modified=%d new=%d changed=%d, want ≥%d/0/0", sum2.NotModified, sum2.New, sum2.Changed, len(want))
	}
	sawConditional := false
	for _, r := range srv.requests() {
		if r.Header.Get("If-None-Match") != "" && r.Header.Get("If-Modified-Since") != "" {
			sawConditional = true
		}
	}
	if !sawConditional {
		t.Error("second crawl sent no If-None-Match / If-Modified-Since")
	}
	after, _ := json.Marshal(storedArticles(t, store))
	if string(before) != string(after) {
		t.Error("a 304 crawl changed stored articles")
	}

	// Third crawl: one article's content changed.
	const oldText, newText = "The surgical safety checklist was introduced", "The WHO surgical safety checklist was brought in"
	srv.setReplace(pathR7412, oldText, newText)
	// Another page changes only outside the article (new ETag, same
	// content hash): it is not rewritten, like IPS guest-cache refreshes.
	srv.setReplace(pathR2514, "Jump to content", "Skip to content")
	before2514, _ := store.Get(ctx, "pslhub:r2514")
	sum3, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("third crawl: %v", err)
	}
	if sum3.Changed != 1 || sum3.Unchanged != 1 || sum3.New != 0 {
		t.Errorf("third crawl: changed=%d unchanged=%d new=%d, want 1/1/0\n%s", sum3.Changed, sum3.Unchanged, sum3.New, sum3)
	}
	if after2514, _ := store.Get(ctx, "pslhub:r2514"); !after2514.FetchedAt.Equal(before2514.FetchedAt) {
		t.Error("an article with unchanged content was rewritten")
	}
	a, err := store.Get(ctx, "pslhub:r7412")
	if err != nil || !strings.Contains(a.Body, newText) || strings.Contains(a.Body, oldText) {
		t.Errorf("changed article not updated in the store (err %v): %.200q", err, a.Body)
	}

	// Fourth and fifth crawls: a record answers 404 twice → removed after the second.
	srv.setGone(pathR6200, true)
	sum4, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("fourth crawl: %v", err)
	}
	if _, err := store.Get(ctx, "pslhub:r6200"); err != nil || sum4.Removed != 0 {
		t.Fatalf("one 404 removed the article (removed=%d, get: %v)", sum4.Removed, err)
	}
	sum5, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("fifth crawl: %v", err)
	}
	if _, err := store.Get(ctx, "pslhub:r6200"); !errors.Is(err, ErrNotFound) || sum5.Removed != 1 {
		t.Errorf("after two 404 crawls: removed=%d, get: %v", sum5.Removed, err)
	}
	if n, _ := store.Count(ctx); n != len(want)-1 {
		t.Errorf("store holds %d articles, want %d", n, len(want)-1)
	}
	// The summary renders every counter.
	for _, k := range []string{"fetched", "not modified", "new", "changed", "unchanged", "removed", "skipped (robots)", "errors"} {
		if !strings.Contains(sum5.String(), k) {
			t.Errorf("Summary.String() lacks %q", k)
		}
	}
	if m := sum5.Counts(); m["removed"] != 1 || m["errors_http_4xx"] < 1 {
		t.Errorf("Counts() = %v", m)
	}
}

func TestCrawlRobotsUnavailable(t *testing.T) {
	srv := newSiteServer(t)
	srv.setFault("/robots.txt", func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	cfg.MaxRetries = 1
	c, err := New(cfg, store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "robots.txt") || !strings.Contains(err.Error(), "next run") {
		t.Fatalf("Run error = %v, want the robots.txt failure", err)
	}
	if sum.Errors[KindRobotsUnavailable] != 1 {
		t.Errorf("errors = %v", sum.Errors)
	}
	for _, r := range srv.requests() {
		if r.Path != "/robots.txt" {
			t.Errorf("fetched %s although robots.txt was unavailable", r.Path)
		}
	}
	if n, _ := store.Count(context.Background()); n != 0 {
		t.Errorf("%d articles stored", n)
	}
}

func TestCrawlRobots4xxAllowsAll(t *testing.T) {
	srv := newSiteServer(t)
	srv.setFault("/robots.txt", func(w http.ResponseWriter, r *http.Request, n int) bool {
		http.NotFound(w, r)
		return true
	})
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	cfg.Sources[0].StartURLs = []string{"/learn/private-drafts/"}
	c, _ := New(cfg, store, nil)
	if _, err := c.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// without robots.txt the draft section is allowed
	if _, err := store.Get(context.Background(), "pslhub:r99901"); err != nil {
		t.Errorf("draft not stored with a 404 robots.txt: %v", err)
	}
}

func TestCrawlUnreachable(t *testing.T) {
	srv := newSiteServer(t)
	base := srv.URL
	srv.Close() // connection refused
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(base)
	cfg.MaxRetries = 1
	c, _ := New(cfg, store, nil)
	sum, err := c.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "robots.txt") {
		t.Fatalf("Run error = %v", err)
	}
	if sum.Fetched != 0 {
		t.Errorf("fetched = %d", sum.Fetched)
	}
}

func TestCrawlCancel(t *testing.T) {
	srv := newSiteServer(t)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	cfg.Delay = 20 * time.Millisecond
	c, _ := New(cfg, store, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := 0
	start := time.Now()
	_, err := c.Run(ctx, func(p Progress) {
		done = p.Done
		if p.Done == 15 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want context.Canceled", err)
	}
	if done > 16 {
		t.Errorf("%d URLs processed after cancel at 15", done)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancellation took %s", time.Since(start))
	}
	// what was stored is whole
	for id, a := range storedArticles(t, store) {
		if a.ID != id || a.Title == "" {
			t.Errorf("partial article %s: %+v", id, a)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Sources: []SourceConfig{{URL: "https://www.pslhub.org/"}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := ok.withDefaults(); got.Sources[0].Name != "pslhub" || got.Sources[0].AllowPrefixes[0] != "/learn/" ||
		got.Delay != time.Second || got.MaxBodyBytes != 10<<20 || !strings.HasPrefix(got.UserAgent, "safetysearch/") {
		t.Errorf("defaults = %+v", got)
	}
	cases := map[string]Config{
		"Sources":              {},
		"Sources[0].URL":       {Sources: []SourceConfig{{URL: "ftp://x.org/"}}},
		"AllowPrivateNetworks": {Sources: []SourceConfig{{URL: "http://127.0.0.1:8080/"}}},
		"Sources[0].Name":      {Sources: []SourceConfig{{URL: "https://x.org/", Name: "Bad Name"}}},
		"Sources[1].Name":      {Sources: []SourceConfig{{URL: "https://www.x.org/"}, {URL: "https://x.org/"}}},
		"AllowPrefixes":        {Sources: []SourceConfig{{URL: "https://x.org/", AllowPrefixes: []string{"learn/"}}}},
		"StartURLs":            {Sources: []SourceConfig{{URL: "https://x.org/", StartURLs: []string{"https://other.org/"}}}},
		"Delay":                {Sources: []SourceConfig{{URL: "https://x.org/"}}, Delay: -time.Second},
		"MaxRetries":           {Sources: []SourceConfig{{URL: "https://x.org/"}}, MaxRetries: -1},
		"UserAgent":            {Sources: []SourceConfig{{URL: "https://x.org/"}}, UserAgent: "a\nb"},
	}
	for name, cfg := range cases {
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: Validate() = %v, want an error naming it", name, err)
		}
	}
	if _, err := New(Config{}, nil, nil); err == nil {
		t.Error("New accepted an empty config")
	}
	if _, err := New(ok, nil, nil); err == nil {
		t.Error("New accepted a nil store")
	}
}

func TestSummaryCounts(t *testing.T) {
	s := Summary{Fetched: 3, New: 2, Errors: map[ErrorKind]int{KindTimeout: 2, KindTooLarge: 1}}
	m := s.Counts()
	if m["fetched"] != 3 || m["new"] != 2 || m["errors"] != 3 || m["errors_timeout"] != 2 || m["errors_too_large"] != 1 {
		t.Errorf("Counts() = %v", m)
	}
	str := s.String()
	if !strings.Contains(str, "timeout:") || !strings.Contains(str, "too_large:") || strings.Index(str, "timeout:") > strings.Index(str, "too_large:") {
		t.Errorf("String() =\n%s", str)
	}
}

// TestCrawlCommentPageFirst: a record first reached through its comment
// page 3 (whose canonical is itself) is still stored once, from page 1,
// with all comments in page order.
func TestCrawlCommentPageFirst(t *testing.T) {
	const psirf = "/learn/investigations-risk-management-and-legal-issues/investigations-and-complaints/methodology-and-guidance-how-to-do-an-investigation/patient-safety-incident-response-framework-psirf/psirf-what-we-have-learnt-in-the-first-year-r12504/"
	ctx := context.Background()
	srv := newSiteServer(t)
	commentIDs := func(start string) ([]string, string) {
		store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
		cfg := testConfig(srv.URL)
		if start != "" {
			cfg.Sources[0].StartURLs = []string{start}
		}
		c, _ := New(cfg, store, nil)
		if _, err := c.Run(ctx, nil); err != nil {
			t.Fatal(err)
		}
		a, err := store.Get(ctx, "pslhub:r12504")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, cm := range a.Comments {
			ids = append(ids, cm.ID)
		}
		return ids, a.URL
	}
	normal, _ := commentIDs("")
	viaPage3, u := commentIDs(psirf + "page/3/")
	if len(normal) != 57 || !slices.Equal(normal, viaPage3) {
		t.Errorf("comments via page 3 (%d) differ from a normal crawl (%d):\n%v\n%v", len(viaPage3), len(normal), viaPage3, normal)
	}
	if u != srv.URL+psirf {
		t.Errorf("record URL %s", u)
	}
}
