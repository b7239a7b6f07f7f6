package main

import (
	"strings"
	"testing"
)

func TestMatchPrefix(t *testing.T) {
	known := []string{"Reports and articles", "Guides", "Blogs", "Research", "Resources"}
	for in, want := range map[string]string{
		"report": "Reports and articles", "GUIDES": "Guides", "blog": "Blogs", "research": "Research",
	} {
		if got, err := matchPrefix(in, known); err != nil || got != want {
			t.Errorf("matchPrefix(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := matchPrefix("re", known); err == nil || !strings.Contains(err.Error(), `"Research"`) {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := matchPrefix("Report", []string{"Guides"}); err == nil || !strings.Contains(err.Error(), `the index has "Guides"`) {
		t.Errorf("unknown type: %v", err)
	}
}

// --type takes the real content types, by prefix and in any case, and an
// unknown one lists them.
func TestSearchTypePrefix(t *testing.T) {
	data := indexedSampleHub(t)
	full := searchJSON(t, data, "--type", "Reports and articles")
	if full.Total == 0 {
		t.Fatal("no Reports and articles in the sample hub")
	}
	if got := searchJSON(t, data, "--type", "report"); got.Total != full.Total {
		t.Errorf("--type report: %d results, --type \"Reports and articles\": %d", got.Total, full.Total)
	}
	code, _, stderr := run(t, nil, "search", "--data", data, "--type", "Report card", "x")
	if code != 2 || !strings.Contains(stderr, `"Reports and articles"`) {
		t.Errorf("unknown type: exit %d: %s", code, stderr)
	}
	_, _, help := run(t, nil, "search", "--help")
	if strings.Contains(help, "e.g. Report ") || !strings.Contains(help, `"Reports and articles"`) {
		t.Errorf("search --help for --type:\n%s", help)
	}
}
