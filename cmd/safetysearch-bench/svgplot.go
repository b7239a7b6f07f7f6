package main

// Plain SVG charts for the reports: latency against offered rate (lines)
// and grouped bars on a logarithmic axis (latencies of peers that differ by
// orders of magnitude stay readable). Standalone files written beside the
// Markdown report, which embeds them.

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// series is one named line or bar colour of a chart.
type series struct {
	Name   string
	Values []float64 // one per x label; NaN where there is no value
}

// plot is a chart: x labels along the bottom, series drawn against a y axis.
type plot struct {
	Title  string
	YLabel string
	X      []string
	Series []series
	Log    bool // logarithmic y axis (values must be > 0; others are skipped)
	Lines  bool // lines with points; otherwise grouped bars
}

const (
	plotW, plotH             = 720, 360
	padL, padR, padT, padB   = 70, 170, 40, 50
	innerW, innerH           = plotW - padL - padR, plotH - padT - padB
	maxTicks                 = 6
	legendRow, legendSwatchW = 18, 14
)

// palette is colour-blind safe (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// svg renders the chart; an empty chart is "".
func (p plot) svg() string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range p.Series {
		for _, v := range s.Values {
			if math.IsNaN(v) || (p.Log && v <= 0) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if len(p.X) == 0 || math.IsInf(lo, 1) {
		return ""
	}
	ticks, y := p.axis(lo, hi)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="12" role="img" aria-label="%s">`+"\n",
		plotW, plotH, plotW, plotH, html.EscapeString(p.Title))
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", html.EscapeString(p.Title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`+"\n", plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", padL, html.EscapeString(p.Title))
	for _, t := range ticks {
		ty := y(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", padL, ty, padL+innerW, ty)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", padL-6, ty, fmtTick(t))
	}
	fmt.Fprintf(&b, `<text transform="translate(16 %d) rotate(-90)" text-anchor="middle">%s</text>`+"\n", padT+innerH/2, html.EscapeString(p.YLabel))
	slot := float64(innerW) / float64(len(p.X))
	for i, x := range p.X {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", padL+slot*(float64(i)+0.5), padT+innerH+18, html.EscapeString(x))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", padL, padT+innerH, padL+innerW, padT+innerH)
	for si, s := range p.Series {
		colour := palette[si%len(palette)]
		var pts []string
		for i, v := range s.Values {
			if i >= len(p.X) || math.IsNaN(v) || (p.Log && v <= 0) {
				continue
			}
			vy := y(v)
			if p.Lines {
				cx := padL + slot*(float64(i)+0.5)
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", cx, vy))
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, %s: %s</title></circle>`+"\n", cx, vy, colour, html.EscapeString(s.Name), html.EscapeString(p.X[i]), fmtTick(v))
				continue
			}
			bw := slot * 0.8 / float64(len(p.Series))
			bx := padL + slot*float64(i) + slot*0.1 + bw*float64(si)
			base := float64(padT + innerH)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`+"\n", bx, vy, bw, math.Max(0, base-vy), colour, html.EscapeString(s.Name), html.EscapeString(p.X[i]), fmtTick(v))
		}
		if p.Lines && len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), colour)
		}
		ly := padT + si*legendRow
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", padL+innerW+16, ly, legendSwatchW, legendSwatchW-4, colour)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", padL+innerW+16+legendSwatchW+6, ly+9, html.EscapeString(s.Name))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// axis returns the tick values and the value → y coordinate mapping.
func (p plot) axis(lo, hi float64) ([]float64, func(float64) float64) {
	if p.Log {
		a, z := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
		if z == a {
			z++
		}
		var ticks []float64
		step := math.Max(1, math.Ceil((z-a)/maxTicks))
		for e := a; e <= z; e += step {
			ticks = append(ticks, math.Pow(10, e))
		}
		return ticks, func(v float64) float64 {
			return float64(padT+innerH) - (math.Log10(v)-a)/(z-a)*float64(innerH)
		}
	}
	lo = 0
	step := niceStep(hi / maxTicks)
	top := math.Max(step, math.Ceil(hi/step)*step)
	var ticks []float64
	for t := 0.0; t <= top+step/2; t += step {
		ticks = append(ticks, t)
	}
	return ticks, func(v float64) float64 {
		return float64(padT+innerH) - (v-lo)/(top-lo)*float64(innerH)
	}
}

// niceStep rounds a raw tick step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func fmtTick(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 1:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
	default:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
	}
}
