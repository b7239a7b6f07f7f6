package searchapi

// The status page's run history: per source, a chart of each run's
// duration and one of its errors (failed runs in the warning colour), with
// the table of runs below; the same for the index rebuilds. The table
// carries every number, so the charts are a picture of it, not the only
// copy.

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"time"

	"github.com/safetysearch/safetysearch/indexer/schedule"
	"github.com/safetysearch/safetysearch/searchapi/chart"
)

// historyView is the run history of the status page; nil without a
// history.
type historyView struct {
	Sources []sourceHistoryView
	Index   *indexHistoryView
}

type sourceHistoryView struct {
	ID, Source             string
	DurationSVG, ErrorsSVG template.HTML
	Runs                   []schedule.SourceRun // newest first
}

type indexHistoryView struct {
	DurationSVG template.HTML
	Runs        []schedule.IndexRun // newest first
}

// The viewBox of the history charts: two sit side by side on a wide
// screen, so they are half the search page's width and the axis labels
// keep a readable size.
const chartWidth, chartHeight = 320, 90

// buildHistory draws h; runs come oldest first and charts read left to
// right in time, while the tables put the newest run on top.
func buildHistory(h *schedule.History) *historyView {
	if h == nil || (len(h.Sources) == 0 && len(h.Index) == 0) {
		return nil
	}
	hv := &historyView{}
	for i, sh := range h.Sources {
		if len(sh.Runs) == 0 {
			continue
		}
		id := "history-" + strconv.Itoa(i)
		var dur, errs []chart.Bar
		failed := 0
		for _, r := range sh.Runs {
			warn := r.Outcome != schedule.OutcomeOK
			if warn {
				failed++
			}
			label := runLabel(r.Started)
			dur = append(dur, chart.Bar{Label: label, Value: r.Duration, Text: fmt.Sprintf("%s, %.1f s, %s", runTime(r.Started), r.Duration, r.Outcome), Warn: warn})
			errs = append(errs, chart.Bar{Label: label, Value: float64(r.Errors), Text: fmt.Sprintf("%s, %d %s, %s", runTime(r.Started), r.Errors, pluralize(uint64(r.Errors), "error", "errors"), r.Outcome), Warn: warn})
		}
		n := len(sh.Runs)
		last := sh.Runs[n-1]
		summary := fmt.Sprintf("%d %s of %s, %d not ok.", n, pluralize(uint64(n), "run", "runs"), sh.Source, failed)
		hv.Sources = append(hv.Sources, sourceHistoryView{
			ID: id, Source: sh.Source,
			DurationSVG: chart.Bars{ID: id + "-duration", Title: "Duration per run of " + sh.Source,
				Desc: summary + fmt.Sprintf(" The last took %.1f seconds.", last.Duration), Bars: dur, Width: chartWidth, Height: chartHeight}.SVG(),
			ErrorsSVG: chart.Bars{ID: id + "-errors", Title: "Errors per run of " + sh.Source,
				Desc: summary + fmt.Sprintf(" The last had %d %s.", last.Errors, pluralize(uint64(last.Errors), "error", "errors")), Bars: errs, Width: chartWidth, Height: chartHeight}.SVG(),
			Runs: newestFirst(sh.Runs),
		})
	}
	if len(h.Index) > 0 {
		var dur []chart.Bar
		for _, r := range h.Index {
			dur = append(dur, chart.Bar{Label: runLabel(r.Started), Value: r.Duration,
				Text: fmt.Sprintf("%s, %.1f s, %d documents, %s", runTime(r.Started), r.Duration, r.Documents, r.Outcome), Warn: r.Outcome != schedule.OutcomeOK})
		}
		n := len(h.Index)
		hv.Index = &indexHistoryView{
			DurationSVG: chart.Bars{ID: "history-index-duration", Title: "Duration per index rebuild",
				Desc: fmt.Sprintf("%d %s; the last indexed %d documents in %.1f seconds.", n, pluralize(uint64(n), "rebuild", "rebuilds"), h.Index[n-1].Documents, h.Index[n-1].Duration),
				Bars: dur, Width: chartWidth, Height: chartHeight}.SVG(),
			Runs: newestFirst(h.Index),
		}
	}
	if len(hv.Sources) == 0 && hv.Index == nil {
		return nil
	}
	return hv
}

// runLabel is a run's axis label: its day, in UTC like the rest of the
// status.
func runLabel(t time.Time) string {
	return t.UTC().Format("2 Jan")
}

// runTime is the time of day in a bar's tooltip, so that runs of one day
// can be told apart.
func runTime(t time.Time) string {
	return t.UTC().Format("15:04 UTC")
}

func newestFirst[T any](runs []T) []T {
	out := slices.Clone(runs)
	slices.Reverse(out)
	return out
}
