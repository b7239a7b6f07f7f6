// Package health is extraction health: per source, the share of stored
// articles that have each field. A site redesign that silently empties a
// field shows as a share that drops between two crawls.
//
// The crawler keeps the measurements with its run history, the scheduler
// shows the latest in the status and the API in /metrics and on the status
// page, so the types live here, on the indexer side, where all of them may
// import it. It is pure and depends on the document contract only.
package health

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Fields are the measured fields, in the order they are reported.
var Fields = []string{"title", "author", "published", "tags", "body", "comments"}

// Source is one source's extraction health: Shares maps each of Fields to
// the fraction (0–1) of its Articles that have the field.
type Source struct {
	Source   string             `json:"source"`
	Articles int                `json:"articles"`
	Shares   map[string]float64 `json:"shares"`
}

// Counter accumulates extraction health one article at a time, so that a
// whole store can be measured without holding it. The zero value is ready.
type Counter struct {
	counts map[string]map[string]int
	totals map[string]int
}

// Add counts one article.
func (hc *Counter) Add(a article.Article) {
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

// Sources is the extraction health of each source counted, ordered by
// source name.
func (hc *Counter) Sources() []Source {
	out := make([]Source, 0, len(hc.totals))
	for src, n := range hc.totals {
		h := Source{Source: src, Articles: n, Shares: make(map[string]float64, len(Fields))}
		for _, f := range Fields {
			h.Shares[f] = float64(hc.counts[src][f]) / float64(n)
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Source < out[j].Source })
	return out
}

// Measure computes the extraction health of each source among arts,
// ordered by source name.
func Measure(arts []article.Article) []Source {
	var hc Counter
	for _, a := range arts {
		hc.Add(a)
	}
	return hc.Sources()
}

// DropPoints is the fall of a share, in percentage points between two
// crawls, that is worth a warning.
const DropPoints = 20

// Drop is a field whose share fell by more than DropPoints.
type Drop struct {
	Source string  `json:"source"`
	Field  string  `json:"field"`
	Before float64 `json:"before"`
	After  float64 `json:"after"`
}

func (d Drop) String() string {
	return fmt.Sprintf("%s: %s on %.0f%% of articles, was %.0f%%", d.Source, d.Field, 100*d.After, 100*d.Before)
}

// Drops compares the health after a crawl with the health before it and
// returns the fields whose share fell by more than DropPoints, by source
// then in Fields order; never nil. A source absent before is new and has
// nothing to compare.
func Drops(before, after []Source) []Drop {
	prev := make(map[string]Source, len(before))
	for _, h := range before {
		prev[h.Source] = h
	}
	out := []Drop{}
	for _, h := range after {
		p, ok := prev[h.Source]
		if !ok || p.Articles == 0 {
			continue
		}
		for _, f := range Fields {
			// The tolerance keeps a fall of exactly DropPoints (0.5 → 0.3)
			// from counting through rounding.
			if p.Shares[f]-h.Shares[f] > DropPoints/100.0+1e-9 {
				out = append(out, Drop{Source: h.Source, Field: f, Before: p.Shares[f], After: h.Shares[f]})
			}
		}
	}
	return out
}

// Report is one measurement of the store: the health of every source as
// it stood from MeasuredAt, and the drops since the measurement before it
// (the previous crawl's).
type Report struct {
	MeasuredAt time.Time `json:"measured_at"`
	Sources    []Source  `json:"sources"`
	Warnings   []Drop    `json:"warnings"`
}

// Clone is a copy of r that shares no slice or map with it.
func (r Report) Clone() Report {
	out := Report{MeasuredAt: r.MeasuredAt, Sources: make([]Source, len(r.Sources)), Warnings: slices.Clone(r.Warnings)}
	for i, s := range r.Sources {
		s.Shares = maps.Clone(s.Shares)
		out.Sources[i] = s
	}
	if out.Warnings == nil {
		out.Warnings = []Drop{}
	}
	return out
}
