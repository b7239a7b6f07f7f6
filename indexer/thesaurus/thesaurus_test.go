package thesaurus

import (
	"slices"
	"strings"
	"testing"
)

func TestThesaurusDefault(t *testing.T) {
	th := Default()
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
		for _, term := range g.Terms {
			ambiguous := slices.Contains([]string{"WHO", "NICE", "SI", "PU", "DoC", "ED"}, term.Text)
			if ambiguous != term.CaseSensitive {
				t.Errorf("%s: caseSensitive=%v", term.Text, term.CaseSensitive)
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
		_, err := Load(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v; want an error containing %q", in, err, want)
		}
	}
	th, err := Load(strings.NewReader("groups:\n  - terms: [WHO, World Health Organization]\n    case_sensitive: [WHO]\n  - terms: [who, whom]\n"))
	if err != nil || th.Len() != 2 {
		t.Fatalf("case-sensitive WHO beside lower-case who: %v", err)
	}
}

func TestMatcher(t *testing.T) {
	th, err := Load(strings.NewReader("groups:\n  - terms: [WHO, World Health Organization]\n    case_sensitive: [WHO]\n  - terms: [who, whom]\n  - terms: [never event, never events]\n"))
	if err != nil {
		t.Fatal(err)
	}
	lower := func(s string) []string { return strings.Fields(strings.ToLower(s)) }
	m := NewMatcher(th, lower)
	tokens := func(words []string) [][]string {
		out := make([][]string, len(words))
		for i, w := range words {
			out[i] = lower(TrimPunct(w))
		}
		return out
	}
	for _, c := range []struct {
		words []string
		n     int
		term  string
	}{
		{[]string{"WHO?", "guidance"}, 1, "WHO"},
		{[]string{"who", "guidance"}, 1, "who"},
		{[]string{"never", "events", "today"}, 2, "never events"},
		{[]string{"never", "again"}, 0, ""},
		{nil, 0, ""},
	} {
		n, g, ti := m.Match(c.words, tokens(c.words))
		if n != c.n || (n > 0 && g.Terms[ti].Text != c.term) {
			t.Errorf("Match(%q) = %d %+v %d; want %d words of %q", c.words, n, g, ti, c.n, c.term)
		}
	}
}
