package crawler

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
)

// extractArticle reads the record fields of a record page. recURL is the
// record's page-1 URL (already resolved by findRecord).
func extractArticle(doc *goquery.Document, base *url.URL, recURL string, ld jsonLD, tax *Taxonomy) (*article.Article, error) {
	main := mainArea(doc)
	header := main.Find(".ipsPageHeader").First()
	record := recordContainer(main)

	category := breadcrumbCategory(doc, base, ld)
	title := cleanLabel(recordTitle(doc, header, ld, category))
	if title == "" {
		return nil, fmt.Errorf("%w: %w", ErrNotArticle, errNoTitle)
	}
	a := &article.Article{
		URL:      recURL,
		Title:    title,
		Category: cleanLabel(category),
	}
	byline := recordByline(main, header)
	a.Author = cleanLabel(recordAuthor(main, byline, ld))
	a.Published, _ = parseMachineDate(ld.published)
	a.Updated, _ = parseMachineDate(ld.modified)
	if a.Published.IsZero() {
		// IPS renders <time datetime='RFC3339'>; the visible text may be
		// "2 hours ago" and is never used.
		byline.Find("time[datetime]").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			v, _ := s.Attr("datetime")
			t, ok := parseMachineDate(v)
			a.Published = t
			return !ok
		})
	}

	a.Tags = recordTags(main, header)
	c := tax.Classify(a.Tags)
	a.Regions, a.Audiences, a.Topics = c.Regions, c.Audiences, c.Topics
	if len(c.ContentTypes) > 0 {
		a.ContentType = c.ContentTypes[0]
	}

	summary, body := recordSections(record)
	if summary != nil {
		a.Summary = plainText(summary, textOptions{})
	}
	if body != nil {
		a.Body = plainText(body, textOptions{})
	}
	if a.Body == "" {
		// IPS truncates JSON-LD articleBody; still better than nothing.
		a.Body = tidyLines(ld.articleBody)
	}
	if !ld.article && goquery.NodeName(record) != "article" && len(a.Tags) == 0 && a.Summary == "" && isListing(main) {
		// A category listing served at a record-like URL: its header and
		// description are not an article.
		return nil, errListing
	}
	hasHeader := oneLine(header.Find("h1.ipsType_pageTitle").First()) != ""
	if a.Body == "" && a.Summary == "" && len(a.Tags) == 0 && !hasHeader && !ld.article {
		// Only a <title> or og:title: a login wall or error page served at
		// a record URL, not an article.
		return nil, fmt.Errorf("%w: no record header, JSON-LD Article, tags or content", ErrNotArticle)
	}
	a.Reactions = reactionCount(outsideComments(record.Find(".ipsItemControls")).First())
	if a.Reactions == 0 && goquery.NodeName(record) == "article" {
		// A theme that moves the reaction widget out of the item controls:
		// the record's <article> holds no comments, so any count in it is
		// the record's.
		a.Reactions = reactionCount(record)
	}
	a.Attachments = recordAttachments(record, base)
	if body != nil {
		a.Attachments = append(a.Attachments, linkedDocuments(body, base, a.Attachments)...)
	}
	return a, nil
}

// errListing is returned by extractArticle for a listing page.
var errListing = errors.New("listing page")

// commentScope matches the containers of comments and forum posts.
const commentScope = "#comments, [data-role=commentFeed], .ipsComment, article.cPost"

// outsideComments keeps the elements of sel that are not in a comment: a
// record without an <article> must not take a comment's reaction count.
func outsideComments(sel *goquery.Selection) *goquery.Selection {
	return sel.FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Closest(commentScope).Length() == 0
	})
}

// isListing reports a page listing records (IPS table rows) outside
// comments and the sidebar.
func isListing(main *goquery.Selection) bool {
	return outsideComments(main.Find(`[data-role="tableRows"], li.cCmsRecord_row, li.ipsDataItem`)).
		FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Closest("#ipsLayout_sidebar").Length() == 0 }).
		Length() > 0
}

// recordByline is where the record's "By <member>" and date are: the
// header's .ipsPageHeader__meta (IPS 4.5+), else the first .ipsPhotoPanel
// in or beside the header (IPS 4.2–4.4), outside comments.
func recordByline(main, header *goquery.Selection) *goquery.Selection {
	if m := header.Find(".ipsPageHeader__meta").First(); m.Length() > 0 {
		return m
	}
	return outsideComments(main.Find(".ipsPhotoPanel")).First()
}

// mainArea is #ipsLayout_mainArea, or the body when the theme has none.
func mainArea(doc *goquery.Document) *goquery.Selection {
	if m := doc.Find("#ipsLayout_mainArea").First(); m.Length() > 0 {
		return m
	}
	return doc.Find("body").First()
}

// recordContainer is the <article> holding the record content (not a
// comment), or the main area when the template has no such element.
func recordContainer(main *goquery.Selection) *goquery.Selection {
	var found *goquery.Selection
	main.Find("article").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if s.HasClass("ipsComment") || s.Closest("#comments, [data-role=commentFeed], .ipsComment").Length() > 0 {
			return true
		}
		if s.Find(".ipsType_richText, .cCmsRecord_field").Length() > 0 {
			found = s
			return false
		}
		return true
	})
	if found != nil {
		return found
	}
	return main
}

// recordTitle: h1.ipsType_pageTitle in the record header, then og:title,
// JSON-LD headline, then <title> without " - Page N - {category} - {board}".
func recordTitle(doc *goquery.Document, header *goquery.Selection, ld jsonLD, category string) string {
	if t := oneLine(header.Find("h1.ipsType_pageTitle").First()); t != "" {
		return t
	}
	if t := oneLine(mainArea(doc).Find("h1.ipsType_pageTitle").First()); t != "" {
		return t
	}
	if t := collapse(attrOf(doc, `meta[property="og:title"]`, "content")); t != "" {
		return t
	}
	if t := collapse(ld.headline); t != "" {
		return t
	}
	t := collapse(doc.Find("head title").First().Text())
	board := collapse(attrOf(doc, `meta[property="og:site_name"]`, "content"))
	if board == "" {
		board = collapse(ld.siteName)
	}
	if board != "" {
		t = strings.TrimSuffix(t, " - "+board)
	}
	if category != "" {
		t = strings.TrimSuffix(t, " - "+category)
	}
	t = titlePagePattern.ReplaceAllString(t, "")
	return strings.TrimSpace(t)
}

var titlePagePattern = regexp.MustCompile(` - Page [0-9]+$`)

func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// recordAuthor is the displayed author. pslhub shows the publishing
// organisation or person from a Pages custom field, which differs from the
// submitting member (often the staff account "Patient_Safety_Learning").
// Our fixtures render that field as
//
//	<div class='cCmsRecord_author'><span class='cCmsRecord_fieldLabel ipsHide'>Author: </span>
//	     <span class='cCmsRecord_fieldValue'>Patient Safety Learning</span></div>
//
// under the title (the real markup is unverified, see ips-markup.md §8/§10).
// Fallbacks: the byline member (see recordByline), JSON-LD author.name.
func recordAuthor(main, byline *goquery.Selection, ld jsonLD) string {
	field := main.Find(".cCmsRecord_author").First()
	if v := oneLine(field.Find(".cCmsRecord_fieldValue").First()); v != "" {
		return v
	}
	if field.Length() > 0 {
		v := oneLine(field)
		for _, p := range []string{"Author:", "By "} {
			v = strings.TrimSpace(strings.TrimPrefix(v, p))
		}
		if v != "" {
			return v
		}
	}
	var name string
	byline.Find(`a[href*="/profile/"]`).EachWithBreak(func(_ int, s *goquery.Selection) bool {
		name = oneLine(s)
		return name == ""
	})
	if name != "" {
		return name
	}
	return collapse(ld.author)
}

// recordTags: ul.ipsTags a.ipsTag in the record header (data-tag-label,
// else text), page order, without duplicates; when the header has none,
// the first tag list of the main area outside comments and listings.
func recordTags(main, header *goquery.Selection) []string {
	links := header.Find("ul.ipsTags a.ipsTag")
	if links.Length() == 0 {
		main.Find("ul.ipsTags").EachWithBreak(func(_ int, ul *goquery.Selection) bool {
			if ul.Closest("#comments, .ipsDataItem, #ipsLayout_sidebar").Length() > 0 {
				return true
			}
			links = ul.Find("a.ipsTag")
			return links.Length() == 0
		})
	}
	var tags []string
	seen := map[string]bool{}
	links.Each(func(_ int, s *goquery.Selection) {
		label, ok := s.Attr("data-tag-label")
		label = cleanLabel(label)
		if !ok || label == "" {
			label = cleanLabel(oneLine(s))
		}
		k := tagKey(label)
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		tags = append(tags, label)
	})
	return tags
}

// breadcrumbCategory is the last linked breadcrumb item before the record
// (the record's own item is unlinked on IPS, or links to the record), or
// the penultimate JSON-LD BreadcrumbList name.
func breadcrumbCategory(doc *goquery.Document, base *url.URL, ld jsonLD) string {
	var names []string
	doc.Find(`ul[data-role="breadcrumbList"]`).First().Find("li").Each(func(_ int, li *goquery.Selection) {
		a := li.Find("a[href]").First()
		if a.Length() == 0 {
			return
		}
		href, _ := a.Attr("href")
		if u := resolveHTTP(base, href); u != nil {
			if _, isRecord := RecordID(u); isRecord {
				return
			}
		}
		if n := oneLine(a); n != "" {
			names = append(names, n)
		}
	})
	if len(names) > 1 {
		return names[len(names)-1]
	}
	if n := len(ld.breadcrumbs); n >= 3 {
		return ld.breadcrumbs[n-2]
	}
	return ""
}

// recordSections finds the summary and body of a record. pslhub shows two
// custom fields, "Summary" and "Content"; our fixtures render them as
//
//	<div class='cCmsRecord_field cCmsRecord_summary'><h2>Summary</h2><section class="ipsType_richText">…</section></div>
//	<div class='cCmsRecord_field cCmsRecord_content'><h2>Content</h2><section class="ipsType_richText">…</section></div>
//
// Fallbacks: a section introduced by a "Summary"/"Content" heading, then
// the first section.ipsType_richText of the record as the body (the IPS
// default record template).
func recordSections(record *goquery.Selection) (summary, body *goquery.Selection) {
	pick := func(sel string) *goquery.Selection {
		s := record.Find(sel).First()
		if s.Length() == 0 {
			return nil
		}
		return s
	}
	summary = pick(".cCmsRecord_summary .ipsType_richText, [data-role=recordSummary]")
	body = pick(".cCmsRecord_content .ipsType_richText, [data-role=recordContent]")
	if summary == nil {
		summary = sectionAfterHeading(record, "summary")
	}
	if body == nil {
		body = sectionAfterHeading(record, "content")
	}
	if body == nil {
		record.Find("section.ipsType_richText, div.ipsType_richText").EachWithBreak(func(_ int, s *goquery.Selection) bool {
			if summary != nil && (s.IsSelection(summary) || s.Closest(".cCmsRecord_summary").Length() > 0) {
				return true
			}
			if s.Closest("#comments, .ipsComment, [data-role=commentFeed]").Length() > 0 {
				return true
			}
			body = s
			return false
		})
	}
	return summary, body
}

// sectionAfterHeading finds a heading whose whole text is name (case
// insensitive) and returns the next rich-text sibling after it.
func sectionAfterHeading(record *goquery.Selection, name string) *goquery.Selection {
	var out *goquery.Selection
	record.Find("h2, h3, h4, strong").EachWithBreak(func(_ int, h *goquery.Selection) bool {
		if !strings.EqualFold(strings.TrimSuffix(oneLine(h), ":"), name) {
			return true
		}
		next := h.NextAllFiltered(".ipsType_richText, section, div").First()
		if next.Length() > 0 {
			out = next
			return false
		}
		return true
	})
	return out
}

var reactionsSoFar = regexp.MustCompile(`(?i)([0-9][0-9,]*)\s+reactions?\s+so\s+far`)

// reactionCount reads a reaction total inside sel: the "count" display
// (span[data-role=reactCountText]), pslhub's "N reactions so far" text,
// or the sum of the individual reaction counts.
func reactionCount(sel *goquery.Selection) int {
	if sel.Length() == 0 {
		return 0
	}
	if t := sel.Find(`[data-role="reactCountText"]`).First(); t.Length() > 0 {
		if n, ok := parseCount(t.Text()); ok {
			return n
		}
	}
	if m := reactionsSoFar.FindStringSubmatch(sel.Text()); m != nil {
		if n, ok := parseCount(m[1]); ok {
			return n
		}
	}
	total := 0
	sel.Find(".ipsReact_reactCount").Each(func(_ int, li *goquery.Selection) {
		if n, ok := parseCount(li.Find("span").Last().Text()); ok {
			total += n
		}
	})
	return total
}

func parseCount(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// recordAttachments: a.ipsAttachLink and Pages upload-field links
// (/applications/cms/interface/file/file.php) and core attachment links in
// the record (not in comments); name from the link text, else the image
// alt, else the file name in the URL. Deduplicated by URL, page order.
func recordAttachments(record *goquery.Selection, base *url.URL) []article.Attachment {
	var out []article.Attachment
	seen := map[string]bool{}
	record.Find(`a.ipsAttachLink[href], a[href*="/applications/cms/interface/file/file.php"], a[href*="/applications/core/interface/file/attachment.php"]`).Each(func(_ int, s *goquery.Selection) {
		if s.Closest("#comments, .ipsComment").Length() > 0 {
			return
		}
		href, _ := s.Attr("href")
		u := resolveHTTP(base, href)
		if u == nil {
			return
		}
		k := u.String()
		if seen[k] {
			return
		}
		seen[k] = true
		name := oneLine(s)
		if name == "" {
			name, _ = s.Find("img[alt]").First().Attr("alt")
			name = collapse(name)
		}
		if name == "" {
			name = u.Query().Get("file")
		}
		if name == "" {
			name = path.Base(u.Path)
		}
		out = append(out, article.Attachment{Name: name, URL: k})
	})
	return out
}

// linkedDocuments: links from the record's body to PDF documents on the
// same host (the path ends in .pdf, or the link says type=application/pdf)
// that are not attachments, as Linked attachments named by the link text,
// else the file name. Deduplicated by URL, page order.
func linkedDocuments(body *goquery.Selection, base *url.URL, attached []article.Attachment) []article.Attachment {
	var out []article.Attachment
	seen := map[string]bool{}
	for _, at := range attached {
		seen[at.URL] = true
	}
	body.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u := resolveHTTP(base, href)
		if u == nil || !sameHost(u, base) {
			return
		}
		typ, _ := s.Attr("type")
		if !strings.HasSuffix(strings.ToLower(u.Path), ".pdf") && !strings.EqualFold(strings.TrimSpace(typ), "application/pdf") {
			return
		}
		k := u.String()
		if seen[k] {
			return
		}
		seen[k] = true
		name := oneLine(s)
		if name == "" {
			name = path.Base(u.Path)
		}
		out = append(out, article.Attachment{Name: name, URL: k, Linked: true})
	})
	return out
}
