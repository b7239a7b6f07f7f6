package main

import (
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/relevance"
)

// The smoke mode is CI's relevance regression on MED and CF: it must fail
// when either collection falls below its floor or was not evaluated.
func TestFailureFloors(t *testing.T) {
	opts := options{floors: true, peers: []string{"safetysearch", "sqlite"}, relevance: []string{"med", "cf"}}
	rel := func(peer, coll string, ndcg float64) peerRelevance {
		return peerRelevance{Peer: peer, Report: relevance.Report{Collection: coll, NDCG: ndcg}}
	}
	for _, tc := range []struct {
		name string
		rel  []peerRelevance
		want string // substring of the error; "" for none
	}{
		{"both above", []peerRelevance{rel("safetysearch", "med", 0.71), rel("safetysearch", "cf", 0.49), rel("sqlite", "cf", 0.1)}, ""},
		{"med below", []peerRelevance{rel("safetysearch", "med", 0.70), rel("safetysearch", "cf", 0.49)}, "med nDCG@10 0.7000 < 0.705"},
		{"cf below", []peerRelevance{rel("safetysearch", "med", 0.71), rel("safetysearch", "cf", 0.48)}, "cf nDCG@10 0.4800 < 0.485"},
		{"cf missing", []peerRelevance{rel("safetysearch", "med", 0.71), rel("sqlite", "cf", 0.9)}, "cf: not evaluated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := (&report{opts: opts, relevance: tc.rel}).failure()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("failure() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("failure() = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	failed := rel("safetysearch", "med", 0.9)
	failed.Errors = []string{"query 7: syntax"}
	err := (&report{opts: options{floors: true, peers: []string{"safetysearch"}, relevance: []string{"med"}}, relevance: []peerRelevance{failed}}).failure()
	if err == nil || !strings.Contains(err.Error(), "1 judged queries failed") {
		t.Errorf("a rejected judged query: failure() = %v", err)
	}
}

// Smoke mode (CI) evaluates both judged collections, so both floors hold.
func TestSmokeEvaluatesMEDAndCF(t *testing.T) {
	o, err := parseOptions([]string{"-mode", "smoke", "-peers", "safetysearch"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.relevance, ",") != "med,cf" || !o.floors {
		t.Errorf("smoke: relevance %v, floors %v; want med,cf with floors", o.relevance, o.floors)
	}
}
