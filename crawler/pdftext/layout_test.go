package pdftext

import (
	"slices"
	"testing"
	"unicode"
)

// word lays out text as glyphs of a 6-point-wide, 10-point-high font from
// (x, y), one glyph per rune and a space glyph between words.
func word(x, y float64, text string) []glyph {
	var gs []glyph
	for _, r := range text {
		gs = append(gs, glyph{r: r, left: x, right: x + 5, bottom: y, top: y + 10})
		x += 6
	}
	return gs
}

func TestPageLinesTwoColumnsInterleaved(t *testing.T) {
	// The content stream alternates left and right lines, as some writers do.
	var gs []glyph
	gs = append(gs, word(50, 750, "Heading across both columns of the page")...)
	left := []string{"one two three four", "five six seven eight", "nine ten eleven twelve"}
	right := []string{"alpha beta gamma delta", "epsilon zeta eta theta", "iota kappa lambda mu"}
	for i := range left {
		y := 700 - float64(i)*14
		gs = append(gs, word(50, y, left[i])...)
		gs = append(gs, word(320, y, right[i])...)
	}
	got := pageLines(gs)
	want := append(append([]string{"Heading across both columns of the page"}, left...), right...)
	if !slices.Equal(got, want) {
		t.Errorf("pageLines:\n got %q\nwant %q", got, want)
	}
}

func TestPageLinesTableByRows(t *testing.T) {
	var gs []glyph
	rows := [][]string{{"Drug", "Dose", "Route"}, {"Insulin", "4 units", "SC"}, {"Morphine", "10 mg", "Oral"}}
	// Written column by column, as some table writers do.
	for j := range rows[0] {
		for i, row := range rows {
			gs = append(gs, word(50+float64(j)*120, 700-float64(i)*20, row[j])...)
		}
	}
	got := pageLines(gs)
	want := []string{"Drug Dose Route", "Insulin 4 units SC", "Morphine 10 mg Oral"}
	if !slices.Equal(got, want) {
		t.Errorf("pageLines:\n got %q\nwant %q", got, want)
	}
}

func TestPageLinesLigatureShareABox(t *testing.T) {
	// PDFium gives each letter of a ligature the ligature's box.
	gs := word(50, 700, "Sta")
	gs = append(gs, glyph{r: 'f', left: 68, right: 76, bottom: 700, top: 710}, glyph{r: 'f', left: 68, right: 76, bottom: 700, top: 710})
	gs = append(gs, glyph{r: ' '})
	gs = append(gs, word(84, 700, "met")...)
	if got := pageLines(gs); !slices.Equal(got, []string{"Staff met"}) {
		t.Errorf("pageLines = %q", got)
	}
}

func TestPageLinesEmptyAndDegenerate(t *testing.T) {
	if got := pageLines(nil); len(got) != 0 {
		t.Errorf("no glyphs: %q", got)
	}
	// Glyphs without boxes still come out, in content order.
	gs := []glyph{{r: 'a'}, {r: 'b'}, {r: ' '}, {r: 'c'}}
	if got := pageLines(gs); !slices.Equal(got, []string{"ab c"}) {
		t.Errorf("boxless glyphs: %q", got)
	}
}

// FuzzPageLines feeds the layout arbitrary glyph boxes: it must not panic, and
// every letter it is given comes out once.
func FuzzPageLines(f *testing.F) {
	f.Add([]byte("hello world"), []byte{10, 20, 30, 40, 200, 1, 0, 7})
	f.Fuzz(func(t *testing.T, text, coords []byte) {
		if len(coords) == 0 || len(text) > 500 {
			return
		}
		var gs []glyph
		letters := 0
		for i, r := range string(text) {
			c := func(k int) float64 { return float64(coords[(i*4+k)%len(coords)]) * 3 }
			gs = append(gs, glyph{r: r, left: c(0), bottom: c(1), right: c(0) + c(2)/10, top: c(1) + c(3)/10})
		}
		for _, r := range cleanLine(string(text)) {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		got := 0
		for _, l := range pageLines(gs) {
			for _, r := range l {
				if unicode.IsLetter(r) {
					got++
				}
			}
		}
		if got < letters {
			t.Errorf("%d letters in, %d out", letters, got)
		}
	})
}

func TestPageLinesColumnsAboveAFooterInTheGutter(t *testing.T) {
	left := []string{"one two three four", "five six seven eight"}
	right := []string{"alpha beta gamma delta", "epsilon zeta eta theta"}
	var gs []glyph
	for i := range left {
		y := 700 - float64(i)*14
		gs = append(gs, word(50, y, left[i])...)
		gs = append(gs, word(320, y, right[i])...)
	}
	gs = append(gs, word(280, 60, "12")...) // the page number, centred under the gutter
	got := pageLines(gs)
	want := append(append(slices.Clone(left), right...), "12")
	if !slices.Equal(got, want) {
		t.Errorf("pageLines:\n got %q\nwant %q", got, want)
	}
}
