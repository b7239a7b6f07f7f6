// Package generic extracts an article from a page of any publisher (a
// WordPress post, a GOV.UK publication, a news page): metadata from the
// page's own declarations (JSON-LD, citation_*, Dublin Core, OpenGraph) and
// the main text from go-trafilatura. It is pure: no network, no clock, no
// globals, so a feed or sitemap crawl and the extract command share it.
package generic

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// ErrNotArticle wraps the reason a page is not an article (a listing, an
// error page, no main text). Such a page is reported, never stored.
var ErrNotArticle = errors.New("not an article")

// DefaultMinTextChars is the shortest main text accepted as an article.
const DefaultMinTextChars = 200

// Options configure Extract.
type Options struct {
	// Source is the source name used in article ids. Required.
	Source string
	// FetchedAt is copied to the article (in UTC).
	FetchedAt time.Time
	// MinTextChars is the shortest main text (in characters) accepted;
	// 0 means DefaultMinTextChars.
	MinTextChars int
}

// Rule names the rule that produced one field, e.g. "json-ld NewsArticle.headline".
type Rule = string

// Rules that are not a page declaration.
const (
	RuleText      Rule = "generic text (go-trafilatura main content)"
	RuleTextTitle Rule = "generic text (go-trafilatura title)"
	RuleTextDate  Rule = "generic text (go-trafilatura date)"
	RuleTextLang  Rule = "generic text (go-trafilatura language detection)"
	RuleURLHash   Rule = "sha256 of the URL"
)

// Result is one extracted article and how each field was found.
type Result struct {
	Article *article.Article
	// Language is the page's language (BCP 47 tag as declared, or the
	// detected ISO 639-1 code); "" when unknown. The Article has no field
	// for it yet.
	Language string
	// Rules maps a field name (the Article's JSON key, or "language") to
	// the rule that produced it; fields left empty have no entry.
	Rules map[string]Rule
}

// Extract reads one HTML page (UTF-8) fetched from pageURL. The article id
// is "<source>:u<hash>" of the canonical URL (the page URL when there is
// none), so the same page reached through two URLs is one article.
func Extract(pageURL *url.URL, body []byte, opts Options) (*Result, error) {
	if pageURL == nil || !pageURL.IsAbs() {
		return nil, fmt.Errorf("generic: extract: page URL %v is not absolute", pageURL)
	}
	if opts.Source == "" {
		return nil, fmt.Errorf("generic: extract %s: Options.Source is empty", pageURL)
	}
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("generic: extract %s: parse html: %w", pageURL, err)
	}
	doc := goquery.NewDocumentFromNode(root)
	m := readMeta(doc, pageURL)
	if why := listingReason(doc, m); why != "" {
		return nil, fmt.Errorf("generic: extract %s: %w: %s", pageURL, ErrNotArticle, why)
	}

	tr, terr := mainText(root, pageURL)
	minChars := opts.MinTextChars
	if minChars == 0 {
		minChars = DefaultMinTextChars
	}
	text := ""
	if terr == nil {
		text = renderText(tr.ContentNode)
	}
	if n := utf8.RuneCountInString(text); n < minChars {
		why := fmt.Sprintf("main text has %d characters, fewer than %d", n, minChars)
		if terr != nil {
			why = "no main text (" + terr.Error() + ")"
		}
		return nil, fmt.Errorf("generic: extract %s: %w: %s", pageURL, ErrNotArticle, why)
	}

	res := &Result{Rules: map[string]Rule{}}
	a := &article.Article{Source: opts.Source, Body: text}
	res.Rules["body"] = RuleText
	canon := m.canonical.value
	if canon == "" {
		canon = stripFragment(pageURL).String()
		res.Rules["url"] = "page URL"
	} else {
		res.Rules["url"] = m.canonical.rule
	}
	a.URL = canon
	a.ID = ArticleID(opts.Source, canon)
	res.Rules["id"] = RuleURLHash + " (" + res.Rules["url"] + ")"

	set := func(field string, dst *string, f found) {
		if f.value != "" {
			*dst = f.value
			res.Rules[field] = f.rule
		}
	}
	set("title", &a.Title, m.title)
	set("author", &a.Author, m.author)
	set("summary", &a.Summary, m.summary)
	set("category", &a.Category, m.section)
	if len(m.tags.values) > 0 {
		a.Tags = m.tags.values
		res.Rules["tags"] = m.tags.rule
	}
	if !m.published.t.IsZero() {
		a.Published, res.Rules["published"] = m.published.t, m.published.rule
	}
	if !m.updated.t.IsZero() {
		a.Updated, res.Rules["updated"] = m.updated.t, m.updated.rule
	}
	res.Language, res.Rules["language"] = m.language.value, m.language.rule

	if terr == nil {
		md := tr.Metadata
		if a.Title == "" && strings.TrimSpace(md.Title) != "" {
			a.Title, res.Rules["title"] = collapse(md.Title), RuleTextTitle
		}
		if a.Published.IsZero() && !md.Date.IsZero() {
			a.Published, res.Rules["published"] = md.Date.UTC(), RuleTextDate
		}
		if res.Language == "" && md.Language != "" {
			res.Language, res.Rules["language"] = md.Language, RuleTextLang
		}
	}
	if a.Title == "" {
		set("title", &a.Title, m.htmlTitle)
	}
	if res.Language == "" {
		delete(res.Rules, "language")
	}
	if a.Title == "" {
		return nil, fmt.Errorf("generic: extract %s: %w: no title in JSON-LD, meta, <h1> or <title>", pageURL, ErrNotArticle)
	}
	a.Body = dropTitleLine(a.Body, a.Title)
	if !opts.FetchedAt.IsZero() {
		a.FetchedAt = opts.FetchedAt.UTC()
	}
	res.Article = a
	return res, nil
}

// dropTitleLine removes a first line that repeats the title: the body is
// the text under it, as with IPS records.
func dropTitleLine(body, title string) string {
	first, rest, ok := strings.Cut(body, "\n")
	if ok && strings.EqualFold(first, title) {
		return rest
	}
	return body
}

// ArticleID is "<source>:u" and the first 16 hex digits of the SHA-256 of
// the article URL: stable across crawls, and distinct from the IPS record
// ids ("<source>:r<n>").
func ArticleID(source, articleURL string) string {
	sum := sha256.Sum256([]byte(articleURL))
	return source + ":u" + hex.EncodeToString(sum[:8])
}

func stripFragment(u *url.URL) *url.URL {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	return &c
}

func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// mainText runs go-trafilatura (which clones the tree before cleaning it,
// so the caller's document stays usable). Its fallback extractors
// (readability, DOM distiller) cost precision on news pages, so they are
// asked only when its own pass fell back to the whole-page baseline, which
// comes out as one block without paragraph breaks (GOV.UK's grid markup
// does that).
func mainText(root *html.Node, pageURL *url.URL) (*trafilatura.ExtractResult, error) {
	opts := trafilatura.Options{
		OriginalURL:     pageURL,
		ExcludeComments: true,
		HtmlDateMode:    trafilatura.Fast,
	}
	tr, err := trafilatura.ExtractDocument(root, opts)
	if err == nil && strings.Contains(renderText(tr.ContentNode), "\n") {
		return tr, nil
	}
	opts.EnableFallback = true
	if fb, ferr := trafilatura.ExtractDocument(root, opts); ferr == nil {
		return fb, nil
	}
	return tr, err
}
