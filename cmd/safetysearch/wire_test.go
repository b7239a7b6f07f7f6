package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer/runlog"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// The scheduler's history reads what the crawler wrote and writes rebuilds
// the crawler's store keeps.
func TestStoreHistoryAdapter(t *testing.T) {
	ctx := context.Background()
	st, err := crawler.OpenStore(filepath.Join(t.TempDir(), storeFile), crawler.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := storeHistory{st}
	empty, err := h.RunHistory(ctx)
	if err != nil || empty.Sources == nil || empty.Index == nil {
		t.Fatalf("empty history %+v, %v: want empty lists, not null", empty, err)
	}
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	if err := st.AppendSourceRuns(ctx, runlog.SourceRun{Source: "pslhub", Started: at, Fetched: 12, Outcome: runlog.OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	if err := h.AppendIndexRun(ctx, schedule.IndexRun{Started: at.Add(time.Minute), Documents: 12, Generation: "g1", Outcome: schedule.OutcomeOK}); err != nil {
		t.Fatal(err)
	}
	got, err := h.RunHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sources) != 1 || got.Sources[0].Source != "pslhub" || len(got.Sources[0].Runs) != 1 || got.Sources[0].Runs[0].Fetched != 12 {
		t.Errorf("sources %+v", got.Sources)
	}
	if len(got.Index) != 1 || got.Index[0].Generation != "g1" || got.Index[0].Documents != 12 {
		t.Errorf("index %+v", got.Index)
	}
}
