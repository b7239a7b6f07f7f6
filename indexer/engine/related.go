package engine

// This file is "related articles": the articles sharing the most
// distinctive terms (rare title, summary and body terms) and the topics of
// a given article.

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// relatedTerms is how many distinctive terms of an article are looked for;
// relatedTopicBoost weighs sharing its topics against sharing its terms.
const (
	relatedTerms      = 20
	relatedTopicBoost = 2
	// relatedMinShare drops the articles scoring under this share of the
	// best one: fewer related articles rather than ones that share only an
	// incidental word.
	relatedMinShare = 0.5
)

// related returns up to n articles like the article id, best first, never
// the article itself. ErrNotFound when id is unknown.
func (e *Engine) Related(ctx context.Context, id string, n int) ([]Hit, error) {
	if n <= 0 {
		return []Hit{}, nil
	}
	a, err := e.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	weights := map[string]float64{}
	for _, part := range []struct {
		text   string
		weight float64
	}{{a.Title, 3}, {a.Summary, 2}, {a.Body, 1}} {
		for _, t := range e.analyze(part.text) {
			weights[t] += part.weight
		}
	}
	total, err := e.DocCount()
	if err != nil {
		return nil, err
	}
	type scored struct {
		term  string
		score float64
	}
	var terms []scored
	err = e.withReader(func(r index.IndexReader) error {
		for t, w := range weights {
			if len(t) < 3 {
				continue
			}
			// fText holds title, summary and body: its document
			// frequency is that of the term in any of them.
			df, err := termCount(r, fText, t)
			if err != nil {
				return err
			}
			if df < 2 || float64(df) > 0.5*float64(total) { // unshared or not distinctive
				continue
			}
			idf := math.Log(float64(total) / float64(df))
			terms = append(terms, scored{t, (1 + math.Log(w)) * idf})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("indexer: related %s: %w", id, err)
	}
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].score != terms[j].score {
			return terms[i].score > terms[j].score
		}
		return terms[i].term < terms[j].term
	})
	if len(terms) > relatedTerms {
		terms = terms[:relatedTerms]
	}
	// Two signals, each a disjunction: the distinctive terms, and the
	// shared topics (a strong signal: editors chose them).
	var termQs, topicQs []query.Query
	for _, t := range terms {
		for _, f := range []fieldBoost{{fTitle, 1}, {fText, 1}} {
			tq := query.NewTermQuery(t.term)
			tq.SetField(f.field)
			tq.SetBoost(f.boost)
			termQs = append(termQs, tq)
		}
	}
	for _, topic := range keys(a.Topics) {
		tq := query.NewTermQuery(topic)
		tq.SetField(fTopic)
		topicQs = append(topicQs, tq)
	}
	var should []query.Query
	if len(termQs) > 0 {
		should = append(should, query.NewDisjunctionQuery(termQs))
	}
	if len(topicQs) > 0 {
		tq := query.NewDisjunctionQuery(topicQs)
		tq.SetBoost(relatedTopicBoost)
		should = append(should, tq)
	}
	if len(should) == 0 {
		return []Hit{}, nil
	}
	bq := query.NewBooleanQuery(nil, should, []query.Query{query.NewDocIDQuery([]string{id})})
	req := bleve.NewSearchRequestOptions(bq, n, 0, false)
	req.SortByCustom(sortOrder(SortRelevance))
	req.Fields = []string{fCard}
	res, err := e.run(ctx, req)
	if err != nil {
		return nil, err
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		if h.Score < relatedMinShare*res.Hits[0].Score {
			break
		}
		hit, err := e.hit(h, false, nil)
		if err != nil {
			return nil, err
		}
		hits = append(hits, hit)
	}
	return hits, nil
}
