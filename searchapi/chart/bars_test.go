package chart

import (
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files")

const goldenDir = "../../testdata/golden/charts"

func years(counts map[string]float64, order []string, selected string) []Bar {
	var bars []Bar
	for _, y := range order {
		bars = append(bars, Bar{Label: y, Value: counts[y], URL: "/?q=sepsis&year=" + y, Selected: y == selected, Key: y})
	}
	return bars
}

func TestBarsGolden(t *testing.T) {
	order := []string{"2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026"}
	counts := map[string]float64{"2016": 1, "2017": 0, "2018": 3, "2019": 7, "2020": 12, "2021": 9, "2022": 4, "2023": 0, "2024": 15, "2025": 11, "2026": 2}
	cases := map[string]Bars{
		"years":          {ID: "years", Title: "Results by year", Desc: "65 results from 2016 to 2026; most in 2024 (15).", Bars: years(counts, order, "")},
		"years-selected": {ID: "years", Title: "Results by year", Desc: "Narrowed to 2020.", Bars: years(counts, order, "2020")},
		"one-year":       {ID: "y1", Title: "Results by year", Desc: "3 results, all in 2024.", Bars: []Bar{{Label: "2024", Value: 3, Text: "3 results"}}},
		"runs": {ID: "runs", Title: "Crawl duration", Desc: "Last 4 runs.", Width: 240, Height: 60, Bars: []Bar{
			{Label: "1", Value: 12.5, Text: "12.5 s"}, {Label: "2", Value: 13, Text: "13 s"},
			{Label: "3", Value: 40, Text: "40 s, failed", Warn: true}, {Label: "4", Value: 12, Text: "12 s"},
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := string(c.SVG())
			wellFormed(t, got)
			path := filepath.Join(goldenDir, name+".svg")
			if *update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got+"\n" != string(want) {
				t.Errorf("%s differs from the golden file; run with -update and review the diff\ngot:\n%s", name, got)
			}
		})
	}
}

// wellFormed fails unless s parses as XML: the chart is embedded in HTML
// pages and also written as standalone .svg files.
func wellFormed(t *testing.T, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
	}
}

func TestBarsShape(t *testing.T) {
	svg := string(Bars{ID: "c", Title: "T", Bars: []Bar{
		{Label: "a", Value: 10, URL: "/?year=a"},
		{Label: "b", Value: 0},
		{Label: "c", Value: 0.001},
		{Label: "d", Value: -5},
	}}.SVG())
	if n := strings.Count(svg, `class="bar`); n != 4 {
		t.Errorf("%d bars, want 4", n)
	}
	if n := strings.Count(svg, "<a "); n != 1 {
		t.Errorf("%d links, want 1 (only the bar with a URL)", n)
	}
	// The tallest bar fills the plot (120 - 16 - 4 = 100 px); a tiny
	// non-zero value stays visible (1 px); zero and negative values are flat.
	for _, want := range []string{`height="100"`, `height="1"`, `height="0"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("no bar with %s in\n%s", want, svg)
		}
	}
	if (Bars{ID: "e"}).SVG() != "" {
		t.Error("an empty chart should be an empty string")
	}
}

func TestBarsEscapes(t *testing.T) {
	svg := string(Bars{ID: "x", Title: `<script>alert(1)</script>`, Desc: `"&'`, Bars: []Bar{
		{Label: `<b>`, Value: 1, URL: `javascript:alert(1)`, Key: `"><script>`},
	}}.SVG())
	wellFormed(t, svg)
	for _, bad := range []string{"<script>", "<b>", "javascript:"} {
		if strings.Contains(svg, bad) {
			t.Errorf("unescaped %q in\n%s", bad, svg)
		}
	}
}

func TestBarsLabelsDoNotCrowd(t *testing.T) {
	var bars []Bar
	for i := range 40 {
		bars = append(bars, Bar{Label: "20" + string(rune('0'+i/10)) + string(rune('0'+i%10)), Value: float64(i)})
	}
	svg := string(Bars{ID: "many", Title: "T", Width: 300, Bars: bars}.SVG())
	labels := strings.Count(svg, `class="label"`)
	// 300 px hold at most 300 / (4 × 6.5 + 4) = 10 four-character labels.
	if labels < 2 || labels > 10 {
		t.Errorf("%d axis labels on a 300 px chart of 40 bars, want 2–10", labels)
	}
	if !strings.Contains(svg, ">2039</text>") {
		t.Error("the last label is always drawn")
	}
}
