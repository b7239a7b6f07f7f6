package indexer

// This file is how a generation is built: in this process (build), or in a
// child process (package build) that runs BuildFromStream.

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/build"
	"github.com/safetysearch/safetysearch/indexer/engine"

	"github.com/blevesearch/bleve/v2"
)

// Builder builds one generation: it creates the index in dir (which does not
// exist yet) with the scoring model, fills it from src and closes it,
// returning the number of articles indexed. Rebuild verifies and swaps the
// result; on an error it removes dir.
type Builder interface {
	Build(ctx context.Context, dir, scoring string, src Source) (int, error)
}

// inProcess is the default Builder: the build runs in the calling process.
type inProcess struct{}

func (inProcess) Build(ctx context.Context, dir, scoring string, src Source) (int, error) {
	return buildGeneration(ctx, dir, scoring, src)
}

// ProcessBuilder is a Builder that runs each build in a child process whose
// command calls BuildFromStream (see package build).
type ProcessBuilder = build.Process

// BuildFromStream is the child side of ProcessBuilder: it reads the stream
// from r, builds the generation in this process and writes the result line
// to w. It returns the build's error too (after writing it to w), so that
// the command can exit non-zero.
func BuildFromStream(ctx context.Context, r io.Reader, w io.Writer) error {
	bleve.Config.SetAnalysisQueueSize(runtime.GOMAXPROCS(0))
	return build.FromStream(ctx, r, w, func(ctx context.Context, dir, scoring string, src build.Source) (int, error) {
		model, err := engine.ScoringModel(scoring)
		if err != nil {
			return 0, err
		}
		return buildGeneration(ctx, dir, model, src)
	})
}

// buildGeneration creates the index in dir with the scoring model, fills it from src,
// records when it was built and closes it. It returns the number of articles
// indexed.
func buildGeneration(ctx context.Context, dir, scoring string, src Source) (int, error) {
	var idx bleve.Index
	if err := engine.Safely(func() error {
		var err error
		idx, err = engine.CreateIndex(dir, scoring)
		return err
	}); err != nil {
		return 0, fmt.Errorf("create: %w", err)
	}
	var n int
	err := engine.Safely(func() error {
		var err error
		n, err = engine.Fill(ctx, idx, dir, func(fn func(article.Article) error) error {
			return src.Each(ctx, fn)
		})
		if err != nil {
			return err
		}
		if err := idx.SetInternal([]byte(docCountKey), []byte(strconv.Itoa(n))); err != nil {
			return err
		}
		return idx.SetInternal([]byte(builtAtKey), []byte(time.Now().UTC().Format(time.RFC3339Nano)))
	})
	if cerr := closeIndex(idx, dir); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("fill: %w", err)
	}
	return n, nil
}
