package engine

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/thesaurus"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestEngineBasicSearch(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	n, err := e.DocCount()
	if err != nil || n != 6 {
		t.Fatalf("docCount = %d, %v; want 6", n, err)
	}
	res := mustSearch(t, e, Query{Text: "sepsis"})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r3"}) {
		t.Fatalf("sepsis: hits %v", got)
	}
	if res.Total != 1 || res.Page != 1 || res.PerPage != DefaultPerPage {
		t.Fatalf("sepsis: total %d page %d per_page %d", res.Total, res.Page, res.PerPage)
	}
	h := res.Hits[0]
	if h.Title != "Sepsis: warning signs in children" || h.Type != "Blogs" || h.CommentCount != 1 || h.URL == "" {
		t.Fatalf("hit fields: %+v", h)
	}
}

func TestEngineBrowseNewestFirst(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{})
	want := []string{"t:r3", "t:r5", "t:r1", "t:r2", "t:r4", "t:r6"} // undated last
	if got := hitIDs(res); !slices.Equal(got, want) {
		t.Fatalf("browse order %v, want %v", got, want)
	}
	if res.Total != 6 {
		t.Fatalf("total %d", res.Total)
	}
	if got := facetMap(res.Facets[FacetRegion]); got["UK"] != 4 || got["England"] != 1 || got["Ireland"] != 1 || got["Scotland"] != 1 {
		t.Fatalf("region facet %s", fmtFacet(res.Facets[FacetRegion]))
	}
}

func TestEngineArticle(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	a, err := e.Article(context.Background(), "t:r5")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Medication errors in care homes" || len(a.Comments) != 2 || a.Comments[1].Author != "Pharmacist" {
		t.Fatalf("article: %+v", a)
	}
	if _, err := e.Article(context.Background(), "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing article: %v", err)
	}
}

func TestEngineFoldingApostrophesAccents(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	for _, q := range []string{"child's breathing", "child’s breathing", "cafe", "café", "Nunez", "people's wards"} {
		res := mustSearch(t, e, Query{Text: q})
		if res.Total == 0 {
			t.Errorf("%q found nothing", q)
		}
	}
	res := mustSearch(t, e, Query{Text: "café", Highlight: true})
	if len(res.Hits) != 1 || !strings.Contains(strings.Join(res.Hits[0].Highlights.Body, ""), "<mark>café</mark>") {
		t.Fatalf("café highlight: %+v", res.Hits)
	}
}

func TestEngineSyntax(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	cases := []struct {
		text string
		want []string
	}{
		{"surgery", []string{"t:r4"}},
		{"surgery OR falls", []string{"t:r4", "t:r6"}},
		{"guides OR blogs", []string{"t:r2", "t:r3", "t:r6"}},
		{"errors -dispensing", nil},
		{"falls -medication", []string{"t:r6"}},
		{`"warning signs"`, []string{"t:r3"}},
		{`"signs warning"`, nil},
		{`trust -"learning responses"`, nil},
		{"thrombo*", []string{"t:r4", "t:r5"}},
		{"medicat*", []string{"t:r5"}},
		{"title:errors", []string{"t:r5"}},
		{"title:framework", []string{"t:r2"}},
		{`author:"jane smith"`, []string{"t:r1", "t:r4"}},
		{"author:khan", []string{"t:r2", "t:r6"}},
		{"region:uk", []string{"t:r1", "t:r3", "t:r5", "t:r6"}},
		{"region:UK -topic:falls", []string{"t:r1", "t:r3", "t:r5"}},
		{`type:"reports and articles"`, []string{"t:r1", "t:r5"}},
		{`tag:"medication safety"`, []string{"t:r5"}},
		{"audience:nurses", []string{"t:r6"}},
		{"sepsis: warning signs?", []string{"t:r3"}},
		{"(sepsis), children!", []string{"t:r3"}},
	}
	for _, c := range cases {
		res := mustSearch(t, e, Query{Text: c.text})
		if got := hitIDs(res); !sameSet(got, c.want) {
			t.Errorf("%q: hits %v, want %v", c.text, got, c.want)
		}
	}
}

func TestEngineQueryErrors(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	for _, c := range []struct {
		text string
		pos  int
	}{{`"unclosed`, 0}, {"sepsis OR", 7}, {"-sepsis", 0}, {"the -sepsis", 4}, {"? !", 0}, {"titel:x", 0}} {
		_, err := rawSearch(context.Background(), e, Query{Text: c.text})
		var qe *QueryError
		if !errors.As(err, &qe) || qe.Pos != c.pos {
			t.Errorf("%q: error %v, want QueryError at %d", c.text, err, c.pos)
		}
	}
}

// A query made only of stop words searches the spelling field (titles,
// summaries, tags, topics) instead of being refused.
func TestEngineStopWordsOnly(t *testing.T) {
	arts := append(inlineCorpus(),
		article.Article{ID: "t:because", Title: "Because we care: speaking up", Summary: "Why staff raise concerns.", Body: "Speaking up matters."},
		article.Article{ID: "t:who", Title: "The who and the what of incident reviews", Body: "Reviews."})
	e := buildEngine(t, arts, Config{})
	for _, c := range []struct {
		text string
		want []string
	}{
		{"because", []string{"t:because"}},
		{"Because?", []string{"t:because"}},
		{"the who", []string{"t:who"}},
		{`"the what" OR because`, []string{"t:because", "t:who"}},
	} {
		res, err := rawSearch(context.Background(), e, Query{Text: c.text, PerPage: 20, Facets: []string{}})
		if err != nil {
			t.Errorf("%q: %v", c.text, err)
			continue
		}
		if got := hitIDs(res); !sameSet(got, c.want) {
			t.Errorf("%q: hits %v, want %v", c.text, got, c.want)
		}
	}
}

func TestEngineThesaurus(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{Text: "PSIRF"})
	if got := hitIDs(res); !sameSet(got, []string{"t:r1", "t:r2"}) {
		t.Fatalf("PSIRF: %v", got)
	}
	if len(res.Expansions) != 1 || res.Expansions[0].Term != "PSIRF" || res.Expansions[0].Expanded[0] != "Patient Safety Incident Response Framework" {
		t.Fatalf("PSIRF expansions %+v", res.Expansions)
	}
	res = mustSearch(t, e, Query{Text: "patient safety incident response framework"})
	if got := hitIDs(res); !sameSet(got, []string{"t:r1", "t:r2"}) {
		t.Fatalf("spelled out: %v", got)
	}
	res = mustSearch(t, e, Query{Text: "VTE"})
	if got := hitIDs(res); !sameSet(got, []string{"t:r4", "t:r5"}) {
		t.Fatalf("VTE: %v", got)
	}
	res = mustSearch(t, e, Query{Text: `"venous thromboembolism" surgery`, PerPage: 1})
	if got := hitIDs(res); !sameSet(got, []string{"t:r4"}) {
		t.Fatalf("venous thromboembolism surgery: %v", got)
	}
	// An exclusion excludes the whole concept.
	res = mustSearch(t, e, Query{Text: "framework -PSIRF"})
	if got := hitIDs(res); len(got) != 0 {
		t.Fatalf("framework -PSIRF: %v", got)
	}
	res = mustSearch(t, e, Query{Text: "trust OR framework -VTE"})
	if got := hitIDs(res); !sameSet(got, []string{"t:r1", "t:r2"}) {
		t.Fatalf("trust OR framework -VTE: %v", got)
	}
	// "who" in lower case is an ordinary (stop) word, not WHO.
	res = mustSearch(t, e, Query{Text: "who falls"})
	if len(res.Expansions) != 0 {
		t.Fatalf("who expanded: %+v", res.Expansions)
	}
	res = mustSearch(t, e, Query{Text: "WHO"})
	if len(res.Expansions) != 1 || res.Expansions[0].Term != "WHO" {
		t.Fatalf("WHO expansions: %+v", res.Expansions)
	}
}

func TestEngineRelaxation(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{Text: "what are the warning signs of sepsis in children and babies?"})
	if len(res.Hits) == 0 || res.Hits[0].ID != "t:r3" {
		t.Fatalf("long question: %v", hitIDs(res))
	}
	if res.Relaxed == nil || res.Relaxed.Optional[0] != "babies" {
		t.Fatalf("relaxed %+v", res.Relaxed)
	}
	// A word found nowhere is relaxed first.
	res = mustSearch(t, e, Query{Text: "thromboembolism xyzzy"})
	if res.Relaxed == nil || !slices.Equal(res.Relaxed.Optional, []string{"xyzzy"}) || !slices.Equal(hitIDs(res), []string{"t:r4", "t:r5"}) {
		t.Fatalf("relaxed: %v %+v", hitIDs(res), res.Relaxed)
	}
	// The most frequent word is relaxed first. A query of up to three words
	// keeps its rarest word required; from four words on (a long question)
	// every word is optional and documents matching more of them rank first
	// (then documents found by pseudo-relevance feedback alone, see
	// TestEngineFeedback).
	// t:r5 holds both words (one in a comment), and loosening finds no
	// other article: the answer is the strict one, not called relaxed.
	res = mustSearch(t, e, Query{Text: "errors thromboembolism"})
	if res.Relaxed != nil || !slices.Equal(hitIDs(res), []string{"t:r5"}) {
		t.Fatalf("two words: %v %+v", hitIDs(res), res.Relaxed)
	}
	res = mustSearch(t, e, Query{Text: "errors surgery thromboembolism"})
	if res.Relaxed == nil || !slices.Equal(res.Relaxed.Optional, []string{"thromboembolism", "surgery"}) || !slices.Equal(hitIDs(res), []string{"t:r5"}) {
		t.Fatalf("three words: %v %+v", hitIDs(res), res.Relaxed)
	}
	res = mustSearch(t, e, Query{Text: "errors after surgery thromboembolism xyzzy"})
	if res.Relaxed == nil || len(res.Relaxed.Optional) != 4 || res.Relaxed.Optional[0] != "xyzzy" || len(res.Hits) < 2 || !sameSet(hitIDs(res)[:2], []string{"t:r4", "t:r5"}) {
		t.Fatalf("long question: %v %+v", hitIDs(res), res.Relaxed)
	}
	// A phrase stays required.
	res = mustSearch(t, e, Query{Text: `"care homes" surgery thromboembolism`})
	if !slices.Equal(hitIDs(res), []string{"t:r5"}) {
		t.Fatalf("phrase kept: %v %+v", hitIDs(res), res.Relaxed)
	}
	// The page size does not decide relaxation: the same answer at every
	// page size.
	for _, perPage := range []int{1, 20} {
		res = mustSearch(t, e, Query{Text: "sepsis children", PerPage: perPage})
		if res.Relaxed != nil || res.Total != 1 || hitIDs(res)[0] != "t:r3" {
			t.Fatalf("per_page %d: relaxed %+v total %d %v", perPage, res.Relaxed, res.Total, hitIDs(res))
		}
		res = mustSearch(t, e, Query{Text: "sepsis errors", PerPage: perPage})
		if res.Relaxed == nil || res.Relaxed.AllWords != 0 || res.Total != res.Relaxed.Others || res.Total == 0 {
			t.Fatalf("per_page %d: relaxed %+v total %d", perPage, res.Relaxed, res.Total)
		}
	}
}

func TestEngineComments(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{Text: "prophylaxis", Highlight: true})
	if got := hitIDs(res); !sameSet(got, []string{"t:r5"}) {
		t.Fatalf("comment-only match: %v", got)
	}
	h := res.Hits[0]
	if h.MatchedComments != 1 || h.CommentCount != 2 || len(h.Highlights.Comments) != 1 || !strings.Contains(h.Highlights.Comments[0], "<mark>prophylaxis</mark>") {
		t.Fatalf("comment hit %+v", h)
	}
	// Without highlights, matched comments are still counted (located hits
	// with comments only), and articles without comments count none.
	for _, text := range []string{"prophylaxis", "thromboembolism", "PSIRF", `"patient safety"`} {
		with, without := mustSearch(t, e, Query{Text: text, Highlight: true}), mustSearch(t, e, Query{Text: text})
		for i := range with.Hits {
			if with.Hits[i].MatchedComments != without.Hits[i].MatchedComments {
				t.Fatalf("%s: %s matched comments %d with highlights, %d without", text, with.Hits[i].ID, with.Hits[i].MatchedComments, without.Hits[i].MatchedComments)
			}
		}
	}
	res = mustSearch(t, e, Query{Text: "thromboembolism"})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r4", "t:r5"}) {
		t.Fatalf("title/body match must rank above comment match: %v", got)
	}
}

// TestEngineHitCard: a hit without highlights, built from the stored card,
// shows the same article fields as one built from the whole article.
func TestEngineHitCard(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	for _, text := range []string{"safety", "prophylaxis", "sepsis children", `"patient safety"`} {
		with, without := mustSearch(t, e, Query{Text: text, Highlight: true}), mustSearch(t, e, Query{Text: text})
		if len(with.Hits) == 0 || len(with.Hits) != len(without.Hits) {
			t.Fatalf("%s: %d hits with highlights, %d without", text, len(with.Hits), len(without.Hits))
		}
		for i := range with.Hits {
			a, b := with.Hits[i], without.Hits[i]
			a.Highlights, b.Highlights = Highlights{}, Highlights{}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: hit %d\nwith highlights    %+v\nwithout highlights %+v", text, i, a, b)
			}
		}
	}
}

func TestEngineHighlight(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{FragmentSize: 80})
	res := mustSearch(t, e, Query{Text: "labels errors", Highlight: true})
	if len(res.Hits) != 1 {
		t.Fatalf("hits %v", hitIDs(res))
	}
	hl := res.Hits[0].Highlights
	if len(hl.Title) != 1 || hl.Title[0] != "Medication <mark>errors</mark> in care homes" {
		t.Fatalf("title highlight %q", hl.Title)
	}
	body := strings.Join(hl.Body, "")
	if !strings.Contains(body, "&lt;script&gt;") || strings.Contains(body, "<script>") || !strings.Contains(body, "<mark>labels</mark>") {
		t.Fatalf("body highlight %q", body)
	}
	res = mustSearch(t, e, Query{Text: "child's breathing", Highlight: true})
	if got := strings.Join(res.Hits[0].Highlights.Body, ""); !strings.Contains(got, "A <mark>child’s</mark> <mark>breathing</mark>, colour") {
		t.Fatalf("typographic apostrophe highlight %q", got)
	}
	res = mustSearch(t, e, Query{Text: "labels"})
	if len(res.Hits[0].Highlights.Body) != 0 {
		t.Fatalf("highlights without Highlight: %+v", res.Hits[0].Highlights)
	}
}

func TestEngineFacetsDisjunctive(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{Regions: []string{"uk"}, Types: []string{"guides"}, Facets: []string{FacetRegion, FacetType, FacetYear, FacetAudience}})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r6"}) {
		t.Fatalf("hits %v", got)
	}
	// Region counts ignore the region selection but keep type=Guides.
	if got := facetMap(res.Facets[FacetRegion]); len(got) != 2 || got["UK"] != 1 || got["England"] != 1 {
		t.Fatalf("region facet %s", fmtFacet(res.Facets[FacetRegion]))
	}
	// Type counts ignore the type selection but keep region=UK.
	if got := facetMap(res.Facets[FacetType]); got["Reports and articles"] != 2 || got["Guides"] != 1 || got["Blogs"] != 1 || len(got) != 3 {
		t.Fatalf("type facet %s", fmtFacet(res.Facets[FacetType]))
	}
	for _, v := range res.Facets[FacetType] {
		if v.Selected != (v.Value == "Guides") {
			t.Fatalf("type selection flags %s", fmtFacet(res.Facets[FacetType]))
		}
	}
	if got := facetMap(res.Facets[FacetAudience]); len(got) != 1 || got["Nurses"] != 1 {
		t.Fatalf("audience facet %s", fmtFacet(res.Facets[FacetAudience]))
	}
	// A selected value with no results is still listed, with its label.
	res = mustSearch(t, e, Query{Text: "sepsis", Regions: []string{"IRELAND"}, Facets: []string{FacetRegion}})
	if res.Total != 0 {
		t.Fatalf("total %d", res.Total)
	}
	want := []FacetValue{{Value: "UK", Count: 1}, {Value: "Ireland", Count: 0, Selected: true}}
	if !slices.Equal(res.Facets[FacetRegion], want) {
		t.Fatalf("region facet %s", fmtFacet(res.Facets[FacetRegion]))
	}
	// Year facet and year filter.
	res = mustSearch(t, e, Query{Years: []int{2024}, Facets: []string{FacetYear}})
	if res.Total != 2 || facetMap(res.Facets[FacetYear])["2025"] != 1 || facetMap(res.Facets[FacetYear])["2024"] != 2 {
		t.Fatalf("year: total %d facet %s", res.Total, fmtFacet(res.Facets[FacetYear]))
	}
}

func TestEngineFiltersDoNotScore(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	a := mustSearch(t, e, Query{Text: "errors"})
	b := mustSearch(t, e, Query{Text: "errors", Regions: []string{"uk"}, Audiences: []string{"everyone"}})
	if len(a.Hits) != 1 || len(b.Hits) != 1 || a.Hits[0].Score != b.Hits[0].Score {
		t.Fatalf("scores differ: %v vs %v", a.Hits, b.Hits)
	}
	text := "trust OR thromboembolism OR sepsis OR falls -medication"
	all := mustSearch(t, e, Query{Text: text})
	filtered := mustSearch(t, e, Query{Text: text, Regions: []string{"uk", "ireland", "england"},
		Years: []int{2022, 2024, 2025}, Types: []string{"research", "blogs", "reports and articles"}, From: day("2020-01-01")})
	scores := map[string]float64{}
	for _, h := range all.Hits {
		scores[h.ID] = h.Score
	}
	if got := hitIDs(filtered); !sameSet(got, []string{"t:r3", "t:r4", "t:r1"}) {
		t.Fatalf("filtered hits %v", got)
	}
	for _, h := range filtered.Hits {
		if h.Score != scores[h.ID] || h.Score <= 0 {
			t.Fatalf("%s: score %v with filters, %v without", h.ID, h.Score, scores[h.ID])
		}
	}
}

func TestEngineDates(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{From: day("2024-03-10"), To: day("2024-11-11")})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r5", "t:r1"}) {
		t.Fatalf("inclusive day range: %v", got)
	}
	res = mustSearch(t, e, Query{To: day("2022-05-05")})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r4"}) {
		t.Fatalf("open start: %v", got)
	}
}

func TestEngineSortAndPaging(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	res := mustSearch(t, e, Query{Sort: SortOldest})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r4", "t:r2", "t:r1", "t:r5", "t:r3", "t:r6"}) {
		t.Fatalf("oldest: %v", got)
	}
	res = mustSearch(t, e, Query{PerPage: 4, Page: 2})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r4", "t:r6"}) || res.Total != 6 {
		t.Fatalf("last page: %v total %d", got, res.Total)
	}
	res = mustSearch(t, e, Query{PerPage: 4, Page: 3})
	if len(res.Hits) != 0 || res.Total != 6 || res.Hits == nil {
		t.Fatalf("beyond the end: %v total %d", hitIDs(res), res.Total)
	}
	res = mustSearch(t, e, Query{Text: "sepsis", Sort: SortNewest})
	if res.Hits[0].ID != "t:r3" {
		t.Fatalf("text + newest: %v", hitIDs(res))
	}
}

func TestEngineScan(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	var got []string
	err := e.Scan(context.Background(), Query{Page: 9}, 4, func(a article.Article) error {
		got = append(got, a.ID)
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"t:r3", "t:r5", "t:r1", "t:r2"}) {
		t.Fatalf("scan limit 4: %v %v", got, err)
	}
	got = nil
	q := Query{Text: "uk OR ireland OR thromboembolism"}
	if err := e.Scan(context.Background(), q, 0, func(a article.Article) error {
		got = append(got, a.ID)
		return nil
	}); err != nil || !slices.Equal(got, hitIDs(mustSearch(t, e, q))) {
		t.Fatalf("scan all in relevance order: %v %v", got, err)
	}
	stop := errors.New("stop")
	if err := e.Scan(context.Background(), Query{}, 0, func(article.Article) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("scan callback error: %v", err)
	}
}

func TestEngineSuggest(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	for in, want := range map[string]string{
		"sepsiss":              "sepsis",
		"warnng signs":         "warning signs",
		"medicaton -falls":     "medication -falls",
		"sepsis":               "",
		`"warnng signs" title`: "",
	} {
		got, err := e.Suggest(context.Background(), in)
		if err != nil || got != want {
			t.Errorf("suggest(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestEngineRelated(t *testing.T) {
	e := buildEngine(t, inlineCorpus(), Config{})
	hits, err := e.Related(context.Background(), "t:r1", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != "t:r2" {
		t.Fatalf("related to r1: %v", hits)
	}
	for _, h := range hits {
		if h.ID == "t:r1" {
			t.Fatal("related lists the article itself")
		}
	}
	if _, err := e.Related(context.Background(), "nope", 3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("related to unknown: %v", err)
	}
}

func TestEngineSafelyAndSchema(t *testing.T) {
	err := Safely(func() error { panic("corrupt segment") })
	if !errors.Is(err, errIndexPanic) || !strings.Contains(err.Error(), "corrupt segment") {
		t.Fatalf("safely: %v", err)
	}
	dir := t.TempDir() + "/g"
	idx, err := createIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = idx.Close() }()
	if err := idx.SetInternal(internalSchemaKey, []byte("0")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(idx, dir, Config{}); !errors.Is(err, ErrSchemaMismatch) {
		t.Fatalf("Open on old schema: %v", err)
	}
}

func TestEngineNormalize(t *testing.T) {
	q, err := Query{}.Normalize()
	if err != nil || q.Page != 1 || q.PerPage != DefaultPerPage || q.Sort != SortNewest || q.FacetSize != DefaultFacetSize || !slices.Equal(q.Facets, DefaultFacets) {
		t.Fatalf("defaults: %+v %v", q, err)
	}
	if q, _ := (Query{Text: " x "}).Normalize(); q.Sort != SortRelevance || q.Text != "x" {
		t.Fatalf("text defaults: %+v", q)
	}
	if q, _ := (Query{Facets: []string{}}).Normalize(); len(q.Facets) != 0 {
		t.Fatalf("no facets: %+v", q.Facets)
	}
	many := make([]string, MaxFilterValues+1)
	for _, c := range []struct {
		q     Query
		param string
	}{
		{Query{PerPage: -1}, "per_page"},
		{Query{PerPage: MaxPerPage + 1}, "per_page"},
		{Query{Page: -2}, "page"},
		{Query{Page: 11, PerPage: 100}, "page"},
		{Query{Facets: []string{"colour"}}, "facets"},
		{Query{Sort: "best"}, "sort"},
		{Query{FacetSize: MaxFacetSize + 1}, "facet_size"},
		{Query{FacetSize: -1}, "facet_size"},
		{Query{Regions: many}, "region"},
		{Query{Tags: many}, "tag"},
		{Query{Text: strings.Repeat("a", MaxTextLength+1)}, "q"},
		{Query{From: day("2024-02-02"), To: day("2024-02-01")}, "from"},
	} {
		_, err := c.q.Normalize()
		var pe *ParamError
		if !errors.As(err, &pe) || pe.Param != c.param {
			t.Errorf("%+v: error %v, want ParamError on %s", c.q, err, c.param)
		}
	}
	if _, err := (Query{Page: 10, PerPage: 100, From: day("2024-02-01"), To: day("2024-02-01")}).Normalize(); err != nil {
		t.Fatalf("edge values rejected: %v", err)
	}
}

func FuzzEngineSearch(f *testing.F) {
	e := buildEngine(f, inlineCorpus(), Config{})
	for _, s := range []string{"sepsis", `"a b" OR c* -d`, "title:\"x", "region:— tag:é*", "PSIRF WHO never events", "-x", "a OR"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		res, err := rawSearch(context.Background(), e, Query{Text: text, Highlight: true})
		if err != nil {
			var qe *QueryError
			var pe *ParamError
			if !errors.As(err, &qe) && !errors.As(err, &pe) {
				t.Fatalf("%q: unexpected error %v", text, err)
			}
			return
		}
		if res.Hits == nil || uint64(len(res.Hits)) > res.Total {
			t.Fatalf("%q: hits %d total %d", text, len(res.Hits), res.Total)
		}
	})
}

func TestEngineRelaxationLabelsDropSentencePunctuation(t *testing.T) {
	p := &textPlan{units: []textUnit{{label: "children?"}, {label: "sepsis,"}, {label: `"never event"`}, {label: "?"}}}
	got := p.labels([]int{0, 1, 2, 3})
	want := []string{"children", "sepsis", `"never event"`, "?"}
	if !slices.Equal(got, want) {
		t.Fatalf("labels = %q, want %q", got, want)
	}
}

// TestEngineRelevanceOrderDeterministic: the relevance sort is the score
// alone, ties following the generation's internal document order. Articles
// with identical text tie; two identical searches, the pages of a search
// and a scan must all give the same order.
func TestEngineRelevanceOrderDeterministic(t *testing.T) {
	var arts []article.Article
	for i := range 9 {
		arts = append(arts, article.Article{
			ID: "t:tie" + string(rune('a'+i)), Title: "Falls prevention on wards", Author: "Jane Smith",
			Published: day("2024-03-1" + string(rune('1'+i%9))), ContentType: "Blogs",
			Regions: []string{"UK"}, Audiences: []string{"Everyone"}, Topics: []string{"Falls"},
			Body: "Falls prevention needs bed rails and checks.",
		})
	}
	e := buildEngine(t, arts, Config{})
	q := Query{Text: "falls prevention", PerPage: 9}
	first := hitIDs(mustSearch(t, e, q))
	if len(first) != 9 {
		t.Fatalf("hits %v", first)
	}
	for range 3 {
		if again := hitIDs(mustSearch(t, e, q)); !slices.Equal(again, first) {
			t.Fatalf("second search %v, first %v", again, first)
		}
	}
	var paged []string
	for p := 1; p <= 3; p++ {
		paged = append(paged, hitIDs(mustSearch(t, e, Query{Text: "falls prevention", PerPage: 4, Page: p}))...)
	}
	if !slices.Equal(paged, first) {
		t.Errorf("pages %v, whole %v", paged, first)
	}
	var scanned []string
	if err := e.Scan(context.Background(), Query{Text: "falls prevention", PerPage: 2}, 0, func(a article.Article) error {
		scanned = append(scanned, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scanned, first) {
		t.Errorf("scan %v, search %v", scanned, first)
	}
}

// TestEngineDisjunctiveCountsMatchBleve compares the one-pass disjunctive
// facet counts with what they replace: one Bleve request per selected
// facet, filtered by every other selection, with a Bleve term facet.
func TestEngineDisjunctiveCountsMatchBleve(t *testing.T) {
	arts := append(loadSampleHub(t), inlineCorpus()...)
	e := buildEngine(t, arts, Config{})
	ctx := context.Background()
	queries := []Query{
		{Text: "patient safety", Regions: []string{"UK", "England"}, Audiences: []string{"Everyone"}, Types: []string{"Blogs", "News", "Reports and articles"}, Years: []int{2022, 2023, 2024, 2025}},
		{Text: "safety", Regions: []string{"UK"}, Facets: DefaultFacets},
		{Text: "learning OR incident", Topics: []string{"PSIRF", "Sepsis"}, Types: []string{"Blogs"}, Tags: []string{"UK"}},
		{Regions: []string{"England"}, Years: []int{2024}, Audiences: []string{"Everyone", "Patients and public"}},
		{Text: "PSIRF", Regions: []string{"Ireland"}, Years: []int{1999}, From: day("2020-01-01")},
	}
	nonZero := 0
	for _, q := range queries {
		if q.Facets == nil {
			q.Facets = append(DefaultFacets, FacetTag, FacetAuthor)
		}
		q, err := q.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		var text query.Query
		if q.Text != "" {
			plan, err := e.compile(ctx, q.Text)
			if err != nil {
				t.Fatal(err)
			}
			text = plan.query(nil)
		}
		sel := selections(q)
		var disj []string
		for _, f := range q.Facets {
			if _, ok := sel[f]; ok {
				disj = append(disj, f)
			}
		}
		got, err := e.disjunctiveCounts(ctx, text, q, sel, disj)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range disj {
			req := bleve.NewSearchRequestOptions(withFilters(text, filterQueries(q, sel, f)), 0, 0, false)
			req.AddFacet(f, bleve.NewFacetRequest(facetFields[f], 1000))
			res, err := e.run(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			want := bleveCounts(res.Facets[f])
			if !maps.Equal(got[f], want) {
				t.Errorf("%q %v facet %s: got %v, want %v", q.Text, sel, f, got[f], want)
			}
			nonZero += len(want)
		}
	}
	if nonZero == 0 {
		t.Fatal("no facet counted anything: the comparison proves nothing")
	}
}

// TestEngineCountCache: repeated searches reuse their disjunctive counts;
// searches differing in any part of the key do not share them.
func TestEngineCountCache(t *testing.T) {
	e := buildEngine(t, append(loadSampleHub(t), inlineCorpus()...), Config{})
	base := Query{Text: "safety", Regions: []string{"UK", "England"}, Years: []int{2024}}
	variants := []Query{
		base,
		{Text: "safety", Regions: []string{"UK"}, Years: []int{2024}},
		{Text: "safety", Regions: []string{"UK", "England"}, Years: []int{2023}},
		{Text: "incident", Regions: []string{"UK", "England"}, Years: []int{2024}},
		{Text: "safety", Regions: []string{"UK", "England"}, Years: []int{2024}, From: day("2024-06-01")},
		{Text: "safety", Regions: []string{"UK", "England"}, Years: []int{2024}, Facets: []string{FacetRegion}},
	}
	first := make([]map[string][]FacetValue, len(variants))
	for i, q := range variants {
		first[i] = mustSearch(t, e, q).Facets
	}
	if len(e.counts.m) != len(variants) {
		t.Errorf("cache holds %d entries, want one per distinct query (%d)", len(e.counts.m), len(variants))
	}
	distinct := 0
	for i, q := range variants {
		again := mustSearch(t, e, q).Facets
		if !reflect.DeepEqual(again, first[i]) {
			t.Errorf("%+v: cached facets %v, first %v", q, again, first[i])
		}
		if i > 0 && !reflect.DeepEqual(first[i], first[0]) {
			distinct++
		}
	}
	if distinct == 0 {
		t.Error("every variant has the same facets: the test proves nothing")
	}
	var c countCache
	for i := range maxCachedCounts + 3 {
		c.put(strconv.Itoa(i), nil)
	}
	if len(c.m) > maxCachedCounts {
		t.Errorf("cache grew to %d entries", len(c.m))
	}
}

func TestThesaurusCustom(t *testing.T) {
	th, err := thesaurus.Load(strings.NewReader("groups:\n  - terms: [LOS, length of stay]\n  - terms: [breathing, respiration]\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := buildEngine(t, inlineCorpus(), Config{Thesaurus: th})
	res := mustSearch(t, e, Query{Text: "respiration"})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r3"}) {
		t.Fatalf("custom thesaurus: %v", got)
	}
	// The default thesaurus is not in effect.
	res = mustSearch(t, e, Query{Text: "PSIRF"})
	if got := hitIDs(res); !slices.Equal(got, []string{"t:r1"}) || len(res.Expansions) != 0 {
		t.Fatalf("PSIRF with custom thesaurus: %v %+v", got, res.Expansions)
	}
}
