// Command generate writes the PDF fixtures of crawler/pdftext into testdata/pdf.
//
// It is its own module so that the PDF writer never enters the service's build;
// the fixtures are checked in and only need regenerating when this file changes:
//
//	cd testdata/pdf/generate && go run . -out .. -font /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf -site ../../site
//
// With -site it also writes the documents the sample hub's records attach or
// link (testdata/site/uploads/), whose text is found nowhere in the pages.
//
// The UTF-8 font (any TrueType font with the ﬁ and ﬂ ligature glyphs) is read only
// to embed a subset of it in the fixtures that need non-ASCII text.
package main

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// fixed keeps the fixtures byte-stable across runs: fpdf writes the dates into the file.
var fixed = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func main() {
	out := flag.String("out", "..", "directory to write the fixtures to")
	font := flag.String("font", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "TrueType font with ligature glyphs")
	site := flag.String("site", "", "sample hub directory (testdata/site) to write its documents to; empty: none")
	flag.Parse()
	if *site != "" {
		writeSiteDocuments(*site)
	}

	fixtures := []struct {
		name string
		make func() ([]byte, error)
	}{
		{"multipage.pdf", multipage},
		{"twocolumn.pdf", twocolumn},
		{"table.pdf", table},
		{"ligatures.pdf", func() ([]byte, error) { return unicodeText(*font, ligatureLines) }},
		{"nonascii.pdf", func() ([]byte, error) { return unicodeText(*font, nonASCIILines) }},
		{"header.pdf", runningHeader},
		{"encrypted.pdf", encrypted},
		{"imageonly.pdf", imageOnly},
		{"truncated.pdf", truncated},
		{"bomb.pdf", bomb},
	}
	for _, fx := range fixtures {
		b, err := fx.make()
		if err != nil {
			log.Fatalf("%s: %v", fx.name, err)
		}
		if err := os.WriteFile(filepath.Join(*out, fx.name), b, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-14s %7d bytes\n", fx.name, len(b))
	}
}

func newDoc() *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(fixed)
	pdf.SetModificationDate(fixed)
	pdf.SetCatalogSort(true)
	pdf.SetFont("Helvetica", "", 11)
	return pdf
}

func output(pdf *fpdf.Fpdf) ([]byte, error) {
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var pageParagraphs = []string{
	"The investigation found that the infusion pump was programmed with the wrong concentration. Staff did not have access to a second check at night.",
	"Recommendation 1: the trust should introduce an independent double check for high-risk infusions, supported by the pump's drug library.",
	"Safety observation: handover between shifts relied on memory. A structured handover tool would reduce the risk of omitted doses.",
}

func multipage() ([]byte, error) {
	pdf := newDoc()
	headings := []string{"Findings", "Recommendations", "Observations"}
	for i, p := range pageParagraphs {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "B", 14)
		pdf.CellFormat(0, 10, headings[i], "", 1, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 6, p, "", "L", false)
	}
	return output(pdf)
}

// twocolumn writes the two columns line by line alternately (left, right, left, ...),
// so a reader that follows the content stream interleaves them; reading order is
// the title, then the whole left column, then the whole right column.
func twocolumn() ([]byte, error) {
	left := []string{
		"Left column line one about",
		"medication errors in the",
		"emergency department and",
		"the reporting culture.",
	}
	right := []string{
		"Right column line one about",
		"falls prevention on older",
		"people's wards and the",
		"use of bed rails.",
	}
	pdf := newDoc()
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 16)
	pdf.Text(20, 25, "Two column safety bulletin")
	pdf.SetFont("Helvetica", "", 11)
	for i := range left {
		y := 45 + float64(i)*6
		pdf.Text(20, y, left[i])
		pdf.Text(115, y, right[i])
	}
	return output(pdf)
}

func table() ([]byte, error) {
	rows := [][]string{
		{"Drug", "Dose", "Route"},
		{"Morphine", "10 mg", "Oral"},
		{"Insulin", "4 units", "Subcutaneous"},
		{"Gentamicin", "5 mg/kg", "Intravenous"},
	}
	pdf := newDoc()
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 10, "Table 1: doses given", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	for _, row := range rows {
		for _, cell := range row {
			pdf.CellFormat(45, 8, cell, "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	return output(pdf)
}

var ligatureLines = []string{
	"The ﬁrst ﬁnding: the ﬂow rate was not veriﬁed.",
	"Staﬀ were ﬂagged as unqualiﬁed for the oﬃce.",
}

var nonASCIILines = []string{
	"Café staﬀ reported the patient’s fall – twice.",
	"Naïve “root cause” analysis: 37 °C, 5 µg, Zoë.",
}

func unicodeText(font string, lines []string) ([]byte, error) {
	ttf, err := os.ReadFile(font)
	if err != nil {
		return nil, err
	}
	pdf := newDoc()
	pdf.AddUTF8FontFromBytes("DejaVu", "", ttf)
	pdf.AddPage()
	pdf.SetFont("DejaVu", "", 12)
	for _, l := range lines {
		pdf.CellFormat(0, 8, l, "", 1, "L", false, 0, "")
	}
	return output(pdf)
}

// runningHeader repeats a header and a numbered footer on every page; the
// extractor drops both.
func runningHeader() ([]byte, error) {
	pdf := newDoc()
	pdf.AliasNbPages("{nb}")
	pdf.SetHeaderFunc(func() {
		pdf.SetFont("Helvetica", "I", 9)
		pdf.CellFormat(0, 8, "HSSIB Investigation Report: Medication safety", "", 1, "C", false, 0, "")
		pdf.Ln(4)
	})
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("Helvetica", "I", 9)
		pdf.CellFormat(0, 10, fmt.Sprintf("Page %d of {nb}", pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	body := append(append([]string{}, pageParagraphs...), "Appendix: the terms of reference and the people interviewed.")
	for _, p := range body {
		pdf.AddPage()
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 6, p, "", "L", false)
	}
	return output(pdf)
}

func encrypted() ([]byte, error) {
	pdf := newDoc()
	pdf.SetProtection(fpdf.CnProtectPrint, "user-secret", "owner-secret")
	pdf.AddPage()
	pdf.CellFormat(0, 10, "Confidential: this text needs the password.", "", 1, "L", false, 0, "")
	return output(pdf)
}

// imageOnly stands for a scanned report: a page whose only content is a picture.
func imageOnly() ([]byte, error) {
	img := image.NewGray(image.Rect(0, 0, 120, 60))
	for y := range 60 {
		for x := range 120 {
			c := uint8(255)
			if (y/6)%2 == 0 && x%10 < 7 && x > 5 && x < 115 {
				c = 30 // grey bars, like lines of scanned print
			}
			img.SetGray(x, y, color.Gray{Y: c})
		}
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return nil, err
	}
	pdf := newDoc()
	pdf.AddPage()
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	pdf.RegisterImageOptionsReader("scan", opt, &pngBuf)
	pdf.ImageOptions("scan", 20, 20, 170, 85, false, opt, 0, "")
	return output(pdf)
}

// truncated is the multi-page fixture cut short, as a download that stopped half-way.
func truncated() ([]byte, error) {
	b, err := multipage()
	if err != nil {
		return nil, err
	}
	return b[:len(b)*2/5], nil
}

// bomb is a one-page PDF whose content stream is deflated twice: a few KB on disk
// that inflate to bombSize bytes of spaces. fpdf cannot write stacked filters, so
// the file is written by hand.
func bomb() ([]byte, error) {
	const bombSize = 1 << 30
	var inner bytes.Buffer
	zi, _ := zlib.NewWriterLevel(&inner, zlib.BestCompression)
	chunk := []byte(strings.Repeat(" ", 1<<16))
	for range bombSize / len(chunk) {
		if _, err := zi.Write(chunk); err != nil {
			return nil, err
		}
	}
	if err := zi.Close(); err != nil {
		return nil, err
	}
	var outer bytes.Buffer
	zo, _ := zlib.NewWriterLevel(&outer, zlib.BestCompression)
	if _, err := io.Copy(zo, &inner); err != nil {
		return nil, err
	}
	if err := zo.Close(); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>")
	obj(fmt.Sprintf("<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n%s\nendstream", outer.Len(), outer.Bytes()))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes(), nil
}

// siteDocuments are the sample hub's documents: path under the site → pages.
// The insulin audit's page 2 holds the only mention of "degludec" in the
// hub; the clot prevention guide, linked from a record's body rather than attached, the
// only "fondaparinux".
var siteDocuments = []struct {
	path  string
	title string
	pages []string
}{
	{"uploads/monthly_2022_08/insulin-pen-safety-audit.pdf", "Insulin pen safety audit", []string{
		"This audit looked at how insulin pens were used on twelve adult wards over four weeks, and at the incidents reported in the year before.",
		"Recommendation 3: insulin degludec must never be drawn up from a pen device with a syringe; a pen needle is used for every dose, and pharmacy supplies vials where a syringe is needed.",
		"The wards that kept a pen per patient, labelled at the bedside, reported no wrong-patient doses during the audit.",
	}},
	{"uploads/monthly_2026_11/oxygen-cylinder-transfer-checklist.pdf", "Oxygen cylinder transfer checklist", []string{
		"Before every transfer the escorting nurse opens the cylinder valve, reads the contents gauge and records the expected duration of the supply.",
		"A cylinder showing less than a quarter full is replaced before the patient leaves the ward; the spare travels on the trolley, not in the porter's lodge.",
	}},
	{"uploads/monthly_2025_11/clot-prevention-guide.pdf", "Clot prevention pocket guide", []string{
		"Assess every adult on admission and again within 24 hours, and whenever the clinical situation changes.",
		"Where low molecular weight heparin is contraindicated because of heparin-induced thrombocytopenia, fondaparinux is an alternative on the advice of a haematologist.",
	}},
}

func writeSiteDocuments(site string) {
	for _, d := range siteDocuments {
		pdf := newDoc()
		for i, p := range d.pages {
			pdf.AddPage()
			pdf.SetFont("Helvetica", "B", 14)
			pdf.CellFormat(0, 10, fmt.Sprintf("%s (%d)", d.title, i+1), "", 1, "L", false, 0, "")
			pdf.SetFont("Helvetica", "", 11)
			pdf.MultiCell(0, 6, p, "", "L", false)
		}
		b, err := output(pdf)
		if err != nil {
			log.Fatalf("%s: %v", d.path, err)
		}
		name := filepath.Join(site, filepath.FromSlash(d.path))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-60s %7d bytes\n", d.path, len(b))
	}
}
