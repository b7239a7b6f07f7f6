package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// childEnv makes the test binary act as a build child (TestMain).
const childEnv = "SAFETYSEARCH_TEST_BUILD_CHILD"

// TestMain lets the test binary be the child of ProcessBuilder: with
// childEnv set it runs BuildFromStream on its standard streams and exits
// ("crash" makes it exit after reading the header, as a killed child would).
func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "crash":
		_, _ = os.Stdin.Read(make([]byte, 64))
		os.Exit(3)
	default:
		if err := BuildFromStream(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if nice, ok := currentNice(); ok {
			fmt.Fprintf(os.Stderr, "nice=%d\n", nice)
		}
		os.Exit(0)
	}
}

// childBuilder runs the test binary as the build child in mode.
func childBuilder(t *testing.T, mode string, stderr *bytes.Buffer) *ProcessBuilder {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(childEnv, mode)
	return &ProcessBuilder{Path: exe, Args: []string{"-test.run=^$"}, MaxProcs: 1, Stderr: stderr}
}

// A generation built in a child process answers like one built in process:
// the same hits with the same scores and the same facet counts (hits of equal
// score may come in another order: internal document order differs between
// builds).
func TestProcessBuilderMatchesInProcess(t *testing.T) {
	ctx := context.Background()
	arts := lifecycleArticles(300)
	var stderr bytes.Buffer
	child, err := Open(ctx, Config{Dir: t.TempDir(), Builder: childBuilder(t, "build", &stderr)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Close() }()
	local, err := Open(ctx, Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = local.Close() }()
	for _, ix := range []*Index{child, local} {
		rep, err := ix.Rebuild(ctx, arts)
		if err != nil {
			t.Fatalf("rebuild: %v (child stderr: %s)", err, stderr.String())
		}
		if rep.Documents != len(arts) {
			t.Fatalf("rebuild indexed %d, want %d", rep.Documents, len(arts))
		}
	}
	for _, q := range []Query{
		{Text: "sepsis", PerPage: 100, Facets: DefaultFacets},
		{Text: "medication", PerPage: 100, Facets: DefaultFacets, Highlight: true},
		{Text: "falls -review", PerPage: 100, Facets: DefaultFacets},
	} {
		a, err := child.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		b, err := local.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total != b.Total || fmt.Sprint(scored(a)) != fmt.Sprint(scored(b)) || fmt.Sprint(a.Facets) != fmt.Sprint(b.Facets) {
			t.Errorf("%+v: child build gives %d %v %v, in-process %d %v %v", q, a.Total, scored(a), a.Facets, b.Total, scored(b), b.Facets)
		}
	}
}

// scored lists a page's hits as "id score", sorted.
func scored(r *Result) []string {
	out := make([]string, 0, len(r.Hits))
	for _, h := range r.Hits {
		out = append(out, fmt.Sprintf("%s %.6f", h.ID, h.Score))
	}
	slices.Sort(out)
	return out
}

// ProcessBuilder.Nice lowers the child's priority (Linux).
func TestProcessBuilderNice(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("lowering the child's priority is implemented on Linux")
	}
	nice, ok := currentNice()
	if !ok {
		t.Fatal("cannot read this process's priority")
	}
	want := min(19, nice+5)
	var stderr bytes.Buffer
	b := childBuilder(t, "build", &stderr)
	b.Nice = 5
	if _, err := b.Build(context.Background(), filepath.Join(t.TempDir(), "gen"), ScoringBM25, lifecycleArticles(10)); err != nil {
		t.Fatalf("%v (stderr %s)", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("nice=%d\n", want)) {
		t.Errorf("child stderr %q, want nice=%d", stderr.String(), want)
	}
}

// A child that dies, or a source that fails mid-stream, fails the rebuild
// with a named cause; the generation being served keeps serving and the
// half-built directory is removed.
func TestProcessBuilderFailures(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(ctx, Config{Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ix.Close() }()
	good := lifecycleArticles(50)
	if _, err := ix.Rebuild(ctx, good); err != nil {
		t.Fatal(err)
	}
	served := ix.Status().Generation

	var stderr bytes.Buffer
	failing := funcSource{n: 50, each: func(ctx context.Context, fn func(article.Article) error) error {
		for i, a := range good {
			if i == 20 {
				return errors.New("store read failed")
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	}}
	for _, tc := range []struct {
		name, mode string
		src        Source
		want       string
	}{
		{"child crashes", "crash", good, "exit status 3"},
		{"source fails", "build", failing, "store read failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix.cfg.Builder = childBuilder(t, tc.mode, &stderr)
			_, err := ix.Rebuild(ctx, tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("rebuild error %v, want one naming %q", err, tc.want)
			}
			if g := ix.Status().Generation; g != served {
				t.Errorf("serving %s after a failed build, want %s", g, served)
			}
			res, err := ix.Search(ctx, Query{PerPage: 1, Facets: []string{}})
			if err != nil || res.Total != uint64(len(good)) {
				t.Errorf("search after a failed build: %v, %v", res, err)
			}
			gens, _ := filepath.Glob(filepath.Join(dir, "gen-*"))
			if len(gens) != 1 {
				t.Errorf("generation directories after a failed build: %v", gens)
			}
		})
	}
}

// The child refuses a stream cut before its end marker.
func TestBuildFromStreamTruncated(t *testing.T) {
	ctx := context.Background()
	var in bytes.Buffer
	dir := filepath.Join(t.TempDir(), "gen")
	in.WriteString(`{"dir":` + fmt.Sprintf("%q", dir) + `,"scoring":"bm25"}` + "\n")
	in.WriteString(`{"article":{"id":"t:r1","title":"Falls"}}` + "\n")
	var out bytes.Buffer
	err := BuildFromStream(ctx, &in, &out)
	if err == nil || !strings.Contains(err.Error(), "before the end marker") {
		t.Fatalf("truncated stream: %v", err)
	}
	if !strings.Contains(out.String(), `"error"`) {
		t.Errorf("no error line written: %q", out.String())
	}
}
