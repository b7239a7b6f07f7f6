package relevance

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// cfFiles are the document files of the CF collection, in record order.
var cfFiles = [...]string{"cf74", "cf75", "cf76", "cf77", "cf78", "cf79"}

// cfTags are the field tags of CF document and query records. A line that
// starts with one of them followed by a space opens a field; any other
// non-blank line continues the current field (continuations are normally
// indented, but a few abstract lines start at column 0).
var cfTags = map[string]bool{
	"PN": true, "RN": true, "AN": true, "AU": true, "TI": true, "SO": true,
	"MJ": true, "MN": true, "AB": true, "EX": true, "RF": true, "CT": true,
	"QN": true, "QU": true, "NR": true, "RD": true,
}

// LoadCF reads the Cystic Fibrosis collection (1,239 MEDLINE records, 100
// queries, 4,819 graded judgments) from dir, the collection directory that
// holds original/cf74…cf79 and original/cfquery. Everything is read from the
// original files:
//
//   - Doc.ID is the record number RN without zero padding ("00001" → "1"),
//     the id the judgments use; Doc.Title is TI and Doc.Text is the abstract
//     AB or, when the record has none, the extract EX (the README's
//     recommended TI + AB/EX; MeSH headings are not used);
//   - QueryJ.Text is QU with its whitespace collapsed;
//   - the grade of a listed document is the sum of the four judges' digits
//     (1..8), as in derived/qrels.txt, so nDCG uses graded gains and binary
//     measures count every listed document as relevant.
//
// Bytes are masked with 0x7F: record RN 124 of cf74 has 9 bytes with bit 7
// set, and clearing it restores the ASCII text (see the collection README).
func LoadCF(dir string) (*Collection, error) {
	orig := filepath.Join(dir, "original")
	c := &Collection{Name: "cf", Judgments: map[string]map[string]int{}}
	for _, name := range cfFiles {
		recs, err := readTagged(filepath.Join(orig, name))
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			d, err := cfDoc(r)
			if err != nil {
				return nil, fmt.Errorf("relevance: %s: record %d: %w", name, r.line, err)
			}
			c.Docs = append(c.Docs, d)
		}
	}
	recs, err := readTagged(filepath.Join(orig, "cfquery"))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := c.addCFQuery(r); err != nil {
			return nil, fmt.Errorf("relevance: cfquery: record at line %d: %w", r.line, err)
		}
	}
	return c, c.check()
}

type taggedRecord struct {
	line   int                 // first line of the record
	fields map[string][]string // tag → values (a tag may repeat)
}

func (r taggedRecord) one(tag string) (string, error) {
	v := r.fields[tag]
	if len(v) != 1 {
		return "", fmt.Errorf("want one %s field, got %d", tag, len(v))
	}
	return v[0], nil
}

// readTagged splits a CF file into blank-line separated records of tagged
// fields. Field values are joined across continuation lines with single
// spaces.
func readTagged(path string) ([]taggedRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("relevance: %w", err)
	}
	for i, b := range data {
		data[i] = b & 0x7F
	}
	var (
		out   []taggedRecord
		cur   *taggedRecord
		tag   string
		value []string
	)
	endField := func() {
		if cur != nil && tag != "" {
			cur.fields[tag] = append(cur.fields[tag], strings.Join(strings.Fields(strings.Join(value, " ")), " "))
		}
		tag, value = "", nil
	}
	endRecord := func() {
		endField()
		if cur != nil {
			out = append(out, *cur)
		}
		cur = nil
	}
	for i, l := range strings.Split(strings.ReplaceAll(string(data), "\r", ""), "\n") {
		if strings.TrimSpace(l) == "" {
			endRecord()
			continue
		}
		if len(l) >= 3 && l[2] == ' ' && cfTags[l[:2]] {
			endField()
			if cur == nil {
				cur = &taggedRecord{line: i + 1, fields: map[string][]string{}}
			}
			tag, value = l[:2], []string{l[3:]}
			continue
		}
		if cur == nil || tag == "" {
			return nil, fmt.Errorf("relevance: %s:%d: text before any field tag", path, i+1)
		}
		value = append(value, l)
	}
	endRecord()
	return out, nil
}

func cfDoc(r taggedRecord) (Doc, error) {
	rn, err := r.one("RN")
	if err != nil {
		return Doc{}, err
	}
	id, err := decimalID(rn)
	if err != nil {
		return Doc{}, err
	}
	title, err := r.one("TI")
	if err != nil {
		return Doc{}, fmt.Errorf("RN %s: %w", id, err)
	}
	ab, ex := r.fields["AB"], r.fields["EX"]
	if len(ab)+len(ex) != 1 {
		return Doc{}, fmt.Errorf("RN %s: want exactly one AB or EX field, got %d AB and %d EX", id, len(ab), len(ex))
	}
	return Doc{ID: id, Title: title, Text: strings.Join(append(ab, ex...), "")}, nil
}

// addCFQuery adds one cfquery record: its text and its relevance data, a
// list of "<RN> <4 digits>" pairs whose count must equal NR.
func (c *Collection) addCFQuery(r taggedRecord) error {
	qn, err := r.one("QN")
	if err != nil {
		return err
	}
	id, err := decimalID(qn)
	if err != nil {
		return err
	}
	text, err := r.one("QU")
	if err != nil {
		return fmt.Errorf("QN %s: %w", id, err)
	}
	nrs, err := r.one("NR")
	if err != nil {
		return fmt.Errorf("QN %s: %w", id, err)
	}
	nr, err := strconv.Atoi(nrs)
	if err != nil {
		return fmt.Errorf("QN %s: bad NR %q", id, nrs)
	}
	rd := strings.Fields(strings.Join(r.fields["RD"], " "))
	if len(rd)%2 != 0 || len(rd)/2 != nr {
		return fmt.Errorf("QN %s: NR says %d documents, RD lists %d values", id, nr, len(rd))
	}
	c.Queries = append(c.Queries, QueryJ{ID: id, Text: text})
	for i := 0; i < len(rd); i += 2 {
		did, err := decimalID(rd[i])
		if err != nil {
			return fmt.Errorf("QN %s: %w", id, err)
		}
		grade, err := cfGrade(rd[i+1])
		if err != nil {
			return fmt.Errorf("QN %s, RN %s: %w", id, did, err)
		}
		if err := c.judge(id, did, grade); err != nil {
			return err
		}
	}
	return nil
}

// cfGrade sums the four judges' scores, each 0, 1 or 2.
func cfGrade(s string) (int, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("bad judge scores %q", s)
	}
	g := 0
	for _, d := range []byte(s) {
		if d < '0' || d > '2' {
			return 0, fmt.Errorf("bad judge scores %q", s)
		}
		g += int(d - '0')
	}
	return g, nil
}
