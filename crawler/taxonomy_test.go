package crawler

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultTaxonomyClassify(t *testing.T) {
	tax := DefaultTaxonomy()
	got := tax.Classify([]string{
		"UK", "Reports and articles", "New", "Everyone", "PSIRF", "Scotland", "Blogs", "Pre-existing",
		"Patients and public", "  healthcare   PROFESSIONALS ", "Sepsis", "uk", "Global", "News", "Maternity",
		"Medication safety", "Never events", "", "   ",
	})
	want := Classification{
		Regions:      []string{"UK", "Scotland", "Global"},
		Audiences:    []string{"Everyone", "Patients and public", "healthcare PROFESSIONALS"},
		ContentTypes: []string{"Reports and articles", "Blogs", "News"},
		Topics:       []string{"PSIRF", "Sepsis", "Maternity", "Medication safety", "Never events"},
		Other:        []string{"New", "Pre-existing"},
	}
	checkClassification(t, got, want)
	for tag, kind := range map[string]TagKind{
		"England": TagRegion, "Case studies": TagContentType, "Families and carers": TagAudience,
		"new": TagOther, "Human factors": TagTopic, "Anything else": TagTopic,
	} {
		if k := tax.Kind(tag); k != kind {
			t.Errorf("Kind(%q) = %s, want %s", tag, k, kind)
		}
	}
}

func checkClassification(t *testing.T, got, want Classification) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"regions", got.Regions, want.Regions}, {"audiences", got.Audiences, want.Audiences},
		{"content types", got.ContentTypes, want.ContentTypes}, {"topics", got.Topics, want.Topics},
		{"other", got.Other, want.Other},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestLoadTaxonomyApostrophesAndTopics(t *testing.T) {
	tax, err := LoadTaxonomy(strings.NewReader(`
regions: [Wales]
audiences:
  - Children’s nurses
  - "Parents and carers"
content_types:
  - Personal stories
other: [New]
topics: [Sepsis]
`))
	if err != nil {
		t.Fatal(err)
	}
	got := tax.Classify([]string{"children's  nurses", "CHILDREN’S NURSES", "Wales", "Sepsis", "Falls", "personal stories"})
	checkClassification(t, got, Classification{
		Regions: []string{"Wales"}, Audiences: []string{"children's nurses"}, ContentTypes: []string{"personal stories"},
		Topics: []string{"Sepsis", "Falls"},
	})
}

func TestLoadTaxonomyErrors(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", "", "empty document"},
		{"comment only", "# nothing\n", "empty document"},
		{"not a mapping", "- UK\n- Wales\n", "line 1: want a mapping"},
		{"unknown key", "regions: [UK]\nregion: [Wales]\n", `line 2: unknown key "region"`},
		{"two kinds", "regions:\n  - UK\naudiences:\n  - Everyone\n  - uk\n", `line 5: "uk" is listed under both regions (line 2) and audiences`},
		{"twice in one kind", "regions:\n  - UK\n  - Wales\n  - wales\n", `line 4: "wales" listed twice under regions (first on line 3)`},
		{"apostrophe variants clash", "audiences: [\"Children's nurses\"]\ntopics: [\"Children’s nurses\"]\n", "listed under both audiences"},
		{"not a list", "regions: UK\n", "line 1: regions must be a list"},
		{"nested value", "regions:\n  - [UK, Wales]\n", "line 2: regions: each value must be a plain string"},
		{"empty value", "regions:\n  - UK\n  - \"  \"\n", "line 3: regions: empty value"},
		{"repeated key", "regions: [UK]\nregions: [Wales]\n", `line 2: key "regions" repeated`},
		{"bad yaml", "regions: [UK\n", "crawler: taxonomy"},
		{"two documents", "regions: [UK]\n---\nregions: [Wales]\n", "more than one YAML document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tax, err := LoadTaxonomy(strings.NewReader(c.yaml))
			if err == nil {
				t.Fatalf("no error, got %+v", tax)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "crawler: taxonomy") {
				t.Errorf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestDefaultTaxonomyFileMatchesDocs(t *testing.T) {
	tax, err := LoadTaxonomy(strings.NewReader(defaultTaxonomyYAML))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[TagKind]int{}
	for _, k := range tax.kind {
		counts[k]++
	}
	// ips-markup.md §11: 13 regions, 15 content types, 2 "other", 17 audiences.
	want := map[TagKind]int{TagRegion: 13, TagContentType: 15, TagOther: 2, TagAudience: 17}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: %d values, want %d", k, counts[k], n)
		}
	}
	if counts[TagTopic] != 0 {
		t.Errorf("default lists %d topics, want none", counts[TagTopic])
	}
}
