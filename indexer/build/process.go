// Package build builds index generations in a child process (the way
// Zoekt's indexserver runs its builders): the serving process streams the
// articles to the child as JSON lines, the child fills and closes the index
// in the new generation's directory, and the serving process then opens,
// verifies and swaps it in as for an in-process build.
//
// Why: a build's memory (analysis, in-memory segments, merges reading every
// segment through mmap) is the child's, and is returned to the system when
// it exits; the serving process keeps only what queries need. A build that
// runs out of memory or crashes kills the child, not the server. The child
// can be held to fewer cores than the server so that queries keep a core
// during a rebuild.
package build

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Source is what a build reads: every article once, distinct IDs, stopping
// at the first error fn returns. indexer.Source is this type.
type Source interface {
	Count(ctx context.Context) (int, error)
	Each(ctx context.Context, fn func(article.Article) error) error
}

// Func builds one generation in dir (which does not exist yet) with the
// scoring model from src, and returns the number of articles indexed. The
// child runs the indexer's in-process build as its Func.
type Func func(ctx context.Context, dir, scoring string, src Source) (int, error)

// Process runs each build in a child process: the command Path Args… must
// call FromStream with its standard input and output (the safetysearch
// binary's hidden "build-generation" command does, through
// indexer.BuildFromStream).
type Process struct {
	Path string
	Args []string
	// MaxProcs, when > 0, sets the child's GOMAXPROCS (its cores for
	// analysis and segment building).
	MaxProcs int
	// Nice, when > 0, lowers the child's scheduling priority by that much
	// (as nice(1); Linux), so that queries go first when both want a core.
	Nice int
	// Stderr receives the child's log (nil: discarded).
	Stderr io.Writer
}

// streamLine is one line of the build stream: a header, an article, or the
// end marker with the number of articles sent.
type streamLine struct {
	Dir     string           `json:"dir,omitempty"`
	Scoring string           `json:"scoring,omitempty"`
	Nice    int              `json:"nice,omitempty"`
	Article *article.Article `json:"article,omitempty"`
	End     *int             `json:"end,omitempty"`
}

// streamResult is the child's one-line answer on its standard output.
type streamResult struct {
	Documents int    `json:"documents"`
	Error     string `json:"error,omitempty"`
}

// Build runs the child, streams src to it and returns the number of
// articles it indexed. Cancelling ctx kills the child.
func (p *Process) Build(ctx context.Context, dir, scoring string, src Source) (int, error) {
	if p.Path == "" {
		return 0, errors.New("build: process: no command")
	}
	cmd := exec.CommandContext(ctx, p.Path, p.Args...)
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = os.Environ()
	if p.MaxProcs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(p.MaxProcs))
	}
	cmd.Stderr = p.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, fmt.Errorf("build: process: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, fmt.Errorf("build: process: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("build: process: start %s: %w", p.Path, err)
	}

	sent := make(chan error, 1)
	go func() {
		sent <- sendStream(ctx, stdin, streamLine{Dir: dir, Scoring: scoring, Nice: p.Nice}, src)
	}()
	var res streamResult
	derr := json.NewDecoder(stdout).Decode(&res)
	if derr != nil {
		// Drain so that Wait does not block on a child still writing.
		_, _ = io.Copy(io.Discard, stdout)
	}
	werr := cmd.Wait()
	serr := <-sent
	switch {
	case ctx.Err() != nil:
		return 0, fmt.Errorf("build: process: %w", ctx.Err())
	case serr != nil && !errors.Is(serr, errChildGone):
		// The source failed: that is the cause, whatever the child said.
		return 0, serr
	case derr == nil && res.Error != "":
		return 0, fmt.Errorf("build: in child process: %s", res.Error)
	case werr != nil:
		return 0, fmt.Errorf("build: in child process: %w", werr)
	case derr != nil:
		return 0, fmt.Errorf("build: in child process: no result: %w", derr)
	}
	return res.Documents, nil
}

// errChildGone marks a write to a child that stopped reading.
var errChildGone = errors.New("build: child stopped reading")

// sendStream writes the header, every article of src and the end marker to
// w, then closes it.
func sendStream(ctx context.Context, w io.WriteCloser, head streamLine, src Source) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	write := func(l streamLine) error {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("%w: %v", errChildGone, err)
		}
		return nil
	}
	err := write(head)
	n := 0
	if err == nil {
		err = src.Each(ctx, func(a article.Article) error {
			n++
			return write(streamLine{Article: &a})
		})
	}
	if err == nil {
		err = write(streamLine{End: &n})
	}
	if err == nil {
		if ferr := bw.Flush(); ferr != nil {
			err = fmt.Errorf("%w: %v", errChildGone, ferr)
		}
	}
	if cerr := w.Close(); err == nil && cerr != nil && !errors.Is(cerr, os.ErrClosed) {
		err = fmt.Errorf("%w: %v", errChildGone, cerr)
	}
	return err
}

// FromStream is the child side of Process: it reads the stream from r,
// builds the generation with fn and writes the result line to w. It returns
// the build's error too (after writing it to w), so that the command can
// exit non-zero.
func FromStream(ctx context.Context, r io.Reader, w io.Writer, fn Func) error {
	err := fromStream(ctx, r, w, fn)
	if err != nil {
		_ = json.NewEncoder(w).Encode(streamResult{Error: err.Error()})
	}
	return err
}

func fromStream(ctx context.Context, r io.Reader, w io.Writer, fn Func) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 256<<10))
	var head streamLine
	if err := dec.Decode(&head); err != nil {
		return fmt.Errorf("build: stream: header: %w", err)
	}
	if head.Dir == "" || head.Article != nil || head.End != nil {
		return errors.New("build: stream: the first line is not a header with a directory")
	}
	if head.Nice > 0 {
		lowerPriority(head.Nice)
	}
	n, err := fn(ctx, head.Dir, head.Scoring, &streamSource{dec: dec})
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(streamResult{Documents: n})
}

// streamSource yields the articles of a build stream. A stream that ends
// without its end marker, or whose marker disagrees with the articles
// read, is an error: the sender died or the pipe was cut.
type streamSource struct {
	dec *json.Decoder
}

func (s *streamSource) Count(context.Context) (int, error) {
	return 0, errors.New("build: a stream is not counted")
}

func (s *streamSource) Each(ctx context.Context, fn func(article.Article) error) error {
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var l streamLine
		if err := s.dec.Decode(&l); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("build: stream: after %d articles, before the end marker: %w", n, err)
		}
		switch {
		case l.End != nil:
			if *l.End != n {
				return fmt.Errorf("build: stream: end marker says %d articles, %d were read", *l.End, n)
			}
			return nil
		case l.Article == nil:
			return fmt.Errorf("build: stream: line %d is neither an article nor the end marker", n+2)
		}
		if err := fn(*l.Article); err != nil {
			return err
		}
	}
}
