package searchapi

import (
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
)

func TestPersonName(t *testing.T) {
	for _, tc := range []struct {
		in, family, given string
		ok                bool
	}{
		{"Dr Tracey Herlihey", "Herlihey", "Tracey", true},
		{"Prof. Jane Mary O'Neil", "O'Neil", "Jane Mary", true},
		{"Steve Turner", "Turner", "Steve", true},
		{"Anne-Marie Smith-Jones", "Smith-Jones", "Anne-Marie", true},
		{"Patient Safety Learning", "", "", false},
		{"NHS England", "", "", false},
		{"Healthcare Safety Investigation Branch", "", "", false},
		{"PSL_Editor", "", "", false},
		{"Claire", "", "", false},
		{"user123 smith", "", "", false},
		{"", "", "", false},
	} {
		f, g, ok := personName(tc.in)
		if f != tc.family || g != tc.given || ok != tc.ok {
			t.Errorf("personName(%q) = %q, %q, %v; want %q, %q, %v", tc.in, f, g, ok, tc.family, tc.given, tc.ok)
		}
	}
}

func TestExportAuthorsForCitationManagers(t *testing.T) {
	arts := []article.Article{
		{ID: "s:r1", Source: "s", Title: "Person", Author: "Dr Tracey Herlihey"},
		{ID: "s:r2", Source: "s", Title: "Organisation", Author: "Patient Safety Learning"},
	}
	ris := writeExport(t, "ris", arts)
	if !strings.Contains(ris, "AU  - Herlihey, Tracey\r\n") || !strings.Contains(ris, "AU  - Patient Safety Learning\r\n") {
		t.Errorf("RIS authors:\n%s", ris)
	}
	bib := writeExport(t, "bibtex", arts)
	if !strings.Contains(bib, "author = {Herlihey, Tracey},") || !strings.Contains(bib, "author = {{Patient Safety Learning}},") {
		t.Errorf("BibTeX authors:\n%s", bib)
	}
}
