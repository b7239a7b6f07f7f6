package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/searchapi"

	"github.com/safetysearch/safetysearch/indexer"
)

// The end-to-end tests build the real binary once per test run.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "safetysearch-e2e-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "safetysearch")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/safetysearch")
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// cleanEnv is the test process's environment without SAFETYSEARCH_*
// variables, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestServeDemoEndToEnd runs `serve --demo` from the repository root as a
// person would, searches it over HTTP and stops it with SIGTERM.
func TestServeDemoEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	data := filepath.Join(t.TempDir(), "d")
	var stdout, stderr syncBuffer
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--data", data)
	cmd.Dir = "../.."
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		}
	}()

	base := "http://" + addr
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("serve --demo exited before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 90s (last error %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	resp, err := client.Get(base + "/api/v1/search?q=patient+safety&region=UK&audience=Everyone")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search: status %d: %s", resp.StatusCode, body)
	}
	var res indexer.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("search: %v: %s", err, body)
	}
	checkDemoResult(t, &res)
	checkDemoPublishers(t, client, base)
	checkDemoDocumentMatch(t, client, base)

	// The generated admin token it printed opens the admin routes.
	tok := regexp.MustCompile(`Authorization: Bearer ([0-9a-f]{32})`).FindStringSubmatch(stdout.String())
	if tok == nil {
		t.Errorf("demo did not print the generated admin token:\n%s", stdout.String())
	} else {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/admin/status", nil)
		req.Header.Set("Authorization", "Bearer "+tok[1])
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var st searchapi.AdminStatus
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil || st.Last == nil || st.Last.Trigger != "startup" || st.Last.Outcome != "ok" {
			t.Errorf("admin status with the printed token: %d %v %+v", resp.StatusCode, err, st)
		}
		checkSecondCrawlHistory(t, client, base, tok[1])
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("no exit within 45s of SIGTERM")
	}
	// The demo used the data directory given, and left a store and an index.
	for _, p := range []string{filepath.Join(data, storeFile), filepath.Join(data, indexDir)} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("data directory: %v", err)
		}
	}
}

// checkDemoPublishers finds the articles of the two sample publishers the
// demo crawls beside the hub: the WordPress blog through its feed and the
// GOV.UK-shaped site through its sitemap.
func checkDemoPublishers(t *testing.T, client *http.Client, base string) {
	t.Helper()
	for _, tc := range []struct{ q, idPrefix, region string }{
		{"insulin+hypoglycaemia", "saferwards:u", "UK"},
		{"valproate", "govuk:u", "UK"},
		{"patient+safety", "demo:r", "UK"},
	} {
		resp, err := client.Get(base + "/api/v1/search?per_page=50&q=" + tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var res indexer.Result
		err = json.NewDecoder(resp.Body).Decode(&res)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("search %s: %v", tc.q, err)
		}
		found := false
		for _, h := range res.Hits {
			if strings.HasPrefix(h.ID, tc.idPrefix) && containsFold(h.Regions, tc.region) {
				found = true
			}
		}
		if !found {
			t.Errorf("search %s: no %s… hit in region %s: %+v", tc.q, tc.idPrefix, tc.region, res.Hits)
		}
	}
}

// checkDemoDocumentMatch searches a word that the demo has only on page 2
// of a PDF attached to a hub record: the hit names the document and the
// page, its #page= link serves the PDF, and the search page shows the
// publisher facet with the hub and both sample publishers.
func checkDemoDocumentMatch(t *testing.T, client *http.Client, base string) {
	t.Helper()
	get := func(path string) ([]byte, http.Header) {
		resp, err := client.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return body, resp.Header
	}
	body, _ := get(base + "/api/v1/search?q=degludec")
	var res indexer.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits) != 1 || len(res.Hits[0].Documents) != 1 {
		t.Fatalf("degludec: want one hit matched inside one document, got %s", body)
	}
	d := res.Hits[0].Documents[0]
	if res.Hits[0].ID != "demo:r7950" || !strings.HasSuffix(d.Name, ".pdf") || len(d.Pages) != 1 || d.Pages[0] != 2 || !strings.HasSuffix(d.Link, "#page=2") {
		t.Errorf("degludec: hit %s document %+v", res.Hits[0].ID, d)
	}
	if _, h := get(strings.TrimSuffix(d.Link, "#page=2")); h.Get("Content-Type") != "application/pdf" {
		t.Errorf("%s: Content-Type %q", d.Link, h.Get("Content-Type"))
	}
	page, _ := get(base + "/?q=degludec")
	if !strings.Contains(string(page), "matched in") || !strings.Contains(string(page), "#page=2") {
		t.Errorf("search page for degludec does not say where it matched:\n%s", page)
	}
	page, _ = get(base + "/?q=safety")
	for _, pub := range []string{`id="facet-publisher"`, "Patient Safety Learning", "Safer Wards Network", "GOV.UK"} {
		if !strings.Contains(string(page), pub) {
			t.Errorf("search page for safety: no %q (the publisher facet)", pub)
		}
	}
}

// checkSecondCrawlHistory runs a second crawl through the admin route and
// checks that the status page and the admin status show both runs.
func checkSecondCrawlHistory(t *testing.T, client *http.Client, base, token string) {
	t.Helper()
	call := func(method, path string, out any) {
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatal(err)
			}
		}
	}
	call(http.MethodPost, "/api/v1/admin/rebuild", nil)
	var st searchapi.AdminStatus
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st = searchapi.AdminStatus{}
		call(http.MethodGet, "/api/v1/admin/status", &st)
		if !st.Running && st.Last != nil && st.Last.Trigger == "manual" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the second crawl did not finish: %+v", st.Last)
		}
	}
	if h := st.History; h == nil || len(h.Sources) != 3 || len(h.Sources[0].Runs) != 2 || len(h.Index) != 2 {
		t.Fatalf("history after two crawls: %+v", st.History)
	}
	resp, err := client.Get(base + "/status")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(page), `<svg class="chart"`); n != 7 {
		t.Errorf("status page after two crawls has %d charts, want duration and errors of the three sources and the rebuilds", n)
	}
	resp, err = client.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkExtractionHealth(t, st, string(metrics), string(page), 3)
}

// checkDemoResult checks a search for "patient safety" filtered to UK and
// Everyone: ranked, highlighted, filtered hits and consistent facets.
func checkDemoResult(t *testing.T, res *indexer.Result) {
	t.Helper()
	if res.Total == 0 || len(res.Hits) == 0 {
		t.Fatalf("no hits: %+v", res)
	}
	if uint64(len(res.Hits)) > res.Total {
		t.Errorf("%d hits but total %d", len(res.Hits), res.Total)
	}
	marked := 0
	// A relaxed result lists the articles with every word first, then the
	// others, each tier by score: the score may rise once, at the boundary.
	rises, allowed := 0, 0
	if res.Relaxed != nil {
		allowed = 1
	}
	for i, h := range res.Hits {
		if i > 0 && h.Score > res.Hits[i-1].Score {
			if rises++; rises > allowed {
				t.Errorf("hit %d (%s) scores %f above hit %d (%f): not ranked", i, h.ID, h.Score, i-1, res.Hits[i-1].Score)
			}
		}
		if !containsFold(h.Regions, "UK") || !containsFold(h.Audiences, "Everyone") {
			t.Errorf("hit %s regions %v audiences %v: filter not applied", h.ID, h.Regions, h.Audiences)
		}
		all := strings.Join(append(append(append([]string{}, h.Highlights.Title...), h.Highlights.Body...), h.Highlights.Comments...), " ")
		if strings.Contains(strings.ToLower(all), "<mark>") {
			marked++
		}
	}
	if marked == 0 {
		t.Errorf("no hit has a <mark> highlight")
	}
	checkSelectedFacet(t, res, indexer.FacetRegion, "UK")
	checkSelectedFacet(t, res, indexer.FacetAudience, "Everyone")
	if len(res.Facets[indexer.FacetType]) == 0 {
		t.Errorf("no type facet counts: %+v", res.Facets)
	}
}

// checkSelectedFacet: the selected value is marked and, since facet counts
// are disjunctive, its count equals the total.
func checkSelectedFacet(t *testing.T, res *indexer.Result, facet, value string) {
	t.Helper()
	for _, v := range res.Facets[facet] {
		if strings.EqualFold(v.Value, value) {
			if !v.Selected {
				t.Errorf("facet %s value %s not marked selected", facet, v.Value)
			}
			if v.Count != res.Total {
				t.Errorf("facet %s value %s count %d, want the total %d", facet, v.Value, v.Count, res.Total)
			}
			return
		}
	}
	t.Errorf("facet %s has no value %s: %+v", facet, value, res.Facets[facet])
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// startSampleHub serves testdata/site on an httptest server.
func startSampleHub(t *testing.T) *httptest.Server {
	t.Helper()
	dir, err := findDemoSite("../../" + DefaultDemoSite)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = crawler.NewSampleHub(os.DirFS(dir), "http://"+srv.Listener.Addr().String())
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestCrawlExportBinary crawls the sample hub with the real binary and
// exports the store as JSON lines.
func TestCrawlExportBinary(t *testing.T) {
	bin := buildBinary(t)
	hub := startSampleHub(t)
	data := filepath.Join(t.TempDir(), "d")
	env := cleanEnv("SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS=true", "SAFETYSEARCH_CRAWL_DELAY=5ms")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	crawl := exec.CommandContext(ctx, bin, "crawl", "--source", hub.URL+"/", "--data", data)
	crawl.Env = env
	var cout, cerr bytes.Buffer
	crawl.Stdout, crawl.Stderr = &cout, &cerr
	if err := crawl.Run(); err != nil {
		t.Fatalf("crawl: %v\nstdout: %s\nstderr: %s", err, cout.String(), cerr.String())
	}
	if strings.TrimSpace(cout.String()) == "" {
		t.Errorf("crawl printed no summary")
	}
	if strings.Contains(cerr.String(), "\r") {
		t.Errorf("crawl drew a progress bar on a pipe")
	}

	export := exec.CommandContext(ctx, bin, "export", "--format", "jsonl", "--data", data)
	export.Env = env
	var eout, eerr bytes.Buffer
	export.Stdout, export.Stderr = &eout, &eerr
	if err := export.Run(); err != nil {
		t.Fatalf("export: %v\n%s", err, eerr.String())
	}
	arts := parseJSONL(t, eout.Bytes())
	checkExportedArticles(t, arts, hub.URL)
}

func parseJSONL(t *testing.T, b []byte) []article.Article {
	t.Helper()
	var arts []article.Article
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var a article.Article
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("line %d: %v: %s", n, err, sc.Bytes())
		}
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return arts
}

// checkExportedArticles: every article of the sample hub that robots.txt
// allows is there once, whole, with URLs on the hub.
func checkExportedArticles(t *testing.T, arts []article.Article, hubURL string) {
	t.Helper()
	want := sampleHubRecords(t)
	seen := map[string]bool{}
	for _, a := range arts {
		if seen[a.ID] {
			t.Errorf("article %s exported twice", a.ID)
		}
		seen[a.ID] = true
		rec := a.ID[strings.LastIndex(a.ID, ":")+1:]
		if !want[rec] {
			t.Errorf("article %s (%s) is not a public record of the sample hub", a.ID, a.URL)
		}
		delete(want, rec)
		if a.Title == "" || a.Body == "" || a.FetchedAt.IsZero() {
			t.Errorf("article %s incomplete: title %q, %d bytes of body, fetched %v", a.ID, a.Title, len(a.Body), a.FetchedAt)
		}
		if !strings.HasPrefix(a.URL, hubURL+"/learn/") {
			t.Errorf("article %s URL %s is not on the hub", a.ID, a.URL)
		}
		if strings.Contains(a.URL, "/private-drafts/") {
			t.Errorf("article %s was fetched against robots.txt", a.URL)
		}
	}
	for rec := range want {
		t.Errorf("record %s of the sample hub was not exported", rec)
	}
}

// sampleHubRecords are the record ids ("r12504") of the record pages
// (".../<slug>-r<id>/") of the sample hub outside the paths robots.txt
// disallows. A record listed under two URLs counts once.
func sampleHubRecords(t *testing.T) map[string]bool {
	t.Helper()
	root := filepath.Join("..", "..", DefaultDemoSite, "learn")
	recs := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "private-drafts" {
			return filepath.SkipDir
		}
		if d.IsDir() && isRecordDir(d.Name()) {
			recs[d.Name()[strings.LastIndex(d.Name(), "-r")+1:]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 10 {
		t.Fatalf("found %d record pages in the sample hub, want at least 10", len(recs))
	}
	return recs
}

// isRecordDir matches an IPS record slug: "...-r<digits>".
func isRecordDir(name string) bool {
	i := strings.LastIndex(name, "-r")
	if i < 0 || i+2 == len(name) {
		return false
	}
	for _, c := range name[i+2:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
