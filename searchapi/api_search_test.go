package searchapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/safetysearch/safetysearch/indexer"
)

// searchEnv is a server over a real index of the sample hub.
func searchEnv(t *testing.T, cfg Config) (*apiEnv, []article.Article, *indexer.Index) {
	t.Helper()
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	return newAPI(t, cfg, ix, nil), arts, ix
}

// apiCount counts the sample articles matching pred.
func apiCount(arts []article.Article, pred func(article.Article) bool) uint64 {
	var n uint64
	for _, a := range arts {
		if pred(a) {
			n++
		}
	}
	return n
}

func apiFacetValue(t *testing.T, vals []indexer.FacetValue, value string) (indexer.FacetValue, bool) {
	t.Helper()
	for _, v := range vals {
		if strings.EqualFold(v.Value, value) {
			return v, true
		}
	}
	return indexer.FacetValue{}, false
}

func TestSearchBrowseEverythingNewestFirst(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var res indexer.Result
	e.get("/api/v1/search?per_page=100", http.StatusOK, &res)
	if res.Total != uint64(len(arts)) || len(res.Hits) != len(arts) {
		t.Fatalf("browse: total %d, %d hits; want %d", res.Total, len(res.Hits), len(arts))
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Published.After(res.Hits[i-1].Published) {
			t.Errorf("hit %d (%s) is newer than hit %d (%s)", i, res.Hits[i].Published, i-1, res.Hits[i-1].Published)
		}
	}
	for _, f := range indexer.DefaultFacets {
		if len(res.Facets[f]) == 0 {
			t.Errorf("default facet %s missing or empty: %v", f, res.Facets)
		}
	}
	if len(res.Facets) != len(indexer.DefaultFacets) {
		t.Errorf("facets %v, want exactly the defaults %v", apiKeys(res.Facets), indexer.DefaultFacets)
	}
	if res.Page != 1 || res.PerPage != 100 {
		t.Errorf("page %d per_page %d", res.Page, res.PerPage)
	}
}

func apiKeys[V any](m map[string]V) []string { return sortedKeys(m) }

func TestSearchListsAreNeverNull(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	for _, target := range []string{
		"/api/v1/search?q=zzzzqqqxxx",         // no hits
		"/api/v1/search?highlight=false",      // no highlights
		"/api/v1/search?facets=",              // no facets
		"/api/v1/search?q=falls&highlight=1",  // highlights
		"/api/v1/search?page=50&per_page=20",  // past the end
		"/api/v1/search?region=Nowhereland",   // selected value with no documents
		"/api/v1/search?q=sepsis&facets=tag",  // one facet
		"/api/v1/search?author=nobody+at+all", // filter matching nothing
	} {
		_, body := e.do(http.MethodGet, target, nil)
		if strings.Contains(string(body), "null") {
			t.Errorf("%s: body holds null:\n%s", target, body)
		}
	}
}

func TestSearchValidation(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	long := strings.Repeat("a", indexer.MaxTextLength+1)
	many := strings.Repeat("region=a&", DefaultMaxQueryValues) + "region=b"
	tooManyRegions := ""
	for i := range indexer.MaxFilterValues + 1 {
		tooManyRegions += fmt.Sprintf("&region=r%d", i)
	}
	cases := []struct {
		query string
		param string
	}{
		{"from=2024-13-01", "from"},
		{"from=yesterday", "from"},
		{"to=2024-02-30", "to"},
		{"to=24-01-01", "to"},
		{"from=2024-05-01&to=2024-04-01", "from"},
		{"per_page=0", "per_page"},
		{"per_page=1000", "per_page"},
		{"per_page=-5", "per_page"},
		{"per_page=ten", "per_page"},
		{"page=0", "page"},
		{"page=2&per_page=600", "per_page"},
		{"page=11&per_page=100", "page"},
		{"page=99999999999999999999", "page"},
		{"facets=region,colour", "facets"},
		{"facets=Region", "facets"},
		{"facet_size=0", "facet_size"},
		{"facet_size=101", "facet_size"},
		{"sort=best", "sort"},
		{"sort=Newest", "sort"},
		{"highlight=yes", "highlight"},
		{"year=twenty", "year"},
		{"year=99", "year"},
		{"regoin=UK", "regoin"},
		{"q=a&q=b", "q"},
		{"page=1&page=2", "page"},
		{"q=" + long, "q"},
		{"q=%ff%fe", "q"},
		{"region=%ff", "region"},
		{strings.TrimPrefix(tooManyRegions, "&"), "region"},
		{many, "region"},
		{"region=" + strings.Repeat("x", 201), "region"},
	}
	for _, tc := range cases {
		t.Run(tc.query[:min(len(tc.query), 40)], func(t *testing.T) {
			p := e.expectProblem(http.MethodGet, "/api/v1/search?"+tc.query, http.StatusBadRequest, codeInvalidParameter, tc.param)
			if p.Detail == "" || p.Instance != "/api/v1/search" {
				t.Errorf("problem without detail or instance: %+v", p)
			}
		})
	}
	// A malformed escape is refused rather than silently dropped.
	e.expectProblem(http.MethodGet, "/api/v1/search?q=%zz", http.StatusBadRequest, codeInvalidParameter, "")
	// Typos get a suggestion.
	p := e.expectProblem(http.MethodGet, "/api/v1/search?regoin=UK", http.StatusBadRequest, codeInvalidParameter, "regoin")
	if !strings.Contains(p.Detail, `"region"`) {
		t.Errorf("no suggestion in %q", p.Detail)
	}
}

func TestSearchAcceptsEveryParameter(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	q := url.Values{
		"q": {"safety"}, "region": {"UK", "England"}, "audience": {"Everyone"}, "topic": {"Learning from deaths"},
		"type": {"Blogs"}, "tag": {"New"}, "author": {"Patient Safety Learning"}, "from": {"2019-01-01"},
		"to": {"2026-12-31"}, "year": {"2024", "2026"}, "sort": {"oldest"}, "page": {"1"}, "per_page": {"5"},
		"facets": {"region,tag", "author"}, "facet_size": {"3"}, "highlight": {"0"}, "has_attachment": {"false"},
	}
	var res indexer.Result
	e.get("/api/v1/search?"+q.Encode(), http.StatusOK, &res)
	if res.PerPage != 5 || res.Query != "safety" {
		t.Errorf("per_page %d query %q", res.PerPage, res.Query)
	}
	if got := apiKeys(res.Facets); !slices.Equal(got, []string{"author", "region", "tag"}) {
		t.Errorf("facets %v, want author, region, tag", got)
	}
	for name, vals := range res.Facets {
		unselected := 0
		for _, v := range vals {
			if !v.Selected {
				unselected++
			}
		}
		if unselected > 3 {
			t.Errorf("facet %s has %d unselected values with facet_size=3", name, unselected)
		}
	}
	for _, sortName := range []string{"relevance", "newest", "oldest"} {
		e.get("/api/v1/search?q=safety&sort="+sortName, http.StatusOK, nil)
	}
	for _, hl := range []string{"true", "false", "1", "0", "TRUE"} {
		e.get("/api/v1/search?q=falls&highlight="+hl, http.StatusOK, nil)
	}
	// Empty filter values (an empty form field) are ignored.
	var all, withEmpty indexer.Result
	e.get("/api/v1/search", http.StatusOK, &all)
	e.get("/api/v1/search?region=&year=&from=&sort=", http.StatusOK, &withEmpty)
	if all.Total != withEmpty.Total {
		t.Errorf("empty values changed the total: %d vs %d", withEmpty.Total, all.Total)
	}
}

func TestSearchOldestAndDateRange(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var res indexer.Result
	e.get("/api/v1/search?sort=oldest&per_page=100&from=2022-01-01&to=2023-12-31", http.StatusOK, &res)
	want := apiCount(arts, func(a article.Article) bool {
		return a.Published.Year() >= 2022 && a.Published.Year() <= 2023
	})
	if res.Total != want || want == 0 {
		t.Fatalf("2022–2023: total %d, want %d", res.Total, want)
	}
	for i, h := range res.Hits {
		if y := h.Published.Year(); y < 2022 || y > 2023 {
			t.Errorf("hit %s published %s outside the range", h.ID, h.Published)
		}
		if i > 0 && h.Published.Before(res.Hits[i-1].Published) {
			t.Errorf("sort=oldest: hit %d is older than hit %d", i, i-1)
		}
	}
	var years indexer.Result
	e.get("/api/v1/search?year=2022&year=2023&per_page=1", http.StatusOK, &years)
	if years.Total != want {
		t.Errorf("year=2022&year=2023: total %d, want %d", years.Total, want)
	}
}

func TestSearchRepeatedFiltersOR(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var res indexer.Result
	e.get("/api/v1/search?region=Scotland&region=Wales&per_page=100", http.StatusOK, &res)
	want := apiCount(arts, func(a article.Article) bool {
		return hasFold(a.Regions, "Scotland") || hasFold(a.Regions, "Wales")
	})
	if want < 2 || res.Total != want {
		t.Fatalf("Scotland OR Wales: total %d, want %d", res.Total, want)
	}
	for _, h := range res.Hits {
		if !hasFold(h.Regions, "Scotland") && !hasFold(h.Regions, "Wales") {
			t.Errorf("hit %s regions %v", h.ID, h.Regions)
		}
	}
	// AND across parameters.
	e.get("/api/v1/search?region=UK&type=Blogs&per_page=100", http.StatusOK, &res)
	want = apiCount(arts, func(a article.Article) bool {
		return hasFold(a.Regions, "UK") && strings.EqualFold(a.ContentType, "Blogs")
	})
	if want == 0 || res.Total != want {
		t.Fatalf("UK AND Blogs: total %d, want %d", res.Total, want)
	}
	// Case-insensitive values.
	var lower indexer.Result
	e.get("/api/v1/search?region=uk&type=blogs&per_page=1", http.StatusOK, &lower)
	if lower.Total != want {
		t.Errorf("lower-case filter values: total %d, want %d", lower.Total, want)
	}
}

func TestSearchDisjunctiveFacets(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var res indexer.Result
	e.get("/api/v1/search?region=UK&facet_size=100", http.StatusOK, &res)
	uk := apiCount(arts, func(a article.Article) bool { return hasFold(a.Regions, "UK") })
	if res.Total != uk {
		t.Fatalf("region=UK: total %d, want %d", res.Total, uk)
	}
	regions := res.Facets[indexer.FacetRegion]
	// Every region keeps its count over the whole index, since the only
	// selection is in the region facet itself.
	for _, region := range []string{"UK", "England", "Wales", "Scotland", "Canada"} {
		want := apiCount(arts, func(a article.Article) bool { return hasFold(a.Regions, region) })
		v, ok := apiFacetValue(t, regions, region)
		if !ok || v.Count != want {
			t.Errorf("region facet %s: %+v (found %v), want count %d", region, v, ok, want)
		}
		if v.Selected != strings.EqualFold(region, "UK") {
			t.Errorf("region facet %s: selected %v", region, v.Selected)
		}
	}
	// Other facets are counted within the selection.
	blogsInUK := apiCount(arts, func(a article.Article) bool {
		return hasFold(a.Regions, "UK") && strings.EqualFold(a.ContentType, "Blogs")
	})
	if v, ok := apiFacetValue(t, res.Facets[indexer.FacetType], "Blogs"); !ok || v.Count != blogsInUK {
		t.Errorf("type facet Blogs within UK: %+v, want %d", v, blogsInUK)
	}
}

func TestSearchPaging(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var all indexer.Result
	e.get("/api/v1/search?per_page=100", http.StatusOK, &all)
	var p2 indexer.Result
	e.get("/api/v1/search?per_page=5&page=2", http.StatusOK, &p2)
	if len(p2.Hits) != 5 || p2.Page != 2 || p2.Total != uint64(len(arts)) {
		t.Fatalf("page 2: %d hits, page %d, total %d", len(p2.Hits), p2.Page, p2.Total)
	}
	for i, h := range p2.Hits {
		if h.ID != all.Hits[5+i].ID {
			t.Errorf("page 2 hit %d is %s, want %s", i, h.ID, all.Hits[5+i].ID)
		}
	}
	var beyond indexer.Result
	e.get("/api/v1/search?per_page=20&page=50", http.StatusOK, &beyond)
	if len(beyond.Hits) != 0 || beyond.Total != uint64(len(arts)) || beyond.Page != 50 {
		t.Errorf("page beyond the end: %d hits, total %d, page %d", len(beyond.Hits), beyond.Total, beyond.Page)
	}
	e.get("/api/v1/search?per_page=100&page=10", http.StatusOK, nil) // exactly the window
}

func TestSearchTextAndHighlights(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	var res indexer.Result
	resp := e.get("/api/v1/search?q=falls", http.StatusOK, &res)
	if res.Total == 0 {
		t.Fatal("q=falls found nothing")
	}
	if !strings.HasPrefix(resp.Header.Get("Server-Timing"), "search;dur=") {
		t.Errorf("Server-Timing %q", resp.Header.Get("Server-Timing"))
	}
	marked := false
	for _, h := range res.Hits {
		for _, f := range slices.Concat(h.Highlights.Title, h.Highlights.Body, h.Highlights.Comments) {
			if strings.Contains(f, "<mark>") {
				marked = true
			}
		}
	}
	if !marked {
		t.Errorf("no <mark> in any highlight: %+v", res.Hits[0].Highlights)
	}
	var plain indexer.Result
	e.get("/api/v1/search?q=falls&highlight=false", http.StatusOK, &plain)
	for _, h := range plain.Hits {
		if n := len(h.Highlights.Title) + len(h.Highlights.Body) + len(h.Highlights.Comments); n != 0 {
			t.Errorf("highlight=false: hit %s has %d fragments", h.ID, n)
		}
	}
	if plain.Total != res.Total {
		t.Errorf("highlight changed the total: %d vs %d", plain.Total, res.Total)
	}
}

func TestSearchQuerySyntaxErrors(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	cases := []struct {
		q   string
		pos int
	}{
		{`falls "unclosed`, 6},
		{`colour:red`, 0},
		{`falls OR`, 6},
		{`-falls`, 0},
	}
	for _, tc := range cases {
		p := e.expectProblem(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(tc.q), http.StatusBadRequest, codeInvalidQuery, "")
		if p.Position == nil || *p.Position != tc.pos {
			t.Errorf("q=%q: position %v, want %d (%s)", tc.q, p.Position, tc.pos, p.Detail)
		}
	}
}

func TestArticle(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	for _, want := range arts {
		_, body := e.do(http.MethodGet, "/api/v1/articles/"+url.PathEscape(want.ID), nil)
		var got article.Article
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s: %v\n%s", want.ID, err, body)
		}
		wantJSON, _ := json.Marshal(want)
		gotJSON, _ := json.Marshal(got)
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("article %s differs from the indexed one:\n got %.300s\nwant %.300s", want.ID, gotJSON, wantJSON)
		}
	}
	e.expectProblem(http.MethodGet, "/api/v1/articles/pslhub:r0", http.StatusNotFound, codeNotFound, "")
	e.expectProblem(http.MethodGet, "/api/v1/articles/"+strings.Repeat("x", 300), http.StatusNotFound, codeNotFound, "")
	e.expectProblem(http.MethodGet, "/api/v1/articles/"+url.PathEscape(arts[0].ID)+"?full=1", http.StatusBadRequest, codeInvalidParameter, "full")
}

func TestFacetsRoute(t *testing.T) {
	e, arts, _ := searchEnv(t, testConfig())
	var res facetsResponse
	resp := e.get("/api/v1/facets", http.StatusOK, &res)
	if res.Total != uint64(len(arts)) {
		t.Errorf("total %d, want %d", res.Total, len(arts))
	}
	if got := apiKeys(res.Facets); !slices.Equal(got, sortedKeys(map[string]bool{
		"region": true, "audience": true, "topic": true, "type": true, "year": true, "tag": true, "author": true, "publisher": true,
	})) {
		t.Errorf("facets %v", got)
	}
	for _, region := range []string{"UK", "England", "Wales"} {
		want := apiCount(arts, func(a article.Article) bool { return hasFold(a.Regions, region) })
		if v, ok := apiFacetValue(t, res.Facets["region"], region); !ok || v.Count != want || v.Selected {
			t.Errorf("region %s: %+v, want count %d unselected", region, v, want)
		}
	}
	for _, a := range arts[:3] {
		year := strconv.Itoa(a.Published.Year())
		want := apiCount(arts, func(b article.Article) bool { return b.Published.Year() == a.Published.Year() })
		if v, ok := apiFacetValue(t, res.Facets["year"], year); !ok || v.Count != want {
			t.Errorf("year %s: %+v, want %d", year, v, want)
		}
	}
	if resp.Header.Get("Cache-Control") != "public, max-age=60" || resp.Header.Get("ETag") == "" {
		t.Errorf("facets caching headers: %v", resp.Header)
	}
	e.expectProblem(http.MethodGet, "/api/v1/facets?region=UK", http.StatusBadRequest, codeInvalidParameter, "region")
}

// TestSearchNoResultsHelp: a search that finds nothing says which filters
// emptied it (with what each would find) and offers a spelling correction.
func TestSearchNoResultsHelp(t *testing.T) {
	e, _, _ := searchEnv(t, testConfig())
	var res indexer.Result
	e.get("/api/v1/search?q=sepsis&region=Ireland", http.StatusOK, &res)
	if res.Total != 0 || res.NoResults == nil {
		t.Fatalf("total %d, no_results %+v", res.Total, res.NoResults)
	}
	var byFilter = map[string]indexer.FilterRelief{}
	for _, f := range res.NoResults.Filters {
		byFilter[f.Filter] = f
	}
	if f, ok := byFilter["region"]; !ok || f.Count == 0 || !slices.Equal(f.Values, []string{"Ireland"}) {
		t.Errorf("region relief %+v in %+v", f, res.NoResults.Filters)
	}
	var sepsis indexer.Result
	e.get("/api/v1/search?q=sepsis", http.StatusOK, &sepsis)
	if f := byFilter["region"]; f.Count != sepsis.Total || sepsis.NoResults != nil {
		t.Errorf("without the region the search finds %d (no_results %+v), the relief says %d", sepsis.Total, sepsis.NoResults, f.Count)
	}

	var dated indexer.Result
	e.get("/api/v1/search?q=sepsis&from=2030-01-01", http.StatusOK, &dated)
	if dated.NoResults == nil || len(dated.NoResults.Filters) != 1 || dated.NoResults.Filters[0].Filter != "date" ||
		dated.NoResults.Filters[0].Count != sepsis.Total || !slices.Equal(dated.NoResults.Filters[0].Values, []string{"2030-01-01"}) {
		t.Errorf("date range: no_results %+v", dated.NoResults)
	}

	var misspelt indexer.Result
	e.get("/api/v1/search?q=sepsiss", http.StatusOK, &misspelt)
	if misspelt.Total != 0 || misspelt.NoResults == nil || misspelt.NoResults.DidYouMean != "sepsis" || len(misspelt.NoResults.Filters) != 0 {
		t.Errorf("misspelt: total %d, no_results %+v", misspelt.Total, misspelt.NoResults)
	}
}
