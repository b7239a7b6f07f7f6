package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/searchapi"
)

// TestServeRebuildsAtStart: serve on a data directory with a store and no
// index rebuilds the index from the store (no sources, so no crawl), serves
// search and the admin routes, and stops cleanly when its context ends.
func TestServeRebuildsAtStart(t *testing.T) {
	data, _ := crawlSampleHub(t)
	if err := os.RemoveAll(filepath.Join(data, indexDir)); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var stdout, stderr syncBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Version: "test", Getenv: envMap(map[string]string{
		"SAFETYSEARCH_ADMIN_TOKEN": "s3cret",
	})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.ParseFlags(ctx, []string{"serve", "--data", data, "--addr", addr, "--schedule", "off"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := m.Run(ctx)
		if cerr := m.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()

	base := "http://" + addr
	get := func(path, token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := get("/readyz", ""); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 30s\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), `msg="run started" component=scheduler trigger=startup`) {
		t.Errorf("no startup rebuild logged:\n%s", stderr.String())
	}

	code, body := get("/api/v1/search?q=patient+safety&region=UK&audience=Everyone", "")
	if code != http.StatusOK {
		t.Fatalf("search: %d %s", code, body)
	}
	var res indexer.Result
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	checkDemoResult(t, &res)

	if code, _ := get("/api/v1/admin/status", ""); code != http.StatusUnauthorized {
		t.Errorf("admin status without token: %d, want 401", code)
	}
	code, body = get("/api/v1/admin/status", "s3cret")
	var st searchapi.AdminStatus
	if code != http.StatusOK || json.Unmarshal(body, &st) != nil || !st.Ready || st.Schedule != "off" || st.Documents == 0 ||
		st.Last == nil || st.Last.Trigger != "startup" {
		t.Errorf("admin status: %d %s", code, body)
	}
	// The extraction health is measured at start, beside the rebuild, so
	// the status has it before any crawl by serve.
	for deadline := time.Now().Add(30 * time.Second); st.ExtractionHealth == nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no extraction health in the status within 30s: %s", body)
		}
		st = searchapi.AdminStatus{}
		_, body = get("/api/v1/admin/status", "s3cret")
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatal(err)
		}
	}
	_, metrics := get("/metrics", "")
	_, page := get("/status", "")
	checkExtractionHealth(t, st, string(metrics), string(page), 1)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("serve did not stop within 45s of cancel")
	}
	if code, _ := get("/healthz", ""); code != 0 {
		t.Errorf("still serving after stop: %d", code)
	}
}

// checkExtractionHealth checks the extraction health of a served sample
// crawl with sources sources: every share in [0,1], all titles found, no
// warning; one gauge per source and field in the metrics text; a table per
// source on the status page.
func checkExtractionHealth(t *testing.T, st searchapi.AdminStatus, metrics, page string, sources int) {
	t.Helper()
	h := st.ExtractionHealth
	if h == nil || len(h.Sources) != sources || h.MeasuredAt.IsZero() {
		t.Fatalf("extraction health: %+v, want %d sources", h, sources)
	}
	if len(h.Warnings) != 0 {
		t.Errorf("warnings of a sample crawl: %+v", h.Warnings)
	}
	for _, s := range h.Sources {
		if s.Articles == 0 || s.Shares["title"] != 1 {
			t.Errorf("%s: %d articles, title share %v", s.Source, s.Articles, s.Shares["title"])
		}
		for _, f := range health.Fields {
			if v, ok := s.Shares[f]; !ok || v < 0 || v > 1 {
				t.Errorf("%s: %s share %v (present %v)", s.Source, f, v, ok)
			}
		}
		if want := `safetysearch_extraction_field_share{field="title",source="` + s.Source + `"} 1`; !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
		if want := "<caption>" + s.Source + ": " + strconv.Itoa(s.Articles) + " articles</caption>"; !strings.Contains(page, want) {
			t.Errorf("status page lacks the health table of %s (%s)", s.Source, want)
		}
	}
}
