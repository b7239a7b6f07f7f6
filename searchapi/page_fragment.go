package searchapi

import (
	"html"
	"html/template"
	"strings"
)

// Highlight fragments from the indexer are HTML produced by Bleve's html
// fragment formatter: the article text is escaped with html.EscapeString and
// matched words are wrapped in <mark>…</mark>. The page must render the
// marks, so fragments cannot go through html/template's escaping as plain
// strings. safeFragment does not trust that claim: it splits the fragment on
// the only two tags it allows, unescapes every text run and escapes it again.
// Whatever the fragment held — a properly escaped "&lt;script&gt;" or, if some
// other code path ever passed raw text, a literal "<script>" — the result is
// text plus balanced <mark> elements and nothing else.

const (
	markOpen  = "<mark>"
	markClose = "</mark>"
)

// safeFragment turns one highlighter fragment into HTML that can only
// contain escaped text and balanced <mark> elements.
func safeFragment(frag string) template.HTML {
	var b strings.Builder
	open := false
	for frag != "" {
		i := strings.Index(frag, "<mark>")
		j := strings.Index(frag, "</mark>")
		next, tag := -1, ""
		switch {
		case i >= 0 && (j < 0 || i < j):
			next, tag = i, markOpen
		case j >= 0:
			next, tag = j, markClose
		}
		if next < 0 {
			b.WriteString(reescape(frag))
			break
		}
		b.WriteString(reescape(frag[:next]))
		frag = frag[next+len(tag):]
		switch {
		case tag == markOpen && !open:
			b.WriteString(markOpen)
			open = true
		case tag == markClose && open:
			b.WriteString(markClose)
			open = false
		}
		// A nested <mark> or a stray </mark> is dropped: marks never nest.
	}
	if open {
		b.WriteString(markClose)
	}
	return template.HTML(b.String()) // built only from escaped text and <mark>
}

// reescape normalises a run of (possibly already escaped) text to escaped
// text: entities are decoded once and every special character is escaped.
func reescape(s string) string {
	return template.HTMLEscapeString(html.UnescapeString(s))
}

// fragmentText is the plain text of a fragment, without marks and with
// entities decoded, for places that need text (feeds, titles, alt text).
func fragmentText(frag string) string {
	frag = strings.ReplaceAll(frag, markOpen, "")
	frag = strings.ReplaceAll(frag, markClose, "")
	return html.UnescapeString(frag)
}

// safeFragments applies safeFragment to each fragment.
func safeFragments(frags []string) []template.HTML {
	out := make([]template.HTML, 0, len(frags))
	for _, f := range frags {
		if strings.TrimSpace(f) == "" {
			continue
		}
		out = append(out, safeFragment(f))
	}
	return out
}
