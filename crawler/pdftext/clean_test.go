package pdftext

import (
	"slices"
	"testing"
)

func TestCleanLine(t *testing.T) {
	cases := map[string]string{
		"  the \uFB01rst  \uFB02ow\t": "the first flow",
		"e\u0301tude":                 "étude", // composed
		"trans\u00ADfusion":           "transfusion",
		"a\u00A0b\x01c":               "a bc",
		"Staﬀ oﬃce ﬄuid":              "Staff office ffluid",
	}
	for in, want := range cases {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDropRunning(t *testing.T) {
	page := func(lines ...string) []string { return lines }
	cases := []struct {
		name  string
		pages [][]string
		want  [][]string
	}{
		{
			name: "header and numbered footer",
			pages: [][]string{
				page("Annual report", "Intro text", "Page 1 of 3"),
				page("Annual report", "Findings text", "Page 2 of 3"),
				page("Annual report", "Close text", "Page 3 of 3"),
			},
			want: [][]string{page("Intro text"), page("Findings text"), page("Close text")},
		},
		{
			name: "numbers that do not follow the page are content",
			pages: [][]string{
				page("Table 4", "a"), page("Table 9", "b"), page("Table 2", "c"),
			},
			want: [][]string{page("Table 4", "a"), page("Table 9", "b"), page("Table 2", "c")},
		},
		{
			name: "on fewer than 60% of the pages",
			pages: [][]string{
				page("Draft", "a"), page("b"), page("c"), page("Draft", "d"), page("e"),
			},
			want: [][]string{page("Draft", "a"), page("b"), page("c"), page("Draft", "d"), page("e")},
		},
		{
			name:  "two pages are too few",
			pages: [][]string{page("Same", "a"), page("Same", "b")},
			want:  [][]string{page("Same", "a"), page("Same", "b")},
		},
		{
			name: "only at the edges",
			pages: [][]string{
				page("x", "y", "Note", "z", "w"), page("x", "y", "Note", "z", "w"), page("v", "u", "Note", "t", "s"),
			},
			want: [][]string{page("Note"), page("Note"), page("v", "u", "Note", "t", "s")},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := dropRunning(c.pages)
			if !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Errorf("dropRunning:\n got %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestDigitless(t *testing.T) {
	key, nums := digitless("Page 12 of 340")
	if key != "Page # of #" || !slices.Equal(nums, []int{12, 340}) {
		t.Errorf("digitless = %q %v", key, nums)
	}
}
