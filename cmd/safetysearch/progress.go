package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progressBar draws one line, redrawn in place with \r, on a terminal.
type progressBar struct {
	w     io.Writer
	width int // of the bar itself, in cells
	start time.Time
	now   func() time.Time

	mu      sync.Mutex
	last    time.Time
	line    string // last drawn
	lastLen int
	drawn   bool
	done    int
	errs    int
	docs    int
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, width: 30, start: time.Now(), now: time.Now}
}

// Update redraws the line, at most 10 times a second; docs of done are
// documents.
func (p *progressBar) Update(done, queued, errs, docs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.errs, p.docs = done, errs, docs
	now := p.now()
	if p.drawn && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.draw(renderProgress(done, queued, errs, docs, p.width, now.Sub(p.start)))
}

// draw replaces the current line with line. The caller holds p.mu.
func (p *progressBar) draw(line string) {
	pad := ""
	if n := p.lastLen - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.line = line
	p.lastLen = len(line)
	p.drawn = true
}

// Finish draws the final state (nothing queued when the run completed)
// and ends the line so what follows starts on a fresh one.
func (p *progressBar) Finish(completed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn {
		return
	}
	if completed {
		p.draw(renderProgress(p.done, 0, p.errs, p.docs, p.width, p.now().Sub(p.start)))
	}
	fmt.Fprintln(p.w)
	p.drawn = false
}

// LogWriter wraps the writer of the log so that a log line clears the bar,
// is written on its own line, and the bar is drawn again below it.
func (p *progressBar) LogWriter(w io.Writer) io.Writer { return &barLogWriter{p: p, w: w} }

type barLogWriter struct {
	p *progressBar
	w io.Writer
}

func (b *barLogWriter) Write(data []byte) (int, error) {
	p := b.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn {
		return b.w.Write(data)
	}
	fmt.Fprint(p.w, "\r\x1b[K")
	n, err := b.w.Write(data)
	p.lastLen = 0
	p.draw(p.line)
	return n, err
}

// renderProgress is the text of the line: a bar of done out of
// done+queued, the counts, the errors and the time taken. Once the
// document step has begun the counts are of URLs, docs of them documents.
func renderProgress(done, queued, errs, docs, width int, elapsed time.Duration) string {
	total := done + queued
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	if filled > width {
		filled = width
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	what := "pages"
	if docs > 0 {
		what = fmt.Sprintf("URLs, %d documents", docs)
	}
	return fmt.Sprintf("[%s] %d/%d %s, %d queued, %d errors, %s",
		bar, done, total, what, queued, errs, elapsed.Round(time.Second))
}
