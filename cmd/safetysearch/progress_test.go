package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRenderProgress(t *testing.T) {
	cases := []struct {
		done, queued, errs int
		want               string
	}{
		{0, 0, 0, "[..........] 0/0 pages, 0 queued, 0 errors, 0s"},
		{5, 5, 1, "[#####.....] 5/10 pages, 5 queued, 1 errors, 0s"},
		{10, 0, 0, "[##########] 10/10 pages, 0 queued, 0 errors, 0s"},
	}
	for _, tc := range cases {
		if got := renderProgress(tc.done, tc.queued, tc.errs, 10, 0); got != tc.want {
			t.Errorf("renderProgress(%d, %d, %d) = %q, want %q", tc.done, tc.queued, tc.errs, got, tc.want)
		}
	}
}

func TestProgressBarRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	p := newProgressBar(&b)
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	p.start = now
	p.Update(1, 100, 0)
	now = now.Add(10 * time.Millisecond)
	p.Update(2, 100, 0) // too soon: skipped
	now = now.Add(time.Second)
	p.Update(100, 0, 2)
	p.Finish()
	out := b.String()
	if strings.Count(out, "\r") != 2 || !strings.HasSuffix(out, "\n") {
		t.Errorf("output %q: want two redraws and a final newline", out)
	}
	if !strings.Contains(out, "100/100 pages, 0 queued, 2 errors") {
		t.Errorf("output %q lacks the last state", out)
	}
}
