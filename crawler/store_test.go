package crawler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	bolt "go.etcd.io/bbolt"
)

func openTestStore(t testing.TB, path string) *Store {
	t.Helper()
	s, err := OpenStore(path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testArticle(id, url, body string) *article.Article {
	return &article.Article{ID: id, URL: url, Source: "pslhub", Title: "T " + id, Body: body,
		Tags: []string{"UK"}, Comments: []article.Comment{{ID: "1", Author: "A", Body: "c"}},
		FetchedAt: time.Now().UTC()}
}

func TestStoreCommitAndRead(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	u1, u2 := "https://www.pslhub.org/learn/a-r1/", "https://www.pslhub.org/learn/b-r2/"
	a1 := testArticle("pslhub:r1", u1, "one")
	out, err := s.commit(pageCommit{States: map[string]urlState{u1: {Status: 200, ETag: `"e1"`, ArticleID: a1.ID}}, Article: a1})
	if err != nil || out != outcomeNew {
		t.Fatalf("commit = %v, %v", out, err)
	}
	// same content, new fetch time → unchanged, not rewritten
	a1b := *a1
	a1b.FetchedAt = a1.FetchedAt.Add(time.Hour)
	out, err = s.commit(pageCommit{States: map[string]urlState{u1: {Status: 200, ArticleID: a1.ID}}, Article: &a1b})
	if err != nil || out != outcomeUnchanged {
		t.Fatalf("recommit = %v, %v", out, err)
	}
	got, err := s.Get(ctx, "pslhub:r1")
	if err != nil || !got.FetchedAt.Equal(a1.FetchedAt) {
		t.Fatalf("unchanged article was rewritten: %v %v", got.FetchedAt, err)
	}
	a1c := *a1
	a1c.Body = "one, edited"
	if out, _ := s.commit(pageCommit{Article: &a1c}); out != outcomeChanged {
		t.Fatalf("changed = %v", out)
	}
	if _, err := s.commit(pageCommit{States: map[string]urlState{u2: {Status: 200, ArticleID: "pslhub:r2"}}, Article: testArticle("pslhub:r2", u2, "two")}); err != nil {
		t.Fatal(err)
	}
	st, ok, err := s.state(u1)
	if err != nil || !ok || st.ContentHash == "" || st.ArticleID != "pslhub:r1" {
		t.Fatalf("state = %+v %v %v", st, ok, err)
	}
	if n, err := s.Count(ctx); err != nil || n != 2 {
		t.Fatalf("Count = %d %v", n, err)
	}
	var ids []string
	if err := s.Each(ctx, func(a article.Article) error { ids = append(ids, a.ID+"="+a.Body); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "pslhub:r1=one, edited,pslhub:r2=two" {
		t.Fatalf("Each = %v", ids)
	}
	if _, err := s.Get(ctx, "pslhub:r404"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	stop := errors.New("stop")
	if err := s.Each(ctx, func(article.Article) error { return stop }); err != stop {
		t.Fatalf("Each error = %v", err)
	}
	// an article without id is refused and nothing of the page is written
	if _, err := s.commit(pageCommit{States: map[string]urlState{"https://x/": {Status: 200}}, Article: &article.Article{}}); err == nil {
		t.Fatal("article without id committed")
	}
	if _, ok, _ := s.state("https://x/"); ok {
		t.Fatal("failed commit left a URL state behind (not atomic)")
	}
}

func TestStoreEachBatches(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	const n = eachBatch*2 + 5
	for i := range n {
		id := fmt.Sprintf("pslhub:r%04d", i)
		if _, err := s.commit(pageCommit{Article: testArticle(id, "https://x/"+id, "b")}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := s.Each(ctx, func(a article.Article) error { got = append(got, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("Each visited %d, want %d", len(got), n)
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("Each order broken at %d: %s, %s", i, got[i-1], got[i])
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Each(cctx, func(article.Article) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Each on canceled ctx = %v", err)
	}
}

func TestStoreGoneTwiceRemoves(t *testing.T) {
	s := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	canon := "https://www.pslhub.org/learn/a-r1/"
	old := "https://www.pslhub.org/learn/old-category/a-r1/"
	a := testArticle("pslhub:r1", canon, "x")
	if _, err := s.commit(pageCommit{States: map[string]urlState{canon: {Status: 200, ArticleID: a.ID}, old: {Status: 200, ArticleID: a.ID}}, Article: a}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// the old, non-canonical URL going away twice never removes the article
	for _, run := range []string{"r1", "r2", "r3"} {
		if removed, err := s.markGone(old, run, 404, now); err != nil || removed {
			t.Fatalf("old URL gone in %s: removed=%v err=%v", run, removed, err)
		}
	}
	// first 404 of the canonical URL keeps it; counted once per run
	for range 2 {
		if removed, err := s.markGone(canon, "r1", 404, now); err != nil || removed {
			t.Fatalf("first crawl: removed=%v err=%v", removed, err)
		}
	}
	if !s.hasArticle(a.ID) {
		t.Fatal("one 404 removed the article")
	}
	// a success in between resets the count
	st, _, _ := s.state(canon)
	st.Gone, st.GoneRun, st.Status = 0, "", 200
	if err := s.putState(canon, st); err != nil {
		t.Fatal(err)
	}
	if removed, _ := s.markGone(canon, "r2", 410, now); removed {
		t.Fatal("404 after a success removed the article")
	}
	removed, err := s.markGone(canon, "r3", 404, now)
	if err != nil || !removed || s.hasArticle(a.ID) {
		t.Fatalf("second consecutive 404: removed=%v err=%v stored=%v", removed, err, s.hasArticle(a.ID))
	}
}

func TestStoreLockTimeout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "crawl.db")
	s := openTestStore(t, path)
	_ = s
	start := time.Now()
	_, err := OpenStore(path, StoreOptions{LockTimeout: 200 * time.Millisecond})
	if err == nil {
		t.Fatal("second OpenStore succeeded while the first holds the lock")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("OpenStore hung for %s", time.Since(start))
	}
	want := fmt.Sprintf("store %s is in use by process %d", path, os.Getpid())
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
	// without a pid file the message still names the file
	os.Remove(path + ".pid")
	_, err = OpenStore(path, StoreOptions{LockTimeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "store "+path+" is locked by another process") {
		t.Fatalf("error = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := OpenStore(path, StoreOptions{})
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	if _, err := OpenStore(path, StoreOptions{ReadOnly: true, LockTimeout: 100 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), "in use by process") {
		t.Fatalf("read-only open beside a writer: %v", err)
	}
	b, _ := os.ReadFile(path + ".pid")
	if strings.TrimSpace(string(b)) != strconv.Itoa(os.Getpid()) {
		t.Errorf("pid file = %q", b)
	}
	s2.Close()
	if _, err := os.Stat(path + ".pid"); !os.IsNotExist(err) {
		t.Errorf("pid file left after Close: %v", err)
	}
	// Readers share the lock; a read-only store cannot crawl.
	r1, err := OpenStore(path, StoreOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := OpenStore(path, StoreOptions{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	defer r2.Close()
	if n, err := r2.Count(context.Background()); err != nil || n != 0 {
		t.Errorf("Count on read-only store = %d, %v", n, err)
	}
	if _, err := New(Config{Sources: []SourceConfig{{URL: "https://www.pslhub.org/"}}}, r1, nil); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("New with a read-only store: %v", err)
	}
}

// Environment of the child role of TestCrawlKillAndResume.
const (
	killChildStore = "SAFETYSEARCH_TEST_KILL_STORE"
	killChildBase  = "SAFETYSEARCH_TEST_KILL_BASE"
)

// TestCrawlKillAndResume runs a crawl in a child process (this test binary,
// this test, in its child role), SIGKILLs it mid-crawl, then checks that
// the store opens, is consistent, holds only whole articles, and that a
// second crawl completes with every article.
func TestCrawlKillAndResume(t *testing.T) {
	if path := os.Getenv(killChildStore); path != "" {
		killChild(t, path, os.Getenv(killChildBase))
		return
	}
	want, _ := fixtureRecordIDs(t)
	srv := newSiteServer(t)
	path := filepath.Join(t.TempDir(), "data", "crawl.db")

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrawlKillAndResume$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildStore+"="+path, killChildBase+"="+srv.URL)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the child has fetched a good part of the records.
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := 0
		for _, r := range srv.requests() {
			if recordDir.MatchString(strings.TrimSuffix(r.Path, "/")) {
				n++
			}
		}
		if n >= 8 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("child fetched only %d records in 30s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed mid-crawl (it finished first?): %v", err)
	}

	// The store opens at once (the lock died with the process; a stale pid
	// file is harmless), passes bbolt's consistency check and holds only
	// whole articles.
	store, err := OpenStore(path, StoreOptions{LockTimeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer store.Close()
	if err := store.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	partial := storedArticles(t, store)
	if len(partial) == 0 || len(partial) >= len(want) {
		t.Logf("killed crawl stored %d of %d articles", len(partial), len(want))
	}
	for id, a := range partial {
		if a.ID != id || a.Title == "" || a.URL == "" || a.FetchedAt.IsZero() {
			t.Errorf("article %s damaged: %+v", id, a)
		}
	}
	if psirf, ok := partial["pslhub:r12504"]; ok && len(psirf.Comments) != 57 {
		t.Errorf("r12504 stored with %d of its 57 comments", len(psirf.Comments))
	}

	// A second crawl resumes and completes.
	srv.resetLog()
	c, err := New(testConfig(srv.URL), store, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(ctx, nil)
	if err != nil {
		t.Fatalf("crawl after kill: %v\n%s", err, sum)
	}
	all := storedArticles(t, store)
	if got := sortedKeys(all); !slices.Equal(got, want) {
		t.Fatalf("after resume stored %v\nwant %v", got, want)
	}
	for id, a := range partial {
		if all[id].Title != a.Title {
			t.Errorf("article %s changed across the kill: %q → %q", id, a.Title, all[id].Title)
		}
	}
	if sum.New != len(want)-len(partial) {
		t.Errorf("resumed crawl: new=%d, want %d (the %d already stored are kept)", sum.New, len(want)-len(partial), len(partial))
	}
}

// killChild is the child role: a slow crawl that the parent kills.
func killChild(t *testing.T, path, base string) {
	store, err := OpenStore(path, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(base)
	cfg.Delay = 15 * time.Millisecond
	c, err := New(cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var n int
	_ = store.Each(context.Background(), func(article.Article) error { n++; return nil })
	t.Logf("child crawl finished with %d articles before being killed", n)
}
