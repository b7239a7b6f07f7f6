package crawler

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
)

// jsonLD holds what Extract uses from a page's JSON-LD objects.
type jsonLD struct {
	article     bool // an Article (or subtype) object was found
	url         string
	headline    string
	articleBody string
	author      string
	published   string
	modified    string
	siteName    string
	breadcrumbs []string // BreadcrumbList names in position order
	// comments are the comment[] of a DiscussionForumPosting (forum
	// topics), used when the page's markup has none.
	comments []article.Comment
}

// articleTypes are the schema.org types treated as an article.
var articleTypes = map[string]bool{
	"Article": true, "NewsArticle": true, "BlogPosting": true, "Report": true,
	"ScholarlyArticle": true, "TechArticle": true, "MedicalScholarlyArticle": true,
	"DiscussionForumPosting": true, "SocialMediaPosting": true,
}

// parseJSONLD reads every script[type=application/ld+json] of the page.
// Objects that do not parse are ignored: JSON-LD is a fallback source.
func parseJSONLD(doc *goquery.Document) jsonLD {
	var ld jsonLD
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if err := json.Unmarshal([]byte(strings.TrimSpace(s.Text())), &v); err != nil {
			return
		}
		walkJSONLD(v, &ld, 0)
	})
	return ld
}

func walkJSONLD(v any, ld *jsonLD, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkJSONLD(e, ld, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkJSONLD(g, ld, depth+1)
		}
		types := ldTypes(x["@type"])
		switch {
		case anyOf(types, articleTypes):
			if ld.article {
				return // first article object wins
			}
			ld.article = true
			ld.url = ldString(x["url"])
			if ld.url == "" {
				ld.url = ldString(x["mainEntityOfPage"])
			}
			ld.headline = ldString(x["headline"])
			if ld.headline == "" {
				ld.headline = ldString(x["name"])
			}
			if b, ok := x["articleBody"].(string); ok {
				ld.articleBody = b
			} else if b, ok := x["text"].(string); ok {
				ld.articleBody = b // DiscussionForumPosting
			}
			ld.comments = ldComments(x["comment"])
			ld.author = ldName(x["author"])
			ld.published = ldString(x["datePublished"])
			if ld.published == "" {
				ld.published = ldString(x["dateCreated"])
			}
			ld.modified = ldString(x["dateModified"])
		case contains(types, "WebSite"):
			if ld.siteName == "" {
				ld.siteName = ldString(x["name"])
			}
		case contains(types, "BreadcrumbList"):
			if ld.breadcrumbs == nil {
				ld.breadcrumbs = ldBreadcrumbs(x["itemListElement"])
			}
		}
	}
}

// ldComments reads schema.org Comment objects: id from the comment URL
// (IPS "?do=findComment&comment=N" or "#comment-N") or @id, author name,
// dateCreated / datePublished, text.
func ldComments(v any) []article.Comment {
	list, ok := v.([]any)
	if !ok {
		if m, isMap := v.(map[string]any); isMap {
			list = []any{m}
		}
	}
	var out []article.Comment
	seen := map[string]bool{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || !contains(ldTypes(m["@type"]), "Comment") {
			continue
		}
		id := ""
		for _, k := range []string{"url", "@id"} {
			if m := ldCommentID.FindStringSubmatch(ldString(m[k])); m != nil {
				id = m[1]
				break
			}
		}
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		c := article.Comment{ID: id, Author: cleanLabel(ldName(m["author"])), Body: tidyLines(ldString(m["text"]))}
		for _, k := range []string{"dateCreated", "datePublished"} {
			if t, ok := parseMachineDate(ldString(m[k])); ok {
				c.Published = t
				break
			}
		}
		out = append(out, c)
	}
	return out
}

var ldCommentID = regexp.MustCompile(`(?:[?&]comment=|#comment-|#findComment-)([0-9]+)`)

func ldTypes(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func anyOf(types []string, set map[string]bool) bool {
	for _, t := range types {
		if set[t] {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ldString returns a string value, or the @id / url of an object value.
func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		if s := ldString(x["@id"]); s != "" {
			return s
		}
		return ldString(x["url"])
	case []any:
		for _, e := range x {
			if s := ldString(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// ldName returns the name of a Person/Organization value (or list).
func ldName(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			return strings.TrimSpace(s)
		}
	case []any:
		for _, e := range x {
			if s := ldName(e); s != "" {
				return s
			}
		}
	}
	return ""
}

func ldBreadcrumbs(v any) []string {
	items, ok := v.([]any)
	if !ok {
		return nil
	}
	type crumb struct {
		pos  float64
		name string
	}
	var cs []crumb
	for i, e := range items {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		if item, ok := m["item"].(map[string]any); ok && name == "" {
			name, _ = item["name"].(string)
		}
		pos, ok := m["position"].(float64)
		if !ok {
			pos = float64(i + 1)
		}
		cs = append(cs, crumb{pos, strings.TrimSpace(name)})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].pos < cs[j].pos })
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.name)
	}
	return out
}

// dateLayouts are the machine date forms seen on IPS pages: RFC 3339 from
// <time datetime> ("…Z"), IPS DateTime::ISO8601 ("+0000", no colon) and
// a few lenient variants.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseMachineDate parses a machine-readable date and returns it in UTC.
// A date without a zone is taken as UTC. Dates before 1990 or after 2200
// (placeholders such as 0000-00-00) are rejected.
func parseMachineDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			t = t.UTC()
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}
