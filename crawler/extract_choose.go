package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"

	"github.com/safetysearch/safetysearch/crawler/generic"
	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
)

// Extractors named in Extraction.Extractor.
const (
	ExtractorIPS     = "ips"
	ExtractorGeneric = "generic"
)

// ErrIPSNotRecord is returned by ExtractArticle for an IPS page that is not
// a record: a listing, a tag page, a profile.
var ErrIPSNotRecord = errors.New("an Invision Community page that is not a record (listing, tag page or profile)")

// Extraction is the article of one page, the extractor that produced it
// and, per field (the Article's JSON keys, plus "language"), the rule.
type Extraction struct {
	Extractor string
	Article   *article.Article
	Language  string
	Rules     map[string]string
}

// ExtractArticle extracts the article of one saved or fetched page as the
// crawl would: the IPS record extractor for an IPS record page (generic
// extractors take a comment's date or a commenter's name there), the
// generic extractor for any other page. It is pure. A page that is not an
// article is an error for which IsNotArticle is true.
func ExtractArticle(pageURL *url.URL, body []byte, opts ExtractOptions) (*Extraction, error) {
	pg, err := Extract(pageURL, body, opts)
	if err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("crawler: extract %s: parse html: %w", pageURL, err)
	}
	if pg.Article != nil {
		return &Extraction{
			Extractor: ExtractorIPS,
			Article:   pg.Article,
			Language:  attrOf(doc, "html", "lang"),
			Rules:     explainIPS(doc, pg.Article),
		}, nil
	}
	if isIPSPage(doc) {
		return nil, fmt.Errorf("crawler: extract %s: %w", pageURL, ErrIPSNotRecord)
	}
	res, err := generic.Extract(pageURL, body, generic.Options{Source: opts.Source, FetchedAt: opts.FetchedAt})
	if err != nil {
		return nil, err
	}
	// The id hashes the canonical URL in its normal form, so that the
	// same page reached as http://, with tracking parameters or with
	// another case in its host is one article.
	if n, err := NormalizeURL(res.Article.URL, nil); err == nil {
		res.Article.URL = n.String()
		res.Article.ID = generic.ArticleID(opts.Source, res.Article.URL)
	}
	return &Extraction{Extractor: ExtractorGeneric, Article: res.Article, Language: res.Language, Rules: res.Rules}, nil
}

// IsNotArticle reports whether err says the page holds no article (as
// opposed to a page that could not be read).
func IsNotArticle(err error) bool {
	return errors.Is(err, ErrNotArticle) || errors.Is(err, ErrIPSNotRecord) || errors.Is(err, generic.ErrNotArticle)
}

// isIPSPage recognises Invision Community markup (its layout ids and body
// attributes), present on every IPS 4.x page whatever the theme.
func isIPSPage(doc *goquery.Document) bool {
	return doc.Find(`#ipsLayout_body, #ipsLayout_mainArea, body[data-pageapp], html[data-ips-app], .ipsApp`).Length() > 0
}

// explainIPS names the rule behind each field the IPS extractor filled, by
// matching the value against the candidates extractArticle tries in order.
func explainIPS(doc *goquery.Document, a *article.Article) map[string]string {
	ld := parseJSONLD(doc)
	main := mainArea(doc)
	r := map[string]string{"id": "IPS record id from the record URL", "url": "IPS record URL (rel=canonical, og:url, JSON-LD url or page URL)"}
	switch a.Title {
	case "":
	case oneLine(main.Find("h1.ipsType_pageTitle").First()):
		r["title"] = "selector h1.ipsType_pageTitle"
	case collapse(attrOf(doc, `meta[property="og:title"]`, "content")):
		r["title"] = "meta og:title"
	case collapse(ld.headline):
		r["title"] = "json-ld Article.headline"
	default:
		r["title"] = "<title> without page number, category and site name"
	}
	switch {
	case a.Author == "":
	case main.Find(".cCmsRecord_author").Length() > 0:
		r["author"] = "selector .cCmsRecord_author .cCmsRecord_fieldValue"
	case a.Author == collapse(ld.author) && main.Find(`.ipsPageHeader__meta a[href*="/profile/"]`).Length() == 0:
		r["author"] = "json-ld Article.author"
	default:
		r["author"] = `selector .ipsPageHeader__meta a[href*="/profile/"]`
	}
	if !a.Published.IsZero() {
		if t, ok := parseMachineDate(ld.published); ok && t.Equal(a.Published) {
			r["published"] = "json-ld Article.datePublished"
		} else {
			r["published"] = "selector .ipsPageHeader__meta time[datetime]"
		}
	}
	if !a.Updated.IsZero() {
		r["updated"] = "json-ld Article.dateModified"
	}
	if a.Category != "" {
		r["category"] = "breadcrumb (JSON-LD BreadcrumbList or nav)"
	}
	if len(a.Tags) > 0 {
		r["tags"] = "selector ul.ipsTags a.ipsTag (data-tag-label)"
		for _, k := range []string{"regions", "audiences", "topics", "content_type"} {
			r[k] = "taxonomy of the tags"
		}
	}
	if a.Summary != "" {
		r["summary"] = "selector record summary field"
	}
	if a.Body != "" {
		if ld.articleBody != "" && a.Body == tidyLines(ld.articleBody) {
			r["body"] = "json-ld Article.articleBody (truncated by IPS)"
		} else {
			r["body"] = "selector record content (.ipsType_richText / .cCmsRecord_field)"
		}
	}
	if len(a.Attachments) > 0 {
		r["attachments"] = "selector record attachment links"
	}
	if len(a.Comments) > 0 {
		r["comments"] = "selector article.ipsComment (this comment page)"
	}
	if a.Reactions > 0 {
		r["reactions"] = "selector record reaction count"
	}
	if l := attrOf(doc, "html", "lang"); l != "" {
		r["language"] = "<html lang>"
	}
	return r
}
