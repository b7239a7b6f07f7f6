package generic

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// found is one field's value and the rule that found it.
type found struct {
	value string
	rule  Rule
}

type foundTime struct {
	t    time.Time
	rule Rule
}

type foundList struct {
	values []string
	rule   Rule
}

// meta is what the page declares about itself.
type meta struct {
	canonical, title, author, summary, section, language, htmlTitle found
	published, updated                                              foundTime
	tags                                                            foundList
	ld                                                              ldArticle
	listing                                                         string // JSON-LD listing type, if any
}

// readMeta applies, per field, the first rule that yields a value:
// JSON-LD, then citation_* (Highwire, used by journals and report
// repositories), Dublin Core, OpenGraph / article:*, plain meta, then
// markup conventions (rel=author, rel=tag, <time>).
func readMeta(doc *goquery.Document, pageURL *url.URL) meta {
	var m meta
	m.ld, m.listing = parseLD(doc)
	ld := m.ld
	ldRule := func(prop string) Rule { return "json-ld " + ld.typ + "." + prop }

	m.canonical = first(
		found{resolve(pageURL, attr(doc, `link[rel~="canonical"]`, "href")), "link rel=canonical"},
		found{resolve(pageURL, metaContent(doc, "og:url")), "meta og:url"},
		found{resolve(pageURL, ld.url), ldRule("url")},
	)
	m.title = first(
		found{ld.headline, ldRule("headline")},
		found{metaContent(doc, "citation_title"), "meta citation_title"},
		found{metaContent(doc, "DC.title", "dcterms.title", "dc.title"), "meta Dublin Core title"},
		found{metaContent(doc, "og:title"), "meta og:title"},
	)
	m.htmlTitle = first(
		found{text(doc.Find("main h1, article h1").First()), "selector main h1 / article h1"},
		found{text(doc.Find("h1").First()), "selector h1"},
		found{text(doc.Find("head title").First()), "<title>"},
	)
	m.author = first(
		found{ld.author, ldRule("author")},
		found{metaAll(doc, "citation_author"), "meta citation_author"},
		found{metaAll(doc, "DC.creator", "dcterms.creator", "dc.creator"), "meta Dublin Core creator"},
		found{notURL(metaContent(doc, "author")), "meta author"},
		found{notURL(metaContent(doc, "article:author")), "meta article:author"},
		found{text(doc.Find(`[rel~="author"]`).First()), "selector [rel=author]"},
		found{metaContent(doc, "govuk:primary-publishing-organisation"), "meta govuk:primary-publishing-organisation"},
	)
	m.summary = first(
		found{ld.description, ldRule("description")},
		found{metaContent(doc, "citation_abstract"), "meta citation_abstract"},
		found{metaContent(doc, "DC.description", "dcterms.description", "dcterms.abstract"), "meta Dublin Core description"},
		found{metaContent(doc, "og:description"), "meta og:description"},
		found{metaContent(doc, "description"), "meta description"},
	)
	m.section = first(
		found{ld.section, ldRule("articleSection")},
		found{metaContent(doc, "article:section"), "meta article:section"},
		found{text(doc.Find(`a[rel~="category"]`).First()), "selector a[rel~=category]"},
	)
	m.language = first(
		found{attr(doc, "html", "lang"), "<html lang>"},
		found{attr(doc, `meta[http-equiv="content-language" i]`, "content"), "meta http-equiv Content-Language"},
		found{metaContent(doc, "DC.language", "dcterms.language"), "meta Dublin Core language"},
		found{ld.language, ldRule("inLanguage")},
		found{strings.ReplaceAll(metaContent(doc, "og:locale"), "_", "-"), "meta og:locale"},
	)
	m.published = firstTime(
		found{ld.published, ldRule("datePublished")},
		found{metaContent(doc, "citation_publication_date", "citation_date", "citation_online_date"), "meta citation_publication_date"},
		found{metaContent(doc, "DC.date.issued", "dcterms.issued", "dcterms.created", "DC.date", "dcterms.date"), "meta Dublin Core date"},
		found{metaContent(doc, "article:published_time"), "meta article:published_time"},
		found{metaContent(doc, "govuk:first-published-at"), "meta govuk:first-published-at"},
		found{attr(doc, `time[itemprop="datePublished"], time.published, time.entry-date`, "datetime"), "selector time.published[datetime]"},
	)
	m.updated = firstTime(
		found{ld.modified, ldRule("dateModified")},
		found{metaContent(doc, "DC.date.modified", "dcterms.modified"), "meta Dublin Core modified"},
		found{metaContent(doc, "article:modified_time"), "meta article:modified_time"},
		found{metaContent(doc, "og:updated_time"), "meta og:updated_time"},
		found{metaContent(doc, "govuk:public-updated-at", "govuk:updated-at"), "meta govuk:public-updated-at"},
		found{attr(doc, `time[itemprop="dateModified"], time.updated`, "datetime"), "selector time.updated[datetime]"},
	)
	for _, c := range []foundList{
		{ld.keywords, ldRule("keywords")},
		{metaList(doc, "article:tag"), "meta article:tag"},
		{splitKeywords(metaContent(doc, "citation_keywords")), "meta citation_keywords"},
		{texts(doc.Find(`a[rel="tag"]`)), "selector a[rel=tag]"},
	} {
		if len(c.values) > 0 {
			m.tags = c
			break
		}
	}
	return m
}

// listingReason says why a page is a listing rather than an article, or "".
func listingReason(doc *goquery.Document, m meta) string {
	if m.ld.typ != "" {
		return ""
	}
	if m.listing != "" {
		return fmt.Sprintf("JSON-LD declares a %s and no article", m.listing)
	}
	if f := metaContent(doc, "govuk:format"); govukListings[f] {
		return fmt.Sprintf("GOV.UK format %q: a listing", f)
	}
	if metaContent(doc, "og:type") == "article" {
		return ""
	}
	for _, c := range strings.Fields(attr(doc, "body", "class")) {
		switch c {
		case "archive", "blog", "search", "search-results", "error404":
			return fmt.Sprintf("body class %q: a WordPress listing or error page", c)
		}
	}
	teasers := doc.Find("article").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.ParentsFiltered("article").Length() == 0 && s.Find("h2 a[href], h3 a[href]").Length() > 0
	}).Length()
	if teasers >= 3 {
		return fmt.Sprintf("%d <article> teasers with linked headings: a listing", teasers)
	}
	return ""
}

func first(cands ...found) found {
	for _, c := range cands {
		if v := collapse(c.value); v != "" {
			return found{v, c.rule}
		}
	}
	return found{}
}

func firstTime(cands ...found) foundTime {
	for _, c := range cands {
		if t, ok := parseDate(c.value); ok {
			return foundTime{t, c.rule}
		}
	}
	return foundTime{}
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"2006/01/02",
	"2006-01",
	"2006",
}

// parseDate reads a machine date (ISO 8601 and the citation_* forms) in
// UTC; a date without a zone is taken as UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// metaContent is the content of the first meta whose name or property is
// one of names (case-insensitive), in the order of names.
func metaContent(doc *goquery.Document, names ...string) string {
	for _, n := range names {
		if v := collapse(attr(doc, metaSelector(n), "content")); v != "" {
			return v
		}
	}
	return ""
}

func metaSelector(name string) string {
	return fmt.Sprintf(`meta[name=%q i], meta[property=%q i]`, name, name)
}

// metaList is every content of a repeated meta, in page order, deduplicated.
func metaList(doc *goquery.Document, name string) []string {
	var out []string
	doc.Find(metaSelector(name)).Each(func(_ int, s *goquery.Selection) {
		v, _ := s.Attr("content")
		out = appendUnique(out, collapse(v))
	})
	return out
}

// metaAll joins a repeated meta (citation_author once per author).
func metaAll(doc *goquery.Document, names ...string) string {
	for _, n := range names {
		if l := metaList(doc, n); len(l) > 0 {
			return strings.Join(l, ", ")
		}
	}
	return ""
}

func attr(doc *goquery.Document, selector, name string) string {
	v, _ := doc.Find(selector).First().Attr(name)
	return strings.TrimSpace(v)
}

func text(s *goquery.Selection) string { return collapse(s.Text()) }

func texts(s *goquery.Selection) []string {
	var out []string
	s.Each(func(_ int, e *goquery.Selection) { out = appendUnique(out, text(e)) })
	return out
}

func appendUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return list
		}
	}
	return append(list, v)
}

func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' }) {
		out = appendUnique(out, collapse(k))
	}
	return out
}

func notURL(s string) string {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return ""
	}
	return s
}

// resolve makes href absolute (fragment dropped); "" when unusable.
func resolve(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return stripFragment(u).String()
}

// ldArticle is the first JSON-LD object of an article type.
type ldArticle struct {
	typ                                    string // "" when there is none
	url, headline, author, description     string
	published, modified, section, language string
	keywords                               []string
}

// articleTypes are the schema.org types read as an article.
var articleTypes = map[string]bool{
	"Article": true, "NewsArticle": true, "BlogPosting": true, "Report": true, "ScholarlyArticle": true,
	"TechArticle": true, "MedicalScholarlyArticle": true, "AnalysisNewsArticle": true, "ReportageNewsArticle": true,
	"OpinionNewsArticle": true, "BackgroundNewsArticle": true, "LiveBlogPosting": true,
	"MedicalWebPage": true, "Guide": true,
}

// govukListings are the GOV.UK formats (meta govuk:format) that list
// documents rather than being one; GOV.UK marks them og:type article too.
var govukListings = map[string]bool{
	"document_collection": true, "finder": true, "organisation": true, "taxon": true,
	"topic": true, "mainstream_browse_page": true, "topical_event": true, "world_location": true,
}

var listingTypes = map[string]bool{
	"CollectionPage": true, "ItemList": true, "SearchResultsPage": true, "ProfilePage": true,
}

// parseLD reads every application/ld+json script; objects that do not
// parse are skipped (JSON-LD is one source among several).
func parseLD(doc *goquery.Document) (ldArticle, string) {
	var a ldArticle
	listing := ""
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(strings.TrimSpace(s.Text())), &v) != nil {
			return
		}
		walkLD(v, 0, func(o map[string]any, types []string) {
			for _, t := range types {
				if listingTypes[t] && listing == "" {
					listing = t
				}
				if articleTypes[t] && a.typ == "" {
					a = ldArticleOf(o, t)
				}
			}
		})
	})
	return a, listing
}

func walkLD(v any, depth int, visit func(map[string]any, []string)) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkLD(e, depth+1, visit)
		}
	case map[string]any:
		visit(x, ldStrings(x["@type"]))
		if g, ok := x["@graph"]; ok {
			walkLD(g, depth+1, visit)
		}
	}
}

func ldArticleOf(o map[string]any, typ string) ldArticle {
	a := ldArticle{
		typ:         typ,
		url:         ldString(o["url"]),
		headline:    ldString(o["headline"]),
		description: ldString(o["description"]),
		published:   ldString(o["datePublished"]),
		modified:    ldString(o["dateModified"]),
		section:     strings.Join(ldStrings(o["articleSection"]), ", "),
		language:    ldString(o["inLanguage"]),
	}
	if a.url == "" {
		a.url = ldString(o["mainEntityOfPage"])
	}
	if a.headline == "" {
		a.headline = ldString(o["name"])
	}
	if a.published == "" {
		a.published = ldString(o["dateCreated"])
	}
	var names []string
	for _, au := range ldList(o["author"]) {
		names = appendUnique(names, collapse(ldString(au)))
	}
	a.author = strings.Join(names, ", ")
	for _, k := range ldStrings(o["keywords"]) {
		a.keywords = append(a.keywords, splitKeywords(k)...)
	}
	return a
}

func ldList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// ldString is a string value, or the name (then @id, url) of an object.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		for _, k := range []string{"name", "@id", "url", "@value"} {
			if s, ok := x[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

func ldStrings(v any) []string {
	var out []string
	for _, e := range ldList(v) {
		if s := ldString(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}
