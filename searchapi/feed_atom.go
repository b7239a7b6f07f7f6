package searchapi

// Atom 1.0 (RFC 4287) documents for saved searches, written with
// encoding/xml. Text constructs are type="text", so encoding/xml's escaping
// is all the protection a title like "<script>" needs.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
)

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name    `xml:"feed"`
	NS        string      `xml:"xmlns,attr"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  *atomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Authors    []atomPerson   `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
}

// feedMeta is what a feed needs besides its articles.
type feedMeta struct {
	Title    string    // human description of the search
	SelfURL  string    // absolute URL of this feed (also its id)
	PageURL  string    // absolute URL of the same search on the HTML page
	BaseURL  string    // scheme://host of this service, for article page links
	Fallback time.Time // updated when there are no entries (index build time)
}

// entryUpdated is when an article last changed, as far as we know.
func entryUpdated(a article.Article) time.Time {
	switch {
	case !a.Updated.IsZero():
		return a.Updated.UTC()
	case !a.Published.IsZero():
		return a.Published.UTC()
	default:
		return a.FetchedAt.UTC()
	}
}

// entryID is stable across requests and rebuilds: the article's canonical
// URL, or a tag URI built from its id when the URL is missing.
func entryID(a article.Article) string {
	if a.URL != "" {
		return a.URL
	}
	return "tag:safetysearch.invalid,2026:article:" + url.PathEscape(a.ID)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// buildFeed turns articles (newest first) into an Atom feed, each with the
// attached documents the search matched inside (docs, by article id) as
// links to the best page and a line of its summary. It returns the feed's
// updated time, which is also its Last-Modified.
func buildFeed(meta feedMeta, arts []article.Article, docs map[string][]indexer.DocumentHit) (atomFeed, time.Time) {
	updated := time.Time{}
	entries := make([]atomEntry, 0, len(arts))
	for _, a := range arts {
		up := entryUpdated(a)
		if up.After(updated) {
			updated = up
		}
		e := atomEntry{
			ID:      entryID(a),
			Title:   atomText{Type: "text", Body: a.Title},
			Updated: atomTime(up),
			Links: []atomLink{{
				Rel: "alternate", Type: "text/html", Href: meta.BaseURL + articlePath(a.ID),
			}},
		}
		if !a.Published.IsZero() {
			e.Published = atomTime(a.Published)
		}
		if a.URL != "" {
			e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: a.URL, Title: "Original on " + sourceLabel(a.Source)})
		}
		author := a.Author
		if author == "" {
			author = sourceLabel(a.Source)
		}
		e.Authors = []atomPerson{{Name: author}}
		for _, t := range dedupe(a.Regions, a.Audiences, a.Topics, a.Tags) {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		summary := a.Summary
		for _, d := range docs[a.ID] {
			e.Links = append(e.Links, atomLink{Rel: "related", Type: "application/pdf", Href: d.Link, Title: d.Name})
			summary = strings.TrimSpace(summary + "\n" + upperFirst(d.Sentence()) + ".")
		}
		if summary != "" {
			e.Summary = &atomText{Type: "text", Body: summary}
		}
		entries = append(entries, e)
	}
	if updated.IsZero() {
		updated = meta.Fallback.UTC()
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0).UTC()
	}
	f := atomFeed{
		NS:      atomNS,
		ID:      meta.SelfURL,
		Title:   atomText{Type: "text", Body: meta.Title},
		Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: meta.SelfURL},
			{Rel: "alternate", Type: "text/html", Href: meta.PageURL},
		},
		Author:    atomPerson{Name: "safetysearch"},
		Generator: "safetysearch",
		Entries:   entries,
	}
	return f, updated.Truncate(time.Second)
}

// upperFirst capitalises the first letter of a sentence.
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// marshalFeed renders a feed as an XML document.
func marshalFeed(f atomFeed) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("searchapi: atom feed: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// sourceLabel names a source for people.
func sourceLabel(source string) string {
	switch source {
	case "pslhub", "":
		return "the Patient Safety Learning hub"
	default:
		return source
	}
}
