package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
)

// ExtractOptions configure Extract. Extract uses no clock: FetchedAt is
// copied to the article as given.
type ExtractOptions struct {
	// Source is the source name used in article ids, e.g. "pslhub".
	// Required.
	Source string
	// Taxonomy classifies tags; nil means DefaultTaxonomy().
	Taxonomy *Taxonomy
	// FetchedAt is when the page was fetched (stored in UTC).
	FetchedAt time.Time
}

// Extract parses one fetched HTML page (body already UTF-8) of an IPS 4.x
// site. It is pure: no network, no clock, no globals.
//
// Every page yields its canonical URL and its links. A record page (an IPS
// Pages record: "-r<digits>/" in the page or canonical URL, or a JSON-LD
// Article whose URL has one) also yields the Article with the comments of
// this comment page and the URLs of the record's other comment pages; the
// caller fetches those, extracts them and merges their comments with
// MergeComments. A record page without the expected parts — no title
// anywhere, or only a <title>/og:title with no record header, JSON-LD
// Article, tags or content (a login wall, an error page) — is reported as an
// error wrapping ErrNotArticle and naming the URL, never as an empty article.
//
// A nil opts.Taxonomy parses the embedded default on every call: callers
// extracting many pages should pass DefaultTaxonomy() (or their own) once.
func Extract(pageURL *url.URL, body []byte, opts ExtractOptions) (*Page, error) {
	if pageURL == nil || !pageURL.IsAbs() {
		return nil, fmt.Errorf("crawler: extract: page URL %v is not absolute", pageURL)
	}
	if opts.Source == "" {
		return nil, fmt.Errorf("crawler: extract %s: ExtractOptions.Source is empty", pageURL)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawler: extract %s: parse html: %w", pageURL, err)
	}
	base := documentBase(doc, pageURL)
	page := &Page{Links: extractLinks(doc, base)}
	canon := canonicalURL(doc, base)
	if canon != nil {
		page.Canonical = canon.String()
	}

	ld := parseJSONLD(doc)
	rid, recURL, ok := findRecord(pageURL, canon, doc, base, ld)
	if !ok {
		return page, nil
	}
	tax := opts.Taxonomy
	if tax == nil {
		tax = DefaultTaxonomy()
	}
	art, err := extractArticle(doc, base, recURL, ld, tax)
	if err != nil {
		return nil, fmt.Errorf("crawler: extract %s: %w", pageURL, err)
	}
	art.ID = ArticleID(opts.Source, rid)
	art.Source = opts.Source
	if !opts.FetchedAt.IsZero() {
		art.FetchedAt = opts.FetchedAt.UTC()
	}
	art.Comments = extractComments(doc)
	page.Article = art
	page.CommentPages = commentPages(doc, base, pageURL, recURL)
	return page, nil
}

// errNoTitle is wrapped with ErrNotArticle when no title is found anywhere.
var errNoTitle = errors.New("no title in h1, og:title, JSON-LD or <title>")

// documentBase is the URL relative links resolve against: <base href> if
// present and valid, else the page URL.
func documentBase(doc *goquery.Document, pageURL *url.URL) *url.URL {
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if u, err := pageURL.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			return u
		}
	}
	return pageURL
}

// canonicalURL resolves link[rel=canonical]; nil when absent or unusable.
func canonicalURL(doc *goquery.Document, base *url.URL) *url.URL {
	href, ok := doc.Find(`link[rel~="canonical"]`).First().Attr("href")
	if !ok {
		return nil
	}
	return resolveHTTP(base, href)
}

// findRecord decides whether the page is a record page and returns the
// record id and the record's page-1 URL. The canonical URL wins over the
// page URL (a record reached through an old category path or a comment
// page); a JSON-LD Article whose url carries a record id is the fallback.
func findRecord(pageURL, canon *url.URL, doc *goquery.Document, base *url.URL, ld jsonLD) (string, string, bool) {
	if canon != nil {
		if id, ok := RecordID(canon); ok {
			return id, recordURLString(canon), true
		}
	}
	if id, ok := RecordID(pageURL); ok {
		// Prefer og:url / JSON-LD url for the record URL when they name
		// the same record (canonical missing).
		for _, s := range []string{attrOf(doc, `meta[property="og:url"]`, "content"), ld.url} {
			if u := resolveHTTP(base, s); u != nil {
				if id2, ok := RecordID(u); ok && id2 == id {
					return id, recordURLString(u), true
				}
			}
		}
		return id, recordURLString(pageURL), true
	}
	if ld.article {
		if u := resolveHTTP(base, ld.url); u != nil {
			if id, ok := RecordID(u); ok {
				return id, recordURLString(u), true
			}
		}
	}
	return "", "", false
}

// resolveHTTP resolves href against base and returns it without fragment,
// or nil if it is empty, unparsable or not http(s).
func resolveHTTP(base *url.URL, href string) *url.URL {
	if href == "" {
		return nil
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.Fragment = ""
	u.RawFragment = ""
	return u
}

func attrOf(doc *goquery.Document, selector, attr string) string {
	v, _ := doc.Find(selector).First().Attr(attr)
	return v
}

// extractLinks returns every a[href] and link[rel=next|prev] of the page,
// absolute, fragment dropped, deduplicated, in page order.
func extractLinks(doc *goquery.Document, base *url.URL) []string {
	var out []string
	seen := map[string]bool{}
	doc.Find(`a[href], link[rel~="next"][href], link[rel~="prev"][href]`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if len(href) > 0 && href[0] == '#' {
			return
		}
		u := resolveHTTP(base, href)
		if u == nil {
			return
		}
		k := u.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	})
	return out
}

// MergeComments appends to base the comments of the record's other comment
// pages (2..N, in page order), skipping comments whose id base already has,
// so a comment repeated across pages (or a page fetched twice) is kept once.
// Nil pages are ignored.
func MergeComments(base *article.Article, pages ...*article.Article) {
	if base == nil {
		return
	}
	seen := make(map[string]bool, len(base.Comments))
	for _, c := range base.Comments {
		seen[c.ID] = true
	}
	for _, p := range pages {
		if p == nil {
			continue
		}
		for _, c := range p.Comments {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			base.Comments = append(base.Comments, c)
		}
	}
}
