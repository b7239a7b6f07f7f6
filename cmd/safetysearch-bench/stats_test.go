package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l latencies
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {1, time.Millisecond}} {
		if got := l.percentile(c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := (latencies{}).percentile(50); got != 0 {
		t.Errorf("empty p50 = %v", got)
	}
}

func TestOverlap(t *testing.T) {
	if got := overlap([]string{"a", "b", "c"}, []string{"c", "x", "a"}, 10); got != 2.0/3 {
		t.Errorf("overlap = %v, want 2/3", got)
	}
	if got := overlap(nil, nil, 10); got != 1 {
		t.Errorf("empty overlap = %v, want 1", got)
	}
	if got := overlap([]string{"a"}, nil, 10); got != 0 {
		t.Errorf("one-sided overlap = %v, want 0", got)
	}
}
