package indexer

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/blevesearch/bleve/v2"
)

// day is a UTC date at noon.
func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// inlineCorpus is a small hand-written corpus covering the features the
// engine tests exercise.
func inlineCorpus() []article.Article {
	arts := []article.Article{
		{
			ID: "t:r1", Title: "Introducing PSIRF in an acute trust", Author: "Jane Smith",
			Published: day("2024-03-10"), ContentType: "Reports and articles",
			Regions: []string{"UK"}, Audiences: []string{"Everyone"}, Topics: []string{"PSIRF"},
			Tags:    []string{"UK", "Reports and articles", "Everyone", "PSIRF"},
			Summary: "How one trust moved to the new framework.",
			Body:    "The trust adopted PSIRF and replaced serious incident investigations with proportionate learning responses.",
		},
		{
			ID: "t:r2", Title: "Learning responses under the Patient Safety Incident Response Framework", Author: "Ali Khan",
			Published: day("2023-09-01"), ContentType: "Guides",
			Regions: []string{"England"}, Audiences: []string{"Patient safety leads"}, Topics: []string{"Investigations"},
			Tags:    []string{"England", "Guides", "Patient safety leads", "Investigations"},
			Summary: "A guide to after action review and swarm huddles.",
			Body:    "The Patient Safety Incident Response Framework sets out how organisations respond to incidents.",
		},
		{
			ID: "t:r3", Title: "Sepsis: warning signs in children", Author: "Maria José Núñez",
			Published: day("2025-01-20"), ContentType: "Blogs",
			Regions: []string{"UK"}, Audiences: []string{"Patients and public"}, Topics: []string{"Sepsis", "Paediatrics"},
			Tags:    []string{"UK", "Blogs", "Patients and public", "Sepsis", "Paediatrics"},
			Summary: "What parents should look out for.",
			Body:    "Sepsis in children can be hard to spot. A child’s breathing, colour and temperature are warning signs; don’t wait.",
			Comments: []article.Comment{
				{ID: "c1", Author: "A parent", Body: "Thank you, this helped us act quickly."},
			},
		},
		{
			ID: "t:r4", Title: "Venous thromboembolism after surgery", Author: "Jane Smith",
			Published: day("2022-05-05"), ContentType: "Research",
			Regions: []string{"Ireland"}, Audiences: []string{"Healthcare professionals"}, Topics: []string{"VTE"},
			Tags:    []string{"Ireland", "Research", "Healthcare professionals", "VTE"},
			Summary: "Risk assessment reduces hospital-acquired clots.",
			Body:    "Thromboprophylaxis after surgery lowers the risk of venous thromboembolism in adults.",
		},
		{
			ID: "t:r5", Title: "Medication errors in care homes", Author: "Sam Lee",
			Published: day("2024-11-11"), ContentType: "Reports and articles",
			Regions: []string{"UK", "Scotland"}, Audiences: []string{"Everyone"}, Topics: []string{"Medication safety"},
			Tags:    []string{"UK", "Scotland", "Reports and articles", "Everyone", "Medication safety"},
			Summary: "A review of dispensing errors.",
			Body:    "Errors with <script>alert(1)</script> labels & dosing were common; café staff were not involved.",
			Comments: []article.Comment{
				{ID: "c2", Author: "Nurse", Body: "We saw the same dispensing problems."},
				{ID: "c3", Author: "Pharmacist", Body: "VTE prophylaxis was also missed in our audit of thromboembolism."},
			},
		},
		{
			ID: "t:r6", Title: "Falls prevention on older people’s wards", Author: "Ali Khan",
			ContentType: "Guides",
			Regions:     []string{"UK"}, Audiences: []string{"Nurses"}, Topics: []string{"Falls"},
			Tags:    []string{"UK", "Guides", "Nurses", "Falls"},
			Summary: "Practical steps without a publication date.",
			Body:    "Lying and standing blood pressure checks reduce falls.",
		},
	}
	for i := range arts {
		arts[i].Source = "test"
		arts[i].URL = "https://example.org/" + arts[i].ID
	}
	return arts
}

// buildEngine indexes arts into a real on-disk index in t.TempDir(),
// reopens it read-only the way the generation manager does, and returns
// the engine.
func buildEngine(t testing.TB, arts []article.Article, cfg EngineConfig) *engine {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	idx, err := createIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	n, err := fillIndex(context.Background(), idx, func(fn func(article.Article) error) error {
		for _, a := range arts {
			if err := fn(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(arts) {
		t.Fatalf("fillIndex indexed %d, want %d", n, len(arts))
	}
	if err := idx.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := openReadOnly(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ro.Close() })
	e, err := openEngine(ro, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustSearch runs a search and fails the test on error.
func mustSearch(t testing.TB, e *engine, q Query) *Result {
	t.Helper()
	res, err := rawSearch(context.Background(), e, q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return res
}

// hitIDs lists the ids of the hits in order.
func hitIDs(res *Result) []string {
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

// sameSet reports whether got and want hold the same ids in any order.
func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

// facetMap turns a facet's values into label → count.
func facetMap(vals []FacetValue) map[string]uint64 {
	m := map[string]uint64{}
	for _, v := range vals {
		m[v.Value] = v.Count
	}
	return m
}

func fmtFacet(vals []FacetValue) string {
	s := ""
	for _, v := range vals {
		s += fmt.Sprintf("%s=%d(sel=%v) ", v.Value, v.Count, v.Selected)
	}
	return s
}

// openReadOnly opens a generation read-only, as a serving index is opened.
func openReadOnly(dir string) (bleve.Index, error) {
	return bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": "5s"})
}

// rawSearch normalises q and runs it on e, as Index.Search does.
func rawSearch(ctx context.Context, e *engine, q Query) (*Result, error) {
	n, err := q.Normalize()
	if err != nil {
		return nil, err
	}
	return e.search(ctx, n)
}
