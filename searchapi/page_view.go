package searchapi

// View models of the HTML search page: pure functions from the request's
// URL parameters and the indexer's Result to what the templates print.
// Every link is built from the current parameters, so every state of the
// page is a shareable URL.

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// articlePath is the path of an article's HTML page.
func articlePath(id string) string { return "/articles/" + url.PathEscape(id) }

// link is a labelled URL.
type link struct {
	Label   string
	URL     string
	Current bool
}

// chip is a label with a link: a tag on a hit, or an active filter whose
// link removes it.
type chip struct {
	Kind  string // facet label, e.g. "Region"
	Label string
	URL   string
}

// facetParams are the filter parameters the facet panel shows, in order,
// with their labels. Their names are also the indexer's facet names.
var facetParams = []struct{ Name, Label string }{
	{indexer.FacetRegion, "Region"},
	{indexer.FacetAudience, "Audience"},
	{indexer.FacetTopic, "Topic"},
	{indexer.FacetType, "Content type"},
	{indexer.FacetPublisher, "Publisher"},
	{indexer.FacetYear, "Year"},
}

// pageFacets are the facets the search page asks for: the panel's.
func pageFacets() []string {
	out := make([]string, len(facetParams))
	for i, f := range facetParams {
		out[i] = f.Name
	}
	return out
}

// filterLabel names a filter parameter for people (chips, messages).
func filterLabel(param string) string {
	for _, f := range facetParams {
		if f.Name == param {
			return f.Label
		}
	}
	switch param {
	case indexer.FacetTag:
		return "Tag"
	case indexer.FacetAuthor:
		return "Author"
	case "from":
		return "From"
	case "to":
		return "To"
	case indexer.FilterHasAttachment:
		return "With an attachment"
	}
	return param
}

// filterParamOrder is the order of active filter chips.
var filterParamOrder = []string{
	indexer.FacetRegion, indexer.FacetAudience, indexer.FacetTopic, indexer.FacetType,
	indexer.FacetPublisher, indexer.FacetYear, indexer.FacetTag, indexer.FacetAuthor, "from", "to", indexer.FilterHasAttachment,
}

// collapseAfter is how many values of a facet show before "show more".
const collapseAfter = 8

// pageURL builds "/?…" from parameters, dropping empty values.
func pageURL(path string, v url.Values) string {
	clean := url.Values{}
	for k, vs := range v {
		for _, s := range vs {
			if s != "" {
				clean.Add(k, s)
			}
		}
	}
	if len(clean) == 0 {
		return path
	}
	return path + "?" + clean.Encode()
}

// cloneValues copies v deeply.
func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// withValues returns a copy of v changed by fn, with "page" removed unless
// fn sets it: changing a filter or the sort starts again at page 1.
func withValues(v url.Values, fn func(url.Values)) url.Values {
	c := cloneValues(v)
	c.Del("page")
	fn(c)
	return c
}

// removeValue drops one value of a parameter (case-insensitively).
func removeValue(v url.Values, param, value string) {
	var keep []string
	for _, s := range v[param] {
		if !strings.EqualFold(s, value) {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		v.Del(param)
		return
	}
	v[param] = keep
}

func hasValue(v url.Values, param, value string) bool {
	for _, s := range v[param] {
		if strings.EqualFold(s, value) {
			return true
		}
	}
	return false
}

// facetValueView is one checkbox of the facet panel.
type facetValueView struct {
	Param    string
	Value    string
	Count    uint64
	Selected bool
	ID       string // element id, unique in the page
	URL      string // the page with this value toggled (for no-form use)
}

// facetView is one facet group of the panel.
type facetView struct {
	Name     string
	Label    string
	Shown    []facetValueView
	More     []facetValueView // behind "show more"
	MoreOpen bool             // a value behind "show more" is selected
	Filter   bool             // offer the filter-as-you-type box
	Selected int
}

func buildFacets(params url.Values, res *indexer.Result) []facetView {
	var out []facetView
	for _, fp := range facetParams {
		vals := res.Facets[fp.Name]
		if fp.Name == indexer.FacetYear {
			// Years read best in time order, newest first.
			vals = slices.Clone(vals)
			slices.SortStableFunc(vals, func(a, b indexer.FacetValue) int { return strings.Compare(b.Value, a.Value) })
		}
		fv := facetView{Name: fp.Name, Label: fp.Label}
		var all []facetValueView
		for i, v := range vals {
			sel := v.Selected || hasValue(params, fp.Name, v.Value)
			if sel {
				fv.Selected++
			}
			value := v.Value
			toggled := withValues(params, func(c url.Values) {
				if sel {
					removeValue(c, fp.Name, value)
				} else {
					c.Add(fp.Name, value)
				}
			})
			all = append(all, facetValueView{
				Param: fp.Name, Value: v.Value, Count: v.Count, Selected: sel,
				ID:  fmt.Sprintf("f-%s-%d", fp.Name, i),
				URL: pageURL("/", toggled),
			})
		}
		// One publisher is no choice: a single-source index shows no
		// publisher facet unless a filter on it is active.
		if len(all) == 0 || fp.Name == indexer.FacetPublisher && len(all) < 2 && fv.Selected == 0 {
			continue
		}
		if len(all) > collapseAfter {
			fv.Shown, fv.More = all[:collapseAfter], all[collapseAfter:]
			fv.Filter = true
			fv.MoreOpen = slices.ContainsFunc(fv.More, func(v facetValueView) bool { return v.Selected })
		} else {
			fv.Shown = all
		}
		out = append(out, fv)
	}
	return out
}

// activeFilters are chips for every filter value in the URL, each linking
// to the page without it.
func activeFilters(params url.Values) []chip {
	var out []chip
	for _, p := range filterParamOrder {
		for _, val := range params[p] {
			if val == "" {
				continue
			}
			out = append(out, chip{
				Kind:  filterLabel(p),
				Label: val,
				URL:   pageURL("/", withValues(params, func(c url.Values) { removeValue(c, p, val) })),
			})
		}
	}
	return out
}

// clearAllURL keeps the text and the sort and drops every filter.
func clearAllURL(params url.Values) string {
	v := url.Values{}
	for _, k := range []string{"q", "sort", "per_page"} {
		if s := params.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return pageURL("/", v)
}

// hiddenField is a parameter the form carries without a visible control.
type hiddenField struct{ Name, Value string }

// hiddenFields are the parameters the search form must resubmit that have
// no visible input: tag, author, per_page, sort, and selected facet values
// the panel does not list.
func hiddenFields(params url.Values, facets []facetView) []hiddenField {
	shown := map[string]bool{}
	for _, f := range facets {
		for _, v := range append(slices.Clone(f.Shown), f.More...) {
			shown[f.Name+"\x00"+strings.ToLower(v.Value)] = true
		}
	}
	var out []hiddenField
	for _, k := range []string{indexer.FacetTag, indexer.FacetAuthor, "per_page", "sort"} {
		for _, v := range params[k] {
			if v != "" {
				out = append(out, hiddenField{k, v})
			}
		}
	}
	for _, fp := range facetParams {
		for _, v := range params[fp.Name] {
			if v != "" && !shown[fp.Name+"\x00"+strings.ToLower(v)] {
				out = append(out, hiddenField{fp.Name, v})
			}
		}
	}
	return out
}

// sortLinks offers the three orders; the current one is marked.
func sortLinks(params url.Values, hasText bool) []link {
	cur := params.Get("sort")
	if cur == "" {
		cur = string(indexer.SortNewest)
		if hasText {
			cur = string(indexer.SortRelevance)
		}
	}
	var out []link
	for _, s := range []struct{ v, label string }{
		{string(indexer.SortRelevance), "Relevance"},
		{string(indexer.SortNewest), "Newest"},
		{string(indexer.SortOldest), "Oldest"},
	} {
		out = append(out, link{
			Label:   s.label,
			URL:     pageURL("/", withValues(params, func(c url.Values) { c.Set("sort", s.v) })),
			Current: s.v == cur,
		})
	}
	return out
}

// pager is the pagination of the result list.
type pager struct {
	Prev, Next string
	Pages      []pageLink
	Page, Last int
}

// pageLink is one numbered page; Gap marks an ellipsis.
type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

func buildPager(params url.Values, total uint64, page, perPage int) pager {
	if perPage <= 0 {
		perPage = indexer.DefaultPerPage
	}
	if page <= 0 {
		page = 1
	}
	last := int((total + uint64(perPage) - 1) / uint64(perPage))
	if maxPage := indexer.MaxResultWindow / perPage; last > maxPage {
		last = maxPage
	}
	p := pager{Page: page, Last: last}
	if last <= 1 {
		return p
	}
	at := func(n int) string {
		return pageURL("/", withValues(params, func(c url.Values) {
			if n > 1 {
				c.Set("page", strconv.Itoa(n))
			}
		}))
	}
	if page > 1 {
		p.Prev = at(min(page-1, last))
	}
	if page < last {
		p.Next = at(page + 1)
	}
	prevGap := false
	for n := 1; n <= last; n++ {
		if n == 1 || n == last || (n >= page-2 && n <= page+2) {
			p.Pages = append(p.Pages, pageLink{N: n, URL: at(n), Current: n == page})
			prevGap = false
		} else if !prevGap {
			p.Pages = append(p.Pages, pageLink{Gap: true})
			prevGap = true
		}
	}
	return p
}

// hitView is one result in the list.
type hitView struct {
	ID              string
	URL             string // article page
	Original        string // on the hub
	Title           template.HTML
	Date            time.Time
	Author          string
	AuthorURL       string
	Publisher       chip // Label and URL (the publisher filter)
	AlsoPublished   []chip
	Type            string
	TypeURL         string
	Chips           []chip
	Body            []template.HTML
	Comments        []template.HTML
	MatchedComments int
	CommentCount    int
	Documents       []documentView
}

// documentView is an attached document a hit matched inside.
type documentView struct {
	Sentence string // "matched in ‘report.pdf’, pages 12, 37"
	Link     string // the document at its best page
	Snippet  template.HTML
}

func buildHit(h indexer.Hit, hidden []string) hitView {
	title := template.HTML(template.HTMLEscapeString(h.Title))
	if len(h.Highlights.Title) > 0 && fragmentText(h.Highlights.Title[0]) != "" {
		title = safeFragment(h.Highlights.Title[0])
	}
	hv := hitView{
		ID: h.ID, URL: articlePath(h.ID), Original: h.URL, Title: title,
		Date: h.Published, Author: h.Author, Type: h.Type,
		Chips:           tagChips(hidden, h.Regions, h.Audiences, h.Topics, h.Tags),
		Body:            safeFragments(h.Highlights.Body),
		Comments:        safeFragments(h.Highlights.Comments),
		MatchedComments: h.MatchedComments,
		CommentCount:    h.CommentCount,
	}
	for _, d := range h.Documents {
		dv := documentView{Sentence: d.Sentence(), Link: d.Link}
		if f := safeFragments([]string{d.Highlight}); len(f) > 0 {
			dv.Snippet = f[0]
		}
		hv.Documents = append(hv.Documents, dv)
	}
	hv.Publisher, hv.AlsoPublished = publisherChips(h.Publisher, h.AlsoPublished)
	if h.Author != "" {
		hv.AuthorURL = pageURL("/", url.Values{indexer.FacetAuthor: {h.Author}})
	}
	if h.Type != "" {
		hv.TypeURL = pageURL("/", url.Values{indexer.FacetType: {h.Type}})
	}
	return hv
}

// tagChips links every tag to the search filtered by it: region, audience
// and topic tags to their facet, any other tag to the raw tag filter. Tags
// in hidden (the source's internal ones) get no chip.
func tagChips(hidden, regions, audiences, topics, tags []string) []chip {
	var out []chip
	seen := map[string]bool{}
	for _, h := range hidden {
		seen[strings.ToLower(strings.TrimSpace(h))] = true
	}
	add := func(param string, vals []string) {
		for _, v := range vals {
			k := strings.ToLower(strings.TrimSpace(v))
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, chip{
				Kind:  filterLabel(param),
				Label: v,
				URL:   pageURL("/", url.Values{param: {v}}),
			})
		}
	}
	add(indexer.FacetRegion, regions)
	add(indexer.FacetAudience, audiences)
	add(indexer.FacetTopic, topics)
	add(indexer.FacetTag, tags)
	return out
}

// searchParamNames are the parameters of GET /api/v1/search that the page,
// the feed and the export share.
var searchParamNames = []string{
	"q", indexer.FacetRegion, indexer.FacetAudience, indexer.FacetTopic, indexer.FacetType,
	indexer.FacetTag, indexer.FacetAuthor, indexer.FacetPublisher, indexer.FacetYear, "from", "to", indexer.FilterHasAttachment, "sort", "page", "per_page",
}

// pageParams keeps only the non-empty search parameters of a request, so
// stray parameters never leak into the page's links and empty form fields
// never reach the parser.
func pageParams(v url.Values) url.Values {
	out := url.Values{}
	for _, k := range searchParamNames {
		for _, s := range v[k] {
			if strings.TrimSpace(s) != "" {
				out.Add(k, s)
			}
		}
	}
	return out
}

// feedParams are the parameters of a saved search: no paging, no sort
// (feeds are newest first).
func feedParams(v url.Values) url.Values {
	out := pageParams(v)
	out.Del("page")
	out.Del("per_page")
	out.Del("sort")
	return out
}

// exportLinks offers every export format for the current search.
func exportLinks(params url.Values) []link {
	base := pageParams(params)
	base.Del("page")
	base.Del("per_page")
	var out []link
	for _, f := range exportFormats() {
		v := cloneValues(base)
		v.Set("format", f.Name)
		if f.Name == "csv" {
			v.Set("bom", "1") // the page's users open CSV in a spreadsheet
		}
		out = append(out, link{Label: f.Label, URL: pageURL("/api/v1/export", v)})
	}
	return out
}

// describeSearch is a short human description of a search, for titles.
func describeSearch(params url.Values) string {
	var parts []string
	if q := strings.TrimSpace(params.Get("q")); q != "" {
		parts = append(parts, "“"+q+"”")
	}
	for _, p := range filterParamOrder {
		if vs := params[p]; len(vs) > 0 {
			parts = append(parts, filterLabel(p)+": "+strings.Join(vs, " or "))
		}
	}
	if len(parts) == 0 {
		return "All articles"
	}
	return strings.Join(parts, "; ")
}

// reliefLinks are the links of a search that found nothing to the same
// search without one of its filters, each with the number it would find.
func reliefLinks(params url.Values, filters []indexer.FilterRelief) []link {
	out := make([]link, 0, len(filters))
	for _, f := range filters {
		without := withValues(params, func(v url.Values) {
			if f.Filter == "date" {
				v.Del("from")
				v.Del("to")
				return
			}
			v.Del(f.Filter)
		})
		var label string
		switch f.Filter {
		case "date":
			label = "Published " + strings.Join(f.Values, " to ")
		case indexer.FilterHasAttachment:
			label = "With an attachment"
		default:
			label = filterLabel(f.Filter) + ": " + strings.Join(f.Values, " or ")
		}
		out = append(out, link{Label: fmt.Sprintf("without %s (%d %s)", label, f.Count, pluralize(f.Count, "result", "results")), URL: pageURL("/", without)})
	}
	return out
}

func pluralize(n uint64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// publisherChips are a result's publisher, linked to the search filtered
// by it, and the publishers of its folded duplicates, each linked to the
// copy on its publisher's site ("Also published by …").
func publisherChips(publisher string, also []article.Duplicate) (chip, []chip) {
	var pub chip
	if publisher != "" {
		pub = chip{Kind: filterLabel(indexer.FacetPublisher), Label: publisher, URL: pageURL("/", url.Values{indexer.FacetPublisher: {publisher}})}
	}
	out := make([]chip, 0, len(also))
	for _, d := range also {
		out = append(out, chip{Kind: d.Title, Label: d.Publisher, URL: d.URL})
	}
	return pub, out
}
