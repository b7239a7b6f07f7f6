package searchapi

// The HTML pages: the search page (/), the article page (/articles/{id}),
// the index status page (/status) and their embedded static assets
// (/static/…). Errors on these routes are friendly HTML pages, never a
// problem+json body or a stack trace.

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/gin-gonic/gin"

	"github.com/safetysearch/safetysearch/indexer"
)

// relatedArticles is how many related articles the article page lists.
const relatedArticles = 5

// pages holds what the HTML routes need besides the Server.
type pages struct {
	tmpl        *pageTemplates
	static      map[string]staticDoc
	exportLimit int // MaxExport; tests lower it
}

// newPages parses the embedded templates and reads the static assets.
func newPages() (*pages, error) {
	st, err := loadStatic()
	if err != nil {
		return nil, err
	}
	t, err := parsePageTemplates(st)
	if err != nil {
		return nil, err
	}
	return &pages{tmpl: t, static: st, exportLimit: MaxExport}, nil
}

// pageMeta is what the layout of every page prints.
type pageMeta struct {
	Title     string
	Q         string        // the search box's text
	Hidden    []hiddenField // parameters the search form resubmits
	FeedURL   string        // <link rel="alternate"> to the Atom feed
	FeedTitle string
}

// searchPage is the data of the search page.
type searchPage struct {
	pageMeta
	Result   *indexer.Result
	Hits     []hitView
	Start    int // number of the first hit in the list
	Facets   []facetView
	Active   []chip
	ClearURL string
	From, To string
	// HasAttachment: the search keeps only articles with an attachment.
	HasAttachment bool
	Sorts         []link
	Pager         pager
	DidYouMean    *link
	Relief        []link // for a search that found nothing: the search without one filter
	Years         *yearsView
	Exports       []link
	Error         *queryProblem
}

// queryProblem is a client error shown on the search page.
type queryProblem struct {
	Heading, Message string
	Marked           bool // Before/At/After show where a syntax error is
	Before, At       string
	After            string
}

// articlePage is the data of the article page.
type articlePage struct {
	pageMeta
	A         article.Article
	AuthorURL string
	TypeURL   string
	// Publisher links to the search filtered by the article's publisher;
	// AlsoPublished to the copies folded into it.
	Publisher     chip
	AlsoPublished []chip
	Chips         []chip
	Paragraphs    []string
	Comments      []commentView
	Related       []hitView
}

// commentView is one comment on the article page.
type commentView struct {
	ID         string
	Author     string
	Published  time.Time
	EditedBy   string
	Link       string // the comment on the hub
	Paragraphs []string
}

// statusPage is the data of the status page.
type statusPage struct {
	pageMeta
	S      AdminStatus
	Counts []count
	// FailedURLs is the crawl's "errors" count (URLs that failed) and
	// FailedKinds its "errors_<kind>" breakdown; they are shown with the
	// run's errors, so the page never says "errors 1" and "Errors: None".
	FailedURLs  int
	FailedKinds []count
	History     *historyView // nil: no run recorded
	Health      *healthView  // nil: not measured yet
}

type count struct {
	Name string
	N    int
}

// errorPage is the data of a friendly error page.
type errorPage struct {
	pageMeta
	Heading, Message string
	RequestID        string
}

// contentSecurityPolicy allows only this origin's own stylesheet and
// script: even if some text escaped escaping, no inline script could run.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// renderPage writes a page with status. Pages are rendered into a buffer
// first, so a template failure becomes a plain 500 rather than half a page.
func (s *Server) renderPage(c *gin.Context, status int, name string, data any) {
	body, err := s.pages.tmpl.render(name, data)
	if err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page failed",
			"request_id", requestIDOf(c), "page", name, "err", err)
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8",
			[]byte("The page could not be shown. Please try again later.\n"))
		c.Abort()
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if status >= http.StatusBadRequest {
		h.Set("Cache-Control", "no-store")
		h.Del("ETag")
	}
	c.Data(status, "text/html; charset=utf-8", body)
}

// renderError shows the friendly page for err: 404 for an unknown article,
// 503 while no index is loaded or the search timed out, 500 otherwise
// (logged, details never shown).
func (s *Server) renderError(c *gin.Context, err error) {
	p := problemFor(err)
	page := errorPage{pageMeta: pageMeta{Title: p.Title}, Heading: p.Title, Message: p.Detail}
	switch {
	case p.Code == codeCanceled:
		c.AbortWithStatus(p.Status)
		return
	case errors.Is(err, indexer.ErrNotFound):
		page.Title, page.Heading = "Article not found", "Article not found"
		page.Message = "There is no article at this address. It may have been removed from the hub, or the link may be mistyped."
	case errors.Is(err, errNoRoute):
		page.Title, page.Heading = "Page not found", "Page not found"
		page.Message = "There is no page at this address; the link may be mistyped or out of date. " +
			"Search the hub's articles from the search page, or see what the index holds on the status page."
	case p.Code == codeIndexUnavailable:
		page.Title, page.Heading = "Search is starting up", "Search is starting up"
		page.Message = "The search index is being built for the first time. This usually takes a few minutes; please try again shortly."
		c.Header("Retry-After", "60")
	case p.Code == codeSearchTimeout:
		page.Title, page.Heading = "Search took too long", "Search took too long"
		page.Message = "The search did not finish in time. Try fewer words or add a filter, then search again."
	case p.Status >= http.StatusInternalServerError:
		page.Title, page.Heading = "Something went wrong", "Something went wrong"
		page.Message = "The page could not be shown because of a problem on our side."
		page.RequestID = requestIDOf(c)
		s.log.ErrorContext(c.Request.Context(), "page failed",
			"request_id", page.RequestID, "route", routeLabel(c), "err", err)
	}
	s.renderPage(c, p.Status, "error", page)
	c.Abort()
}

// handleSearchPage serves GET /: the search form, results, facets and
// every note about the query.
func (s *Server) handleSearchPage(c *gin.Context) {
	raw, err := parseRawQuery(c.Request.URL.RawQuery, s.cfg.MaxQueryValues)
	if err != nil {
		raw = url.Values{}
		s.renderSearchProblem(c, raw, err)
		return
	}
	params := pageParams(raw)
	q, err := parseSearchParams(params)
	if err != nil {
		s.renderSearchProblem(c, params, err)
		return
	}
	q.Highlight = true
	if q.Facets == nil {
		q.Facets = pageFacets()
	}
	res, _, err := s.search(c, q)
	if err != nil {
		var pe *indexer.ParamError
		var qe *indexer.QueryError
		if errors.As(err, &pe) || errors.As(err, &qe) {
			s.renderSearchProblem(c, params, err)
			return
		}
		s.renderError(c, err)
		return
	}
	page := s.buildSearchPage(params, q, res)
	s.setGenerationETag(c, res.Generation)
	s.renderPage(c, http.StatusOK, "search", page)
}

// buildSearchPage turns a result into the page's data.
func (s *Server) buildSearchPage(params url.Values, q indexer.Query, res *indexer.Result) searchPage {
	page := searchPage{
		pageMeta:      s.searchMeta(params),
		Result:        res,
		Facets:        buildFacets(params, res),
		Active:        activeFilters(params),
		ClearURL:      clearAllURL(params),
		From:          params.Get("from"),
		To:            params.Get("to"),
		HasAttachment: q.HasAttachment,
		Sorts:         sortLinks(params, q.Text != ""),
		Pager:         buildPager(params, res.Total, res.Page, res.PerPage),
		Exports:       exportLinks(params),
	}
	page.Years = buildYears(params, res)
	if nr := res.NoResults; nr != nil {
		if nr.DidYouMean != "" {
			page.DidYouMean = &link{Label: nr.DidYouMean, URL: pageURL("/", withValues(params, func(v url.Values) { v.Set("q", nr.DidYouMean) }))}
		}
		page.Relief = reliefLinks(params, nr.Filters)
	}
	page.Hidden = hiddenFields(params, page.Facets)
	per := res.PerPage
	if per <= 0 {
		per = q.PerPage
	}
	pg := max(res.Page, 1)
	page.Start = (pg-1)*per + 1
	for _, h := range res.Hits {
		page.Hits = append(page.Hits, buildHit(h, s.cfg.HiddenTags))
	}
	return page
}

// searchMeta is the layout data of a search: title, box, feed link.
func (s *Server) searchMeta(params url.Values) pageMeta {
	title := "Search"
	if len(params) > 0 && describeSearch(params) != "All articles" {
		title = describeSearch(params)
	}
	return pageMeta{
		Title:     title,
		Q:         params.Get("q"),
		FeedURL:   pageURL("/api/v1/search.atom", feedParams(params)),
		FeedTitle: "safetysearch: " + describeSearch(feedParams(params)),
	}
}

// renderSearchProblem shows the search page with a message about the
// client's mistake: a syntax error with its position, or a bad parameter.
// The status is 400 and the page still works as a search form.
func (s *Server) renderSearchProblem(c *gin.Context, params url.Values, err error) {
	page := searchPage{pageMeta: s.searchMeta(params)}
	page.Hidden = hiddenFields(params, nil)
	page.Active = activeFilters(params)
	page.ClearURL = clearAllURL(params)
	page.From, page.To = params.Get("from"), params.Get("to")
	page.HasAttachment, _ = parseBool(params, "has_attachment", false)
	var qe *indexer.QueryError
	var pe *indexer.ParamError
	switch {
	case errors.As(err, &qe):
		page.Error = queryPosition(strings.TrimSpace(params.Get("q")), qe)
	case errors.As(err, &pe):
		msg := strings.TrimPrefix(pe.Msg, "invalid parameter ")
		label := pe.Param
		if label == "q" {
			label = "search text"
		} else if label != "" {
			label = strings.ToLower(filterLabel(label))
		}
		switch {
		case pe.Param == "page":
			page.Error = &queryProblem{Heading: "This page of results is out of reach",
				Message: "Only the first " + strconv.Itoa(indexer.MaxResultWindow) + " results of a search can be paged through. " +
					"Add a word or a filter to narrow the search, or sort by date to reach other articles."}
		case label == "":
			page.Error = &queryProblem{Heading: "This address is not a valid search", Message: msg}
		default:
			page.Error = &queryProblem{Heading: "There is a problem with the " + label, Message: "The " + label + " " + msg + "."}
		}
	default:
		s.renderError(c, err)
		return
	}
	page.Title = "Search problem"
	s.renderPage(c, http.StatusBadRequest, "search", page)
}

// queryPosition explains a syntax error and marks where it is in the text.
func queryPosition(text string, qe *indexer.QueryError) *queryProblem {
	p := &queryProblem{
		Heading: "Your search could not be understood",
		Message: "There is a problem at character " + strconv.Itoa(utf8.RuneCountInString(safePrefix(text, qe.Pos))+1) + ": " + qe.Msg + ".",
	}
	if qe.Limit != "" {
		// Valid syntax over one of the limits of a query (README, query syntax).
		p.Heading = "Your search asks for too much at once"
	}
	if qe.Pos < 0 || qe.Pos > len(text) {
		return p
	}
	pos := qe.Pos
	for pos > 0 && pos < len(text) && !utf8.RuneStart(text[pos]) {
		pos--
	}
	p.Marked = true
	p.Before = text[:pos]
	if pos < len(text) {
		_, n := utf8.DecodeRuneInString(text[pos:])
		p.At, p.After = text[pos:pos+n], text[pos+n:]
	} else {
		p.At = " "
	}
	return p
}

func safePrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n >= len(s) {
		return s
	}
	return s[:n]
}

// handleArticlePage serves GET /articles/:id.
func (s *Server) handleArticlePage(c *gin.Context) {
	id := c.Param("id")
	if !validArticleID(id) {
		s.renderError(c, indexer.ErrNotFound)
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.SearchTimeout)
	defer cancel()
	art, gen, err := s.searcher.Article(ctx, id)
	if err != nil {
		s.renderError(c, withContextErr(ctx, err))
		return
	}
	page := articlePage{
		pageMeta:   pageMeta{Title: art.Title},
		A:          art,
		Chips:      tagChips(s.cfg.HiddenTags, art.Regions, art.Audiences, art.Topics, art.Tags),
		Paragraphs: paragraphs(art.Body),
	}
	if art.Author != "" {
		page.AuthorURL = pageURL("/", url.Values{indexer.FacetAuthor: {art.Author}})
	}
	page.Publisher, page.AlsoPublished = publisherChips(art.PublisherName(), art.AlsoPublished)
	if art.ContentType != "" {
		page.TypeURL = pageURL("/", url.Values{indexer.FacetType: {art.ContentType}})
	}
	for _, cm := range art.Comments {
		page.Comments = append(page.Comments, commentView{
			ID: cm.ID, Author: cm.Author, Published: cm.Published, EditedBy: cm.EditedBy,
			Link: commentLink(art.URL, cm.ID), Paragraphs: paragraphs(cm.Body),
		})
	}
	related, err := s.searcher.Related(ctx, id, relatedArticles)
	if err != nil {
		s.log.WarnContext(ctx, "related articles failed", "request_id", requestIDOf(c), "article_id", id, "err", err)
	}
	for _, h := range related {
		if h.ID == id {
			continue
		}
		page.Related = append(page.Related, hitView{
			ID: h.ID, URL: articlePath(h.ID), Title: template.HTML(template.HTMLEscapeString(h.Title)), Date: h.Published,
		})
	}
	s.setGenerationETag(c, gen)
	s.renderPage(c, http.StatusOK, "article", page)
}

// commentLink is the comment's anchor on the hub (IPS: #findComment-<id>).
func commentLink(articleURL, commentID string) string {
	if articleURL == "" || commentID == "" {
		return ""
	}
	u, err := url.Parse(articleURL)
	if err != nil {
		return ""
	}
	u.Fragment = "findComment-" + commentID
	return u.String()
}

// paragraphs splits plain text on blank lines (or single line breaks) into
// trimmed, non-empty paragraphs.
func paragraphs(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(text, "\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// handleStatusPage serves GET /status: the index, the crawl schedule and
// the run history.
func (s *Server) handleStatusPage(c *gin.Context) {
	st := s.status()
	page := statusPage{pageMeta: pageMeta{Title: "Index status"}, S: st, History: buildHistory(st.History), Health: buildHealth(st.ExtractionHealth)}
	if st.Last != nil {
		for name, n := range st.Last.Counts {
			switch kind, isKind := strings.CutPrefix(name, "errors_"); {
			case name == "errors":
				page.FailedURLs = n
			case isKind:
				page.FailedKinds = append(page.FailedKinds, count{Name: strings.ReplaceAll(kind, "_", " "), N: n})
			default:
				page.Counts = append(page.Counts, count{Name: strings.ReplaceAll(name, "_", " "), N: n})
			}
		}
		byName := func(a, b count) int { return strings.Compare(a.Name, b.Name) }
		slices.SortFunc(page.Counts, byName)
		slices.SortFunc(page.FailedKinds, byName)
	}
	c.Header("Cache-Control", "no-store")
	s.renderPage(c, http.StatusOK, "status", page)
}

// handleStatic serves GET /static/*filepath from the embedded assets.
func (s *Server) handleStatic(c *gin.Context) {
	doc, ok := s.pages.static[c.Param("filepath")]
	if !ok {
		s.fail(c, errNoRoute)
		return
	}
	// The pages link assets with ?v=<content hash>: such a URL never
	// changes content, so it may be cached for a year.
	if c.Query("v") == assetVersion(doc) {
		doc.serve(c, "public, max-age=31536000, immutable")
		return
	}
	doc.serve(c, "public, max-age=300")
}
