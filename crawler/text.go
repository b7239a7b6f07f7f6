package crawler

import (
	"strings"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// textOptions tune plainText for the part of the page being rendered.
type textOptions struct {
	// dropQuotes removes quoted blocks of other comments
	// (blockquote.ipsQuote / [data-ipsquote]): a comment's quoted words are
	// not its own.
	dropQuotes bool
}

// plainText renders the nodes of sel as clean plain text: scripts, styles,
// embeds, navigation, hidden blocks, share menus, reaction widgets, edit
// lines and the guest teaser are dropped; block elements (paragraphs,
// headings, list items, table rows, br) become line breaks; runs of white
// space (including no-break spaces) collapse to one space; every line is
// trimmed and empty lines are dropped. Entities are already decoded by the
// HTML parser.
func plainText(sel *goquery.Selection, opts textOptions) string {
	var b strings.Builder
	for _, n := range sel.Nodes {
		renderText(&b, n, opts, true)
		b.WriteByte('\n')
	}
	return tidyLines(b.String())
}

// oneLine is plainText joined into a single line (titles, names, labels).
func oneLine(sel *goquery.Selection) string {
	return strings.Join(strings.Fields(plainText(sel, textOptions{})), " ")
}

// cleanLabel is a one-line label (title, author, tag) without control
// characters or bidirectional formatting marks: a U+202E in a title
// reverses what readers and spreadsheets show after it.
func cleanLabel(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Bidi_Control, r):
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// tidyLines collapses white space inside each line, trims lines, drops
// empty ones and removes invisible format characters.
func tidyLines(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.FieldsFunc(l, unicode.IsSpace), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// blockAtoms are elements rendered on lines of their own.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Tr: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Caption: true,
	atom.Blockquote: true, atom.Pre: true, atom.Hr: true, atom.Figure: true, atom.Figcaption: true,
	atom.Address: true, atom.Details: true, atom.Summary: true, atom.Fieldset: true, atom.Legend: true,
	atom.Center: true,
}

// droppedAtoms are elements whose content is never article text.
var droppedAtoms = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true,
	atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true, atom.Canvas: true,
	atom.Audio: true, atom.Video: true, atom.Button: true, atom.Input: true, atom.Select: true,
	atom.Textarea: true, atom.Head: true, atom.Title: true, atom.Link: true, atom.Meta: true,
}

// droppedClasses are IPS classes of non-content blocks: hidden elements,
// share menus, reaction widgets, item controls, menus, the guest teaser,
// breadcrumbs, drawers and sidebars.
var droppedClasses = []string{
	"ipsHide", "cPostShareMenu", "ipsShareLinks", "ipsItemControls", "ipsComment_controls",
	"cGuestTeaser", "ipsBreadcrumb", "ipsDrawer", "ipsMenu", "ipsRecommendedComments",
	"ipsComment_recommended", "ipsPagination", "ipsPager", "ipsButtonBar", "ipsWidget",
	"ipsResponsive_showPhone", "cShareLink",
}

// droppedIDs are IPS layout regions outside the content.
var droppedIDs = map[string]bool{
	"ipsLayout_header": true, "ipsLayout_footer": true, "ipsLayout_sidebar": true,
	"elMobileDrawer": true, "elUserNav": true, "elNavigation": true,
}

// skipNode reports whether n (an element) is noise for plain text.
func skipNode(n *html.Node, opts textOptions) bool {
	if droppedAtoms[n.DataAtom] {
		return true
	}
	if opts.dropQuotes && n.DataAtom == atom.Blockquote {
		if hasClass(n, "ipsQuote") || hasAttr(n, "data-ipsquote") {
			return true
		}
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden", "data-excludequote":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "id":
			if droppedIDs[a.Val] {
				return true
			}
		case "data-role":
			switch a.Val {
			case "replyArea", "commentControls", "reactionBlurb", "reactCount", "reactionInteraction", "moderationTools", "tablePagination":
				return true
			}
		case "style":
			if styleHides(a.Val) {
				return true
			}
		case "class":
			for _, c := range strings.Fields(a.Val) {
				if strings.HasPrefix(c, "ipsReact") {
					return true
				}
				for _, d := range droppedClasses {
					if c == d {
						return true
					}
				}
			}
		}
	}
	return false
}

// styleHides reports whether an inline style hides the element.
func styleHides(style string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(style), ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" {
			for _, c := range strings.Fields(a.Val) {
				if c == class {
					return true
				}
			}
		}
	}
	return false
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// renderText writes the text of n to b. root is true for the node the
// caller asked for: it is rendered even if it would be skipped as a child
// (the caller chose it deliberately), except for scripts and styles.
func renderText(b *strings.Builder, n *html.Node, opts textOptions, root bool) {
	switch n.Type {
	case html.TextNode:
		b.WriteString(strings.ReplaceAll(n.Data, "\n", " "))
		return
	case html.ElementNode:
		if root {
			if droppedAtoms[n.DataAtom] && n.DataAtom != atom.Nav && n.DataAtom != atom.Header && n.DataAtom != atom.Footer && n.DataAtom != atom.Aside {
				return
			}
		} else if skipNode(n, opts) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			b.WriteByte('\n')
			return
		case atom.Td, atom.Th:
			b.WriteByte(' ')
		case atom.Img:
			return
		}
		block := blockAtoms[n.DataAtom]
		if block {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			renderText(b, c, opts, false)
		}
		if block {
			b.WriteByte('\n')
		}
		if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
			b.WriteByte(' ')
		}
	case html.DocumentNode:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			renderText(b, c, opts, false)
		}
	}
}
