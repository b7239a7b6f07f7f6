package indexer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/engine"
	"github.com/safetysearch/safetysearch/indexer/indextest"

	"github.com/blevesearch/bleve/v2"
)

// TestRebuildUnderConcurrentSearches: searches running in a loop during
// three rebuilds and swaps all succeed, and each result comes from one
// complete generation (its total is that generation's document count).
func TestRebuildUnderConcurrentSearches(t *testing.T) {
	dir := t.TempDir()
	ix := openIndex(t, dir)
	sizes := []int{20, 23, 26, 29}
	first := mustRebuild(t, ix, lifecycleArticles(sizes[0]))

	type obs struct {
		gen   string
		total uint64
	}
	var (
		mu       sync.Mutex
		seen     []obs
		failures []error
		stop     atomic.Bool
		wg       sync.WaitGroup
		searches atomic.Int64
	)
	lastGen := atomic.Value{}
	lastGen.Store("")
	sawLast := make([]atomic.Bool, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				var (
					res *Result
					err error
				)
				switch w {
				case 3: // a scan holds its generation for a while
					var n uint64
					err = ix.Scan(context.Background(), Query{}, 0, func(article.Article) error { n++; return nil })
					res = &Result{Total: n, Generation: "scan"}
				default:
					q := Query{PerPage: 5, Facets: []string{}}
					if w == 1 {
						q = Query{Text: "learning", PerPage: 5, Highlight: true}
					}
					res, err = ix.Search(context.Background(), q)
				}
				searches.Add(1)
				mu.Lock()
				if err != nil {
					failures = append(failures, err)
				} else {
					seen = append(seen, obs{res.Generation, res.Total})
				}
				mu.Unlock()
				if err == nil && (res.Generation == lastGen.Load().(string) || w == 3) {
					sawLast[w].Store(true)
				}
			}
		}()
	}

	want := map[string]uint64{first.Generation: uint64(sizes[0])}
	for _, n := range sizes[1:] {
		rep := mustRebuild(t, ix, lifecycleArticles(n))
		want[rep.Generation] = uint64(n)
		lastGen.Store(rep.Generation)
		// The old generation is closed and deleted once drained.
		if got := generationDirs(t, dir); !slices.Equal(got, []string{rep.Generation}) {
			t.Errorf("after rebuild to %s the directory holds %v", rep.Generation, got)
		}
	}
	indextest.WaitFor(t, "every searcher to reach the last generation", func() bool {
		for i := range sawLast {
			if !sawLast[i].Load() {
				return false
			}
		}
		return true
	})
	stop.Store(true)
	wg.Wait()

	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed during rebuilds; first: %v", len(failures), searches.Load(), failures[0])
	}
	gens := map[string]bool{}
	for _, o := range seen {
		if o.gen == "scan" {
			// A scan streams every document of the one generation it runs on.
			if !slices.Contains(sizes, int(o.total)) {
				t.Fatalf("a scan streamed %d documents, no generation has that many", o.total)
			}
			continue
		}
		n, ok := want[o.gen]
		if !ok {
			t.Fatalf("a result came from unknown generation %q", o.gen)
		}
		gens[o.gen] = true
		// Browse and "learning" match every document of the generation.
		if o.total != n {
			t.Fatalf("a result from %s counted %d documents, the generation has %d", o.gen, o.total, n)
		}
	}
	if len(gens) < 2 {
		t.Fatalf("searches saw only %v: they did not overlap a swap", gens)
	}
	t.Logf("%d requests over %d generations, none failed", searches.Load(), len(gens))
}

const killEnv = "INDEXER_TEST_KILL_REBUILD_DIR"
const killMarker = "REBUILD-FILLING"

// TestRebuildKilledHalfway SIGKILLs a process in the middle of a rebuild.
// The next Open serves the last good generation, answers queries and has
// removed the half-built directory.
func TestRebuildKilledHalfway(t *testing.T) {
	if dir := os.Getenv(killEnv); dir != "" {
		rebuildUntilKilled(dir)
		return
	}
	dir := t.TempDir()
	ix := openIndex(t, dir)
	good := mustRebuild(t, ix, lifecycleArticles(30))
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestRebuildKilledHalfway$", "-test.count=1")
	cmd.Env = append(os.Environ(), killEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	marker := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), killMarker+" "); ok {
				marker <- rest
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	var building string
	select {
	case building = <-marker:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the child never reported filling")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != -1 {
		t.Fatalf("child did not die from the kill: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, building, "index_meta.json")); err != nil {
		t.Fatalf("the half-built generation %s is not on disk: %v", building, err)
	}
	if got := readCurrentFile(t, dir); got != good.Generation+"\n" {
		t.Fatalf("CURRENT holds %q after the kill", got)
	}

	ix2 := openIndex(t, dir)
	st := ix2.Status()
	if !st.Ready || st.Generation != good.Generation || st.Documents != 30 || ix2.NeedsRebuild() {
		t.Fatalf("after the kill: %+v", st)
	}
	if total, gen := browseTotal(t, ix2); total != 30 || gen != good.Generation {
		t.Fatalf("browse after the kill: %d from %s", total, gen)
	}
	if got := generationDirs(t, dir); !slices.Equal(got, []string{good.Generation}) {
		t.Fatalf("generations on disk after recovery: %v (half-built %s)", got, building)
	}
	if _, err := ix2.Rebuild(context.Background(), lifecycleArticles(31)); err != nil {
		t.Fatalf("rebuild after recovery: %v", err)
	}
}

// rebuildUntilKilled is the child of TestRebuildKilledHalfway: it rebuilds
// from a large synthetic source and, after a few batches have reached the
// disk, announces the generation being built and slows down to be killed.
func rebuildUntilKilled(dir string) {
	ix, err := Open(context.Background(), Config{Dir: dir}, nil)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	const total, announceAt = 5000, 1100
	src := funcSource{n: total, each: func(ctx context.Context, fn func(article.Article) error) error {
		for i := range total {
			if i == announceAt {
				gens, _ := filepath.Glob(filepath.Join(dir, genPrefix+"*"))
				current, _ := readCurrent(dir)
				for _, g := range gens {
					if filepath.Base(g) != current {
						fmt.Println(killMarker, filepath.Base(g))
					}
				}
			}
			if i >= announceAt {
				time.Sleep(5 * time.Millisecond)
			}
			if err := fn(lifecycleArticle(i)); err != nil {
				return err
			}
		}
		return nil
	}}
	_, err = ix.Rebuild(context.Background(), src)
	fmt.Println("rebuild was not killed:", err)
	os.Exit(3)
}

// openGenerationIndexWritable opens a generation read-write, as only a test
// that tampers with it does.
func openGenerationIndexWritable(dir string) (bleve.Index, error) {
	return bleve.OpenUsing(dir, map[string]any{"bolt_timeout": "5s"})
}

// garble overwrites every byte of a file with garbage, keeping its size.
// (Garbling only the first page of root.bolt is not enough: bbolt keeps a
// second meta page and recovers from it.)
func garble(t testing.TB, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", int(fi.Size()/4)+1))[:fi.Size()]
	if _, err := f.WriteAt(junk, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRebuildReplacesBrokenGeneration: a generation that will not open
// (garbled or truncated files, a missing directory, another schema version)
// makes Open report NeedsRebuild; Rebuild replaces it and deletes it.
func TestRebuildReplacesBrokenGeneration(t *testing.T) {
	// Bleve reports the broken segments through the standard logger
	// ("unable to load snapshot … unsupported version"): expected here, so
	// kept out of the test output.
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	breakers := map[string]func(t *testing.T, gen string){
		"garbled root.bolt": func(t *testing.T, gen string) {
			garble(t, filepath.Join(gen, "store", "root.bolt"))
		},
		"truncated segments": func(t *testing.T, gen string) {
			zaps, err := filepath.Glob(filepath.Join(gen, "store", "*.zap"))
			if err != nil || len(zaps) == 0 {
				t.Fatalf("no segments in %s: %v", gen, err)
			}
			for _, z := range zaps {
				fi, err := os.Stat(z)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(z, fi.Size()/3); err != nil {
					t.Fatal(err)
				}
			}
		},
		"garbled segments": func(t *testing.T, gen string) {
			zaps, _ := filepath.Glob(filepath.Join(gen, "store", "*.zap"))
			if len(zaps) == 0 {
				t.Fatalf("no segments in %s", gen)
			}
			for _, z := range zaps {
				garble(t, z)
			}
		},
		"garbled index_meta.json": func(t *testing.T, gen string) {
			if err := os.WriteFile(filepath.Join(gen, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"missing article store": func(t *testing.T, gen string) {
			if err := os.Remove(filepath.Join(gen, engine.ArticleStoreFile)); err != nil {
				t.Fatal(err)
			}
		},
		"truncated article store": func(t *testing.T, gen string) {
			path := filepath.Join(gen, engine.ArticleStoreFile)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		},
		"missing directory": func(t *testing.T, gen string) {
			if err := os.RemoveAll(gen); err != nil {
				t.Fatal(err)
			}
		},
		"other schema version": func(t *testing.T, gen string) {
			// Rewrite the generation's recorded version in place, the way
			// an older or newer build would have left it.
			idx, err := openGenerationIndexWritable(gen)
			if err != nil {
				t.Fatal(err)
			}
			if err := idx.SetInternal([]byte("safetysearch:schema_version"), []byte(strconv.Itoa(SchemaVersion+1))); err != nil {
				t.Fatal(err)
			}
			if err := idx.Close(); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, breakIt := range breakers {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			ix := openIndex(t, dir)
			old := mustRebuild(t, ix, lifecycleArticles(10))
			if err := ix.Close(); err != nil {
				t.Fatal(err)
			}
			breakIt(t, filepath.Join(dir, old.Generation))

			logger, logs := indextest.Logger(t)
			ix2, err := Open(context.Background(), Config{Dir: dir}, logger)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = ix2.Close() })
			if st := ix2.Status(); st.Ready || !ix2.NeedsRebuild() {
				t.Fatalf("broken generation served: %+v", st)
			}
			if !strings.Contains(logs.String(), "current generation will not open") {
				t.Errorf("nothing logged:\n%s", logs)
			}
			if name == "other schema version" && !strings.Contains(logs.String(), "schema_mismatch=true") {
				t.Errorf("schema mismatch not logged:\n%s", logs)
			}
			if _, err := ix2.Search(context.Background(), Query{}); !errors.Is(err, ErrUnavailable) {
				t.Fatalf("search on a broken index: %v", err)
			}
			rep := mustRebuild(t, ix2, lifecycleArticles(12))
			if st := ix2.Status(); !st.Ready || st.Generation != rep.Generation || ix2.NeedsRebuild() {
				t.Fatalf("after the rebuild: %+v", st)
			}
			if total, _ := browseTotal(t, ix2); total != 12 {
				t.Fatalf("browse after the rebuild: %d", total)
			}
			if got := generationDirs(t, dir); !slices.Equal(got, []string{rep.Generation}) {
				t.Fatalf("generations on disk: %v, broken %s should be gone", got, old.Generation)
			}
		})
	}
}
