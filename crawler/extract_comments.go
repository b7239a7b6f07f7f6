package crawler

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/PuerkitoBio/goquery"
)

// extractComments reads the comments of this comment page in page order:
// article.ipsComment or forum-style article.cPost [id^=elComment_], skipping the featured
// ("Recommended") copies, deduplicated by comment id.
func extractComments(doc *goquery.Document) []article.Comment {
	var out []article.Comment
	seen := map[string]bool{}
	doc.Find(`article.ipsComment[id^="elComment_"], article.cPost[id^="elComment_"]`).Each(func(_ int, s *goquery.Selection) {
		if s.HasClass("ipsComment_recommended") || s.Closest(".ipsRecommendedComments, [data-role=recommendedComments]").Length() > 0 {
			return
		}
		c := article.Comment{ID: commentID(s)}
		if c.ID == "" || seen[c.ID] {
			return
		}
		seen[c.ID] = true
		// Forum-style posts put the author in the side pane.
		c.Author = cleanLabel(oneLine(s.Find("h3.ipsComment_author, aside.cAuthorPane h3.cAuthorPane_author").First()))
		if c.Author == "" {
			c.Author = cleanLabel(quoteDataUser(s))
		}
		s.Find(".ipsComment_meta time[datetime]").EachWithBreak(func(_ int, t *goquery.Selection) bool {
			v, _ := t.Attr("datetime")
			var ok bool
			c.Published, ok = parseMachineDate(v)
			return !ok
		})
		content := s.Find(`[data-role="commentContent"]`).First()
		c.Body = plainText(content, textOptions{dropQuotes: true})
		content.Find("[data-excludequote]").EachWithBreak(func(_ int, e *goquery.Selection) bool {
			if m := editedBy.FindStringSubmatch(oneLine(e)); m != nil {
				c.EditedBy = cleanLabel(m[1])
				return false
			}
			return true
		})
		c.Reactions = reactionCount(s.Find(".ipsItemControls").First())
		out = append(out, c)
	})
	return out
}

// editedBy matches IPS's edit line, lang "Edited %s by %s".
var editedBy = regexp.MustCompile(`(?i)\bEdited\b.*?\bby\s+(.+?)\s*$`)

var digitsOnly = regexp.MustCompile(`^[0-9]+$`)

// commentID is data-commentid of the comment wrapper, else the digits of
// the element id "elComment_NNN".
func commentID(s *goquery.Selection) string {
	if v, ok := s.Find("[data-commentid]").First().Attr("data-commentid"); ok && digitsOnly.MatchString(strings.TrimSpace(v)) {
		return strings.TrimSpace(v)
	}
	if v, ok := s.Attr("data-commentid"); ok && digitsOnly.MatchString(strings.TrimSpace(v)) {
		return strings.TrimSpace(v)
	}
	id, _ := s.Attr("id")
	id = strings.TrimPrefix(id, "elComment_")
	if digitsOnly.MatchString(id) {
		return id
	}
	return ""
}

// quoteDataUser is the username in data-quoteData, a fallback author.
func quoteDataUser(s *goquery.Selection) string {
	v, ok := s.Find("[data-quotedata]").First().Attr("data-quotedata")
	if !ok {
		return ""
	}
	var q struct {
		Username string `json:"username"`
	}
	if json.Unmarshal([]byte(v), &q) != nil {
		return ""
	}
	return collapse(q.Username)
}

// commentPages returns the absolute URLs of the record's other comment
// pages. With data-pages=N on the comment pagination (IPS shows only a
// window of page links when there are many), every page 1..N is generated
// from the record URL: page 1 is the record URL, page N is
// "{record URL}page/N/". Otherwise the page links found are used. The
// current page is left out.
func commentPages(doc *goquery.Document, base, pageURL *url.URL, recURL string) []string {
	pag := doc.Find("#comments ul.ipsPagination, [data-commentsType] ul.ipsPagination").First()
	if pag.Length() == 0 {
		return nil
	}
	current := currentPage(pag, pageURL)
	var out []string
	seen := map[string]bool{}
	add := func(n int, u string) {
		if n == current || seen[u] {
			return
		}
		seen[u] = true
		out = append(out, u)
	}
	if v, ok := pag.Attr("data-pages"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 1 && n <= maxCommentPages {
			for i := 1; i <= n; i++ {
				add(i, commentPageURL(recURL, i))
			}
			return out
		}
	}
	pag.Find("li a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		u := resolveHTTP(base, href)
		if u == nil {
			return
		}
		n := 1
		if m := pageSuffix.FindStringSubmatch(u.Path); m != nil {
			n, _ = strconv.Atoi(m[1])
		}
		u.RawQuery = ""
		add(n, u.String())
	})
	return out
}

// maxCommentPages bounds the pages generated from data-pages (25 comments
// a page: 25,000 comments); a larger value is treated as absent.
const maxCommentPages = 1000

var pageSuffix = regexp.MustCompile(`/page/([0-9]+)/?$`)

// currentPage is the active page of the pagination, else the page number
// in the page URL, else 1.
func currentPage(pag *goquery.Selection, pageURL *url.URL) int {
	if v, ok := pag.Find("li.ipsPagination_active a").First().Attr("data-page"); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
			return n
		}
	}
	if m := pageSuffix.FindStringSubmatch(pageURL.Path); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return 1
}

func commentPageURL(recURL string, n int) string {
	if n <= 1 {
		return recURL
	}
	return recURL + "page/" + strconv.Itoa(n) + "/"
}
