package main

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScoreDoc(t *testing.T) {
	truth := "one two three four five six"
	tests := []struct {
		name, pred string
		tp, fp, fn float64
	}{
		// Punctuation is not a token; 3 shingles each, all shared.
		{"exact", "one, two three four five six.", 1, 0, 0},
		// Tokens keep their case.
		{"case", "One two three four five six", 2.0 / 4, 1.0 / 4, 1.0 / 4},
		{"empty prediction", "", 0, 1.0 / 4, 3.0 / 4},
		// "three four five six seven": shares 1 of 3 truth shingles, adds 1.
		{"shifted", "three four five six seven", 1.0 / 4, 1.0 / 4, 2.0 / 4},
		// Multiset: a shingle predicted twice is one tp and one fp.
		{"repeated", "one two three four one two three four", 1.0 / 7, 4.0 / 7, 2.0 / 7},
	}
	for _, tc := range tests {
		d := scoreDoc(truth, tc.pred)
		if !near(d.tp, tc.tp) || !near(d.fp, tc.fp) || !near(d.fn, tc.fn) {
			t.Errorf("%s: %+v, want tp %.3f fp %.3f fn %.3f", tc.name, d, tc.tp, tc.fp, tc.fn)
		}
	}
}

// TestShinglesUnicode: tokens are Unicode \w runs, as in Python's re.
func TestShinglesUnicode(t *testing.T) {
	s := shingles("Ärzte née_x 42 café")
	if len(s) != 1 || s["Ärzte\x00née_x\x0042\x00café"] != 1 {
		t.Errorf("shingles = %v", s)
	}
	if s := shingles("a b"); len(s) != 1 || s["a\x00b"] != 1 {
		t.Errorf("short text shingles = %v", s)
	}
}

func TestScoreExtraction(t *testing.T) {
	truth := map[string]string{
		"a": "the patient was given the wrong dose of insulin",
		"b": "falls in hospital are a common harm in older people",
	}
	perfect := scoreExtraction(truth, truth, 1)
	if !near(perfect.F1, 1) || !near(perfect.Accuracy, 1) || perfect.F1Std != 0 {
		t.Errorf("perfect: %+v", perfect)
	}
	// a: exact; b: missing. Precision: a 1, b 0 (its empty shingle is a
	// false positive); recall: a 1, b 0.
	half := scoreExtraction(truth, map[string]string{"a": truth["a"]}, 1)
	if !near(half.Precision, 0.5) || !near(half.Recall, 0.5) || !near(half.F1, 0.5) || !near(half.Accuracy, 0.5) {
		t.Errorf("half: %+v", half)
	}
}

func TestReadPeerOutput(t *testing.T) {
	dir := t.TempDir()
	bare := filepath.Join(dir, "bare.json")
	wrapped := filepath.Join(dir, "wrapped.json")
	for path, text := range map[string]string{
		bare:    `{"x": {"articleBody": "text one"}}`,
		wrapped: `{"version": "1.0", "output": {"x": {"articleBody": "text two"}}}`,
	} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]string{bare: "text one", wrapped: "text two"} {
		got, err := readPeerOutput(path)
		if err != nil || got["x"] != want {
			t.Errorf("%s: %v %q", path, err, got)
		}
	}
}
