package relevance

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LoadMED reads the SMART MED collection (1,033 Medline abstracts, 30
// queries, 696 binary judgments) from dir, the collection directory that
// holds original/MED.ALL, original/MED.QRY and original/MED.REL. MED has no
// titles: Doc.Title is empty and Doc.Text is the abstract with its
// whitespace collapsed. Every judgment has grade 1. MED.REL.OLD is
// superseded and not read.
func LoadMED(dir string) (*Collection, error) {
	orig := filepath.Join(dir, "original")
	docs, err := readSMART(filepath.Join(orig, "MED.ALL"))
	if err != nil {
		return nil, err
	}
	qs, err := readSMART(filepath.Join(orig, "MED.QRY"))
	if err != nil {
		return nil, err
	}
	c := &Collection{Name: "med", Judgments: map[string]map[string]int{}}
	for _, d := range docs {
		c.Docs = append(c.Docs, Doc{ID: d.id, Text: d.text})
	}
	for _, q := range qs {
		c.Queries = append(c.Queries, QueryJ{ID: q.id, Text: q.text})
	}
	if err := readQrels(filepath.Join(orig, "MED.REL"), c); err != nil {
		return nil, err
	}
	return c, c.check()
}

type smartRecord struct{ id, text string }

// readSMART parses the SMART ".I <n>" / ".W" layout: the text of a record is
// every line after ".W" up to the next ".I" line. Carriage returns are
// stripped and whitespace runs collapsed.
func readSMART(path string) ([]smartRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("relevance: %w", err)
	}
	var (
		out    []smartRecord
		cur    *smartRecord
		inText bool
		text   strings.Builder
	)
	flush := func() {
		if cur != nil {
			cur.text = strings.Join(strings.Fields(text.String()), " ")
			out = append(out, *cur)
		}
		text.Reset()
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(l, ".I "):
			flush()
			id, err := decimalID(strings.TrimSpace(l[3:]))
			if err != nil {
				return nil, fmt.Errorf("relevance: %s:%d: %w", path, line, err)
			}
			cur, inText = &smartRecord{id: id}, false
		case strings.TrimSpace(l) == ".W":
			if cur == nil {
				return nil, fmt.Errorf("relevance: %s:%d: .W before any .I", path, line)
			}
			inText = true
		case strings.HasPrefix(l, "."):
			return nil, fmt.Errorf("relevance: %s:%d: unknown tag %q", path, line, l)
		default:
			if cur == nil || !inText {
				if strings.TrimSpace(l) == "" {
					continue
				}
				return nil, fmt.Errorf("relevance: %s:%d: text outside a .W field", path, line)
			}
			text.WriteString(l)
			text.WriteByte(' ')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("relevance: read %s: %w", path, err)
	}
	flush()
	return out, nil
}

// readQrels reads TREC qrels lines "qid iter docid grade" into c.Judgments.
// A pair listed twice is an error, as is a negative grade.
func readQrels(path string, c *Collection) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("relevance: %w", err)
	}
	for i, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) != 4 {
			return fmt.Errorf("relevance: %s:%d: want 4 fields, got %d", path, i+1, len(f))
		}
		qid, err1 := decimalID(f[0])
		did, err2 := decimalID(f[2])
		grade, err3 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil || err3 != nil || grade < 0 {
			return fmt.Errorf("relevance: %s:%d: bad qrels line %q", path, i+1, l)
		}
		if err := c.judge(qid, did, grade); err != nil {
			return fmt.Errorf("relevance: %s:%d: %w", path, i+1, err)
		}
	}
	return nil
}

func (c *Collection) judge(qid, did string, grade int) error {
	m := c.Judgments[qid]
	if m == nil {
		m = map[string]int{}
		c.Judgments[qid] = m
	}
	if _, dup := m[did]; dup {
		return fmt.Errorf("query %s judges document %s twice", qid, did)
	}
	m[did] = grade
	return nil
}

// decimalID normalises a numeric id ("00042" → "42") so that documents,
// queries and judgments agree whatever zero padding each file uses.
func decimalID(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return "", fmt.Errorf("bad id %q", s)
	}
	return strconv.Itoa(n), nil
}

// Judged returns the number of (query, document) judgments with a grade > 0.
func (c *Collection) Judged() int {
	n := 0
	for _, m := range c.Judgments {
		n += countRelevant(m)
	}
	return n
}

// check verifies the collection is consistent: unique document and query
// ids, and judgments only for known queries and documents.
func (c *Collection) check() error {
	docs := make(map[string]struct{}, len(c.Docs))
	for _, d := range c.Docs {
		if _, dup := docs[d.ID]; dup {
			return fmt.Errorf("relevance: %s: duplicate document id %s", c.Name, d.ID)
		}
		docs[d.ID] = struct{}{}
	}
	qs := make(map[string]struct{}, len(c.Queries))
	for _, q := range c.Queries {
		if _, dup := qs[q.ID]; dup {
			return fmt.Errorf("relevance: %s: duplicate query id %s", c.Name, q.ID)
		}
		if q.Text == "" {
			return fmt.Errorf("relevance: %s: query %s has no text", c.Name, q.ID)
		}
		qs[q.ID] = struct{}{}
	}
	for qid, m := range c.Judgments {
		if _, ok := qs[qid]; !ok {
			return fmt.Errorf("relevance: %s: judgments for unknown query %s", c.Name, qid)
		}
		for did := range m {
			if _, ok := docs[did]; !ok {
				return fmt.Errorf("relevance: %s: query %s judges unknown document %s", c.Name, qid, did)
			}
		}
	}
	return nil
}
