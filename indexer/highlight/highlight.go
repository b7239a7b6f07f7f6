// Package highlight marks matches in stored text: pure functions from a
// text and the match spans the index reported (in the folded text's
// offsets, see package fold) to HTML-escaped strings with <mark> around
// the matches, whole or cut into fragments around the densest matches.
package highlight

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer/fold"
)

// Span is a match in a text, as byte offsets [Start, End).
type Span struct{ Start, End int }

// origSpans maps spans in fold.Text(text) back to text, sorted and merged.
func origSpans(text string, sp []Span) []Span {
	folded := fold.Text(text)
	out := make([]Span, 0, len(sp))
	for _, s := range sp {
		if s.Start >= 0 && s.End <= len(folded) && s.Start < s.End {
			out = append(out, s)
		}
	}
	if folded != text {
		out = unfold(text, out)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Start != out[j].Start {
			return out[i].Start < out[j].Start
		}
		return out[i].End > out[j].End
	})
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			if s.End > merged[n-1].End {
				merged[n-1].End = s.End
			}
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// unfold maps spans given in offsets of fold.Text(text) to offsets in text,
// in one pass over text: a Span starts where the rune that produced its
// first folded byte starts and ends where the rune of its last byte ends.
func unfold(text string, sp []Span) []Span {
	type need struct {
		off   int
		idx   int
		isEnd bool
	}
	needs := make([]need, 0, 2*len(sp))
	for i, s := range sp {
		needs = append(needs, need{s.Start, i, false}, need{s.End - 1, i, true})
	}
	sort.Slice(needs, func(a, b int) bool { return needs[a].off < needs[b].off })
	out := make([]Span, len(sp))
	k, folded := 0, 0
	for i := 0; i < len(text) && k < len(needs); {
		r, size := utf8.DecodeRuneInString(text[i:])
		n := 1
		if r >= utf8.RuneSelf {
			n = len(fold.Rune(r))
		}
		for k < len(needs) && needs[k].off < folded+n {
			if needs[k].isEnd {
				out[needs[k].idx].End = i + size
			} else {
				out[needs[k].idx].Start = i
			}
			k++
		}
		folded += n
		i += size
	}
	return out
}

// MarkAll returns the whole text, HTML-escaped, with <mark> around spans.
func MarkAll(text string, sp []Span) string {
	return markRange(text, origSpans(text, sp), 0, len(text))
}

// markRange escapes text[from:to] and wraps the spans inside it in <mark>.
func markRange(text string, sp []Span, from, to int) string {
	var b strings.Builder
	pos := from
	for _, s := range sp {
		if s.Start < from || s.End > to {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:s.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.Start:s.End]))
		b.WriteString("</mark>")
		pos = s.End
	}
	b.WriteString(html.EscapeString(text[pos:to]))
	return b.String()
}

// Fragments returns up to maxFrags windows of about size runes of text, the
// ones holding the most matches first chosen, shown in text order; each is
// cut at word boundaries, HTML-escaped, with <mark> around matches and "…"
// where text was cut.
func Fragments(text string, folded []Span, size, maxFrags int) []string {
	sp := origSpans(text, folded)
	type window struct{ from, to int }
	var chosen []window
	left := sp
	for len(chosen) < maxFrags && len(left) > 0 {
		best, bestN := window{}, -1
		for _, anchor := range left {
			from := wordStart(text, backRunes(text, anchor.Start, size/5))
			if from > anchor.Start {
				from = anchor.Start
			}
			to := wordEnd(text, forwardRunes(text, from, size))
			if to < anchor.End {
				to = anchor.End
			}
			// left is sorted and non-overlapping: count by binary search.
			lo := sort.Search(len(left), func(i int) bool { return left[i].Start >= from })
			hi := sort.Search(len(left), func(i int) bool { return left[i].End > to })
			n := max(hi-lo, 0)
			overlaps := false
			for _, c := range chosen {
				overlaps = overlaps || (from < c.to && c.from < to)
			}
			if n > bestN && !overlaps {
				best, bestN = window{from, to}, n
			}
		}
		if bestN < 0 {
			break
		}
		chosen = append(chosen, best)
		var rest []Span
		for _, s := range left {
			if s.Start < best.from || s.End > best.to {
				rest = append(rest, s)
			}
		}
		left = rest
	}
	sort.Slice(chosen, func(i, j int) bool { return chosen[i].from < chosen[j].from })
	out := make([]string, 0, len(chosen))
	for _, w := range chosen {
		f := strings.TrimSpace(markRange(text, sp, w.from, w.to))
		if w.from > 0 {
			f = "…" + f
		}
		if w.to < len(text) {
			f += "…"
		}
		out = append(out, f)
	}
	return out
}

// backRunes moves n runes back from byte offset i.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forwardRunes moves n runes forward from byte offset i.
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// wordStart moves i forward to the start of the next word unless it is at
// the start of the text or of a word already.
func wordStart(s string, i int) int {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	if unicode.IsSpace(r) {
		return i
	}
	j := strings.IndexFunc(s[i:], unicode.IsSpace)
	if j < 0 || j > 40 {
		return i
	}
	return i + j + 1
}

// wordEnd moves i back to the end of the previous whole word unless it is at
// the end of the text or of a word already.
func wordEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if unicode.IsSpace(r) {
		return i
	}
	j := strings.LastIndexFunc(s[:i], unicode.IsSpace)
	if j < 0 || i-j > 40 {
		return i
	}
	return j
}
