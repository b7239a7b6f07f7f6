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
	degraded := ""
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if isTooDeep(err) {
		// Keep what can be kept: the same page with its deepest tags
		// dropped, reported through Page.Degraded.
		degraded = fmt.Sprintf("elements nested deeper than 512 (%v): read with tags below depth %d dropped", err, maxParseDepth)
		doc, err = goquery.NewDocumentFromReader(bytes.NewReader(flattenDeep(body)))
	}
	if err != nil {
		return nil, fmt.Errorf("crawler: extract %s: parse html: %w", pageURL, err)
	}
	base := documentBase(doc, pageURL)
	page := &Page{Links: extractLinks(doc, base), Degraded: degraded}
	canon := canonicalURL(doc, base)
	if canon != nil {
		page.Canonical = canon.String()
	}

	ld := parseJSONLD(doc)
	rid, recURL, untrusted, ok := findRecord(pageURL, canon, doc, base, ld)
	page.UntrustedCanonical = untrusted
	if !ok {
		return page, nil
	}
	tax := opts.Taxonomy
	if tax == nil {
		tax = DefaultTaxonomy()
	}
	art, err := extractArticle(doc, base, recURL, ld, tax)
	if errors.Is(err, errListing) {
		return page, nil
	}
	if err != nil {
		return nil, fmt.Errorf("crawler: extract %s: %w", pageURL, err)
	}
	art.ID = ArticleID(opts.Source, rid)
	art.Source = opts.Source
	if !opts.FetchedAt.IsZero() {
		art.FetchedAt = opts.FetchedAt.UTC()
	}
	art.Comments = extractComments(doc)
	if len(art.Comments) == 0 {
		art.Comments = ld.comments
	}
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
// record id and the record's page-1 URL. The record id comes from the
// fetched URL; a rel=canonical, og:url or JSON-LD url only supplies the
// page-1 URL (a record reached through an old category path or a comment
// page) and is trusted only when it is on the page's own host and names
// the same record: otherwise a page could take over another record's id or
// point readers to another site. untrusted is the canonical URL refused.
// A page whose URL names no record may still be one through a canonical or
// JSON-LD Article url on its own host.
func findRecord(pageURL, canon *url.URL, doc *goquery.Document, base *url.URL, ld jsonLD) (id, recURL string, untrusted string, ok bool) {
	sameRecord := func(u *url.URL, id string) bool {
		if u == nil || hostKey(u) != hostKey(pageURL) {
			return false
		}
		id2, ok := RecordID(u)
		return ok && (id == "" || id2 == id)
	}
	if id, ok := RecordID(pageURL); ok {
		if canon != nil {
			if sameRecord(canon, id) {
				return id, recordURLString(canon), "", true
			}
			untrusted = canon.String()
		}
		for _, s := range []string{attrOf(doc, `meta[property="og:url"]`, "content"), ld.url} {
			if u := resolveHTTP(base, s); sameRecord(u, id) {
				return id, recordURLString(u), untrusted, true
			}
		}
		return id, recordURLString(pageURL), untrusted, true
	}
	if canon != nil {
		// A page that names no record (index.php?/… forms) takes the
		// record from a canonical on its own host; the crawler then
		// fetches the record from that URL, so the record's own page is
		// what gets stored.
		if sameRecord(canon, "") {
			id, _ := RecordID(canon)
			return id, recordURLString(canon), "", true
		}
		if _, ok := RecordID(canon); ok {
			untrusted = canon.String()
		}
	}
	if ld.article {
		if u := resolveHTTP(base, ld.url); sameRecord(u, "") {
			id, _ := RecordID(u)
			return id, recordURLString(u), untrusted, true
		}
	}
	return "", "", untrusted, false
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
