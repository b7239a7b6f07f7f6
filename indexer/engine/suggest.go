package engine

// This file is "did you mean": words of a query that are not in the index
// are replaced by the most frequent close word of the spelling dictionary
// (the unstemmed words of titles, summaries, tags and topics).

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	index "github.com/blevesearch/bleve_index_api"
	"github.com/safetysearch/safetysearch/indexer/fold"
	"github.com/safetysearch/safetysearch/indexer/textquery"
	"github.com/safetysearch/safetysearch/indexer/thesaurus"
)

// suggest returns a corrected query string, or "" when every word is known
// (or nothing better is found). Operators, phrases and fields are kept.
func (e *Engine) Suggest(ctx context.Context, text string) (string, error) {
	tq, err := textquery.Parse(strings.TrimSpace(text))
	if err != nil || tq == nil {
		return "", nil
	}
	type repl struct {
		start, end int
		with       string
	}
	var repls []repl
	err = e.withReader(func(r index.IndexReader) error {
		fr, ok := r.(index.IndexReaderFuzzy)
		if !ok {
			return fmt.Errorf("index reader has no fuzzy dictionary")
		}
		for _, c := range tq.Clauses {
			for _, t := range c.Alts {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if t.Kind != textquery.Word || (t.Field != "" && t.Field != "title") {
					continue
				}
				word := t.Text
				start := t.Pos
				if c.Neg {
					start++
				}
				if t.Field != "" {
					start += len(t.Field) + 1
				}
				core := thesaurus.TrimPunct(word)
				if core == "" {
					continue
				}
				off := strings.Index(word, core)
				better, err := e.correct(r, fr, core)
				if err != nil {
					return err
				}
				if better != "" {
					repls = append(repls, repl{start + off, start + off + len(core), better})
				}
			}
		}
		return nil
	})
	if err != nil || len(repls) == 0 {
		return "", err
	}
	sort.Slice(repls, func(i, j int) bool { return repls[i].start < repls[j].start })
	var b strings.Builder
	pos := 0
	src := strings.TrimSpace(text)
	for _, rp := range repls {
		if rp.start < pos || rp.end > len(src) {
			continue
		}
		b.WriteString(src[pos:rp.start])
		b.WriteString(rp.with)
		pos = rp.end
	}
	b.WriteString(src[pos:])
	return b.String(), nil
}

// correct returns a better spelling of word, or "" if word is known, too
// short, a number, or nothing close is in the dictionary.
func (e *Engine) correct(r index.IndexReader, fr index.IndexReaderFuzzy, word string) (string, error) {
	w := strings.ToLower(fold.Text(word))
	if len([]rune(w)) < 4 || strings.ContainsFunc(w, unicode.IsDigit) {
		return "", nil
	}
	known, err := termCount(r, fSpell, w)
	if err != nil || known > 0 {
		return "", err
	}
	tokens := e.analyze(w)
	if len(tokens) != 1 { // a stop word, or not one word
		return "", nil
	}
	// A word of a body or a comment is known too, even if the spelling
	// dictionary (titles, summaries, tags) lacks it.
	for _, f := range textFields {
		if n, err := termCount(r, f.field, tokens[0]); err != nil || n > 0 {
			return "", err
		}
	}
	fuzz := 2
	if len([]rune(w)) <= 5 {
		fuzz = 1
	}
	d, err := fr.FieldDictFuzzy(fSpell, w, fuzz, "")
	if err != nil {
		return "", err
	}
	defer func() { _ = d.Close() }()
	var best *index.DictEntry
	for {
		de, err := d.Next()
		if err != nil {
			return "", err
		}
		if de == nil {
			break
		}
		if de.Term == w || strings.ContainsFunc(de.Term, unicode.IsDigit) {
			continue
		}
		if best == nil || de.EditDistance < best.EditDistance ||
			(de.EditDistance == best.EditDistance && (de.Count > best.Count || (de.Count == best.Count && de.Term < best.Term))) {
			c := *de
			best = &c
		}
	}
	if best == nil {
		return "", nil
	}
	return best.Term, nil
}

// termCount is the number of documents holding term in field.
func termCount(r index.IndexReader, field, term string) (uint64, error) {
	tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tfr.Close() }()
	return tfr.Count(), nil
}

// withReader runs fn with a low-level reader of the index, recovering panics.
func (e *Engine) withReader(fn func(index.IndexReader) error) error {
	return Safely(func() error {
		adv, err := e.idx.Advanced()
		if err != nil {
			return err
		}
		r, err := adv.Reader()
		if err != nil {
			return err
		}
		defer func() { _ = r.Close() }()
		return fn(r)
	})
}
