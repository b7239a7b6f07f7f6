package pdftext

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ligatures are the presentation forms fonts use for ﬁ, ﬂ and the like; search
// wants the letters.
var ligatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi",
	"\uFB04", "ffl", "\uFB05", "st", "\uFB06", "st",
)

// cleanLine expands ligatures, drops soft hyphens and control characters,
// composes accents (NFC) and collapses runs of spaces.
func cleanLine(s string) string {
	s = ligatures.Replace(s)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\u00AD' || r == '\uFFFE' || r == '\uFEFF':
			return -1
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// runningEdge is how many lines at the top and at the bottom of a page may be a
// running header or footer.
const runningEdge = 2

// dropRunning removes running headers and footers: lines among the first or
// last runningEdge of a page that, with digits ignored (page numbers), recur at
// the same edge on most pages. Documents of fewer than three pages are left
// alone: two pages are too few to tell a header from a repeated heading.
func dropRunning(pages [][]string) [][]string {
	withText := 0
	for _, p := range pages {
		if len(p) > 0 {
			withText++
		}
	}
	if withText < 3 {
		return pages
	}
	top, bottom := map[string]int{}, map[string]int{}
	for _, p := range pages {
		for _, k := range edgeKeys(p, true) {
			top[k]++
		}
		for _, k := range edgeKeys(p, false) {
			bottom[k]++
		}
	}
	running := func(counts map[string]int, line string) bool {
		return counts[digitless(line)]*5 >= withText*3 // on at least 60% of the pages
	}
	out := make([][]string, len(pages))
	for i, p := range pages {
		keep := make([]string, 0, len(p))
		for j, line := range p {
			atTop := j < runningEdge && running(top, line)
			atBottom := j >= len(p)-runningEdge && running(bottom, line)
			if !atTop && !atBottom {
				keep = append(keep, line)
			}
		}
		out[i] = keep
	}
	return out
}

// edgeKeys are the distinct digitless keys of a page's top (or bottom) lines.
func edgeKeys(lines []string, top bool) []string {
	n := min(runningEdge, len(lines))
	edge := lines[:n]
	if !top {
		edge = lines[len(lines)-n:]
	}
	seen := map[string]bool{}
	var keys []string
	for _, l := range edge {
		if k := digitless(l); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// digitless replaces each run of digits by one '#', so that "Page 3 of 12" and
// "Page 10 of 12" are the same line.
func digitless(s string) string {
	var b strings.Builder
	inDigits := false
	for _, r := range s {
		if unicode.IsDigit(r) {
			if !inDigits {
				b.WriteByte('#')
			}
			inDigits = true
			continue
		}
		inDigits = false
		b.WriteRune(r)
	}
	return b.String()
}
