package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/health"
)

// The status carries the latest measurement, a copy of it, and an older
// measurement arriving late (the start-up one) does not replace it.
func TestSetHealth(t *testing.T) {
	s, err := New(context.Background(), Config{}, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status().ExtractionHealth != nil {
		t.Fatal("extraction health before any measurement")
	}
	at := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	crawl := health.Report{
		MeasuredAt: at,
		Sources:    []health.Source{{Source: "hub", Articles: 4, Shares: map[string]float64{"author": 0.25}}},
		Warnings:   []health.Drop{{Source: "hub", Field: "author", Before: 1, After: 0.25}},
	}
	s.SetHealth(crawl)
	crawl.Sources[0].Shares["author"] = 0 // the caller's copy is not the scheduler's
	st := s.Status().ExtractionHealth
	if st == nil || st.Sources[0].Shares["author"] != 0.25 || len(st.Warnings) != 1 {
		t.Fatalf("status health = %+v", st)
	}
	st.Sources[0].Articles = 99
	if s.Status().ExtractionHealth.Sources[0].Articles != 4 {
		t.Error("Status shares the scheduler's health")
	}

	s.SetHealth(health.Report{MeasuredAt: at.Add(-time.Minute), Sources: []health.Source{}})
	if got := s.Status().ExtractionHealth; len(got.Sources) != 1 {
		t.Errorf("an older measurement replaced the newer: %+v", got)
	}
	s.SetHealth(health.Report{MeasuredAt: at.Add(time.Hour), Sources: []health.Source{}})
	if got := s.Status().ExtractionHealth; len(got.Sources) != 0 || len(got.Warnings) != 0 || got.Warnings == nil {
		t.Errorf("a newer measurement did not replace the older: %+v", got)
	}
}
