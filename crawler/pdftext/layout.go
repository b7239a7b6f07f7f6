package pdftext

import (
	"math"
	"slices"
	"strings"
	"unicode"
)

// glyph is one character as PDFium placed it, in PDF user space (y grows upwards).
type glyph struct {
	r                        rune
	left, bottom, right, top float64
}

// segment is a run of glyphs on one line with no wide gap in it: a line of a
// column, a table cell, a heading.
type segment struct {
	text                     string
	words                    int
	left, bottom, right, top float64
}

func (s segment) center() float64 { return (s.bottom + s.top) / 2 }

// Thresholds in units of the page's median glyph height. A word space is about
// half a unit; a column gutter or the gap between table cells is several.
const (
	wordGap   = 0.6
	cellGap   = 2.5
	gutterGap = 1.5
	// columnWords is the mean words per line a side of a gutter needs to read as
	// a column of prose rather than a table column, which is read row by row.
	columnWords = 3.0
	// maxCutDepth bounds the recursion of orderSegments on hostile layouts.
	maxCutDepth = 32
	// maxLayoutSegments is where a page is left in content-stream order: the
	// column analysis is quadratic in the worst case.
	maxLayoutSegments = 2000
)

// pageLines turns a page's glyphs, in content-stream order, into its lines in
// reading order: columns one after the other, table rows left to right.
func pageLines(gs []glyph) []string {
	unit := medianHeight(gs)
	segs := segmentGlyphs(gs, unit)
	var lines [][]segment
	if len(segs) > maxLayoutSegments {
		for _, s := range segs {
			lines = append(lines, []segment{s})
		}
	} else {
		lines = orderSegments(segs, unit, 0)
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		parts := make([]string, len(l))
		for i, s := range l {
			parts[i] = s.text
		}
		if t := cleanLine(strings.Join(parts, " ")); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func medianHeight(gs []glyph) float64 {
	hs := make([]float64, 0, len(gs))
	for _, g := range gs {
		if h := g.top - g.bottom; h > 0 && !unicode.IsSpace(g.r) {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return 10
	}
	slices.Sort(hs)
	return hs[len(hs)/2]
}

// segmentGlyphs groups glyphs into segments, breaking where the next glyph is
// on another line, goes back, or jumps a gap wider than a word space.
func segmentGlyphs(gs []glyph, unit float64) []segment {
	var (
		segs     []segment
		cur      segment
		b        strings.Builder
		open     bool
		spaced   bool
		prevLeft float64
		flush    = func() {
			if open {
				cur.text = b.String()
				cur.words = len(strings.Fields(cur.text))
				segs = append(segs, cur)
			}
			b.Reset()
			open = false
		}
	)
	for _, g := range gs {
		if unicode.IsSpace(g.r) || unicode.IsControl(g.r) || g.r == 0xFFFE {
			spaced = true
			continue
		}
		if g.top-g.bottom <= 0 && open {
			// A glyph without a box (some fonts have none) stays where the last one was.
			if spaced {
				b.WriteByte(' ')
			}
			b.WriteRune(g.r)
			spaced = false
			continue
		}
		if open {
			overlap := math.Min(g.top, cur.top) - math.Max(g.bottom, cur.bottom)
			minH := math.Min(g.top-g.bottom, cur.top-cur.bottom)
			gap := g.left - cur.right
			// The letters of a ligature share one box, so "back" is measured
			// from the previous glyph's left edge, not the segment's right.
			back := prevLeft - g.left
			switch {
			case overlap < 0.5*minH, back > 0.5*unit, gap > cellGap*unit:
				flush()
			case spaced || gap > wordGap*unit:
				b.WriteByte(' ')
			}
		}
		if !open {
			cur = segment{left: g.left, bottom: g.bottom, right: g.right, top: g.top}
			open = true
		}
		b.WriteRune(g.r)
		prevLeft = g.left
		cur.left = math.Min(cur.left, g.left)
		cur.right = math.Max(cur.right, g.right)
		cur.bottom = math.Min(cur.bottom, g.bottom)
		cur.top = math.Max(cur.top, g.top)
		spaced = false
	}
	flush()
	return segs
}

// orderSegments is a recursive XY cut: a gutter between two columns of prose
// splits the block left then right; otherwise the widest horizontal gaps split it
// top to bottom; a block with neither is one line or a few touching ones.
func orderSegments(segs []segment, unit float64, depth int) [][]segment {
	if len(segs) <= 1 {
		if len(segs) == 0 {
			return nil
		}
		return [][]segment{segs}
	}
	if left, right, ok := columnCut(segs, unit); ok {
		return append(orderSegments(left, unit, depth+1), orderSegments(right, unit, depth+1)...)
	}
	bands := rowCut(segs, unit, depth >= maxCutDepth)
	if len(bands) == 1 {
		return lineUp(segs, unit)
	}
	var out [][]segment
	for _, b := range bands {
		out = append(out, orderSegments(b, unit, depth+1)...)
	}
	return out
}

// columnCut finds the widest vertical gap that no segment crosses and that
// separates prose on both sides.
func columnCut(segs []segment, unit float64) (left, right []segment, ok bool) {
	byLeft := slices.Clone(segs)
	slices.SortFunc(byLeft, func(a, b segment) int { return cmpFloat(a.left, b.left) })
	bestGap, cutAt := 0.0, 0.0
	reach := byLeft[0].right
	for _, s := range byLeft[1:] {
		if gap := s.left - reach; gap >= gutterGap*unit && gap > bestGap {
			l, r := splitAt(segs, reach)
			if prose(l) && prose(r) {
				bestGap, cutAt = gap, reach
			}
		}
		reach = math.Max(reach, s.right)
	}
	if bestGap == 0 {
		return nil, nil, false
	}
	left, right = splitAt(segs, cutAt)
	return left, right, true
}

func splitAt(segs []segment, x float64) (left, right []segment) {
	for _, s := range segs {
		if s.right <= x {
			left = append(left, s)
		} else {
			right = append(right, s)
		}
	}
	return left, right
}

func prose(segs []segment) bool {
	if len(segs) < 2 {
		return false
	}
	words := 0
	for _, s := range segs {
		words += s.words
	}
	return float64(words)/float64(len(segs)) >= columnWords
}

// rowCut splits at the widest gaps between horizontal bands (all gaps when
// every is true), so that a heading parts from the columns under it before
// the columns' own line gaps are considered.
func rowCut(segs []segment, unit float64, every bool) [][]segment {
	byTop := slices.Clone(segs)
	slices.SortFunc(byTop, func(a, b segment) int { return cmpFloat(b.top, a.top) })
	type band struct {
		segs   []segment
		bottom float64
	}
	bands := []band{{segs: byTop[:1], bottom: byTop[0].bottom}}
	var gaps []float64
	for _, s := range byTop[1:] {
		last := &bands[len(bands)-1]
		if s.top > last.bottom {
			last.segs = append(last.segs, s)
			last.bottom = math.Min(last.bottom, s.bottom)
			continue
		}
		gaps = append(gaps, last.bottom-s.top)
		bands = append(bands, band{segs: []segment{s}, bottom: s.bottom})
	}
	if len(bands) == 1 {
		return [][]segment{segs}
	}
	widest := slices.Max(gaps)
	var out [][]segment
	cur := bands[0].segs
	for i, g := range gaps {
		if every || g >= widest-0.1*unit {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, bands[i+1].segs...)
	}
	return append(out, cur)
}

// lineUp orders a block with no gap to cut at into lines, top to bottom, each
// left to right.
func lineUp(segs []segment, unit float64) [][]segment {
	byTop := slices.Clone(segs)
	slices.SortStableFunc(byTop, func(a, b segment) int { return cmpFloat(b.center(), a.center()) })
	var lines [][]segment
	lineCenter := math.Inf(1)
	for _, s := range byTop {
		if len(lines) == 0 || lineCenter-s.center() > 0.5*unit {
			lines = append(lines, nil)
			lineCenter = s.center()
		}
		lines[len(lines)-1] = append(lines[len(lines)-1], s)
	}
	for _, l := range lines {
		slices.SortStableFunc(l, func(a, b segment) int { return cmpFloat(a.left, b.left) })
	}
	return lines
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
