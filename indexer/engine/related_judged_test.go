package engine

import (
	"context"
	"slices"
	"testing"
)

// relatedJudgments are judged pairs over the sample hub: for each article,
// the articles a reader of it would call related (same subject). Written
// here from the records' subjects, not from the engine's output.
var relatedJudgments = map[string][]string{
	"pslhub:r7950":  {"pslhub:r7715", "pslhub:r7802", "pslhub:r10120", "pslhub:r8720", "pslhub:r9012"}, // insulin: medication safety
	"pslhub:r7802":  {"pslhub:r7715", "pslhub:r7950", "pslhub:r10120", "pslhub:r8720", "pslhub:r9012"}, // look-alike medicines
	"pslhub:r9012":  {"pslhub:r7715", "pslhub:r7950", "pslhub:r10120", "pslhub:r8720", "pslhub:r7802"}, // opioid prescribing
	"pslhub:r9428":  {"pslhub:r9450"},                                                                  // VTE prevention: VTE audit
	"pslhub:r9450":  {"pslhub:r9428"},
	"pslhub:r7412":  {"pslhub:r2514", "pslhub:r99901"},                                                    // wrong site surgery: surgery, never events
	"pslhub:r2514":  {"pslhub:r7412", "pslhub:r11783"},                                                    // human factors in theatre
	"pslhub:r12504": {"pslhub:r11759", "pslhub:r10120", "pslhub:r2987", "pslhub:r14316", "pslhub:r11783"}, // PSIRF: incident responses and learning
	"pslhub:r7791":  {"pslhub:r3162"},                                                                     // the hub's anniversaries
	"pslhub:r3162":  {"pslhub:r7791"},
}

// unrelatedJudgments are articles a reader would not call related: the
// sample hub's one sepsis guide shares only incidental words with the
// medication articles, and shows fewer related articles rather than them.
var unrelatedJudgments = map[string][]string{
	"pslhub:r13688": {"pslhub:r7802", "pslhub:r8720", "pslhub:r12504", "pslhub:r11759"},
	"pslhub:r9428":  {"pslhub:r7412", "pslhub:r8391"},
}

// TestRelatedJudged: the first related article is judged related for every
// judged article, and most of the first three are.
func TestRelatedJudged(t *testing.T) {
	e := buildEngine(t, loadSampleHub(t), Config{})
	var hits, shown int
	for id, rel := range relatedJudgments {
		got, err := e.Related(context.Background(), id, 3)
		if err != nil {
			t.Fatal(err)
		}
		ids := hitIDs(&Result{Hits: got})
		if len(ids) == 0 || !slices.Contains(rel, ids[0]) {
			t.Errorf("%s: related %v, first not among %v", id, ids, rel)
		}
		for _, g := range ids[:min(len(ids), len(rel), 3)] {
			shown++
			if slices.Contains(rel, g) {
				hits++
			}
		}
	}
	for id, unrel := range unrelatedJudgments {
		got, err := e.Related(context.Background(), id, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range got {
			if slices.Contains(unrel, h.ID) {
				t.Errorf("%s: %s (%s) listed as related", id, h.ID, h.Title)
			}
		}
	}
	if p := float64(hits) / float64(shown); p < 0.8 {
		t.Errorf("precision of the first related articles %.2f (%d of %d), want ≥ 0.80", p, hits, shown)
	} else {
		t.Logf("precision of the first related articles %.2f (%d of %d)", p, hits, shown)
	}
}
