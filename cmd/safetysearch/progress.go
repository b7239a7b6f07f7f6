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
	lastLen int
	drawn   bool
}

func newProgressBar(w io.Writer) *progressBar {
	return &progressBar{w: w, width: 30, start: time.Now(), now: time.Now}
}

// Update redraws the line, at most 10 times a second.
func (p *progressBar) Update(done, queued, errs int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.drawn && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	line := renderProgress(done, queued, errs, p.width, now.Sub(p.start))
	pad := ""
	if n := p.lastLen - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.lastLen = len(line)
	p.drawn = true
}

// Finish ends the line so what follows starts on a fresh one.
func (p *progressBar) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// renderProgress is the text of the line: a bar of done out of
// done+queued, the counts, the errors and the time taken.
func renderProgress(done, queued, errs, width int, elapsed time.Duration) string {
	total := done + queued
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	if filled > width {
		filled = width
	}
	bar := strings.Repeat("#", filled) + strings.Repeat(".", width-filled)
	return fmt.Sprintf("[%s] %d/%d pages, %d queued, %d errors, %s",
		bar, done, total, queued, errs, elapsed.Round(time.Second))
}
