package main

import (
	"context"
	"slices"
	"testing"
	"time"
)

// fakeServer answers every rate up to capacity with a p99 under 100 ms and
// above it with one over (and, well above it, errors): a server whose
// capacity is known.
type fakeServer struct {
	capacity int
	probed   []int
}

func (f *fakeServer) step(rate int) loadStep {
	f.probed = append(f.probed, rate)
	s := loadStep{Engine: "fake", Name: "standard", Rate: rate, Sent: rate * 3, P50: 5 * time.Millisecond, P99: 40 * time.Millisecond}
	if rate > f.capacity {
		s.P99 = 400 * time.Millisecond
	}
	if rate > 2*f.capacity {
		s.Errors = rate
	}
	return s
}

func TestFindCapacity(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		capacity int
		fixed    []int
		probes   int
		want     int // capacity found
		within   int // … or within this much below the true one
	}{
		{"between fixed rates", 73, []int{20, 50, 100, 150}, 6, 73, 3},
		{"above every fixed rate", 400, []int{20, 50, 100, 150}, 8, 400, 20},
		{"below every fixed rate", 7, []int{20, 50, 100, 150}, 6, 7, 1},
		{"out of probes: a lower bound", 1000, []int{20, 50, 100, 150}, 2, 337, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeServer{capacity: tc.capacity}
			var known []loadStep
			for _, r := range tc.fixed {
				known = append(known, f.step(r))
			}
			f.probed = nil
			got, probes := findCapacity(ctx, known, tc.probes, f.step)
			if len(probes) > tc.probes || len(probes) != len(f.probed) {
				t.Errorf("%d probes run, %d returned, at most %d allowed", len(f.probed), len(probes), tc.probes)
			}
			if got > tc.capacity || got < tc.want-tc.within {
				t.Errorf("capacity %d after probing %v, want %d (within %d below)", got, f.probed, tc.want, tc.within)
			}
			for _, p := range f.probed {
				if slices.Contains(tc.fixed, p) {
					t.Errorf("probed %d/s again", p)
				}
			}
		})
	}
	// Nothing known: nothing to step from.
	if got, probes := findCapacity(ctx, nil, 5, (&fakeServer{capacity: 10}).step); got != 0 || len(probes) != 0 {
		t.Errorf("no steps: capacity %d, %d probes", got, len(probes))
	}
}
