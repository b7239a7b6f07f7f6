package searchapi

// The status page's extraction health: per source, a small table of the
// share of its stored articles that have each field, a field whose share
// fell by more than health.DropPoints at the last crawl marked as a
// warning, and the warnings listed above the tables.

import (
	"fmt"
	"strconv"
	"time"

	"github.com/safetysearch/safetysearch/indexer/health"
)

// healthView is the extraction health of the status page; nil before the
// first measurement.
type healthView struct {
	MeasuredAt time.Time
	DropPoints int
	Warnings   []string
	Sources    []sourceHealthView
}

type sourceHealthView struct {
	Source   string
	Articles int
	Fields   []fieldHealthView // in health.Fields order
}

type fieldHealthView struct {
	Field   string
	Percent string
	Warning string // "" unless the share dropped at the last crawl
}

// fieldLabels name the measured fields for people.
var fieldLabels = map[string]string{
	"title": "Title", "author": "Author", "published": "Published date",
	"tags": "Tags", "body": "Body text", "comments": "Comments",
}

func fieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}

func percent(share float64) string {
	return strconv.FormatFloat(100*share, 'f', 0, 64) + "%"
}

// buildHealth lays out r for the page.
func buildHealth(r *health.Report) *healthView {
	if r == nil {
		return nil
	}
	drops := map[[2]string]health.Drop{}
	hv := &healthView{MeasuredAt: r.MeasuredAt, DropPoints: health.DropPoints}
	for _, d := range r.Warnings {
		drops[[2]string{d.Source, d.Field}] = d
		hv.Warnings = append(hv.Warnings, fmt.Sprintf("%s: %s on %s of articles, down from %s at the crawl before.",
			d.Source, fieldLabel(d.Field), percent(d.After), percent(d.Before)))
	}
	for _, s := range r.Sources {
		sv := sourceHealthView{Source: s.Source, Articles: s.Articles}
		for _, f := range health.Fields {
			fv := fieldHealthView{Field: fieldLabel(f), Percent: percent(s.Shares[f])}
			if d, ok := drops[[2]string{s.Source, f}]; ok {
				fv.Warning = "down from " + percent(d.Before)
			}
			sv.Fields = append(sv.Fields, fv)
		}
		hv.Sources = append(hv.Sources, sv)
	}
	return hv
}
