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
// last runningEdge of a page that recur at the same edge on at least 60% of the
// pages, either identical or differing only in a number that follows the page
// number ("Page 3 of 12"). "Section 1", "Section 2" on successive pages is
// also taken for a running line; that is the price of the rule. Documents of
// fewer than three pages are left alone: too few to tell.
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
	top, bottom := edgeLines{}, edgeLines{}
	for i, p := range pages {
		n := min(runningEdge, len(p))
		top.add(i, p[:n])
		bottom.add(i, p[len(p)-n:])
	}
	minPages := (withText*3 + 4) / 5
	out := make([][]string, len(pages))
	for i, p := range pages {
		keep := make([]string, 0, len(p))
		for j, line := range p {
			atTop := j < runningEdge && top.running(line, minPages)
			atBottom := j >= len(p)-runningEdge && bottom.running(line, minPages)
			if !atTop && !atBottom {
				keep = append(keep, line)
			}
		}
		out[i] = keep
	}
	return out
}

// edgeLines records, per digitless key, on which pages a line occurs at one
// edge and the numbers in it there.
type edgeLines map[string][]occurrence

type occurrence struct {
	page    int
	line    string
	numbers []int
}

func (e edgeLines) add(page int, lines []string) {
	for _, l := range lines {
		k, nums := digitless(l)
		if occ := e[k]; len(occ) > 0 && occ[len(occ)-1].page == page {
			continue
		}
		e[k] = append(e[k], occurrence{page: page, line: l, numbers: nums})
	}
}

func (e edgeLines) running(line string, minPages int) bool {
	k, _ := digitless(line)
	occ := e[k]
	if len(occ) < minPages {
		return false
	}
	identical := true
	for _, o := range occ {
		identical = identical && o.line == occ[0].line
	}
	if identical {
		return true
	}
	// Some number must move with the page: number minus page index constant.
	for n := range occ[0].numbers {
		follows := true
		for _, o := range occ {
			follows = follows && len(o.numbers) == len(occ[0].numbers) &&
				o.numbers[n]-o.page == occ[0].numbers[n]-occ[0].page
		}
		if follows {
			return true
		}
	}
	return false
}

// digitless replaces each run of digits by one '#' and returns the numbers
// replaced, so "Page 3 of 12" is "Page # of #" with 3 and 12.
func digitless(s string) (string, []int) {
	var (
		b    strings.Builder
		nums []int
		cur  int
		in   bool
	)
	for _, r := range s {
		if r >= '0' && r <= '9' {
			if !in {
				b.WriteByte('#')
				cur = 0
			}
			in = true
			cur = min(cur*10+int(r-'0'), 1<<30)
			continue
		}
		if in {
			nums = append(nums, cur)
		}
		in = false
		b.WriteRune(r)
	}
	if in {
		nums = append(nums, cur)
	}
	return b.String(), nums
}
