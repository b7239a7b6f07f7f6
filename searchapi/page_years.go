package searchapi

// The search page's results by year: a bar per year from the oldest to the
// newest year of the result set (empty years included, so time reads
// evenly), each a link narrowing the search to that year, drawn as inline
// SVG (package chart) with the same numbers in a table for screen readers.
// With JavaScript (static/app.js) a drag across bars, or a shift-click on a
// second bar, narrows to a range of years.

import (
	"fmt"
	"html/template"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/searchapi/chart"
)

// yearsView is the histogram of a result page; nil when the result set has
// no dated article.
type yearsView struct {
	SVG     template.HTML
	Rows    []yearRow // the same numbers, oldest first
	Undated uint64
	Total   uint64 // dated and undated: what the year facet counts
	AllURL  string // the search without its year filter; "" when none is set
	// MaxYears is how many years a range may list as year filters; app.js
	// sets a longer range dragged on the chart as from/to dates instead.
	MaxYears int
}

type yearRow struct {
	Year     int
	Count    uint64
	URL      string
	Selected bool
}

// buildYears draws the year facet of res; params are the page's.
func buildYears(params url.Values, res *indexer.Result) *yearsView {
	counts := map[int]uint64{}
	selected := map[int]bool{}
	lo, hi := 0, 0
	for _, v := range res.Facets[indexer.FacetYear] {
		y, err := strconv.Atoi(v.Value)
		if err != nil {
			continue
		}
		if v.Selected {
			selected[y] = true
		}
		if v.Count == 0 {
			continue
		}
		counts[y] = v.Count
		if lo == 0 || y < lo {
			lo = y
		}
		hi = max(hi, y)
	}
	if len(counts) == 0 {
		return nil
	}
	yv := &yearsView{MaxYears: indexer.MaxFilterValues}
	if res.Undated != nil {
		yv.Undated = *res.Undated
	}
	var bars []chart.Bar
	var peak yearRow
	for y := lo; y <= hi; y++ {
		row := yearRow{Year: y, Count: counts[y], Selected: selected[y]}
		row.URL = pageURL("/", withValues(params, func(v url.Values) { v.Set(indexer.FacetYear, strconv.Itoa(y)) }))
		yv.Rows = append(yv.Rows, row)
		yv.Total += row.Count
		if row.Count > peak.Count {
			peak = row
		}
		bars = append(bars, chart.Bar{
			Label: strconv.Itoa(y), Value: float64(row.Count), Text: fmt.Sprintf("%d %s", row.Count, pluralize(row.Count, "result", "results")),
			URL: row.URL, Selected: row.Selected, Key: strconv.Itoa(y),
		})
	}
	yv.Total += yv.Undated
	if len(selected) > 0 {
		yv.AllURL = pageURL("/", withValues(params, func(v url.Values) { v.Del(indexer.FacetYear) }))
	}
	desc := fmt.Sprintf("%d dated %s from %d to %d; most in %d (%d).", yv.Total-yv.Undated, pluralize(yv.Total-yv.Undated, "result", "results"), lo, hi, peak.Year, peak.Count)
	if yv.Undated > 0 {
		desc += fmt.Sprintf(" %d without a date.", yv.Undated)
	}
	if len(selected) > 0 {
		years := make([]string, 0, len(selected))
		for _, y := range slices.Sorted(maps.Keys(selected)) {
			years = append(years, strconv.Itoa(y))
		}
		desc += " Narrowed to " + joinAnd(years) + "."
	}
	yv.SVG = chart.Bars{ID: "years-chart", Title: "Results by year", Desc: desc, Bars: bars, Height: 90}.SVG()
	return yv
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
