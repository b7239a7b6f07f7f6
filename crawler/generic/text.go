package generic

import (
	"strings"

	"golang.org/x/net/html"
)

// blockTags start a new line in renderText (HTML names, and the TEI-like
// names go-trafilatura gives its output: head, list, item, quote, lb, row).
var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "main": true, "header": true, "footer": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "dl": true, "dt": true, "dd": true,
	"blockquote": true, "pre": true, "table": true, "tr": true, "figure": true, "figcaption": true,
	"hr": true, "br": true, "head": true, "quote": true, "list": true, "item": true, "lb": true, "row": true,
}

// cellTags are table cells: separated by a space on their row's line.
var cellTags = map[string]bool{"td": true, "th": true, "cell": true}

// renderText is the text of n with one line per block (paragraph,
// heading, list item, table row), white space collapsed inside lines and
// empty lines dropped: the body form the IPS extractor stores too.
func renderText(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.CommentNode:
			return
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.Data]
		if block {
			b.WriteByte('\n')
		} else if n.Type == html.ElementNode && cellTags[n.Data] {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			b.WriteByte('\n')
		}
	}
	walk(n)
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		if l = collapse(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
