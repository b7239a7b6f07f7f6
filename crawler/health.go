package crawler

// This file is extraction health: per source, the share of stored
// articles that have each field. A site redesign that silently empties a
// field shows as a share that drops between two crawls.

import (
	"fmt"
	"sort"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Health fields, in the order they are reported.
var HealthFields = []string{"title", "author", "published", "tags", "body", "comments"}

// SourceHealth is one source's extraction health: Shares maps each of
// HealthFields to the fraction (0–1) of its Articles that have the field.
type SourceHealth struct {
	Source   string             `json:"source"`
	Articles int                `json:"articles"`
	Shares   map[string]float64 `json:"shares"`
}

// HealthCounter accumulates extraction health one article at a time, so
// that a whole store can be measured without holding it. The zero value is
// ready.
type HealthCounter struct {
	counts map[string]map[string]int
	totals map[string]int
}

// Add counts one article.
func (hc *HealthCounter) Add(a article.Article) {
	if hc.totals == nil {
		hc.counts, hc.totals = map[string]map[string]int{}, map[string]int{}
	}
	c := hc.counts[a.Source]
	if c == nil {
		c = map[string]int{}
		hc.counts[a.Source] = c
	}
	hc.totals[a.Source]++
	for f, ok := range map[string]bool{
		"title":     a.Title != "",
		"author":    a.Author != "",
		"published": !a.Published.IsZero(),
		"tags":      len(a.Tags) > 0,
		"body":      a.Body != "",
		"comments":  len(a.Comments) > 0,
	} {
		if ok {
			c[f]++
		}
	}
}

// Health is the extraction health of each source counted, ordered by
// source name.
func (hc *HealthCounter) Health() []SourceHealth {
	out := make([]SourceHealth, 0, len(hc.totals))
	for src, n := range hc.totals {
		h := SourceHealth{Source: src, Articles: n, Shares: make(map[string]float64, len(HealthFields))}
		for _, f := range HealthFields {
			h.Shares[f] = float64(hc.counts[src][f]) / float64(n)
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// Health computes the extraction health of each source among arts,
// ordered by source name.
func Health(arts []article.Article) []SourceHealth {
	var hc HealthCounter
	for _, a := range arts {
		hc.Add(a)
	}
	return hc.Health()
}

// HealthDropPoints is the fall of a share, in percentage points between
// two crawls, that is worth a warning.
const HealthDropPoints = 20

// HealthDrop is a field whose share fell by more than HealthDropPoints.
type HealthDrop struct {
	Source string  `json:"source"`
	Field  string  `json:"field"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

func (d HealthDrop) String() string {
	return fmt.Sprintf("%s: %s on %.0f%% of articles, was %.0f%%", d.Source, d.Field, 100*d.After, 100*d.Before)
}

// HealthDrops compares the health after a crawl with the health before it
// and returns the fields whose share fell by more than HealthDropPoints,
// by source then in HealthFields order. A source absent before is new and
// has nothing to compare.
func HealthDrops(before, after []SourceHealth) []HealthDrop {
	prev := make(map[string]SourceHealth, len(before))
	for _, h := range before {
		prev[h.Source] = h
	}
	var out []HealthDrop
	for _, h := range after {
		p, ok := prev[h.Source]
		if !ok || p.Articles == 0 {
			continue
		}
		for _, f := range HealthFields {
			// The tolerance keeps a fall of exactly HealthDropPoints (0.5 →
			// 0.3) from counting through rounding.
			if p.Shares[f]-h.Shares[f] > HealthDropPoints/100.0+1e-9 {
				out = append(out, HealthDrop{Source: h.Source, Field: f, Before: p.Shares[f], After: h.Shares[f]})
			}
		}
	}
	return out
}
