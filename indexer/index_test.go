package indexer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

type sliceSource = indextest.SliceSource

var (
	lifecycleArticle  = indextest.LifecycleArticle
	lifecycleArticles = indextest.LifecycleArticles
)

// funcSource is a Source whose Each is a function.
type funcSource struct {
	n    int
	each func(ctx context.Context, fn func(article.Article) error) error
}

func (s funcSource) Count(ctx context.Context) (int, error) { return s.n, nil }

func (s funcSource) Each(ctx context.Context, fn func(article.Article) error) error {
	return s.each(ctx, fn)
}

func openIndex(t testing.TB, dir string) *Index {
	t.Helper()
	ix, err := Open(context.Background(), Config{Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}

func mustRebuild(t testing.TB, ix *Index, src Source) RebuildReport {
	t.Helper()
	rep, err := ix.Rebuild(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// browseTotal is the number of documents a browse search finds.
func browseTotal(t testing.TB, ix *Index) (uint64, string) {
	t.Helper()
	res, err := ix.Search(context.Background(), Query{PerPage: 1, Facets: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total, res.Generation
}

// dirEntries lists the names in dir, sorted.
func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// generationDirs lists the gen-* directories in dir.
func generationDirs(t testing.TB, dir string) []string {
	t.Helper()
	var gens []string
	for _, n := range dirEntries(t, dir) {
		if strings.HasPrefix(n, genPrefix) {
			gens = append(gens, n)
		}
	}
	return gens
}

func readCurrentFile(t testing.TB, dir string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestIndexLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix := openIndex(t, dir)
	if ix.Status().Ready || !ix.NeedsRebuild() {
		t.Fatalf("fresh directory: status %+v, needs rebuild %v", ix.Status(), ix.NeedsRebuild())
	}
	if _, err := ix.Search(context.Background(), Query{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("search without a generation: %v", err)
	}
	if _, _, err := ix.Article(context.Background(), "x"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("article without a generation: %v", err)
	}

	src := lifecycleArticles(12)
	before := time.Now().UTC()
	rep := mustRebuild(t, ix, src)
	if rep.Documents != 12 || rep.Took <= 0 {
		t.Fatalf("report %+v", rep)
	}
	if _, ok := parseGenerationName(rep.Generation); !ok {
		t.Fatalf("generation name %q", rep.Generation)
	}
	st := ix.Status()
	if !st.Ready || st.Generation != rep.Generation || st.Documents != 12 || st.BuiltAt.Before(before.Add(-time.Second)) || ix.NeedsRebuild() {
		t.Fatalf("status after rebuild: %+v", st)
	}
	if total, gen := browseTotal(t, ix); total != 12 || gen != rep.Generation {
		t.Fatalf("browse: %d docs from %q", total, gen)
	}
	a, gen, err := ix.Article(context.Background(), "life:r3")
	if err != nil || a.Title != src[3].Title || gen != rep.Generation {
		t.Fatalf("article: %+v from %q, %v", a, gen, err)
	}
	if _, _, err := ix.Article(context.Background(), "life:none"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing article: %v", err)
	}
	var scanned int
	if err := ix.Scan(context.Background(), Query{}, 0, func(article.Article) error { scanned++; return nil }); err != nil || scanned != 12 {
		t.Fatalf("scan: %d, %v", scanned, err)
	}
	if got := readCurrentFile(t, dir); got != rep.Generation+"\n" {
		t.Fatalf("CURRENT holds %q", got)
	}
	if got, want := dirEntries(t, dir), []string{currentFile, lockFile, rep.Generation}; !slices.Equal(got, want) {
		t.Fatalf("directory holds %v, want %v", got, want)
	}

	// A second rebuild replaces the generation and deletes the first.
	rep2 := mustRebuild(t, ix, lifecycleArticles(15))
	if rep2.Generation == rep.Generation {
		t.Fatalf("same generation name twice: %s", rep.Generation)
	}
	if total, gen := browseTotal(t, ix); total != 15 || gen != rep2.Generation {
		t.Fatalf("browse after the second rebuild: %d docs from %q", total, gen)
	}
	if got := generationDirs(t, dir); !slices.Equal(got, []string{rep2.Generation}) {
		t.Fatalf("generations on disk: %v", got)
	}
	if open := openFilesUnder(t, filepath.Join(dir, rep.Generation)); len(open) > 0 {
		t.Fatalf("files of the deleted generation still open: %v", open)
	}
	builtAt := ix.Status().BuiltAt

	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if open := openFilesUnder(t, dir); len(open) > 0 {
		t.Fatalf("files still open after Close: %v", open)
	}
	if err := ix.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := ix.Search(context.Background(), Query{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("search after Close: %v", err)
	}
	if _, err := ix.Rebuild(context.Background(), src); err == nil {
		t.Fatal("Rebuild after Close succeeded")
	}

	// Reopening serves the same generation.
	ix2 := openIndex(t, dir)
	st = ix2.Status()
	if !st.Ready || st.Generation != rep2.Generation || st.Documents != 15 || !st.BuiltAt.Equal(builtAt) || ix2.NeedsRebuild() {
		t.Fatalf("status after reopening: %+v (built_at want %s)", st, builtAt)
	}
	if total, _ := browseTotal(t, ix2); total != 15 {
		t.Fatalf("browse after reopening: %d", total)
	}
}

// openFilesUnder lists the files under root that this process holds open
// (deleted ones included), from /proc/self/fd; none where there is no
// /proc.
func openFilesUnder(t *testing.T, root string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Logf("open files not checked: %v", err)
		return nil
	}
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err != nil {
			continue // closed since the listing
		}
		if strings.HasPrefix(target, root+string(filepath.Separator)) || target == root {
			out = append(out, target)
		}
	}
	return out
}

// TestIndexSecondOpenIsReadOnly: a second Index on a directory that is
// owned serves, but neither rebuilds nor deletes anything.
func TestIndexSecondOpenIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	owner := openIndex(t, dir)
	rep := mustRebuild(t, owner, lifecycleArticles(5))
	// A directory a rebuild is filling right now looks like a stale one.
	building := filepath.Join(dir, generationName(time.Now(), 99))
	if err := os.Mkdir(building, 0o755); err != nil {
		t.Fatal(err)
	}

	reader := openIndex(t, dir)
	if st := reader.Status(); !st.Ready || st.Generation != rep.Generation {
		t.Fatalf("reader status %+v", st)
	}
	if _, err := os.Stat(building); err != nil {
		t.Fatalf("the read-only open removed a directory it does not own: %v", err)
	}
	if _, err := reader.Rebuild(context.Background(), lifecycleArticles(3)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("rebuild on the read-only index: %v", err)
	}
	if total, _ := browseTotal(t, reader); total != 5 {
		t.Fatalf("reader browse: %d", total)
	}
	if err := reader.Close(); err != nil {
		t.Fatal(err)
	}
	if err := owner.Close(); err != nil {
		t.Fatal(err)
	}
	// With the owner gone, the next Open owns the directory and cleans up.
	again := openIndex(t, dir)
	if _, err := os.Stat(building); !os.IsNotExist(err) {
		t.Fatalf("stale directory survived the owner's Open: %v", err)
	}
	if _, err := again.Rebuild(context.Background(), lifecycleArticles(3)); err != nil {
		t.Fatal(err)
	}
}

// TestIndexRebuildExclusive: a second concurrent Rebuild gets ErrRunning.
func TestIndexRebuildExclusive(t *testing.T) {
	ix := openIndex(t, t.TempDir())
	started, release := make(chan struct{}), make(chan struct{})
	arts := lifecycleArticles(4)
	slow := funcSource{n: len(arts), each: func(ctx context.Context, fn func(article.Article) error) error {
		close(started)
		<-release
		return arts.Each(ctx, fn)
	}}
	errc := make(chan error, 1)
	go func() {
		_, err := ix.Rebuild(context.Background(), slow)
		errc <- err
	}()
	<-started
	if _, err := ix.Rebuild(context.Background(), arts); !errors.Is(err, ErrRunning) {
		t.Errorf("concurrent rebuild: %v, want ErrRunning", err)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Rebuild(context.Background(), arts); err != nil {
		t.Fatalf("rebuild after the first finished: %v", err)
	}
}

// TestIndexRebuildFailureKeepsGeneration: a failing source, a cancelled
// context and an empty source all leave the serving generation alone and
// no directory behind.
func TestIndexRebuildFailureKeepsGeneration(t *testing.T) {
	dir := t.TempDir()
	ix := openIndex(t, dir)
	good := mustRebuild(t, ix, lifecycleArticles(8))

	failing := funcSource{n: 700, each: func(ctx context.Context, fn func(article.Article) error) error {
		for i := range 600 { // more than one batch reaches the disk first
			if err := fn(lifecycleArticle(i)); err != nil {
				return err
			}
		}
		return errors.New("store read error")
	}}
	if _, err := ix.Rebuild(context.Background(), failing); err == nil || !strings.Contains(err.Error(), "store read error") {
		t.Fatalf("failing source: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ix.Rebuild(ctx, lifecycleArticles(3)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled rebuild: %v", err)
	}
	if _, err := ix.Rebuild(context.Background(), sliceSource{}); err == nil {
		t.Fatal("an empty source replaced a generation with documents")
	}
	dup := append(lifecycleArticles(3), lifecycleArticle(1))
	if _, err := ix.Rebuild(context.Background(), dup); err == nil {
		t.Fatal("a source with a duplicate id was accepted")
	}
	if st := ix.Status(); st.Generation != good.Generation || st.Documents != 8 {
		t.Fatalf("status after failed rebuilds: %+v", st)
	}
	if total, _ := browseTotal(t, ix); total != 8 {
		t.Fatalf("browse after failed rebuilds: %d", total)
	}
	if got := generationDirs(t, dir); !slices.Equal(got, []string{good.Generation}) {
		t.Fatalf("generations on disk: %v", got)
	}
	if got := readCurrentFile(t, dir); got != good.Generation+"\n" {
		t.Fatalf("CURRENT holds %q", got)
	}
}

// TestIndexEmptySourceFirstBuild: an empty store gives an empty, ready index.
func TestIndexEmptySourceFirstBuild(t *testing.T) {
	ix := openIndex(t, t.TempDir())
	rep := mustRebuild(t, ix, sliceSource{})
	if st := ix.Status(); !st.Ready || st.Documents != 0 || st.Generation != rep.Generation {
		t.Fatalf("status %+v", st)
	}
	if total, _ := browseTotal(t, ix); total != 0 {
		t.Fatalf("browse: %d", total)
	}
}

func TestIndexCurrentFile(t *testing.T) {
	dir := t.TempDir()
	name := generationName(time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), 2)
	if name != "gen-20261125T180000Z-2" {
		t.Fatalf("generation name %q", name)
	}
	if err := writeCurrent(dir, name); err != nil {
		t.Fatal(err)
	}
	if got, want := dirEntries(t, dir), []string{currentFile}; !slices.Equal(got, want) {
		t.Fatalf("after writeCurrent: %v", got)
	}
	if got, err := readCurrent(dir); err != nil || got != name {
		t.Fatalf("readCurrent: %q, %v", got, err)
	}
	// Overwriting replaces the whole content.
	other := generationName(time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC), 1)
	if err := writeCurrent(dir, other); err != nil {
		t.Fatal(err)
	}
	if got := readCurrentFile(t, dir); got != other+"\n" {
		t.Fatalf("CURRENT holds %q", got)
	}
	for _, bad := range []string{"", "gen-", "gen-20261125T180000Z", "gen-20261125T180000Z-0", "gen-nonsense-1", "../etc", "gen-20261125T180000Z-01"} {
		if _, ok := parseGenerationName(bad); ok {
			t.Errorf("%q parsed as a generation name", bad)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, currentFile), []byte("garbage\x00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readCurrent(dir); err == nil {
		t.Fatal("a garbled CURRENT was accepted")
	}
}

// TestIndexOpenRecoversFromTornCurrentWrite: a crash between writing
// CURRENT.tmp and renaming it leaves the old CURRENT in force; Open removes
// the temporary file and the unreferenced generation.
func TestIndexOpenRecoversFromTornCurrentWrite(t *testing.T) {
	dir := t.TempDir()
	ix := openIndex(t, dir)
	good := mustRebuild(t, ix, lifecycleArticles(6))
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	orphan := generationName(time.Now().Add(time.Hour), 1)
	if err := os.Mkdir(filepath.Join(dir, orphan), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, currentTemp), []byte(orphan+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unrelated := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(unrelated, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	ix2 := openIndex(t, dir)
	if st := ix2.Status(); !st.Ready || st.Generation != good.Generation {
		t.Fatalf("status %+v", st)
	}
	if got, want := dirEntries(t, dir), []string{currentFile, lockFile, good.Generation, "notes.txt"}; !slices.Equal(got, want) {
		t.Fatalf("directory holds %v, want %v", got, want)
	}
}

func TestIndexOpenErrors(t *testing.T) {
	if _, err := Open(context.Background(), Config{}, nil); err == nil {
		t.Error("Open without a directory succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Config{Dir: file}, nil); err == nil {
		t.Error("Open on a regular file succeeded")
	}
}

// TestIndexCloseCancelsRebuild: Close stops a running rebuild, waits for it,
// and its half-built directory is removed.
func TestIndexCloseCancelsRebuild(t *testing.T) {
	dir := t.TempDir()
	ix := openIndex(t, dir)
	good := mustRebuild(t, ix, lifecycleArticles(5))
	started := make(chan struct{})
	stuck := funcSource{n: 10, each: func(ctx context.Context, fn func(article.Article) error) error {
		if err := fn(lifecycleArticle(0)); err != nil {
			return err
		}
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}}
	errc := make(chan error, 1)
	go func() {
		_, err := ix.Rebuild(context.Background(), stuck)
		errc <- err
	}()
	<-started
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waited for the rebuild to clean up after itself.
	if got := generationDirs(t, dir); !slices.Equal(got, []string{good.Generation}) {
		t.Fatalf("generations on disk when Close returned: %v", got)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("rebuild during Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the rebuild did not return")
	}
}

// TestIndexCanaryQuery: a generation whose canary query finds nothing is
// not swapped in.
func TestIndexCanaryQuery(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(context.Background(), Config{Dir: dir, CanaryQuery: "sepsis"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	good := mustRebuild(t, ix, lifecycleArticles(10)) // topics cycle through Sepsis
	var noSepsis sliceSource
	for _, a := range lifecycleArticles(10) {
		if !slices.Contains(a.Topics, "Sepsis") {
			noSepsis = append(noSepsis, a)
		}
	}
	_, err = ix.Rebuild(context.Background(), noSepsis)
	if err == nil || !strings.Contains(err.Error(), "canary") {
		t.Fatalf("rebuild without canary matches: %v", err)
	}
	if st := ix.Status(); st.Generation != good.Generation || st.Documents != 10 {
		t.Fatalf("status %+v", st)
	}
	if got := generationDirs(t, dir); !slices.Equal(got, []string{good.Generation}) {
		t.Fatalf("generations on disk: %v", got)
	}
}

// The scoring model is checked at Open and is the one a rebuilt generation
// scores with.
func TestIndexScoringModel(t *testing.T) {
	_, err := Open(context.Background(), Config{Dir: t.TempDir(), Scoring: "BM25F"}, nil)
	if err == nil || !strings.Contains(err.Error(), "Config.Scoring") || !strings.Contains(err.Error(), "BM25F") {
		t.Errorf("Open with an unknown scoring model: %v", err)
	}

	ctx := context.Background()
	ix, err := Open(ctx, Config{Dir: t.TempDir(), Scoring: ScoringTFIDF}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ix.Close(); err != nil {
			t.Error(err)
		}
	}()
	if _, err := ix.Rebuild(ctx, sliceSource(indextest.InlineCorpus())); err != nil {
		t.Fatal(err)
	}
	g := ix.cur.Load()
	if m := g.idx.Mapping().(*mapping.IndexMappingImpl).ScoringModel; m != ScoringTFIDF {
		t.Errorf("rebuilt generation scores with %q, want tf-idf", m)
	}
	res, err := ix.Search(ctx, Query{Text: "sepsis warning signs children"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].ID != "t:r3" {
		t.Errorf("tf-idf search: hits %v, want t:r3 first", hitIDs(res))
	}
}

// hitIDs lists the ids of the hits in order.
func hitIDs(res *Result) []string {
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// TestIndexRebuildCountsDuplicates: a report published by two sources is
// indexed once, and the rebuild report counts both articles and the group.
func TestIndexRebuildCountsDuplicates(t *testing.T) {
	ix := openIndex(t, t.TempDir())
	arts := indextest.InlineCorpus()
	copyOf := arts[0]
	copyOf.ID, copyOf.Source, copyOf.Publisher = "other:1", "other", "Other Org"
	rep := mustRebuild(t, ix, sliceSource(append(arts, copyOf)))
	if rep.Articles != len(arts)+1 || rep.Documents != len(arts) || rep.DuplicateGroups != 1 {
		t.Errorf("report %+v: want %d articles, %d documents, 1 group", rep, len(arts)+1, len(arts))
	}
}
