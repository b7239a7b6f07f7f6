// Package thesaurus loads the query-time thesaurus (abbreviations ⇄
// expansions, multi-word, both ways) and matches query words against it.
// Bleve's own synonyms keep only single-token entries, so the engine
// expands a match itself, as a disjunction of phrase queries.
package thesaurus

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"github.com/safetysearch/safetysearch/indexer/fold"
	"go.yaml.in/yaml/v3"
)

//go:embed thesaurus.yaml
var defaultThesaurusYAML []byte

// Thesaurus is a set of groups of equivalent terms. It is immutable.
type Thesaurus struct {
	groups []Group
}

// Group is a set of equivalent terms. Callers must not modify it.
type Group struct {
	Terms []Term
}

// Term is one term of a group, as written in the file.
type Term struct {
	Text          string
	CaseSensitive bool // matched as typed, never expanded to
}

// Len is the number of groups.
func (t *Thesaurus) Len() int { return len(t.groups) }

// Groups returns the terms of every group, as written in the file.
func (t *Thesaurus) Groups() [][]string {
	out := make([][]string, 0, len(t.groups))
	for _, g := range t.groups {
		terms := make([]string, 0, len(g.Terms))
		for _, term := range g.Terms {
			terms = append(terms, term.Text)
		}
		out = append(out, terms)
	}
	return out
}

// Default is the patient-safety thesaurus built into the binary
// (indexer/thesaurus/thesaurus.yaml). It is parsed on each call.
func Default() *Thesaurus {
	t, err := Load(bytes.NewReader(defaultThesaurusYAML))
	if err != nil {
		// The embedded file is covered by tests; this is a build defect.
		panic(fmt.Sprintf("thesaurus: embedded thesaurus.yaml: %v", err))
	}
	return t
}

type thesaurusFile struct {
	Groups []struct {
		Terms         []string `yaml:"terms"`
		CaseSensitive []string `yaml:"case_sensitive"`
	} `yaml:"groups"`
}

// Load reads a thesaurus in the format of thesaurus.yaml. Errors name the
// group (1-based) and the problem.
func Load(r io.Reader) (*Thesaurus, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var f thesaurusFile
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("thesaurus: empty file")
		}
		return nil, fmt.Errorf("thesaurus: %w", err)
	}
	if len(f.Groups) == 0 {
		return nil, errors.New("thesaurus: no groups (expected a top-level \"groups:\" list)")
	}
	t := &Thesaurus{}
	seen := map[string]int{}
	for gi, g := range f.Groups {
		if len(g.Terms) < 2 {
			return nil, fmt.Errorf("thesaurus: group %d: needs at least 2 terms, has %d", gi+1, len(g.Terms))
		}
		cs := map[string]bool{}
		for _, c := range g.CaseSensitive {
			cs[c] = true
		}
		var group Group
		for _, term := range g.Terms {
			term = strings.Join(strings.Fields(term), " ")
			if term == "" {
				return nil, fmt.Errorf("thesaurus: group %d: empty term", gi+1)
			}
			if !strings.ContainsFunc(term, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
				return nil, fmt.Errorf("thesaurus: group %d: term %q has no letters or digits", gi+1, term)
			}
			key := term
			if !cs[term] {
				key = fold.Key(term)
			}
			if prev, dup := seen[key]; dup {
				return nil, fmt.Errorf("thesaurus: group %d: term %q already in group %d", gi+1, term, prev)
			}
			seen[key] = gi + 1
			group.Terms = append(group.Terms, Term{Text: term, CaseSensitive: cs[term]})
			delete(cs, term)
		}
		for c := range cs {
			return nil, fmt.Errorf("thesaurus: group %d: case_sensitive term %q is not one of its terms", gi+1, c)
		}
		t.groups = append(t.groups, group)
	}
	return t, nil
}

// key is a term of a group prepared for matching against query words:
// raw words for case-sensitive terms, index terms otherwise.
type key struct {
	group  *Group
	term   int
	words  []string // case-sensitive: the words as written
	tokens []string // case-insensitive: analyzed terms
}

// Matcher finds thesaurus terms in query words. It is immutable.
type Matcher struct {
	keys []key
}

// NewMatcher prepares every term of t with analyze, the index's analyzer
// (text to index terms).
func NewMatcher(t *Thesaurus, analyze func(string) []string) *Matcher {
	m := &Matcher{}
	for gi := range t.groups {
		g := &t.groups[gi]
		for ti, term := range g.Terms {
			k := key{group: g, term: ti}
			if term.CaseSensitive {
				k.words = strings.Fields(term.Text)
			} else {
				k.tokens = analyze(term.Text)
				if len(k.tokens) == 0 {
					continue
				}
			}
			m.keys = append(m.keys, k)
		}
	}
	return m
}

// TrimPunct removes punctuation around a typed word ("WHO?" → "WHO").
func TrimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Match finds the longest thesaurus term at the start of words, whose
// index terms are wordTokens (the analyzer's terms of each word). It
// returns how many words it covers (0: none), its group and the index of
// the matched term in the group. Case-sensitive terms win ties.
func (m *Matcher) Match(words []string, wordTokens [][]string) (int, *Group, int) {
	if len(words) == 0 {
		return 0, nil, 0
	}
	bestN, bestTerm := 0, 0
	var best *Group
	for _, k := range m.keys {
		n := 0
		if k.words != nil {
			if len(k.words) <= len(words) {
				n = len(k.words)
				for i, w := range k.words {
					if TrimPunct(words[i]) != w {
						n = 0
						break
					}
				}
			}
			if n > bestN || (n > 0 && n == bestN && best != nil && !best.Terms[bestTerm].CaseSensitive) {
				bestN, best, bestTerm = n, k.group, k.term
			}
			continue
		}
		if len(wordTokens[0]) == 0 {
			continue
		}
		var acc []string
		for i := range words {
			acc = append(acc, wordTokens[i]...)
			if !isPrefix(acc, k.tokens) {
				break
			}
			if len(acc) == len(k.tokens) {
				n = i + 1
				break
			}
		}
		if n > bestN {
			bestN, best, bestTerm = n, k.group, k.term
		}
	}
	return bestN, best, bestTerm
}

func isPrefix(a, of []string) bool {
	return len(a) <= len(of) && slices.Equal(a, of[:len(a)])
}
