package engine

// This file ranks long natural-language questions: once relaxation has made
// every plain word optional, the question is scored as one bag of words over
// the combined field (fText), with a small share for the title, tags and
// comments, and expanded by pseudo-relevance feedback: the most
// characteristic terms of the best first-pass articles, weighted by how well
// each article matched, are added with a low weight, and the question is
// searched again.
//
// One combined field ranks questions better than a per-field sum; the title
// share makes a question word in the title count about twice, as in a
// field-weighted BM25; weighting the feedback articles by their first-pass
// score keeps feedback from lowering early precision. The feedback
// parameters are the method's standard defaults, not tuned per collection.
// The relevance evaluation (bench) holds the figures.

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Pseudo-relevance feedback parameters.
const (
	feedbackDocs  = 10  // first-pass articles analyzed
	feedbackTerms = 10  // expansion terms added
	feedbackBoost = 0.3 // weight of an expansion term against a question word
	feedbackMinDF = 2   // a term must occur in at least this many articles
)

// bagFields are the fields a question word of the bag-of-words level is
// searched in, as one disjunction per word: the combined text, and with a
// small weight the title (so that a word in the title counts about twice:
// Bleve's disjunction multiplies the sum by the share of fields matched),
// the tags and the comments (so that a question matching only a comment or
// a tag still finds the article, as the per-field levels do).
var bagFields = []fieldBoost{{fText, 1}, {fTitle, 0.1}, {fTagsText, 0.1}, {fComments, 0.1}}

// feedbackDoc is a first-pass article analyzed for feedback: its terms
// (term → count) and its weight, its first-pass score relative to the best
// one (0 < weight ≤ 1).
type feedbackDoc struct {
	counts map[string]int
	weight float64
}

// feedbackTerm is an expansion term with its weight.
type feedbackTerm struct {
	Term   string
	Weight float64
}

// selectFeedbackTerms ranks the terms of the feedback documents by Σ over
// documents of weight · (count / document length) · ln(n / df) (the weight
// of a document is its relative first-pass score, as in a relevance model:
// the best matches say most about the question), where n is the number of documents
// in the index and df(term) the number holding the term. Terms in skip (the
// query's own), terms with df below feedbackMinDF and terms with a weight
// ≤ 0 are left out. It returns at most k terms, highest weight first (ties:
// alphabetical order).
//
// df is called lazily: terms are visited in decreasing order of their
// weighted, length-normalised frequency, and the visit stops once even the largest
// possible idf (df = feedbackMinDF) cannot reach the k-th weight found.
func selectFeedbackTerms(docs []feedbackDoc, n uint64, df func(string) (uint64, error), skip map[string]bool, k int) ([]feedbackTerm, error) {
	if k <= 0 || n == 0 {
		return nil, nil
	}
	freq := map[string]float64{}
	for _, d := range docs {
		length := 0
		for _, c := range d.counts {
			length += c
		}
		if length == 0 || d.weight <= 0 {
			continue
		}
		for t, c := range d.counts {
			if !skip[t] && c > 0 {
				freq[t] += d.weight * float64(c) / float64(length)
			}
		}
	}
	cands := make([]feedbackTerm, 0, len(freq))
	for t, f := range freq {
		cands = append(cands, feedbackTerm{t, f})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Weight != cands[j].Weight {
			return cands[i].Weight > cands[j].Weight
		}
		return cands[i].Term < cands[j].Term
	})
	maxIDF := math.Log(float64(n) / feedbackMinDF)
	var best []feedbackTerm // sorted, at most k
	less := func(a, b feedbackTerm) bool {
		if a.Weight != b.Weight {
			return a.Weight > b.Weight
		}
		return a.Term < b.Term
	}
	for _, c := range cands {
		if len(best) == k && c.Weight*maxIDF < best[k-1].Weight {
			break
		}
		d, err := df(c.Term)
		if err != nil {
			return nil, err
		}
		if d < feedbackMinDF {
			continue
		}
		w := c.Weight * math.Log(float64(n)/float64(d))
		if w <= 0 {
			continue
		}
		ft := feedbackTerm{c.Term, w}
		i := sort.Search(len(best), func(i int) bool { return less(ft, best[i]) })
		if i >= k {
			continue
		}
		best = append(best, feedbackTerm{})
		copy(best[i+1:], best[i:])
		best[i] = ft
		if len(best) > k {
			best = best[:k]
		}
	}
	return best, nil
}

// bagOfWords reports whether relaxation made every plain word of a long
// question optional: that level is ranked by bagQuery and feedback.
func (p *textPlan) bagOfWords(optional []int) bool {
	if len(p.units) < longQueryUnits {
		return false
	}
	relaxable := 0
	for _, u := range p.units {
		if u.relaxable {
			relaxable++
		}
	}
	return relaxable > 0 && len(optional) == relaxable
}

// bagQuery is the bag-of-words level of a plan: the index terms of every
// relaxable unit as optional words over bagFields (plus the thesaurus
// alternatives of concepts, as compiled), with the other units required as
// compiled and the exclusions. expansion, when not nil, is added beside the
// words: Disjunction(Disjunction(words), expansion).
func (p *textPlan) bagQuery(expansion query.Query) query.Query {
	bq := query.NewBooleanQuery(nil, nil, nil)
	var bag []query.Query
	seen := map[string]bool{}
	for _, u := range p.units {
		if !u.relaxable {
			bq.AddMust(u.q)
			continue
		}
		for _, w := range u.words {
			if seen[w] {
				continue
			}
			seen[w] = true
			fq := make([]query.Query, len(bagFields))
			for i, f := range bagFields {
				tq := query.NewTermQuery(w)
				tq.SetField(f.field)
				tq.SetBoost(f.boost)
				fq[i] = tq
			}
			bag = append(bag, query.NewDisjunctionQuery(fq))
		}
		if u.alts != nil {
			bag = append(bag, u.alts)
		}
	}
	if len(bag) > 0 {
		var should query.Query = query.NewDisjunctionQuery(bag)
		if expansion != nil {
			should = query.NewDisjunctionQuery([]query.Query{should, expansion})
		}
		bq.AddShould(should)
	}
	if len(p.negatives) > 0 {
		bq.AddMustNot(p.negatives...)
	}
	return bq
}

// queryTerms is the set of index terms of the plan's positive units.
func (e *Engine) queryTerms(p *textPlan) map[string]bool {
	out := map[string]bool{}
	for _, u := range p.units {
		for _, w := range u.words {
			out[w] = true
		}
		for _, w := range e.analyze(u.label) {
			out[w] = true
		}
	}
	return out
}

// feedbackQuery returns the bag-of-words level of plan expanded by
// pseudo-relevance feedback: a first pass (with the filters) gives the
// feedback articles, whose stored text is analyzed again; without a
// first-pass hit or an expansion term it is the bag-of-words level alone.
func (e *Engine) feedbackQuery(ctx context.Context, plan *textPlan, filters []query.Query) (query.Query, error) {
	first := plan.bagQuery(nil)
	req := bleve.NewSearchRequestOptions(withFilters(first, filters), feedbackDocs, 0, false)
	req.SortByCustom(sortOrder(SortRelevance))
	res, err := e.run(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(res.Hits) == 0 {
		return first, nil
	}
	docs := make([]feedbackDoc, 0, len(res.Hits))
	top := res.Hits[0].Score
	for _, h := range res.Hits {
		// Only the text of the combined field is needed: decode no more.
		var a struct {
			Title   string `json:"title"`
			Summary string `json:"summary"`
			Body    string `json:"body"`
		}
		if err := e.decodeStored(h.ID, &a); err != nil {
			return nil, err
		}
		counts := map[string]int{}
		for _, t := range e.analyze(combinedText(a.Title, a.Summary, a.Body)) {
			counts[t]++
		}
		w := 1.0
		if top > 0 {
			w = h.Score / top
		}
		docs = append(docs, feedbackDoc{counts: counts, weight: w})
	}
	n, err := e.DocCount()
	if err != nil {
		return nil, err
	}
	var terms []feedbackTerm
	err = e.withReader(func(r index.IndexReader) error {
		var err error
		terms, err = selectFeedbackTerms(docs, n, func(t string) (uint64, error) {
			return termCount(r, fText, t)
		}, e.queryTerms(plan), feedbackTerms)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: feedback terms: %w", err)
	}
	if len(terms) == 0 {
		return first, nil
	}
	// An expansion term is searched in the combined field alone; a question
	// word found only there scores 1/len(bagFields) of its field
	// disjunction (Bleve's coordination factor), so the expansion boost is
	// scaled alike to stay feedbackBoost times a question word's.
	exp := make([]query.Query, 0, len(terms))
	for _, t := range terms {
		tq := query.NewTermQuery(t.Term)
		tq.SetField(fText)
		tq.SetBoost(feedbackBoost / float64(len(bagFields)))
		exp = append(exp, tq)
	}
	return plan.bagQuery(query.NewDisjunctionQuery(exp)), nil
}
