package engine

// One answer per query: the golden search suite over the sample hub
// (request in, ranked ids and tier counts out, as Zoekt's golden tests do)
// and the properties every answer must have whatever the page size: pages
// concatenate to the scan that exports and feeds use, total is its length,
// scores never increase down a relevance-ordered list.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

var updateAnswers = flag.Bool("update", false, "rewrite the golden search suite (testdata/golden/search)")

const (
	answersGolden           = "../../testdata/golden/search/sample-hub.json"
	attachmentAnswersGolden = "../../testdata/golden/search/attachments.json"
)

// answerCases are the requests of the golden suite. Each says in its name
// what it covers.
var answerCases = []struct {
	Name  string
	Query Query
}{
	{"one word", Query{Text: "sepsis"}},
	{"two words, every word", Query{Text: "patient safety"}},
	{"two words with a filter, relaxed", Query{Text: "staff safety", Regions: []string{"UK"}}},
	{"two words, relaxed, newest first", Query{Text: "staff safety", Regions: []string{"UK"}, Sort: SortNewest}},
	{"three words keep the rarest", Query{Text: "sepsis warning signs"}},
	{"title words first", Query{Text: "human factors operating theatre"}},
	{"long question", Query{Text: "What are the warning signs of sepsis in older patients?"}},
	{"phrase", Query{Text: `"duty of candour"`}},
	{"phrase and word", Query{Text: `"after action" reviews`}},
	{"exclusion", Query{Text: "learning -deaths"}},
	{"or", Query{Text: "sepsis OR maternity"}},
	{"prefix", Query{Text: "investigat*"}},
	{"abbreviation from the thesaurus", Query{Text: "PSIRF"}},
	{"abbreviation and word", Query{Text: "PSIRF learning"}},
	{"field: title", Query{Text: "title:safety"}},
	{"field: region", Query{Text: "region:UK"}},
	{"field: author", Query{Text: `author:"Patient Safety Learning"`}},
	{"field: topic", Query{Text: `topic:"Human factors"`}},
	{"comment-only word", Query{Text: "checked"}},
	{"stop words only", Query{Text: "the who"}},
	{"word found nowhere", Query{Text: "xyzzyplugh"}},
	{"word found nowhere beside a word", Query{Text: "sepsis xyzzyplugh"}},
	{"filter region", Query{Text: "safety", Regions: []string{"UK"}}},
	{"filter audience", Query{Text: "safety", Audiences: []string{"Everyone"}}},
	{"filter two regions (or)", Query{Regions: []string{"UK", "Ireland"}}},
	{"filter type", Query{Types: []string{"Reports and articles"}}},
	{"filter topic and audience", Query{Topics: []string{"Human factors"}, Audiences: []string{"Everyone"}}},
	{"filter year", Query{Years: []int{2026}}},
	{"date range", Query{From: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)}},
	{"browse, newest", Query{}},
	{"browse, oldest", Query{Sort: SortOldest}},
	{"word, oldest", Query{Text: "safety", Sort: SortOldest}},
	{"filters that empty the result", Query{Text: "sepsis", Regions: []string{"Ireland"}}},
}

// attachmentCases are the requests of the golden suite over the sample hub
// with the articles of indextest.AttachmentCorpus, whose documents' text is
// indexed.
var attachmentCases = []struct {
	Name  string
	Query Query
}{
	{"word in a body and in a document", Query{Text: "tocilizumab"}},
	{"phrase only in a document", Query{Text: `"oxygen cylinder storage"`}},
	{"word in bodies and in a document", Query{Text: "oxygen"}},
	{"field: attachment", Query{Text: "attachment:recommendation"}},
	{"field: attachment, phrase", Query{Text: `attachment:"handover checklist"`}},
	{"exclusion of document text", Query{Text: "tocilizumab -attachment:chart"}},
	{"filter has_attachment", Query{HasAttachment: true}},
	{"word with has_attachment", Query{Text: "wards", HasAttachment: true}},
	{"has_attachment that empties the result", Query{Text: "sepsis", HasAttachment: true}},
}

// answer is the golden form of a search.
type answer struct {
	Name    string      `json:"name"`
	Total   uint64      `json:"total"`
	Relaxed *Relaxation `json:"relaxed,omitempty"`
	IDs     []string    `json:"ids"` // the first page of 10
	// Documents are the page-level hits of the page: "id: name pages".
	Documents []string   `json:"documents,omitempty"`
	NoResults *NoResults `json:"no_results,omitempty"`
}

// goldenAnswers runs the cases on e and compares their answers with the
// golden file (rewritten with -update).
func goldenAnswers(t *testing.T, e *Engine, golden string, cases []struct {
	Name  string
	Query Query
}, withDocs bool) []answer {
	t.Helper()
	var got []answer
	for _, c := range cases {
		q := c.Query
		q.PerPage = 10
		res := mustSearch(t, e, q)
		a := answer{Name: c.Name, Total: res.Total, Relaxed: res.Relaxed, IDs: hitIDs(res)}
		if withDocs {
			a.NoResults = res.NoResults
			for _, h := range res.Hits {
				for _, d := range h.Documents {
					a.Documents = append(a.Documents, fmt.Sprintf("%s: %s %v", h.ID, d.Name, d.Pages))
				}
			}
		}
		got = append(got, a)
	}
	raw, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, '\n')
	if *updateAnswers {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wantRaw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestAnswersGolden -update to create it)", err)
	}
	var want []answer
	if err := json.Unmarshal(wantRaw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("golden file %s has %d cases, the suite %d: run with -update", golden, len(want), len(got))
	}
	for i := range got {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if string(g) != string(w) {
			t.Errorf("%s:\n got  %s\n want %s", got[i].Name, g, w)
		}
	}
	return got
}

func TestAnswersGoldenAttachments(t *testing.T) {
	e := buildEngine(t, append(loadSampleHub(t), indextest.AttachmentCorpus()...), Config{})
	got := goldenAnswers(t, e, attachmentAnswersGolden, attachmentCases, true)
	// The suite must exercise what it claims to.
	docs := 0
	for _, a := range got {
		docs += len(a.Documents)
	}
	if docs < 5 {
		t.Errorf("suite lists %d document hits; want at least 5", docs)
	}
}

func TestAnswersGolden(t *testing.T) {
	e := buildEngine(t, loadSampleHub(t), Config{})
	got := goldenAnswers(t, e, answersGolden, answerCases, false)
	// The suite must exercise what it claims to.
	var relaxed, empty, strict int
	for _, a := range got {
		switch {
		case a.Total == 0:
			empty++
		case a.Relaxed != nil:
			relaxed++
		default:
			strict++
		}
	}
	if relaxed < 3 || empty < 2 || strict < 15 {
		t.Errorf("suite covers %d relaxed, %d empty, %d strict answers; want at least 3, 2, 15", relaxed, empty, strict)
	}
}

// pagesOf concatenates the pages of q at perPage until a short page or the
// result window, checking each page's total against the first.
func pagesOf(t *testing.T, e *Engine, q Query, perPage int) ([]Hit, uint64) {
	t.Helper()
	q.PerPage = perPage
	var hits []Hit
	var total uint64
	for page := 1; page*perPage <= MaxResultWindow; page++ {
		q.Page = page
		res := mustSearch(t, e, q)
		if page == 1 {
			total = res.Total
		} else if res.Total != total {
			t.Fatalf("%+v: total %d on page %d, %d on page 1", q, res.Total, page, total)
		}
		hits = append(hits, res.Hits...)
		if len(res.Hits) < perPage {
			break
		}
	}
	return hits, total
}

func scanIDs(t *testing.T, e *Engine, q Query, limit int) []string {
	t.Helper()
	var ids []string
	if err := e.Scan(context.Background(), q, limit, func(a article.Article) error {
		ids = append(ids, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

// checkOrder fails when the hits are not in q's order: scores never
// increase in relevance order, dates never go the wrong way in date orders.
func checkOrder(t *testing.T, q Query, hits []Hit) {
	t.Helper()
	sorted := q.Sort
	if sorted == "" {
		sorted = SortNewest
		if q.Text != "" {
			sorted = SortRelevance
		}
	}
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1], hits[i]
		switch sorted {
		case SortRelevance:
			if b.Score > a.Score {
				t.Errorf("%+v: score rises from %g (%s, #%d) to %g (%s)", q, a.Score, a.ID, i, b.Score, b.ID)
				return
			}
		case SortNewest, SortOldest:
			// Undated articles come last in both date orders.
			if a.Published.IsZero() && !b.Published.IsZero() {
				t.Errorf("%+v: undated %s before dated %s", q, a.ID, b.ID)
				return
			}
			if a.Published.IsZero() || b.Published.IsZero() {
				continue
			}
			if sorted == SortNewest && b.Published.After(a.Published) || sorted == SortOldest && b.Published.Before(a.Published) {
				t.Errorf("%+v: %s (%s) after %s (%s) in %s order", q, b.ID, b.Published.Format(time.DateOnly), a.ID, a.Published.Format(time.DateOnly), sorted)
				return
			}
		}
	}
}

// randomQueries draws queries over the sample hub's words and filters.
func randomQueries(r *rand.Rand, n int) []Query {
	words := []string{"patient", "safety", "sepsis", "learning", "staff", "families", "human", "factors",
		"maternity", "candour", "investigation", "deaths", "xyzzy", "PSIRF", `"after action"`, "care*", "-learning"}
	regions := []string{"UK", "Ireland", "Scotland"}
	audiences := []string{"Everyone", "Patients and families", "Healthcare staff"}
	sorts := []Sort{"", SortRelevance, SortNewest, SortOldest}
	var out []Query
	for range n {
		var q Query
		nw := r.IntN(4)
		var text []string
		for range nw {
			text = append(text, words[r.IntN(len(words))])
		}
		q.Text = strings.Join(text, " ")
		if strings.HasPrefix(q.Text, "-") || q.Text == "" && nw > 0 {
			q.Text = "safety " + q.Text
		}
		if r.IntN(3) == 0 {
			q.Regions = []string{regions[r.IntN(len(regions))]}
		}
		if r.IntN(4) == 0 {
			q.Audiences = []string{audiences[r.IntN(len(audiences))]}
		}
		q.Sort = sorts[r.IntN(len(sorts))]
		if q.Text == "" && q.Sort == SortRelevance {
			q.Sort = ""
		}
		out = append(out, q)
	}
	return out
}

func TestAnswersDoNotDependOnThePage(t *testing.T) {
	e := buildEngine(t, loadSampleHub(t), Config{})
	queries := randomQueries(rand.New(rand.NewPCG(11, 2026)), 60)
	for _, c := range answerCases {
		queries = append(queries, c.Query)
	}
	for _, q := range queries {
		t.Run(fmt.Sprintf("%q %v %v %s", q.Text, q.Regions, q.Audiences, q.Sort), func(t *testing.T) {
			whole, total := pagesOf(t, e, q, MaxPerPage)
			if uint64(len(whole)) != total {
				t.Fatalf("total %d, but the pages hold %d hits", total, len(whole))
			}
			checkOrder(t, q, whole)
			for _, perPage := range []int{1, 3, 7, 20} {
				paged, ptotal := pagesOf(t, e, q, perPage)
				if ptotal != total || !slices.Equal(ids(paged), ids(whole)) {
					t.Fatalf("per_page %d: total %d %v; per_page %d: total %d %v", perPage, ptotal, ids(paged), MaxPerPage, total, ids(whole))
				}
				for i := range paged {
					if paged[i].Score != whole[i].Score {
						t.Fatalf("per_page %d: %s scores %g, %g at per_page %d", perPage, paged[i].ID, paged[i].Score, whole[i].Score, MaxPerPage)
					}
				}
			}
			if scanned := scanIDs(t, e, q, 0); !slices.Equal(scanned, ids(whole)) {
				t.Fatalf("scan (exports, feeds) %v, pages %v", scanned, ids(whole))
			}
		})
	}
}

// generated returns n articles over a small vocabulary, with dates spread
// over ten years and some undated, many sharing a date (ties).
func generated(n int) []article.Article {
	r := rand.New(rand.NewPCG(7, 12000))
	vocab := strings.Fields("patient safety sepsis falls medication error learning incident staff family " +
		"maternity surgery discharge handover deterioration pressure ulcer infection dementia candour")
	regions := []string{"UK", "Ireland", "Scotland", "Wales"}
	base := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	arts := make([]article.Article, n)
	for i := range arts {
		words := func(k int) string {
			var w []string
			for range k {
				w = append(w, vocab[r.IntN(len(vocab))])
			}
			return strings.Join(w, " ")
		}
		a := article.Article{
			ID:      fmt.Sprintf("gen:r%05d", i),
			URL:     fmt.Sprintf("https://example.org/r%05d", i),
			Source:  "gen",
			Title:   words(4),
			Summary: words(12),
			Body:    words(60),
			Regions: []string{regions[r.IntN(len(regions))]},
		}
		if i%17 != 0 {
			a.Published = base.AddDate(0, 0, r.IntN(3650)/7*7) // weekly: many share a date
		}
		arts[i] = a
	}
	return arts
}

// TestScanLargeCollection: exports of a collection larger than every
// internal batch return each matching article exactly once, for every
// sort, with and without a query.
func TestScanLargeCollection(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 12,000-article index")
	}
	arts := generated(12000)
	e := buildEngine(t, arts, Config{})
	for _, text := range []string{"", "sepsis", "sepsis handover"} {
		for _, sort := range []Sort{SortRelevance, SortNewest, SortOldest} {
			if text == "" && sort == SortRelevance {
				continue
			}
			q := Query{Text: text, Sort: sort}
			res := mustSearch(t, e, Query{Text: text, Sort: sort, PerPage: 1, Facets: []string{}})
			got := scanIDs(t, e, q, 0)
			seen := make(map[string]bool, len(got))
			for _, id := range got {
				if seen[id] {
					t.Fatalf("%q %s: %s exported twice", text, sort, id)
				}
				seen[id] = true
			}
			if uint64(len(got)) != res.Total || res.Total < 1000 {
				t.Fatalf("%q %s: exported %d of %d", text, sort, len(got), res.Total)
			}
			// The first result window matches the pages.
			paged, _ := pagesOf(t, e, q, MaxPerPage)
			if !slices.Equal(ids(paged), got[:len(paged)]) {
				t.Fatalf("%q %s: export order differs from the pages", text, sort)
			}
			checkOrder(t, q, paged)
			// A limit cuts the same list.
			if limited := scanIDs(t, e, q, 1234); !slices.Equal(limited, got[:1234]) {
				t.Fatalf("%q %s: a limited export is not a prefix of the whole", text, sort)
			}
		}
	}
}

// TestTitleMatchFirst: an article whose title holds every word of a keyword
// query ranks above articles that mention them often elsewhere, even with
// one of them in the title.
func TestTitleMatchFirst(t *testing.T) {
	arts := []article.Article{
		{ID: "t:body1", Title: "Sepsis bulletin", Summary: "Sepsis in children: what the audits found.", Tags: []string{"Sepsis"}, Body: strings.Repeat("Sepsis in children is hard to spot. Children with sepsis deteriorate fast. ", 5)},
		{ID: "t:title", Title: "Recognising sepsis in children", Body: "A guide for ward staff on early warning scores."},
		{ID: "t:body2", Title: "Learning from incidents", Body: "Sepsis screening tools for children and adults; sepsis audits."},
	}
	// Other articles, so that the words are rare as in a real collection.
	arts = append(arts, generated(40)...)
	for i := range arts {
		arts[i].Source, arts[i].URL = "t", "https://example.org/"+arts[i].ID
	}
	e := buildEngine(t, arts, Config{})
	res := mustSearch(t, e, Query{Text: "sepsis children"})
	if got := hitIDs(res); len(got) < 3 || got[0] != "t:title" {
		t.Fatalf("hits %v, want t:title first", got)
	}
}

// TestYearsAndUndated: the year facet lists every year, and with the
// undated count it accounts for every result the year facet counts, with
// and without a year selected.
func TestYearsAndUndated(t *testing.T) {
	arts := generated(400)
	e := buildEngine(t, arts, Config{})
	sum := func(res *Result) uint64 {
		var n uint64
		for _, v := range res.Facets[FacetYear] {
			n += v.Count
		}
		return n + *res.Undated
	}
	all := mustSearch(t, e, Query{Facets: []string{FacetYear}, FacetSize: 3})
	if len(all.Facets[FacetYear]) != 10 || all.Undated == nil || *all.Undated == 0 || sum(all) != all.Total {
		t.Fatalf("browse: %d years, undated %v, sum %d, total %d", len(all.Facets[FacetYear]), all.Undated, sum(all), all.Total)
	}
	for _, q := range []Query{{Text: "sepsis"}, {Text: "sepsis", Regions: []string{"UK"}}} {
		q.Facets = []string{FacetYear, FacetRegion}
		base := mustSearch(t, e, q)
		q.Years = []int{2019}
		narrowed := mustSearch(t, e, q)
		if sum(base) != base.Total || sum(narrowed) != base.Total || *narrowed.Undated != *base.Undated {
			t.Errorf("%q %v: undated %d/%d, years+undated %d and %d, total without the year %d", q.Text, q.Regions, *base.Undated, *narrowed.Undated, sum(base), sum(narrowed), base.Total)
		}
	}
	if res := mustSearch(t, e, Query{Facets: []string{FacetRegion}}); res.Undated != nil {
		t.Error("undated without the year facet")
	}
}
