package relevance

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The collections live outside the repository, in shared/ beside it.
const (
	medDir = "../../../../shared/external/smart-med"
	cfDir  = "../../../../shared/external/cystic-fibrosis"
)

func TestLoadMED(t *testing.T) {
	c, err := LoadMED(medDir)
	if err != nil {
		t.Fatal(err)
	}
	// Counts stated by smart-med/README.md.
	if len(c.Docs) != 1033 || len(c.Queries) != 30 || c.Judged() != 696 || len(c.Judgments) != 30 {
		t.Fatalf("MED: %d docs, %d queries, %d judgments over %d queries; want 1033, 30, 696, 30",
			len(c.Docs), len(c.Queries), c.Judged(), len(c.Judgments))
	}
	for i, d := range c.Docs {
		if d.ID != strconv.Itoa(i+1) || d.Text == "" || d.Title != "" {
			t.Fatalf("doc %d: %+v", i, d)
		}
		if strings.ContainsAny(d.Text, "\r\n") {
			t.Fatalf("doc %s keeps line breaks", d.ID)
		}
	}
	if want := "correlation between maternal and fetal plasma levels of glucose and free fatty acids ."; !strings.HasPrefix(c.Docs[0].Text, want) {
		t.Errorf("doc 1 = %.100q", c.Docs[0].Text)
	}
	if got, want := c.Queries[0].Text, "the crystalline lens in vertebrates, including humans."; got != want {
		t.Errorf("q1 = %q, want %q", got, want)
	}
	minRel, maxRel := 1000, 0
	for _, m := range c.Judgments {
		minRel, maxRel = min(minRel, len(m)), max(maxRel, len(m))
		for _, g := range m {
			if g != 1 {
				t.Fatalf("MED grade %d, want binary 1", g)
			}
		}
	}
	if minRel != 9 || maxRel != 39 {
		t.Errorf("relevant per query %d..%d, README says 9..39", minRel, maxRel)
	}
	if c.Judgments["1"]["13"] != 1 {
		t.Error("first MED.REL line (1 0 13 1) missing")
	}
	mean := 0
	for _, d := range c.Docs {
		mean += len(strings.Fields(d.Text))
	}
	if m := mean / len(c.Docs); m < 140 || m > 170 {
		t.Errorf("mean MED doc length %d tokens, README says about 156", m)
	}
}

func TestLoadCF(t *testing.T) {
	c, err := LoadCF(cfDir)
	if err != nil {
		t.Fatal(err)
	}
	// Counts stated by cystic-fibrosis/README.md.
	if len(c.Docs) != 1239 || len(c.Queries) != 100 || c.Judged() != 4819 {
		t.Fatalf("CF: %d docs, %d queries, %d judgments; want 1239, 100, 4819", len(c.Docs), len(c.Queries), c.Judged())
	}
	for i, d := range c.Docs {
		if d.ID != strconv.Itoa(i+1) || d.Title == "" || d.Text == "" {
			t.Fatalf("doc %d: %+v", i, d)
		}
		for _, r := range d.Title + d.Text {
			if r >= 0x80 {
				t.Fatalf("doc %s has non-ASCII %q", d.ID, r)
			}
		}
	}
	// The record with bit-7 bytes, restored by the 0x7F mask.
	if want := "One of the characteristics of cystic fibrosis, an"; !strings.HasPrefix(c.Docs[123].Text, want) {
		t.Errorf("RN 124 = %.80q, want prefix %q", c.Docs[123].Text, want)
	}
	if want := "Pseudomonas aeruginosa infection in cystic fibrosis. Occurrence of precipitating antibodies"; !strings.HasPrefix(c.Docs[0].Title, want) {
		t.Errorf("RN 1 title = %q", c.Docs[0].Title)
	}
	// Grade distribution stated by the README (sum of the four judges).
	dist := map[int]int{}
	for _, m := range c.Judgments {
		for _, g := range m {
			dist[g]++
		}
	}
	want := map[int]int{1: 2280, 2: 744, 3: 251, 4: 202, 5: 250, 6: 297, 7: 330, 8: 465}
	for g, n := range want {
		if dist[g] != n {
			t.Errorf("grade %d: %d judgments, README says %d", g, dist[g], n)
		}
	}
	if len(dist) != len(want) {
		t.Errorf("grades %v, want only 1..8", dist)
	}
	// AB vs EX: the README counts 784 abstracts; AB text never starts
	// with the extract marker, so check the total words instead.
	words := 0
	for _, d := range c.Docs {
		words += len(strings.Fields(d.Title + " " + d.Text))
	}
	if m := words / len(c.Docs); m < 130 || m > 160 {
		t.Errorf("mean TI+AB/EX length %d words, README says about 144", m)
	}
}

// TestCFMatchesDerived checks the loader against the README's mechanical
// conversions: derived/qrels.txt (grade = sum of digits) and
// derived/queries.tsv (QU with whitespace collapsed).
func TestCFMatchesDerived(t *testing.T) {
	c, err := LoadCF(cfDir)
	if err != nil {
		t.Fatal(err)
	}
	derived := &Collection{Name: "cf-derived", Judgments: map[string]map[string]int{}}
	if err := readQrels(filepath.Join(cfDir, "derived", "qrels.txt"), derived); err != nil {
		t.Fatal(err)
	}
	n := 0
	for qid, m := range derived.Judgments {
		for did, g := range m {
			n++
			if c.Judgments[qid][did] != g {
				t.Errorf("q%s d%s: grade %d, derived %d", qid, did, c.Judgments[qid][did], g)
			}
		}
	}
	if n != 4819 {
		t.Errorf("derived qrels: %d lines", n)
	}
	data, err := os.ReadFile(filepath.Join(cfDir, "derived", "queries.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) != len(c.Queries) {
		t.Fatalf("queries.tsv has %d lines, loader %d queries", len(lines), len(c.Queries))
	}
	for i, l := range lines {
		id, text, _ := strings.Cut(l, "\t")
		if c.Queries[i].ID != id || c.Queries[i].Text != text {
			t.Errorf("query %d: loader %q %q, derived %q %q", i, c.Queries[i].ID, c.Queries[i].Text, id, text)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := LoadMED(t.TempDir()); err == nil {
		t.Error("LoadMED on an empty dir: no error")
	}
	if _, err := LoadCF(t.TempDir()); err == nil {
		t.Error("LoadCF on an empty dir: no error")
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	for name, body := range map[string]string{
		"text before .I": "stray\r\n.I 1\r\n.W\r\ntext\r\n",
		"unknown tag":    ".I 1\r\n.T\r\ntitle\r\n",
		"bad id":         ".I x\r\n.W\r\ntext\r\n",
	} {
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readSMART(bad); err == nil {
			t.Errorf("readSMART %s: no error", name)
		}
	}
	for name, body := range map[string]string{
		"short line": "1 0 2\n",
		"duplicate":  "1 0 2 1\n1 0 2 1\n",
		"negative":   "1 0 2 -1\n",
	} {
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := readQrels(bad, &Collection{Judgments: map[string]map[string]int{}}); err == nil {
			t.Errorf("readQrels %s: no error", name)
		}
	}
	c := &Collection{Judgments: map[string]map[string]int{}}
	for name, body := range map[string]string{
		"NR mismatch": "QN 00001\nQU text\nNR 00002\nRD  1 1000\n",
		"bad digits":  "QN 00001\nQU text\nNR 00001\nRD  1 3000\n",
		"no QU":       "QN 00001\nNR 00001\nRD  1 1000\n",
	} {
		if err := os.WriteFile(bad, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		recs, err := readTagged(bad)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.addCFQuery(recs[0]); err == nil {
			t.Errorf("addCFQuery %s: no error", name)
		}
	}
	if err := os.WriteFile(bad, []byte("RN 00001\nTI t\nAB a\nEX e\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := readTagged(bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfDoc(recs[0]); err == nil {
		t.Error("cfDoc with both AB and EX: no error")
	}
}
