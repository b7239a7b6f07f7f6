package main

import (
	"os"
	"testing"
	"time"
)

func TestProcessCPU(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		now, err := processCPU(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now > before {
			return
		}
	}
	t.Errorf("CPU time stayed at %v over 5 s of busy looping", before)
}

func TestLoadStepHitRatio(t *testing.T) {
	for _, c := range []struct {
		st   loadStep
		want string
	}{
		{loadStep{}, "–"},
		{loadStep{CacheKnown: true}, "–"},
		{loadStep{CacheKnown: true, CacheHits: 3, CacheMisses: 1}, "75.0%"},
		{loadStep{CacheKnown: true, CacheMisses: 4}, "0.0%"},
	} {
		if got := c.st.hitRatio(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}

func TestLoadStepSustained(t *testing.T) {
	kept := loadStep{Rate: 300, Sent: 1500, Seconds: 5.004}
	if got := kept.sustained(); got != 300 {
		t.Errorf("every request answered: sustained %v, want 300", got)
	}
	if kept.throughput() >= 300 {
		t.Errorf("throughput %v includes the last answer's latency: want below 300", kept.throughput())
	}
	if got := (loadStep{Rate: 300, Sent: 1500, Errors: 300, Seconds: 9}).sustained(); got != 240 {
		t.Errorf("a fifth failed: sustained %v, want 240", got)
	}
}
