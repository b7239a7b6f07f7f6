package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
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
