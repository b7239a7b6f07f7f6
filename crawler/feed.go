package crawler

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/net/html/charset"
)

// Feed caps.
const (
	DefaultFeedMaxBytes = 10 << 20
	DefaultFeedMaxItems = 10000
	// DefaultMaxFeedPages bounds the pages of one feed read per run
	// (rel="next" links, WordPress ?paged=N).
	DefaultMaxFeedPages = 20
)

// KindFeed is the error kind of a feed that could not be read.
const KindFeed ErrorKind = "feed"

// Feed is one parsed feed document (RSS 2.0 or 0.9x, RSS 1.0, Atom or
// JSON Feed).
type Feed struct {
	Items []FeedItem
	// Next is the URL of the next page of the feed (Atom rel="next",
	// JSON Feed next_url), as written; "" when none.
	Next string
	// WordPress is true when WordPress generated the feed: it pages with
	// ?paged=N without saying so.
	WordPress bool
}

// FeedItem is one item or entry: the article it links to and what the
// feed says about it.
type FeedItem struct {
	Link       string
	Title      string
	Author     string
	Published  time.Time // UTC; zero when absent or unparsable
	Updated    time.Time // UTC; zero when absent or unparsable
	Categories []string
}

// Changed is the item's last change as the feed dates it: Updated, else
// Published.
func (it FeedItem) Changed() time.Time {
	if it.Updated.After(it.Published) {
		return it.Updated
	}
	return it.Published
}

// ParseFeed reads an RSS, Atom or JSON Feed document (detected from its
// content, never from a header). maxBytes caps its size and maxItems its
// items (0 → the defaults); items without a link are skipped.
func ParseFeed(r io.Reader, maxBytes int64, maxItems int) (*Feed, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultFeedMaxBytes
	}
	if maxItems <= 0 {
		maxItems = DefaultFeedMaxItems
	}
	body, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("crawler: feed: %w", err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("crawler: feed exceeds %d bytes", maxBytes)
	}
	body = bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n")
	var f *Feed
	switch {
	case len(body) == 0:
		return nil, errors.New("crawler: feed: empty document")
	case body[0] == '{':
		f, err = parseJSONFeed(body)
	default:
		f, err = parseXMLFeed(body)
	}
	if err != nil {
		return nil, err
	}
	if len(f.Items) > maxItems {
		f.Items = f.Items[:maxItems]
	}
	return f, nil
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
}

type rssItem struct {
	Title      string   `xml:"title"`
	Link       string   `xml:"link"`
	GUID       rssGUID  `xml:"guid"`
	PubDate    string   `xml:"pubDate"`
	DCDate     string   `xml:"http://purl.org/dc/elements/1.1/ date"`
	Updated    string   `xml:"http://www.w3.org/2005/Atom updated"`
	Creator    string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Author     string   `xml:"author"`
	Categories []string `xml:"category"`
}

type rssGUID struct {
	Value       string `xml:",chardata"`
	IsPermaLink string `xml:"isPermaLink,attr"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	Links     []atomLink `xml:"link"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Authors   []struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Categories []struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr"`
	} `xml:"category"`
}

// xmlFeed holds the parts of RSS 2.0 (channel), RSS 1.0 (items beside the
// channel) and Atom (feed) that a crawl needs.
type xmlFeed struct {
	XMLName   xml.Name
	Generator string      `xml:"generator"`
	Links     []atomLink  `xml:"http://www.w3.org/2005/Atom link"`
	Entries   []atomEntry `xml:"entry"`
	Items     []rssItem   `xml:"item"`
	Channel   struct {
		Generator string     `xml:"generator"`
		Links     []atomLink `xml:"http://www.w3.org/2005/Atom link"`
		Items     []rssItem  `xml:"item"`
	} `xml:"channel"`
}

func parseXMLFeed(body []byte) (*Feed, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	// Feeds carry HTML entities and the odd unclosed tag in their texts.
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charset.NewReaderLabel
	var x xmlFeed
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("crawler: feed: bad XML: %w", err)
	}
	f := &Feed{}
	switch strings.ToLower(x.XMLName.Local) {
	case "rss", "rdf":
		items := append(x.Channel.Items, x.Items...)
		for _, it := range items {
			link := strings.TrimSpace(it.Link)
			if link == "" && !strings.EqualFold(it.GUID.IsPermaLink, "false") {
				link = strings.TrimSpace(it.GUID.Value)
			}
			if link == "" {
				continue
			}
			pub := parseFeedDate(it.PubDate)
			if pub.IsZero() {
				pub = parseFeedDate(it.DCDate)
			}
			author := it.Creator
			if author == "" {
				author = it.Author
			}
			f.Items = append(f.Items, FeedItem{
				Link: link, Title: collapse(it.Title), Author: collapse(author),
				Published: pub, Updated: parseFeedDate(it.Updated), Categories: trimAll(it.Categories),
			})
		}
		f.Next = relLink(append(x.Channel.Links, x.Links...), "next")
		f.WordPress = isWordPress(x.Channel.Generator)
	case "feed":
		for _, e := range x.Entries {
			link := relLink(e.Links, "alternate")
			if link == "" {
				link = relLink(e.Links, "")
			}
			if link == "" {
				continue
			}
			it := FeedItem{Link: link, Title: collapse(e.Title),
				Published: parseFeedDate(e.Published), Updated: parseFeedDate(e.Updated)}
			if len(e.Authors) > 0 {
				it.Author = collapse(e.Authors[0].Name)
			}
			for _, c := range e.Categories {
				if c.Label != "" {
					it.Categories = append(it.Categories, collapse(c.Label))
				} else if c.Term != "" {
					it.Categories = append(it.Categories, collapse(c.Term))
				}
			}
			f.Items = append(f.Items, it)
		}
		f.Next = relLink(x.Links, "next")
		f.WordPress = isWordPress(x.Generator)
	default:
		return nil, fmt.Errorf("crawler: feed: root element <%s> is not rss, RDF or an Atom feed", x.XMLName.Local)
	}
	return f, nil
}

// relLink is the href of the first link with rel (rel "" matches a link
// without rel, which Atom reads as alternate).
func relLink(links []atomLink, rel string) string {
	for _, l := range links {
		if strings.EqualFold(strings.TrimSpace(l.Rel), rel) && strings.TrimSpace(l.Href) != "" {
			return strings.TrimSpace(l.Href)
		}
	}
	return ""
}

func isWordPress(generator string) bool {
	return strings.Contains(strings.ToLower(generator), "wordpress.org")
}

type jsonFeed struct {
	Version string `json:"version"`
	NextURL string `json:"next_url"`
	Items   []struct {
		URL           string          `json:"url"`
		ExternalURL   string          `json:"external_url"`
		Title         string          `json:"title"`
		DatePublished string          `json:"date_published"`
		DateModified  string          `json:"date_modified"`
		Author        *jsonFeedAuthor `json:"author"`
		Authors       []jsonFeedAuthor
		Tags          []string `json:"tags"`
	} `json:"items"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

func parseJSONFeed(body []byte) (*Feed, error) {
	var j jsonFeed
	if err := json.Unmarshal(body, &j); err != nil {
		return nil, fmt.Errorf("crawler: feed: bad JSON Feed: %w", err)
	}
	if !strings.HasPrefix(j.Version, "https://jsonfeed.org/version/") {
		return nil, fmt.Errorf("crawler: feed: JSON document is not a JSON Feed (version %q)", j.Version)
	}
	f := &Feed{Next: j.NextURL}
	for _, it := range j.Items {
		link := it.URL
		if link == "" {
			link = it.ExternalURL
		}
		if strings.TrimSpace(link) == "" {
			continue
		}
		fi := FeedItem{Link: strings.TrimSpace(link), Title: collapse(it.Title),
			Published: parseFeedDate(it.DatePublished), Updated: parseFeedDate(it.DateModified),
			Categories: trimAll(it.Tags)}
		switch {
		case len(it.Authors) > 0:
			fi.Author = collapse(it.Authors[0].Name)
		case it.Author != nil:
			fi.Author = collapse(it.Author.Name)
		}
		f.Items = append(f.Items, fi)
	}
	return f, nil
}

// parseFeedDate accepts RFC 822 dates as feeds write them (RSS) and the
// W3C forms (Atom, JSON Feed, Dublin Core).
func parseFeedDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return parseLastMod(s)
}

func trimAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = collapse(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
