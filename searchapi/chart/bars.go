// Package chart draws small bar charts as inline SVG: the search page's
// results by year and the status page's crawl history. Pure functions from
// numbers to markup, so the pictures work without JavaScript and are tested
// as golden files.
package chart

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strconv"
)

// Bar is one bar of a chart.
type Bar struct {
	Label    string  // axis label under the bar, e.g. "2024"
	Value    float64 // non-negative; negative values are drawn as 0
	Text     string  // the value as people read it, e.g. "12 results"; default the number
	URL      string  // when set the bar is a link
	Selected bool    // drawn highlighted, e.g. a year the search is narrowed to
	Warn     bool    // drawn in the warning colour, e.g. a failed run
	Key      string  // when set, written as data-key for scripts (e.g. the year)
}

// Bars is a vertical bar chart. Width and Height are the viewBox size: the
// SVG scales to its container's width and keeps the aspect ratio.
type Bars struct {
	ID     string // unique in the page; prefixes the ids of the title and description
	Title  string // read by screen readers and shown as a tooltip
	Desc   string
	Bars   []Bar
	Width  int // default 600
	Height int // default 120
	// LabelEvery draws every n-th axis label (0 chooses so that labels do
	// not overlap); the last is always drawn.
	LabelEvery int
}

const (
	labelBand  = 16 // px below the bars for axis labels
	topPadding = 4
	charWidth  = 6.5 // px of an axis label character at 11px
)

// SVG returns the chart as an <svg> element. An empty chart is an empty
// string: the caller decides what to say instead.
func (c Bars) SVG() template.HTML {
	if len(c.Bars) == 0 {
		return ""
	}
	w, h := c.Width, c.Height
	if w <= 0 {
		w = 600
	}
	if h <= 0 {
		h = 120
	}
	maxV := 0.0
	for _, b := range c.Bars {
		maxV = math.Max(maxV, b.Value)
	}
	n := len(c.Bars)
	slot := float64(w) / float64(n)
	gap := math.Min(slot*0.2, 6)
	plotH := float64(h - labelBand - topPadding)
	every := c.LabelEvery
	if every <= 0 {
		widest := 1
		for _, b := range c.Bars {
			widest = max(widest, len([]rune(b.Label)))
		}
		every = max(1, int(math.Ceil((float64(widest)*charWidth+4)/slot)))
	}

	data := svgData{ID: c.ID, Title: c.Title, Desc: c.Desc, W: w, H: h, Base: fmtNum(float64(h - labelBand))}
	for i, b := range c.Bars {
		v := math.Max(0, b.Value)
		bh := 0.0
		if maxV > 0 {
			bh = plotH * v / maxV
		}
		if v > 0 && bh < 1 {
			bh = 1 // a non-zero count stays visible
		}
		x := float64(i)*slot + gap/2
		text := b.Text
		if text == "" {
			text = strconv.FormatFloat(v, 'f', -1, 64)
		}
		class := "bar"
		switch {
		case b.Selected:
			class += " selected"
		case b.Warn:
			class += " warn"
		}
		bv := barData{
			Class: class, URL: b.URL,
			Tip: b.Label + ": " + text, Key: b.Key,
			X: fmtNum(x), Y: fmtNum(float64(h-labelBand) - bh),
			W: fmtNum(slot - gap), H: fmtNum(bh),
			// The hit area spans the whole slot so that short bars are easy
			// to click.
			SlotX: fmtNum(float64(i) * slot), SlotW: fmtNum(slot), PlotH: fmtNum(float64(h - labelBand)),
		}
		// Every n-th label counted from the last, so the newest is named.
		if (n-1-i)%every == 0 {
			bv.Label = b.Label
			bv.LabelX = fmtNum(float64(i)*slot + slot/2)
			bv.LabelY = fmtNum(float64(h) - 4)
		}
		data.Bars = append(data.Bars, bv)
	}
	var buf bytes.Buffer
	if err := svgTemplate.Execute(&buf, data); err != nil {
		// The template is fixed and its data plain strings: an error here
		// is a programming error.
		panic(fmt.Sprintf("chart: %v", err))
	}
	return template.HTML(buf.String())
}

type svgData struct {
	ID, Title, Desc string
	W, H            int
	Base            string
	Bars            []barData
}

type barData struct {
	Class, URL, Tip, Key  string
	X, Y, W, H            string
	SlotX, SlotW, PlotH   string
	Label, LabelX, LabelY string
}

// fmtNum prints a coordinate with at most one decimal, so golden files are
// stable and small.
func fmtNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

var svgTemplate = template.Must(template.New("bars").Parse(
	`<svg class="chart" viewBox="0 0 {{.W}} {{.H}}" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" xmlns="http://www.w3.org/2000/svg">` +
		`<title id="{{.ID}}-title">{{.Title}}</title><desc id="{{.ID}}-desc">{{.Desc}}</desc>` +
		`<line class="axis" x1="0" y1="{{.Base}}" x2="{{.W}}" y2="{{.Base}}"/>` +
		`{{range .Bars}}` +
		`{{if .URL}}<a href="{{.URL}}"{{with .Key}} data-key="{{.}}"{{end}}>{{else}}<g{{with .Key}} data-key="{{.}}"{{end}}>{{end}}` +
		`<title>{{.Tip}}</title>` +
		`<rect class="hit-area" x="{{.SlotX}}" y="0" width="{{.SlotW}}" height="{{.PlotH}}"/>` +
		`<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"/>` +
		`{{if .Label}}<text class="label" x="{{.LabelX}}" y="{{.LabelY}}" text-anchor="middle">{{.Label}}</text>{{end}}` +
		`{{if .URL}}</a>{{else}}</g>{{end}}` +
		`{{end}}</svg>`))
