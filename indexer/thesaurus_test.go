package indexer

import (
	"slices"
	"strings"
	"testing"
)

func TestThesaurusDefault(t *testing.T) {
	th := DefaultThesaurus()
	want := map[string]string{
		"PSIRF": "Patient Safety Incident Response Framework", "NatPSA": "National Patient Safety Alert",
		"LFPSE": "Learn from Patient Safety Events", "HSSIB": "Health Services Safety Investigations Body",
		"CQC": "Care Quality Commission", "NHSE": "NHS England", "ICS": "Integrated Care System",
		"ICB": "Integrated Care Board", "AKI": "acute kidney injury", "VTE": "venous thromboembolism",
		"NEWS2": "National Early Warning Score", "RCA": "root cause analysis", "AAR": "after action review",
		"SI": "serious incident", "never event": "never events", "PSII": "Patient Safety Incident Investigation",
		"MHRA": "Medicines and Healthcare products Regulatory Agency",
		"NICE": "National Institute for Health and Care Excellence", "WHO": "World Health Organization",
		"HCAI": "healthcare associated infection", "PU": "pressure ulcer", "DoC": "duty of candour",
	}
	groups := th.Groups()
	for abbr, exp := range want {
		found := false
		for _, g := range groups {
			if slices.Contains(g, abbr) && slices.Contains(g, exp) {
				found = true
			}
		}
		if !found {
			t.Errorf("thesaurus lacks %s ⇄ %s", abbr, exp)
		}
	}
	// The ambiguous short abbreviations are case-sensitive.
	for _, g := range th.groups {
		for _, term := range g.terms {
			ambiguous := slices.Contains([]string{"WHO", "NICE", "SI", "PU", "DoC", "ED"}, term.text)
			if ambiguous != term.caseSensitive {
				t.Errorf("%s: caseSensitive=%v", term.text, term.caseSensitive)
			}
		}
	}
}

func TestThesaurusLoadErrors(t *testing.T) {
	cases := map[string]string{
		"":                          "empty file",
		"groups: []\n":              "no groups",
		"groups:\n  - terms: [A]\n": "group 1: needs at least 2 terms",
		"groups:\n  - terms: [A, B]\n  - terms: [b, c]\n":       "group 2: term \"b\" already in group 1",
		"groups:\n  - terms: [A, \"  \"]\n":                     "group 1: empty term",
		"groups:\n  - terms: [A, \"--\"]\n":                     "no letters or digits",
		"groups:\n  - terms: [A, B]\n    case_sensitive: [C]\n": "case_sensitive term \"C\" is not one of its terms",
		"groups:\n  - term: [A, B]\n":                           "field term not found",
		"groups: {\n":                                           "yaml",
	}
	for in, want := range cases {
		_, err := LoadThesaurus(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadThesaurus(%q) = %v; want an error containing %q", in, err, want)
		}
	}
	th, err := LoadThesaurus(strings.NewReader("groups:\n  - terms: [WHO, World Health Organization]\n    case_sensitive: [WHO]\n  - terms: [who, whom]\n"))
	if err != nil || th.Len() != 2 {
		t.Fatalf("case-sensitive WHO beside lower-case who: %v", err)
	}
}

func TestThesaurusCustom(t *testing.T) {
	th, err := LoadThesaurus(strings.NewReader("groups:\n  - terms: [LOS, length of stay]\n  - terms: [breathing, respiration]\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := buildEngine(t, inlineCorpus(), EngineConfig{Thesaurus: th})
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
