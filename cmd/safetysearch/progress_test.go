package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRenderProgress(t *testing.T) {
	cases := []struct {
		done, queued, errs, docs int
		want                     string
	}{
		{0, 0, 0, 0, "[..........] 0/0 pages, 0 queued, 0 errors, 0s"},
		{5, 5, 1, 0, "[#####.....] 5/10 pages, 5 queued, 1 errors, 0s"},
		{10, 0, 0, 0, "[##########] 10/10 pages, 0 queued, 0 errors, 0s"},
		// The document step: the bar goes on over pages and documents.
		{8, 2, 0, 3, "[########..] 8/10 URLs, 3 documents, 2 queued, 0 errors, 0s"},
	}
	for _, tc := range cases {
		if got := renderProgress(tc.done, tc.queued, tc.errs, tc.docs, 10, 0); got != tc.want {
			t.Errorf("renderProgress(%d, %d, %d, %d) = %q, want %q", tc.done, tc.queued, tc.errs, tc.docs, got, tc.want)
		}
	}
}

func TestProgressBarRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b)
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	p.start = now
	p.Update(1, 100, 0, 0)
	now = now.Add(10 * time.Millisecond)
	p.Update(2, 100, 0, 0) // too soon: skipped
	now = now.Add(time.Second)
	p.Update(99, 1, 2, 0)
	p.Finish(true)
	out := b.String()
	if strings.Count(out, "\r") != 3 || !strings.HasSuffix(out, "\n") {
		t.Errorf("output %q: want three redraws and a final newline", out)
	}
	if !strings.Contains(out, "99/99 pages, 0 queued, 2 errors") {
		t.Errorf("output %q lacks the last state", out)
	}
}

func TestProgressBarKeepsLogLinesApart(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b)
	log := p.LogWriter(&b)
	log.Write([]byte("before any bar\n"))
	p.Update(1, 2, 0, 0)
	log.Write([]byte("a log line\n"))
	p.Finish(false)
	want := "before any bar\n" +
		"\r[##########....................] 1/3 pages, 2 queued, 0 errors, 0s" +
		"\r\x1b[Ka log line\n" +
		"\r[##########....................] 1/3 pages, 2 queued, 0 errors, 0s\n"
	if got := b.String(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
