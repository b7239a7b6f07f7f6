package main

// CPU profiles of safetysearch taken during the run (one per query class,
// one of the build, one of the serving process over the HTTP steps), saved
// beside the report, and the top functions of one, which the report prints
// under every target it missed.

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// startCPUProfile profiles this process into path until stop; an empty
// path profiles nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	done := false
	return func() error {
		if done {
			return nil
		}
		done = true
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// profilePath is where the profile called name goes: beside the report as
// <report>-<name>.pprof, or in the work directory when there is no report.
func (o options) profilePath(name string) string {
	if o.report != "" {
		return strings.TrimSuffix(o.report, filepath.Ext(o.report)) + "-" + name + ".pprof"
	}
	return filepath.Join(o.work, name+".pprof")
}

// topFunc is one function of a profile: its own (flat) and cumulative
// sample values and their shares of the total.
type topFunc struct {
	Name            string
	Flat, Cum       int64
	FlatPct, CumPct float64
}

// profileTop reads a CPU profile and returns its n functions with the
// largest cumulative time (a function is counted once per sample however
// often it recurs on the stack), ties by name, and the profile's total;
// the bench's own frames and the pass-through frames above the work are
// left out.
func profileTop(path string, n int) ([]topFunc, time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	// The last sample value is the CPU time in nanoseconds in Go's profiles.
	vi := len(p.SampleType) - 1
	if vi < 0 {
		return nil, 0, fmt.Errorf("%s: no sample values", path)
	}
	if p.SampleType[vi].Unit != "nanoseconds" {
		return nil, 0, fmt.Errorf("%s: sample unit %q, want nanoseconds", path, p.SampleType[vi].Unit)
	}
	flat, cum := map[string]int64{}, map[string]int64{}
	var total int64
	for _, s := range p.Sample {
		v := s.Value[vi]
		total += v
		seen := map[string]bool{}
		first := true
		for _, loc := range s.Location {
			// Inlined calls come first in Line: the innermost is Line[0].
			for _, ln := range loc.Line {
				if ln.Function == nil {
					continue
				}
				name := ln.Function.Name
				if harness(name) {
					continue
				}
				if first {
					flat[name] += v
					first = false
				}
				if !seen[name] {
					seen[name] = true
					cum[name] += v
				}
			}
		}
	}
	out := make([]topFunc, 0, len(cum))
	for name, c := range cum {
		// Frames that most samples pass through without time of their own
		// (handlers, middleware, entry points) are the request's path, not
		// where it spends: leaving them out shows how the time divides.
		if 2*c > total && 100*flat[name] < total {
			continue
		}
		t := topFunc{Name: name, Flat: flat[name], Cum: c}
		if total > 0 {
			t.FlatPct, t.CumPct = 100*float64(t.Flat)/float64(total), 100*float64(c)/float64(total)
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b topFunc) int {
		if c := cmp.Compare(b.Cum, a.Cum); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out[:min(n, len(out))], time.Duration(total), nil
}

// harness is true for the frames of the bench itself and the runtime's
// roots, which sit under every sample and explain nothing.
func harness(fn string) bool {
	return strings.HasPrefix(fn, "main.") || fn == "runtime.main" || fn == "runtime.goexit"
}

// topText is the top of a profile as an indented Markdown code block under
// a list item, or a line saying why there is none.
func topText(path string, n int) string {
	if path == "" {
		return "  - no profile was taken for this target\n"
	}
	top, total, err := profileTop(path, n)
	if err != nil {
		return fmt.Sprintf("  - profile %s unreadable: %v\n", filepath.Base(path), err)
	}
	if total == 0 {
		return fmt.Sprintf("  - profile %s holds no samples\n", filepath.Base(path))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  - profile `%s` (%.2f s of CPU samples), top %d by cumulative time (frames over half the samples pass through without time of their own left out):\n\n", filepath.Base(path), total.Seconds(), len(top))
	b.WriteString("    ```\n    flat ms   flat%    cum ms    cum%  function\n")
	for _, t := range top {
		fmt.Fprintf(&b, "    %7.0f  %5.1f%%  %8.0f  %5.1f%%  %s\n", float64(t.Flat)/1e6, t.FlatPct, float64(t.Cum)/1e6, t.CumPct, t.Name)
	}
	b.WriteString("    ```\n")
	return b.String()
}
