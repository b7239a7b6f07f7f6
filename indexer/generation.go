package indexer

// This file is one index generation: a complete, verified, read-only Bleve
// index in its own directory <Dir>/gen-<UTC timestamp>-<n>/, the handle that
// serves it, and the reference count that lets requests already running on a
// generation finish there after a newer one has been swapped in.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/safetysearch/safetysearch/indexer/engine"
)

const (
	genPrefix     = "gen-"
	genTimeLayout = "20060102T150405Z"
	// builtAtKey is the Bleve internal key under which a rebuild records when
	// the generation was completed (RFC 3339, UTC).
	builtAtKey = "safetysearch.built_at"
	// docCountKey records how many articles a completed rebuild indexed. A
	// generation whose damaged segments made Bleve fall back to an older
	// snapshot opens with fewer documents (or without this key): it is not
	// served.
	docCountKey = "safetysearch.doc_count"
)

// generation is one open, read-only index directory.
//
// refs counts one owner reference, held while the generation is current,
// plus one per request running on it. A request may only take a reference
// while refs > 0; when the owner reference has been dropped and the last
// request has finished, refs reaches zero, drained is closed and the
// generation can be closed and deleted: nothing can reach it any more.
type generation struct {
	name    string
	dir     string
	idx     bleve.Index
	eng     *engine.Engine
	docs    uint64
	builtAt time.Time
	results *resultCache // nil when the result cache is disabled

	refs    atomic.Int64
	drained chan struct{}
}

func newGeneration(name, dir string, idx bleve.Index, eng *engine.Engine, docs uint64, builtAt time.Time) *generation {
	g := &generation{name: name, dir: dir, idx: idx, eng: eng, docs: docs, builtAt: builtAt, drained: make(chan struct{})}
	g.refs.Store(1)
	return g
}

// acquire takes a request reference. It fails once the generation has
// drained, i.e. after it was retired and its last request finished.
func (g *generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n <= 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference (a request's, or the owner's when retiring).
func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		close(g.drained)
	}
}

// generationName is the directory name of a generation started at t; n
// distinguishes several generations started within the same second.
func generationName(t time.Time, n int) string {
	return fmt.Sprintf("%s%s-%d", genPrefix, t.UTC().Format(genTimeLayout), n)
}

// parseGenerationName returns the start time encoded in a generation name,
// and false when name is not one.
func parseGenerationName(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, genPrefix)
	if !ok {
		return time.Time{}, false
	}
	stamp, num, ok := strings.Cut(rest, "-")
	if !ok {
		return time.Time{}, false
	}
	if n, err := strconv.Atoi(num); err != nil || n < 1 || strconv.Itoa(n) != num {
		return time.Time{}, false
	}
	t, err := time.Parse(genTimeLayout, stamp)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// newGenerationDir picks an unused generation name for a build started at
// now: no directory of that name exists and reserved (the generation being
// served, or a broken one whose directory may already be gone but which is
// still due for deletion) does not hold it. The directory itself is created
// by createIndex (Bleve refuses to create an index in an existing path).
func newGenerationDir(root string, now time.Time, reserved []string) (name, dir string, err error) {
	for n := 1; n < 10000; n++ {
		name = generationName(now, n)
		if slices.Contains(reserved, name) {
			continue
		}
		dir = filepath.Join(root, name)
		if _, err := os.Lstat(dir); os.IsNotExist(err) {
			return name, dir, nil
		} else if err != nil {
			return "", "", fmt.Errorf("indexer: stat %s: %w", dir, err)
		}
	}
	return "", "", fmt.Errorf("indexer: no free generation name for %s in %s", now.UTC().Format(genTimeLayout), root)
}

// openReadOnly opens an index directory read-only: a shared file lock, no
// persister or merger goroutines. The bolt timeout stops a second opener
// from waiting forever for a lock (bleve-notes §2.4).
func openGenerationIndex(dir string, boltTimeout time.Duration) (bleve.Index, error) {
	var idx bleve.Index
	err := engine.Safely(func() error {
		var err error
		idx, err = bleve.OpenUsing(dir, map[string]any{
			"read_only":    true,
			"bolt_timeout": boltTimeout.String(),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// closeIndex closes a Bleve index, turning a panic into an error.
func closeIndex(idx bleve.Index, what string) error {
	if idx == nil {
		return nil
	}
	if err := engine.Safely(idx.Close); err != nil {
		return fmt.Errorf("indexer: close %s: %w", what, err)
	}
	return nil
}

// close closes the generation's engine (its article store) and its index.
func (g *generation) close() error {
	err := g.eng.Close()
	if err != nil {
		err = fmt.Errorf("indexer: close %s: %w", g.name, err)
	}
	return errors.Join(err, closeIndex(g.idx, g.name))
}

// openGeneration opens the generation called name under root read-only and
// checks it is usable: the engine accepts its schema version and it can count
// its documents. On any failure nothing is left open.
func openGeneration(ctx context.Context, root, name string, cfg Config) (*generation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	startedAt, ok := parseGenerationName(name)
	if !ok {
		return nil, fmt.Errorf("indexer: %q is not a generation name", name)
	}
	dir := filepath.Join(root, name)
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("indexer: generation %s: %w", name, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("indexer: generation %s is not a directory", name)
	}
	idx, err := openGenerationIndex(dir, cfg.OpenTimeout)
	if err != nil {
		return nil, fmt.Errorf("indexer: open generation %s: %w", name, err)
	}
	var eng *engine.Engine
	var docs uint64
	err = engine.Safely(func() error {
		var err error
		if eng, err = engine.Open(idx, dir, cfg.Engine); err != nil {
			return err
		}
		if docs, err = eng.DocCount(); err != nil {
			return err
		}
		raw, err := idx.GetInternal([]byte(docCountKey))
		if err != nil {
			return err
		}
		want, perr := strconv.ParseUint(string(raw), 10, 64)
		if perr != nil || want != docs {
			return fmt.Errorf("incomplete or damaged: it holds %d documents, its rebuild recorded %q", docs, raw)
		}
		return nil
	})
	if err != nil {
		if eng != nil {
			_ = eng.Close()
		}
		_ = closeIndex(idx, name)
		return nil, fmt.Errorf("indexer: open generation %s: %w", name, err)
	}
	builtAt := startedAt
	_ = engine.Safely(func() error {
		raw, err := idx.GetInternal([]byte(builtAtKey))
		if err != nil || len(raw) == 0 {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, string(raw))
		if err == nil {
			builtAt = t.UTC()
		}
		return err
	})
	return newGeneration(name, dir, idx, eng, docs, builtAt), nil
}
