package indexer

// This file is the serving index: Open with start-up recovery, the
// zero-downtime Rebuild and swap of generations, the request methods that
// run on whichever generation is current, and Close.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/build"
	"github.com/safetysearch/safetysearch/indexer/engine"
	"github.com/safetysearch/safetysearch/indexer/resultcache"

	"github.com/blevesearch/bleve/v2"
)

// Source is what a rebuild reads: the crawler's store implements it.
// Each must call fn once per article, with distinct IDs, and stop at the
// first error fn returns. It is declared in package build, which streams it
// to a child process.
type Source = build.Source

// Config configures an Index.
type Config struct {
	// Dir holds the gen-<UTC timestamp>-<n>/ generation directories, the
	// CURRENT file naming the one being served, and a LOCK file.
	Dir    string
	Engine EngineConfig
	// CanaryQuery is searched on a freshly built generation before it is
	// swapped in; when the generation has documents the query must find at
	// least one. Empty means a browse query (no text), which matches every
	// document.
	CanaryQuery string
	// OpenTimeout bounds the wait for a generation's file lock (Bleve's
	// bolt_timeout); default 5s.
	OpenTimeout time.Duration
	// Scoring is the scoring model of the generations Rebuild builds:
	// ScoringBM25 ("bm25", the default when empty) or ScoringTFIDF
	// ("tf-idf"). The model is part of a generation's mapping: a change
	// applies from the next rebuild on.
	Scoring string
	// Builder builds each new generation; nil builds it in this process.
	// A ProcessBuilder runs the build in a child process, so that the
	// build's memory and CPU are not the serving process's.
	Builder Builder
	// ResultCache bounds each generation's result cache and sets how many
	// queries a rebuild replays to warm the new generation's (see
	// ResultCacheConfig for the defaults).
	ResultCache ResultCacheConfig
}

// RebuildReport describes a successful rebuild.
type RebuildReport struct {
	Generation string
	Documents  int // indexed: one per group of duplicates
	Took       time.Duration
	// Articles were read from the source; DuplicateGroups are the groups
	// of articles that are one document (each indexed once).
	Articles        int
	DuplicateGroups int
}

// ErrReadOnly is returned by Rebuild when another Index (in this or another
// process, e.g. a running server) owns the directory: this one only serves
// the generation that was current when it was opened.
var ErrReadOnly = errors.New("indexer: index directory is owned by another process; opened read-only")

// errClosed is returned by every method after Close.
var errClosed = fmt.Errorf("indexer: index closed: %w", ErrUnavailable)

// analysisOnce makes Open set Bleve's process-wide analysis queue once.
var analysisOnce sync.Once

// Index serves searches from the current generation and replaces it with a
// freshly built one without interrupting them.
//
// Requests take a reference on the generation that is current when they
// start and finish on it; Rebuild builds and verifies a new generation,
// records it in CURRENT, swaps the pointer, and closes and deletes the old
// generation only once its last request has finished. No request ever sees
// a half-built or closed generation, and none fails because of a swap.
type Index struct {
	cfg   Config
	log   *slog.Logger
	lock  *os.File // directory lock; nil when read-only
	owner bool

	cur          atomic.Pointer[generation]
	rebuilding   atomic.Bool
	needsRebuild atomic.Bool
	cacheStats   resultcache.Counters // of every generation's result cache

	mu       sync.Mutex
	closed   bool
	broken   []string // generations that failed to open; deleted after the next successful rebuild
	created  []string // generation names this Index has made: never reused, even once deleted
	retiring sync.WaitGroup
	building sync.WaitGroup     // a running Rebuild
	closing  context.Context    // done once Close has begun: cancels a running Rebuild
	shutdown context.CancelFunc // cancels closing

	closeOnce sync.Once
	closeErr  error
}

// Open opens the index directory cfg.Dir, creating it if needed.
//
// The first Index in a directory takes its lock and owns it: Open then
// removes every generation directory other than the one CURRENT names (a
// rebuild killed half-way leaves one behind). A further Index on the same
// directory while the owner is open (e.g. the command line next to a
// running server) only serves, and its Rebuild returns ErrReadOnly.
//
// When CURRENT is missing, or its generation cannot be opened (missing,
// corrupted, or built with another SchemaVersion), Open logs why and still
// returns an Index: it is not ready, NeedsRebuild reports true, and the
// caller is expected to Rebuild from the store. The index is a cache; the
// store is the source of truth. Open returns an error only when the
// directory itself is unusable.
//
// The first Open in a process sets Bleve's process-wide analysis queue to
// GOMAXPROCS workers (bleve.Config.SetAnalysisQueueSize; Bleve's default is
// 4). Bleve replaces the queue and abandons the old one, so this must
// happen before any other Bleve index is created in the process: open the
// Index first.
func Open(ctx context.Context, cfg Config, logger *slog.Logger) (*Index, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Dir == "" {
		return nil, errors.New("indexer: open: Config.Dir is empty")
	}
	if cfg.OpenTimeout <= 0 {
		cfg.OpenTimeout = 5 * time.Second
	}
	model, err := engine.ScoringModel(cfg.Scoring)
	if err != nil {
		return nil, err
	}
	cfg.Scoring = model
	cfg.ResultCache = cfg.ResultCache.withDefaults()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", cfg.Dir, err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", cfg.Dir, err)
	}
	analysisOnce.Do(func() {
		bleve.Config.SetAnalysisQueueSize(runtime.GOMAXPROCS(0))
	})
	lock, owner, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{
		cfg:   cfg,
		log:   logger.With("component", "indexer", "dir", cfg.Dir),
		lock:  lock,
		owner: owner,
	}
	ix.closing, ix.shutdown = context.WithCancel(context.Background())
	if !owner {
		ix.log.Info("index directory is owned by another process; serving read-only")
	}
	ix.recoverGeneration(ctx)
	return ix, nil
}

// recoverGeneration loads the generation CURRENT names and, when this Index
// owns the directory, removes every other generation directory.
func (ix *Index) recoverGeneration(ctx context.Context) {
	name, err := readCurrent(ix.cfg.Dir)
	if err != nil {
		ix.log.Error("cannot read the current generation; a rebuild is needed", "error", err)
	}
	if ix.owner {
		ix.removeStale(name)
	}
	if name == "" {
		if err == nil {
			ix.log.Info("no index generation yet; a rebuild is needed")
		}
		ix.needsRebuild.Store(true)
		return
	}
	g, err := ix.openServing(ctx, name)
	if err != nil && !ix.owner {
		// The owner may have swapped generations and deleted this one while
		// it was being opened: follow CURRENT once more.
		if again, rerr := readCurrent(ix.cfg.Dir); rerr == nil && again != "" && again != name {
			ix.log.Info("the current generation changed while opening it", "from", name, "to", again, "error", err)
			name = again
			g, err = ix.openServing(ctx, name)
		}
	}
	if err != nil {
		ix.log.Error("current generation will not open; a rebuild is needed",
			"generation", name, "schema_mismatch", errors.Is(err, ErrSchemaMismatch), "error", err)
		ix.needsRebuild.Store(true)
		if ix.owner {
			ix.broken = append(ix.broken, name)
		}
		return
	}
	ix.cur.Store(g)
	ix.log.Info("index generation loaded", "generation", g.name, "documents", g.docs, "built_at", g.builtAt)
}

// openServing opens generation name and asks it the canary query: a
// damaged segment can open and still fail to search.
func (ix *Index) openServing(ctx context.Context, name string) (*generation, error) {
	g, err := openGeneration(ctx, ix.cfg.Dir, name, ix.cfg)
	if err != nil {
		return nil, err
	}
	if err := ix.canary(ctx, g); err != nil {
		if cerr := g.close(); cerr != nil {
			ix.log.Error("cannot close the failed generation", "generation", name, "error", cerr)
		}
		return nil, fmt.Errorf("indexer: generation %s: %w", name, err)
	}
	g.results = ix.newResultCache()
	return g, nil
}

// removeStale deletes what a crash or a killed rebuild left behind.
func (ix *Index) removeStale(keep string) {
	stale, err := staleEntries(ix.cfg.Dir, keep)
	if err != nil {
		ix.log.Error("cannot list the index directory", "error", err)
		return
	}
	for _, name := range stale {
		if err := os.RemoveAll(filepath.Join(ix.cfg.Dir, name)); err != nil {
			ix.log.Error("cannot remove a stale generation", "path", name, "error", err)
			continue
		}
		ix.log.Info("removed a stale generation", "path", name)
	}
}

// NeedsRebuild reports whether no generation could be loaded at Open and
// none has been built since: the caller should Rebuild from the store.
func (ix *Index) NeedsRebuild() bool {
	return ix.needsRebuild.Load() && ix.cur.Load() == nil
}

// Status reports the generation being served.
func (ix *Index) Status() Status {
	g := ix.cur.Load()
	if g == nil {
		return Status{}
	}
	return Status{Ready: true, Generation: g.name, Documents: g.docs, BuiltAt: g.builtAt}
}

// acquire returns the current generation with a request reference taken;
// the caller must release it.
func (ix *Index) acquire() (*generation, error) {
	for {
		g := ix.cur.Load()
		if g == nil {
			ix.mu.Lock()
			closed := ix.closed
			ix.mu.Unlock()
			if closed {
				return nil, errClosed
			}
			return nil, ErrUnavailable
		}
		if g.acquire() {
			return g, nil
		}
		// g was retired and drained between Load and acquire, so the pointer
		// has already moved on: load it again.
	}
}

// Search runs q on the current generation. Result.Generation names it.
// It returns ErrUnavailable when no generation is loaded. Results come
// from the generation's result cache when it is enabled (Config.ResultCache):
// callers must not modify a Result's slices and maps.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	n, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	return ix.SearchNormalized(ctx, n)
}

// SearchNormalized is Search for a query already normalised where it
// entered (the API).
func (ix *Index) SearchNormalized(ctx context.Context, q Normalized) (*Result, error) {
	g, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	if g.results != nil {
		return cachedSearch(ctx, g, q)
	}
	res, err := g.eng.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	res.Generation = g.name
	return res, nil
}

// Article returns one article by ID (ErrNotFound when absent) and the name
// of the generation it was read from, for the caller's ETag: reading the
// generation in a second call could label a swapped-in generation's
// article with the old name.
func (ix *Index) Article(ctx context.Context, id string) (article.Article, string, error) {
	g, err := ix.acquire()
	if err != nil {
		return article.Article{}, "", err
	}
	defer g.release()
	a, err := g.eng.Article(ctx, id)
	if err != nil {
		return article.Article{}, "", err
	}
	return a, g.name, nil
}

// ArticleText is Article with the page text of the article's extracted
// documents, at most MaxAttachmentText bytes of it: pages are given in
// order while they fit, so a document with len(Pages) < PageCount was cut.
func (ix *Index) ArticleText(ctx context.Context, id string) (article.Article, string, error) {
	g, err := ix.acquire()
	if err != nil {
		return article.Article{}, "", err
	}
	defer g.release()
	a, err := g.eng.ArticleText(ctx, id, MaxAttachmentText)
	if err != nil {
		return article.Article{}, "", err
	}
	return a, g.name, nil
}

// Suggest returns a spelling suggestion for text, "" when there is none.
func (ix *Index) Suggest(ctx context.Context, text string) (string, error) {
	g, err := ix.acquire()
	if err != nil {
		return "", err
	}
	defer g.release()
	return g.eng.Suggest(ctx, text)
}

// Related returns up to n articles similar to the article id.
func (ix *Index) Related(ctx context.Context, id string, n int) ([]Hit, error) {
	g, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.eng.Related(ctx, id, n)
}

// Scan calls fn for up to limit articles matching q, all from one
// generation: a rebuild during a long scan does not mix generations.
func (ix *Index) Scan(ctx context.Context, q Query, limit int, fn func(article.Article) error) error {
	g, err := ix.acquire()
	if err != nil {
		return err
	}
	defer g.release()
	return g.eng.Scan(ctx, q, limit, fn)
}

// Rebuild builds a new generation from src and swaps it in.
//
// Steps: build a new gen-<UTC timestamp>-<n>/ directory with every article
// of src; close it; reopen it read-only; check it (the engine accepts it,
// its document count equals the number of articles indexed during the fill,
// and the canary query finds something when there are documents); record it
// durably in CURRENT; swap it in; then, once the last request on the old
// generation has finished, close the old generation and delete its
// directory. CURRENT is written before the swap, not after: if writing it
// fails, the new generation is discarded and the old one keeps serving, so
// what is served and what a restart loads never disagree.
//
// Requests keep being answered by the old generation during the whole
// rebuild. Any failure before the swap deletes the new directory and leaves
// the old generation serving. A source that yields no articles does not
// replace a generation that has documents (a broken or wiped store must not
// empty the index). Only one rebuild runs at a time: a concurrent call
// returns ErrRunning. An Index opened read-only returns ErrReadOnly.
func (ix *Index) Rebuild(ctx context.Context, src Source) (RebuildReport, error) {
	if !ix.owner {
		return RebuildReport{}, ErrReadOnly
	}
	if !ix.rebuilding.CompareAndSwap(false, true) {
		return RebuildReport{}, ErrRunning
	}
	defer ix.rebuilding.Store(false)
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return RebuildReport{}, errClosed
	}
	ix.building.Add(1)
	ix.mu.Unlock()
	defer ix.building.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(ix.closing, cancel)()
	start := time.Now()
	log := ix.log.With("op", "rebuild")

	expected, err := src.Count(ctx)
	if err != nil {
		return RebuildReport{}, fmt.Errorf("indexer: rebuild: count the source: %w", err)
	}
	ix.mu.Lock()
	reserved := append(slices.Clone(ix.broken), ix.created...)
	ix.mu.Unlock()
	if g := ix.cur.Load(); g != nil {
		reserved = append(reserved, g.name)
	}
	name, dir, err := newGenerationDir(ix.cfg.Dir, start, reserved)
	if err != nil {
		return RebuildReport{}, fmt.Errorf("indexer: rebuild: %w", err)
	}
	// Two rebuilds in the same second would otherwise reuse the name of a
	// generation deleted in between, and a reader could not tell them apart.
	ix.mu.Lock()
	ix.created = append(ix.created, name)
	ix.mu.Unlock()
	log = log.With("generation", name)
	_, inChild := ix.cfg.Builder.(*ProcessBuilder)
	log.Info("rebuild started", "source_documents", expected, "child_process", inChild)

	discard := func(g *generation) {
		if g != nil {
			if err := g.close(); err != nil {
				log.Error("cannot close the discarded generation", "error", err)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			log.Error("cannot remove the discarded generation", "error", err)
		}
	}

	builder := ix.cfg.Builder
	if builder == nil {
		builder = inProcess{}
	}
	n, err := builder.Build(ctx, dir, ix.cfg.Scoring, src)
	if err != nil {
		discard(nil)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild %s: %w", name, err)
	}
	if old := ix.cur.Load(); n == 0 && old != nil && old.docs > 0 {
		discard(nil)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild %s: the source yielded no articles; keeping generation %s with %d documents", name, old.name, old.docs)
	}

	g, err := openGeneration(ctx, ix.cfg.Dir, name, ix.cfg)
	if err != nil {
		discard(nil)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild: reopen: %w", err)
	}
	if err := ix.verify(ctx, g, n); err != nil {
		discard(g)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild %s: %w", name, err)
	}
	stats, err := g.eng.BuildStats()
	if err != nil {
		discard(g)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild %s: %w", name, err)
	}
	if stats.Articles != expected {
		log.Warn("the source changed during the rebuild", "counted", expected, "read", stats.Articles)
	}
	g.results = ix.newResultCache()
	ix.autowarm(ctx, ix.cur.Load(), g)
	if err := writeCurrent(ix.cfg.Dir, name); err != nil {
		discard(g)
		return RebuildReport{}, fmt.Errorf("indexer: rebuild %s: %w", name, err)
	}

	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		// CURRENT already names the verified generation: keep its directory
		// for the next Open.
		if err := g.close(); err != nil {
			log.Error("cannot close the new generation", "error", err)
		}
		return RebuildReport{}, errClosed
	}
	old := ix.cur.Swap(g)
	broken := ix.broken
	ix.broken = nil
	ix.needsRebuild.Store(false)
	ix.mu.Unlock()

	rep := RebuildReport{Generation: name, Documents: n, Took: time.Since(start),
		Articles: stats.Articles, DuplicateGroups: stats.DuplicateGroups}
	log.Info("generation swapped in", "documents", n, "articles", stats.Articles,
		"duplicate_groups", stats.DuplicateGroups, "folded", stats.Folded, "took", rep.Took)

	for _, b := range broken {
		if err := os.RemoveAll(filepath.Join(ix.cfg.Dir, b)); err != nil {
			log.Error("cannot remove the broken generation", "broken", b, "error", err)
		}
	}
	if old != nil {
		done := ix.retire(old, true)
		select {
		case err := <-done:
			_ = err // retire logged a failure to close or delete; the swap stands
		case <-ctx.Done():
			// The swap has happened; the old generation is closed and
			// deleted in the background once its last request finishes.
		}
	}
	return rep, nil
}

// verify checks a reopened generation before it may be served.
func (ix *Index) verify(ctx context.Context, g *generation, indexed int) error {
	if g.docs != uint64(indexed) {
		return fmt.Errorf("verify: %d documents in the index, %d indexed", g.docs, indexed)
	}
	return ix.canary(ctx, g)
}

// canary runs the canary query on g; it must find something when g has
// documents.
func (ix *Index) canary(ctx context.Context, g *generation) error {
	if g.docs == 0 {
		return nil
	}
	q, err := Query{Text: ix.cfg.CanaryQuery, PerPage: 1, Facets: []string{}}.Normalize()
	if err != nil {
		return fmt.Errorf("verify: canary query %q: %w", ix.cfg.CanaryQuery, err)
	}
	res, err := g.eng.Search(ctx, q)
	if err != nil {
		return fmt.Errorf("verify: canary query %q: %w", q.Text, err)
	}
	if res.Total == 0 || len(res.Hits) == 0 {
		return fmt.Errorf("verify: canary query %q found nothing in %d documents", q.Text, g.docs)
	}
	return nil
}

// retire drops the owner reference of a generation that is no longer
// current. Once its last request has finished it is closed and, if remove,
// its directory deleted (close first: open mmaps would keep the disk space,
// bleve#1815). The returned channel receives the outcome when that is done.
func (ix *Index) retire(g *generation, remove bool) <-chan error {
	done := make(chan error, 1)
	ix.retiring.Add(1)
	go func() {
		defer ix.retiring.Done()
		g.release()
		<-g.drained
		err := g.close()
		if err != nil {
			ix.log.Error("cannot close a retired generation", "generation", g.name, "error", err)
		} else if remove {
			// Only a closed generation is deleted: an index that failed to
			// close may still have files mapped.
			if err = os.RemoveAll(g.dir); err != nil {
				ix.log.Error("cannot remove a retired generation", "generation", g.name, "error", err)
			} else {
				ix.log.Info("retired generation removed", "generation", g.name)
			}
		}
		done <- err
	}()
	return done
}

// Close cancels a running Rebuild and waits for it, stops serving, waits
// for running requests to finish, closes every generation and releases the
// directory lock. It is idempotent; later calls return the first result.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() {
		ix.mu.Lock()
		ix.closed = true
		ix.mu.Unlock()
		ix.shutdown()
		ix.building.Wait()
		ix.mu.Lock()
		g := ix.cur.Swap(nil)
		ix.mu.Unlock()
		var errs []error
		if g != nil {
			errs = append(errs, <-ix.retire(g, false))
		}
		ix.retiring.Wait()
		if err := unlockDir(ix.lock); err != nil {
			errs = append(errs, fmt.Errorf("indexer: release the directory lock: %w", err))
		}
		ix.closeErr = errors.Join(errs...)
	})
	return ix.closeErr
}
