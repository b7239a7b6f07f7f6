package main

import (
	"math"
	"slices"
	"time"
)

// latencies collects durations and reports percentiles (nearest rank).
type latencies []time.Duration

func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	rank := int(math.Ceil(p/100*float64(len(s)))) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ratio returns a/b, or NaN when b is zero.
func ratio(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// overlap is |a[:k] ∩ b[:k]| / min(k, max(len)) — the share of one top-k
// that the other top-k also holds. 1 when both are empty.
func overlap(a, b []string, k int) float64 {
	a, b = a[:min(k, len(a))], b[:min(k, len(b))]
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	in := make(map[string]bool, len(a))
	for _, id := range a {
		in[id] = true
	}
	common := 0
	for _, id := range b {
		if in[id] {
			common++
		}
	}
	return float64(common) / float64(n)
}
