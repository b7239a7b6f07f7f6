// Package fold is the text normalisation shared by indexing, querying and
// highlighting: typographic apostrophes and quotes become ASCII ones and
// accented letters lose their accents, so "don’t"/"don't" and "café"/"cafe"
// index and match alike; keyword values are also lower-cased.
package fold

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
)

// Rune returns the ASCII folding of a non-ASCII rune: typographic
// apostrophes and quotes become ASCII ones, accented letters lose their
// accents. Runes without a folding are returned unchanged.
func Rune(r rune) string {
	switch r {
	case '’', '‘', '‛', '＇', 'ʼ', '′':
		return "'"
	case '“', '”', '„', '″':
		return `"`
	}
	s := string(r)
	f := string(asciifolding.New().Filter([]byte(s)))
	if f == "" {
		return s
	}
	return f
}

// Text folds a whole text with Rune. ASCII text is returned as is.
// Every text given to Bleve's analyzed fields and every query goes through
// it, so "don’t"/"don't" and "café"/"cafe" index and match alike.
func Text(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if r < utf8.RuneSelf {
			b.WriteByte(byte(r))
			continue
		}
		b.WriteString(Rune(r))
	}
	return b.String()
}

// Key is the normalised form of a keyword value (region, tag, author…):
// folded, lower case, inner spaces collapsed. Filters and facets use it.
func Key(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(Text(s)), " "))
}
