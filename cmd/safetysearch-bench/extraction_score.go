package main

import (
	"maps"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
)

// The article-extraction benchmark's score: 4-gram shingles of \w+ tokens,
// per document TP/FP/FN as the multiset overlap of shingles normalised to
// sum to 1, precision and recall averaged over the documents where they
// are defined, F1 of the two means.

// wordToken is Python's Unicode \w (letters, digits, underscore).
var wordToken = regexp.MustCompile(`[\p{L}\p{N}_]+`)

const shingleN = 4

// shingles counts the n-grams of tokens; a text shorter than n tokens is
// one shingle of all its tokens (an empty text is one empty shingle).
func shingles(text string) map[string]int {
	toks := wordToken.FindAllString(text, -1)
	out := map[string]int{}
	for i := 0; i < max(1, len(toks)-shingleN+1); i++ {
		out[strings.Join(toks[i:min(len(toks), i+shingleN)], "\x00")]++
	}
	return out
}

// docScore is one document's normalised tp, fp, fn.
type docScore struct{ tp, fp, fn float64 }

func scoreDoc(truth, pred string) docScore {
	ts, ps := shingles(truth), shingles(pred)
	var d docScore
	for k, t := range ts {
		p := ps[k]
		d.tp += float64(min(t, p))
		d.fn += float64(max(0, t-p))
	}
	for k, p := range ps {
		d.fp += float64(max(0, p-ts[k]))
	}
	if s := d.tp + d.fp + d.fn; s > 0 {
		d.tp, d.fp, d.fn = d.tp/s, d.fp/s, d.fn/s
	}
	return d
}

// extractionScore is the benchmark figure of one extractor.
type extractionScore struct {
	Precision, Recall, F1 float64
	Accuracy              float64 // share of documents whose token lists are equal
	F1Std                 float64 // bootstrap standard deviation of F1
	Docs                  int
}

func prf(docs []docScore) (p, r, f float64) {
	var ps, rs float64
	var np, nr int
	for _, d := range docs {
		if d.tp+d.fp > 0 {
			ps += d.tp / (d.tp + d.fp)
			np++
		}
		if d.tp+d.fn > 0 {
			rs += d.tp / (d.tp + d.fn)
			nr++
		}
	}
	if np > 0 {
		p = ps / float64(np)
	}
	if nr > 0 {
		r = rs / float64(nr)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return p, r, f
}

// scoreExtraction scores predictions against the truth, both keyed by
// document id; a document with no prediction counts as an empty text.
func scoreExtraction(truth, pred map[string]string, seed uint64) extractionScore {
	ids := slices.Sorted(maps.Keys(truth))
	docs := make([]docScore, len(ids))
	exact := 0
	for i, id := range ids {
		docs[i] = scoreDoc(truth[id], pred[id])
		if slices.Equal(wordToken.FindAllString(truth[id], -1), wordToken.FindAllString(pred[id], -1)) {
			exact++
		}
	}
	s := extractionScore{Docs: len(ids)}
	s.Precision, s.Recall, s.F1 = prf(docs)
	if len(ids) > 0 {
		s.Accuracy = float64(exact) / float64(len(ids))
	}
	s.F1Std = bootstrapStd(docs, 1000, seed)
	return s
}

func bootstrapStd(docs []docScore, rounds int, seed uint64) float64 {
	if len(docs) == 0 {
		return 0
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	sample := make([]docScore, len(docs))
	var sum, sumSq float64
	for range rounds {
		for i := range sample {
			sample[i] = docs[rng.IntN(len(docs))]
		}
		_, _, f := prf(sample)
		sum += f
		sumSq += f * f
	}
	mean := sum / float64(rounds)
	return math.Sqrt(max(0, sumSq/float64(rounds)-mean*mean))
}
