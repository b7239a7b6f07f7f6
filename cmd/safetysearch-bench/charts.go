package main

// The charts of a report: per-class p99 by peer, build time and index size
// by peer, and HTTP latency against offered rate per kind of request. They
// are written as SVG files beside the Markdown report, which embeds them.

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// reportChart is one chart of a report; Name becomes the file's suffix.
type reportChart struct {
	Name, Alt string
	Plot      plot
}

func (r *report) charts() []reportChart {
	var out []reportChart
	var peers []string
	for _, l := range r.latency {
		if !slices.Contains(peers, l.Peer) {
			peers = append(peers, l.Peer)
		}
	}
	var xs []string
	for _, c := range classes {
		if slices.ContainsFunc(r.latency, func(l peerQuery) bool { return l.Class == c }) {
			xs = append(xs, c)
		}
	}
	if len(xs) > 0 {
		p := plot{Title: "Query p99 by class (log scale)", YLabel: "p99 ms", X: xs, Log: true}
		for _, peer := range peers {
			s := series{Name: peer}
			for _, c := range xs {
				v := math.NaN()
				if l, ok := r.lat(peer, c); ok {
					v = ms(l.P99)
				}
				s.Values = append(s.Values, v)
			}
			p.Series = append(p.Series, s)
		}
		out = append(out, reportChart{"query-p99", "p99 latency of each query class, by engine", p})
	}
	if len(r.builds) > 0 {
		secs := series{Name: "seconds"}
		disk := series{Name: "MiB on disk"}
		var names []string
		for _, b := range r.builds {
			names = append(names, b.Peer)
			secs.Values = append(secs.Values, b.Stats.Seconds)
			disk.Values = append(disk.Values, float64(b.Stats.DiskBytes)/(1<<20))
		}
		out = append(out,
			reportChart{"build-time", "index build time, by engine", plot{Title: "Build time", YLabel: "seconds", X: names, Series: []series{secs}}},
			reportChart{"index-size", "index size on disk, by engine", plot{Title: "Index on disk", YLabel: "MiB", X: names, Series: []series{disk}}})
	}
	if p, ok := r.httpPlot(); ok {
		out = append(out, reportChart{"http-latency", "HTTP p50 and p99 latency against the offered rate", p})
	}
	return out
}

// httpPlot draws p50 and p99 of each engine's fixed-rate load steps against
// the offered rate.
func (r *report) httpPlot() (plot, bool) {
	var rates []int
	var kinds []string
	for _, s := range r.http {
		if !slices.Contains(rates, s.Rate) {
			rates = append(rates, s.Rate)
		}
		if !slices.Contains(kinds, s.label()) {
			kinds = append(kinds, s.label())
		}
	}
	if len(rates) == 0 {
		return plot{}, false
	}
	slices.Sort(rates)
	p := plot{Title: "HTTP latency against offered rate (log scale)", YLabel: "ms", Log: true, Lines: true}
	for _, rate := range rates {
		p.X = append(p.X, strconv.Itoa(rate)+"/s")
	}
	for _, k := range kinds {
		p50, p99 := series{Name: k + " p50"}, series{Name: k + " p99"}
		for _, rate := range rates {
			a, b := math.NaN(), math.NaN()
			for _, s := range r.http {
				if s.label() == k && s.Rate == rate {
					a, b = ms(s.P50), ms(s.P99)
				}
			}
			p50.Values, p99.Values = append(p50.Values, a), append(p99.Values, b)
		}
		p.Series = append(p.Series, p50, p99)
	}
	return p, true
}

// writeCharts writes the report's charts beside reportPath as
// <report>-<name>.svg and returns the Markdown that embeds them.
func (r *report) writeCharts(reportPath string) (string, error) {
	base := strings.TrimSuffix(reportPath, filepath.Ext(reportPath))
	var md strings.Builder
	for _, c := range r.charts() {
		svg := c.Plot.svg()
		if svg == "" {
			continue
		}
		path := base + "-" + c.Name + ".svg"
		if err := os.WriteFile(path, []byte(svg), 0o644); err != nil {
			return "", fmt.Errorf("write chart: %w", err)
		}
		fmt.Fprintf(&md, "![%s](%s)\n\n", c.Alt, filepath.Base(path))
	}
	return md.String(), nil
}
