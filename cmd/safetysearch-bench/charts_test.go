package main

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func chartReport() *report {
	return &report{
		builds: []peerBuild{
			{Peer: "safetysearch", Stats: buildStats{Seconds: 16.2, DiskBytes: 269 << 20}},
			{Peer: "sqlite", Stats: buildStats{Seconds: 6.7, DiskBytes: 123 << 20}},
		},
		latency: []peerQuery{
			{Peer: "safetysearch", Class: "rare", P99: 19 * time.Millisecond},
			{Peer: "sqlite", Class: "rare", P99: 6 * time.Millisecond},
			{Peer: "safetysearch", Class: "standard", P99: 121 * time.Millisecond},
			{Peer: "sqlite", Class: "standard", P99: 23 * time.Second},
		},
		http: []loadStep{
			{Name: "standard", Rate: 20, P50: 11 * time.Millisecond, P99: 43 * time.Millisecond},
			{Name: "standard", Rate: 100, P50: 14 * time.Millisecond, P99: 114 * time.Millisecond},
			{Name: "healthz", Rate: 20, P50: time.Millisecond, P99: 2 * time.Millisecond},
		},
	}
}

func wellFormed(t *testing.T, name, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s: not well-formed: %v\n%s", name, err, s)
		}
	}
}

func TestReportCharts(t *testing.T) {
	r := chartReport()
	byName := map[string]reportChart{}
	for _, c := range r.charts() {
		byName[c.Name] = c
	}
	for _, name := range []string{"query-p99", "build-time", "index-size", "http-latency"} {
		c, ok := byName[name]
		if !ok {
			t.Fatalf("no %s chart", name)
		}
		wellFormed(t, name, c.Plot.svg())
	}
	// Two classes × two peers; a log axis from 1 ms to 100 s.
	q := byName["query-p99"].Plot.svg()
	if n := strings.Count(q, "<rect x="); n != 4+2 { // bars + legend swatches
		t.Errorf("query chart has %d rects, want 4 bars and 2 swatches", n)
	}
	for _, tick := range []string{">1<", ">10<", ">100<", ">100000<"} {
		if !strings.Contains(q, tick) {
			t.Errorf("query chart lacks tick %s", tick)
		}
	}
	// HTTP: p50 and p99 lines of the standard step (two rates) and points
	// of healthz (one rate, no value at the other).
	h := byName["http-latency"].Plot.svg()
	if n := strings.Count(h, "<polyline"); n != 2 {
		t.Errorf("http chart has %d lines, want 2 (standard p50, p99)", n)
	}
	if n := strings.Count(h, "<circle"); n != 6 {
		t.Errorf("http chart has %d points, want 6", n)
	}
	if (plot{Title: "empty", X: []string{"a"}, Series: []series{{Name: "s", Values: []float64{math.NaN()}}}}).svg() != "" {
		t.Error("a chart without values should be empty")
	}
}

func TestWriteCharts(t *testing.T) {
	dir := t.TempDir()
	md, err := chartReport().writeCharts(filepath.Join(dir, "standard-10k.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"query-p99", "build-time", "index-size", "http-latency"} {
		file := "standard-10k-" + name + ".svg"
		if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
			t.Errorf("%s not written: %v", file, err)
		}
		if !strings.Contains(md, "]("+file+")") {
			t.Errorf("the Markdown does not embed %s:\n%s", file, md)
		}
	}
	if !strings.Contains(chartReport().markdown(md), "## Charts") {
		t.Error("the report has no Charts section")
	}
}

func TestNiceStepAndTicks(t *testing.T) {
	for raw, want := range map[float64]float64{0.7: 1, 1.3: 2, 3: 5, 7: 10, 42: 50, 180: 200} {
		if got := niceStep(raw); got != want {
			t.Errorf("niceStep(%g) = %g, want %g", raw, got, want)
		}
	}
	for v, want := range map[float64]string{0: "0", 0.25: "0.25", 1: "1", 2.5: "2.5", 120: "120"} {
		if got := fmtTick(v); got != want {
			t.Errorf("fmtTick(%g) = %q, want %q", v, got, want)
		}
	}
}
