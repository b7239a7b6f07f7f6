package engine

// Conformance of the search engine on the sample hub: the articles of the
// crawler's golden extraction files, indexed with createIndex + Fill +
// Open. Expected results are computed by hand in this file with
// plain loops over the articles, never with the engine.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

const goldenExtractGlob = "../../testdata/golden/extract/*.json"

// loadSampleHub reads the golden extraction files (crawler Pages) and
// returns one Article per record, with the comments of all its comment
// pages in page order.
func loadSampleHub(t testing.TB) []article.Article {
	t.Helper()
	files, err := filepath.Glob(goldenExtractGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no golden extraction files match %s", goldenExtractGlob)
	}
	pageNo := regexp.MustCompile(`__page-(\d+)\.json$`)
	num := func(f string) int {
		if m := pageNo.FindStringSubmatch(f); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
		return 1
	}
	sort.SliceStable(files, func(i, j int) bool {
		bi, bj := pageNo.ReplaceAllString(files[i], ".json"), pageNo.ReplaceAllString(files[j], ".json")
		if bi != bj {
			return bi < bj
		}
		return num(files[i]) < num(files[j])
	})
	byID := map[string]*article.Article{}
	var order []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Article *article.Article }
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if page.Article == nil {
			continue
		}
		a := page.Article
		prev, ok := byID[a.ID]
		if !ok {
			byID[a.ID] = a
			order = append(order, a.ID)
			continue
		}
		seen := map[string]bool{}
		for _, c := range prev.Comments {
			seen[c.ID] = true
		}
		for _, c := range a.Comments {
			if !seen[c.ID] {
				prev.Comments = append(prev.Comments, c)
			}
		}
	}
	out := make([]article.Article, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	if len(out) < 20 {
		t.Fatalf("sample hub has only %d articles", len(out))
	}
	return out
}

// hostileArticle is added to the sample hub to check HTML escaping.
func hostileArticle() article.Article {
	return article.Article{
		ID: "conformance:hostile", URL: "https://example.org/hostile", Source: "conformance",
		Title:     `Oxygen <script>alert("x")</script> cylinders`,
		Published: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), ContentType: "News",
		Regions: []string{"UK"}, Audiences: []string{"Everyone"}, Tags: []string{"UK", "News", "Everyone"},
		Body: `Before <b>oxygen</b> & "cylinders": <img src=x onerror=alert(1)> end.`,
	}
}

// facetValuesOf lists an article's values of a facet, as published.
func facetValuesOf(a article.Article, facet string) []string {
	switch facet {
	case FacetRegion:
		return a.Regions
	case FacetAudience:
		return a.Audiences
	case FacetTopic:
		return a.Topics
	case FacetType:
		return []string{a.ContentType}
	case FacetTag:
		return a.Tags
	case FacetAuthor:
		return []string{a.Author}
	case FacetYear:
		if a.Published.IsZero() {
			return nil
		}
		return []string{strconv.Itoa(a.Published.Year())}
	}
	panic("unknown facet " + facet)
}

func lower(vals []string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v = strings.ToLower(strings.TrimSpace(v)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// passes tells whether a has, for every selected facet but skip, one of the
// selected values.
func passes(a article.Article, sel map[string][]string, skip string) bool {
	for f, vals := range sel {
		if f == skip || len(vals) == 0 {
			continue
		}
		have := lower(facetValuesOf(a, f))
		ok := false
		for _, v := range lower(vals) {
			if slices.Contains(have, v) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// handFacet counts a facet disjunctively by hand: articles in the text
// result that pass every other facet's selection, by lower-cased value;
// selected values are present even at 0.
func handFacet(arts []article.Article, inText func(article.Article) bool, sel map[string][]string, facet string) map[string]uint64 {
	counts := map[string]uint64{}
	for _, a := range arts {
		if !inText(a) || !passes(a, sel, facet) {
			continue
		}
		for _, v := range lower(facetValuesOf(a, facet)) {
			counts[v]++
		}
	}
	for _, v := range lower(sel[facet]) {
		counts[v] += 0
	}
	return counts
}

func queryWith(text string, sel map[string][]string) Query {
	q := Query{Text: text, PerPage: MaxPerPage, FacetSize: MaxFacetSize,
		Facets:  []string{FacetRegion, FacetAudience, FacetTopic, FacetType, FacetYear, FacetTag, FacetAuthor},
		Regions: sel[FacetRegion], Audiences: sel[FacetAudience], Topics: sel[FacetTopic], Types: sel[FacetType],
		Tags: sel[FacetTag], Authors: sel[FacetAuthor]}
	for _, y := range sel[FacetYear] {
		n, _ := strconv.Atoi(y)
		q.Years = append(q.Years, n)
	}
	return q
}

// searchable is the text of an article the engine searches, lower-cased,
// without comments and with them.
func mainText(a article.Article) string {
	return strings.ToLower(strings.Join([]string{a.Title, a.Summary, a.Body, strings.Join(a.Tags, " "), a.Author}, " \n "))
}

func commentText(a article.Article) string {
	var parts []string
	for _, c := range a.Comments {
		parts = append(parts, c.Body)
	}
	return strings.ToLower(strings.Join(parts, " \n "))
}

func allText(a article.Article) string { return mainText(a) + " \n " + commentText(a) }

func idsWhere(arts []article.Article, pred func(article.Article) bool) []string {
	var ids []string
	for _, a := range arts {
		if pred(a) {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

func re(s string) func(article.Article) bool {
	r := regexp.MustCompile(s)
	return func(a article.Article) bool { return r.MatchString(allText(a)) }
}

func TestConformanceSampleHub(t *testing.T) {
	arts := append(loadSampleHub(t), hostileArticle())
	e := buildEngine(t, arts, Config{})
	ctx := context.Background()
	n, err := e.DocCount()
	if err != nil || n != uint64(len(arts)) {
		t.Fatalf("docCount %d, %v; want %d", n, err, len(arts))
	}

	allIDs := func(q Query) []string {
		var ids []string
		if err := e.Scan(ctx, q, 0, func(a article.Article) error { ids = append(ids, a.ID); return nil }); err != nil {
			t.Fatalf("scan %+v: %v", q, err)
		}
		return ids
	}

	t.Run("each filter value", func(t *testing.T) {
		checked := 0
		for _, f := range []string{FacetRegion, FacetAudience, FacetTopic, FacetType, FacetTag, FacetAuthor, FacetYear} {
			values := map[string]bool{}
			for _, a := range arts {
				for _, v := range facetValuesOf(a, f) {
					values[v] = true
				}
			}
			for v := range values {
				if v == "" {
					continue
				}
				sel := map[string][]string{f: {strings.ToUpper(v)}} // filters ignore case
				want := idsWhere(arts, func(a article.Article) bool { return passes(a, sel, "") })
				got := allIDs(queryWith("", sel))
				if !sameSet(got, want) {
					t.Errorf("%s=%q: got %v, want %v", f, v, got, want)
				}
				checked++
			}
		}
		if checked < 50 {
			t.Fatalf("only %d filter values checked", checked)
		}
	})

	t.Run("dates inclusive by day", func(t *testing.T) {
		from, to := time.Date(2022, 12, 5, 0, 0, 0, 0, time.UTC), time.Date(2023, 5, 30, 0, 0, 0, 0, time.UTC)
		want := idsWhere(arts, func(a article.Article) bool {
			d := a.Published.UTC().Format("2006-01-02")
			return !a.Published.IsZero() && d >= "2022-12-05" && d <= "2023-05-30"
		})
		got := allIDs(Query{From: from, To: to})
		if !sameSet(got, want) || !slices.Contains(got, "pslhub:r8391") || !slices.Contains(got, "pslhub:r9450") {
			t.Fatalf("from/to: got %v, want %v", got, want)
		}
	})

	t.Run("disjunctive facets", func(t *testing.T) {
		texts := map[string]func(article.Article) bool{"": func(article.Article) bool { return true }}
		cases := []struct {
			text string
			sel  map[string][]string
		}{
			{"", nil},
			{"", map[string][]string{FacetRegion: {"uk"}}},
			{"", map[string][]string{FacetRegion: {"UK", "wales"}, FacetType: {"guides", "blogs"}}},
			{"", map[string][]string{FacetAudience: {"healthcare professionals"}, FacetTopic: {"medication safety", "human factors"}, FacetYear: {"2023", "2022"}}},
			{"", map[string][]string{FacetTag: {"new"}, FacetAuthor: {"patient safety learning"}, FacetRegion: {"ireland"}}},
			{"safety", map[string][]string{FacetRegion: {"england"}, FacetType: {"blogs"}}},
			{"medicines OR medication", map[string][]string{FacetAudience: {"pharmacists"}}},
		}
		for _, c := range cases {
			inText := texts[c.text]
			if inText == nil {
				ids := allIDs(Query{Text: c.text})
				if len(ids) == 0 {
					t.Fatalf("%q finds nothing", c.text)
				}
				inText = func(a article.Article) bool { return slices.Contains(ids, a.ID) }
			}
			res := mustSearch(t, e, queryWith(c.text, c.sel))
			want := idsWhere(arts, func(a article.Article) bool { return inText(a) && passes(a, c.sel, "") })
			if res.Total != uint64(len(want)) {
				t.Errorf("%q %v: total %d, want %d", c.text, c.sel, res.Total, len(want))
			}
			for f, vals := range res.Facets {
				got := map[string]uint64{}
				for _, v := range vals {
					got[strings.ToLower(v.Value)] = v.Count
					if v.Selected != slices.Contains(lower(c.sel[f]), strings.ToLower(v.Value)) {
						t.Errorf("%q %v: facet %s value %q selected=%v", c.text, c.sel, f, v.Value, v.Selected)
					}
					published := false
					for _, a := range arts {
						published = published || slices.Contains(facetValuesOf(a, f), v.Value)
					}
					if !published && v.Count > 0 {
						t.Errorf("facet %s label %q is not a published spelling", f, v.Value)
					}
				}
				if wantF := handFacet(arts, inText, c.sel, f); !mapsEqual(got, wantF) {
					t.Errorf("%q %v: facet %s\n got  %v\n want %v", c.text, c.sel, f, got, wantF)
				}
			}
		}
		res := mustSearch(t, e, Query{Facets: []string{FacetRegion, FacetType}})
		if facetMap(res.Facets[FacetRegion])["UK"] == 0 || facetMap(res.Facets[FacetType])["Reports and articles"] == 0 {
			t.Fatalf("labels as published: %s / %s", fmtFacet(res.Facets[FacetRegion]), fmtFacet(res.Facets[FacetType]))
		}
	})

	t.Run("syntax", func(t *testing.T) {
		cases := []struct {
			text string
			want func(article.Article) bool
		}{
			{`"duty of candour"`, re(`duty of candour`)},
			{"insulin OR tourniquet", re(`\binsulin\b|\btourniquet\b`)},
			{"falls -wales", func(a article.Article) bool {
				return re(`\bfall(s|ing)?\b`)(a) && !re(`\bwales\b`)(a)
			}},
			{`surgery -"never event"`, func(a article.Article) bool {
				return re(`\bsurgery\b`)(a) && !re(`never events?`)(a)
			}},
			{"thrombo*", re(`\bthrombo`)},
			{"polypharm*", re(`\bpolypharm`)},
			{"title:sepsis", func(a article.Article) bool { return strings.Contains(strings.ToLower(a.Title), "sepsis") }},
			{`author:"patient safety learning"`, func(a article.Article) bool { return a.Author == "Patient Safety Learning" }},
			{"region:wales", func(a article.Article) bool { return slices.Contains(a.Regions, "Wales") }},
			{`type:"case studies" -region:wales`, func(a article.Article) bool {
				return a.ContentType == "Case studies" && !slices.Contains(a.Regions, "Wales")
			}},
			{"topic:medication* tag:nurses", func(a article.Article) bool {
				return slices.Contains(a.Topics, "Medication safety") && slices.Contains(a.Tags, "Nurses")
			}},
			{"sepsis: signs?", func(a article.Article) bool { return re(`\bsepsis\b`)(a) && re(`\bsigns?\b`)(a) }},
		}
		for _, c := range cases {
			want := idsWhere(arts, c.want)
			if len(want) == 0 {
				t.Fatalf("%q: the hand predicate matches nothing; the case proves nothing", c.text)
			}
			// With fewer than RelaxBelow matches the answer is relaxed, and
			// its first tier is exactly the articles holding every unit.
			res := mustSearch(t, e, Query{Text: c.text})
			strict := res.Total
			if res.Relaxed != nil {
				strict = res.Relaxed.AllWords
			}
			if strict != uint64(len(want)) {
				t.Errorf("%q: %d articles with every word, want %d (total %d relaxed %+v)", c.text, strict, len(want), res.Total, res.Relaxed)
			}
			got := allIDs(Query{Text: c.text})
			if uint64(len(got)) != res.Total || len(got) < len(want) || !sameSet(got[:len(want)], want) {
				t.Errorf("%q: got %v, want %v first", c.text, got, want)
			}
		}
	})

	t.Run("thesaurus", func(t *testing.T) {
		psirf := re(`\bpsirf\b|patient safety incident response framework`)
		only := idsWhere(arts, func(a article.Article) bool { return !re(`\bpsirf\b`)(a) && psirf(a) })
		if len(only) == 0 {
			t.Fatal("no article spells PSIRF out only; the case proves nothing")
		}
		for _, text := range []string{"PSIRF", "psirf", "Patient Safety Incident Response Framework"} {
			res := mustSearch(t, e, Query{Text: text, PerPage: MaxPerPage})
			if got := hitIDs(res); !sameSet(got, idsWhere(arts, psirf)) {
				t.Errorf("%q: got %v, want %v", text, got, idsWhere(arts, psirf))
			}
			if len(res.Expansions) != 1 {
				t.Errorf("%q: expansions %+v", text, res.Expansions)
			}
		}
		vte := re(`\bvte\b|venous thromboembolism`)
		for _, text := range []string{"VTE", `"venous thromboembolism"`, "venous thromboembolism"} {
			res := mustSearch(t, e, Query{Text: text, PerPage: MaxPerPage})
			if got := hitIDs(res); !sameSet(got, idsWhere(arts, vte)) || len(res.Expansions) != 1 {
				t.Errorf("%q: got %v %+v, want %v", text, got, res.Expansions, idsWhere(arts, vte))
			}
		}
		res := mustSearch(t, e, Query{Text: "never events"})
		if len(res.Expansions) != 0 || !sameSet(hitIDs(res), idsWhere(arts, re(`never events?`))) {
			t.Errorf("never events: %v %+v", hitIDs(res), res.Expansions)
		}
		res = mustSearch(t, e, Query{Text: "HSSIB"})
		if !slices.Contains(hitIDs(res), "pslhub:r14254") {
			t.Errorf("HSSIB: %v", hitIDs(res))
		}
	})

	t.Run("relaxation of a long question", func(t *testing.T) {
		res := mustSearch(t, e, Query{Text: "What are the warning signs of sepsis in older patients?"})
		// Five content words (warning signs sepsis older patients); the page
		// never fills on this small hub, so all become optional and the
		// article matching most of them, and the rarest, comes first.
		if len(res.Hits) == 0 || res.Hits[0].ID != "pslhub:r13688" || res.Relaxed == nil || len(res.Relaxed.Optional) != 5 {
			t.Fatalf("long question: %v relaxed %+v", hitIDs(res), res.Relaxed)
		}
		if res.Relaxed.Optional[0] != "patients" {
			t.Errorf("the most frequent word should be relaxed first: %+v", res.Relaxed)
		}
	})

	t.Run("relaxed results list the articles with every word first", func(t *testing.T) {
		// UK articles: few hold both words, so "safety" is relaxed; those
		// that hold both must still come before those that hold one.
		q := Query{Text: "staff safety", Regions: []string{"UK"}}
		uk := func(a article.Article) bool { return slices.Contains(a.Regions, "UK") }
		both := idsWhere(arts, func(a article.Article) bool {
			return uk(a) && re(`\bstaff\b`)(a) && re(`\bsafety\b`)(a)
		})
		// "safety" is the more frequent word, so it is the one relaxed.
		either := idsWhere(arts, func(a article.Article) bool { return uk(a) && re(`\bstaff\b`)(a) })
		if len(both) == 0 || len(both) >= RelaxBelow || len(either) <= len(both) {
			t.Fatalf("fixture assumption: %d UK articles with both words (want 1..%d), %d with either", len(both), RelaxBelow-1, len(either))
		}
		// Pages of any size hold the same relaxed answer.
		for _, perPage := range []int{1, 3, len(both) + 1, 20} {
			q.PerPage = perPage
			var got []string
			for page := 1; ; page++ {
				q.Page = page
				res := mustSearch(t, e, q)
				if res.Relaxed == nil || !slices.Equal(res.Relaxed.Optional, []string{"safety"}) || res.Total != uint64(len(either)) ||
					res.Relaxed.AllWords != uint64(len(both)) || res.Relaxed.Others != uint64(len(either)-len(both)) {
					t.Fatalf("per_page %d page %d: relaxed %+v total %d, want \"safety\" relaxed with %d of %d holding both", perPage, page, res.Relaxed, res.Total, len(both), len(either))
				}
				if len(res.Hits) == 0 {
					break
				}
				got = append(got, hitIDs(res)...)
			}
			if !sameSet(got, either) || len(got) != len(either) {
				t.Fatalf("per_page %d: pages hold %v, want %v", perPage, got, either)
			}
			if !sameSet(got[:len(both)], both) {
				t.Errorf("per_page %d: first %d hits %v, want the articles with both words %v", perPage, len(both), got[:len(both)], both)
			}
		}
	})

	t.Run("comment-only match", func(t *testing.T) {
		check := regexp.MustCompile(`\bcheck(s|ed|ing)?\b`)
		inMain := idsWhere(arts, func(a article.Article) bool { return check.MatchString(mainText(a)) })
		inComments := idsWhere(arts, func(a article.Article) bool {
			return !check.MatchString(mainText(a)) && check.MatchString(commentText(a))
		})
		if len(inMain) == 0 || len(inComments) == 0 {
			t.Fatalf("fixtures changed: main %v comments-only %v", inMain, inComments)
		}
		res := mustSearch(t, e, Query{Text: "checking", Highlight: true})
		got := hitIDs(res)
		if !sameSet(got, append(slices.Clone(inMain), inComments...)) {
			t.Fatalf("checking: got %v, want %v + %v", got, inMain, inComments)
		}
		for i, h := range res.Hits {
			isComment := slices.Contains(inComments, h.ID)
			if isComment && i < len(inMain) {
				t.Errorf("comment-only match %s ranked %d, above a title/body match", h.ID, i+1)
			}
			if isComment && (h.MatchedComments < 1 || len(h.Highlights.Comments) == 0 || !strings.Contains(h.Highlights.Comments[0], "<mark>checking</mark>")) {
				t.Errorf("comment hit %+v", h)
			}
		}
		res = mustSearch(t, e, Query{Text: "swarm huddles", PerPage: 1})
		if len(res.Hits) != 1 || res.Hits[0].ID != "pslhub:r12504" || res.Hits[0].CommentCount != 57 || res.Hits[0].MatchedComments < 1 {
			t.Fatalf("comments across comment pages: %+v", res.Hits)
		}
	})

	t.Run("sort orders", func(t *testing.T) {
		byDate := slices.Clone(arts)
		sort.SliceStable(byDate, func(i, j int) bool {
			if !byDate[i].Published.Equal(byDate[j].Published) {
				return byDate[i].Published.After(byDate[j].Published)
			}
			return byDate[i].ID < byDate[j].ID
		})
		var newest []string
		for _, a := range byDate {
			newest = append(newest, a.ID)
		}
		if got := hitIDs(mustSearch(t, e, Query{PerPage: MaxPerPage})); !slices.Equal(got, newest) {
			t.Errorf("browse newest:\n got  %v\n want %v", got, newest)
		}
		sort.SliceStable(byDate, func(i, j int) bool {
			if !byDate[i].Published.Equal(byDate[j].Published) {
				return byDate[i].Published.Before(byDate[j].Published)
			}
			return byDate[i].ID < byDate[j].ID
		})
		var oldest []string
		for _, a := range byDate {
			oldest = append(oldest, a.ID)
		}
		if got := hitIDs(mustSearch(t, e, Query{PerPage: MaxPerPage, Sort: SortOldest})); !slices.Equal(got, oldest) {
			t.Errorf("oldest:\n got  %v\n want %v", got, oldest)
		}
		// Relevance: score descending; ties follow the generation's
		// internal document order, so the same search gives the same order.
		res := mustSearch(t, e, Query{Text: "safety", PerPage: MaxPerPage})
		for i := 1; i < len(res.Hits); i++ {
			a, b := res.Hits[i-1], res.Hits[i]
			if a.Score < b.Score {
				t.Errorf("relevance order broken at %d: %s %v / %s %v", i, a.ID, a.Score, b.ID, b.Score)
			}
		}
		if again := hitIDs(mustSearch(t, e, Query{Text: "safety", PerPage: MaxPerPage})); !slices.Equal(again, hitIDs(res)) {
			t.Errorf("relevance ties not deterministic:\n got  %v\n then %v", hitIDs(res), again)
		}
	})

	t.Run("paging edges", func(t *testing.T) {
		total := len(arts)
		last := (total + 9) / 10
		res := mustSearch(t, e, Query{PerPage: 10, Page: last})
		if len(res.Hits) != total-(last-1)*10 || res.Total != uint64(total) {
			t.Errorf("last page: %d hits, total %d", len(res.Hits), res.Total)
		}
		res = mustSearch(t, e, Query{PerPage: 10, Page: last + 1})
		if len(res.Hits) != 0 || res.Total != uint64(total) {
			t.Errorf("beyond the end: %d hits, total %d", len(res.Hits), res.Total)
		}
		var seen []string
		for p := 1; p <= last; p++ {
			seen = append(seen, hitIDs(mustSearch(t, e, Query{Text: "safety OR patient", PerPage: 10, Page: p}))...)
		}
		if whole := hitIDs(mustSearch(t, e, Query{Text: "safety OR patient", PerPage: MaxPerPage})); !slices.Equal(seen, whole[:len(seen)]) {
			t.Errorf("pages do not concatenate to the whole result")
		}
	})

	t.Run("invalid syntax", func(t *testing.T) {
		for _, c := range []struct {
			text string
			pos  int
		}{{`sepsis "warning`, 7}, {"sepsis OR", 7}, {"OR sepsis", 0}, {"title:", 6}, {"colour:red", 0}, {"-sepsis -falls", 0}} {
			_, err := rawSearch(ctx, e, Query{Text: c.text})
			var qe *QueryError
			if !errors.As(err, &qe) || qe.Pos != c.pos {
				t.Errorf("%q: %v, want a QueryError at %d", c.text, err, c.pos)
			}
		}
		for _, c := range []struct {
			q     Query
			param string
		}{{Query{PerPage: 101}, "per_page"}, {Query{Page: 0, PerPage: 50, Text: "x"}, ""}, {Query{Facets: []string{"size"}}, "facets"}, {Query{Sort: "random"}, "sort"}} {
			_, err := rawSearch(ctx, e, c.q)
			var pe *ParamError
			if c.param == "" {
				if err != nil {
					t.Errorf("%+v: %v", c.q, err)
				}
				continue
			}
			if !errors.As(err, &pe) || pe.Param != c.param {
				t.Errorf("%+v: %v, want ParamError %s", c.q, err, c.param)
			}
		}
	})

	t.Run("highlight", func(t *testing.T) {
		res := mustSearch(t, e, Query{Text: `"older people" doses`, Highlight: true})
		if len(res.Hits) == 0 || res.Hits[0].ID != "pslhub:r8720" {
			t.Fatalf("hits %v", hitIDs(res))
		}
		hl := res.Hits[0].Highlights
		if len(hl.Title) != 1 || hl.Title[0] != "Medicines &amp; <mark>older</mark> <mark>people</mark>: ‘polypharmacy’ – a guide for families" {
			t.Errorf("title %q", hl.Title)
		}
		if body := strings.Join(hl.Body, ""); !strings.Contains(body, "<mark>Doses</mark> &lt; 1 mg &amp; &gt; 100 mg") || len(hl.Body) != 2 {
			t.Errorf("body %q", body)
		}
		res = mustSearch(t, e, Query{Text: "oxygen cylinders", Highlight: true})
		for _, h := range res.Hits {
			all := strings.Join(append(append(slices.Clone(h.Highlights.Title), h.Highlights.Body...), h.Highlights.Comments...), "\n")
			if strings.Contains(all, "<script") || strings.Contains(all, "<img") || strings.Contains(all, "<b>") {
				t.Errorf("%s: unescaped markup in %q", h.ID, all)
			}
			if h.ID == "conformance:hostile" && (!strings.Contains(all, "&lt;script&gt;") || !strings.Contains(all, "<mark>oxygen</mark>")) {
				t.Errorf("hostile highlights %q", all)
			}
		}
	})

	t.Run("suggest and related", func(t *testing.T) {
		for in, want := range map[string]string{"candor": "candour", "polypharmacyy": "polypharmacy", "sepsis": ""} {
			if got, err := e.Suggest(ctx, in); err != nil || got != want {
				t.Errorf("suggest(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
		hits, err := e.Related(ctx, "pslhub:r9428", 5)
		if err != nil || len(hits) == 0 || hits[0].ID != "pslhub:r9450" {
			t.Errorf("related to r9428: %v %v", hits, err)
		}
		hits, err = e.Related(ctx, "pslhub:r7950", 3) // Medication safety
		if err != nil || len(hits) != 3 {
			t.Fatalf("related to r7950: %v %v", hits, err)
		}
		for _, h := range hits {
			if !slices.Contains(h.Topics, "Medication safety") || h.ID == "pslhub:r7950" {
				t.Errorf("related to r7950: %s %v", h.ID, h.Topics)
			}
		}
	})
}

func mapsEqual(a, b map[string]uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
