// Package textquery is the free-text query language: a pure parser from
// what a user typed to an AST of clauses and terms, with errors that carry
// the byte position of the problem. It knows nothing of Bleve; the engine
// compiles the AST.
//
// Syntax, for non-experts:
//
//	words            every word must match (stemmed; apostrophes/accents alike)
//	"exact phrase"   the words in this order
//	-word -"phrase"  exclude
//	a OR b OR "c d"  any of them (OR binds tighter than the implicit AND)
//	wor*             prefix (at least 2 characters)
//	field:value      title, author, tag, region, audience, topic, type,
//	field:"phrase"   attachment (the text of attached documents);
//	                 also field:wor*
//
// Everything else is text: punctuation, "sepsis: warning signs", a trailing
// question mark, parentheses. There is no grouping, so no nesting to bound;
// what one query may ask is bounded by the Max* limits below.
package textquery

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is invalid free-text syntax. Pos is the byte offset in the query
// text where the problem is. Limit, when set, names the limit of what one
// query may ask that the text exceeds (LimitTerms, …): the text is valid
// but too costly to search.
type Error struct {
	Pos   int
	Msg   string
	Limit string
}

// Limits on what one query may ask, so that its cost is bounded. They are
// far above what a person types; a query over one is refused, not cut.
const (
	MaxTerms        = 64 // words, phrases and prefixes in the whole query
	MaxPhraseWords  = 12 // words in one phrase (or in one hyphenated word)
	MaxPrefixes     = 4  // prefix terms (wor*) in the whole query
	MaxAlternatives = 8  // terms joined by OR in one group
)

// Names of the limits, as Error.Limit.
const (
	LimitTerms        = "terms"
	LimitPhraseWords  = "phrase_words"
	LimitPrefixes     = "prefixes"
	LimitAlternatives = "alternatives"
)

func (e *Error) Error() string {
	return fmt.Sprintf("invalid query at position %d: %s", e.Pos, e.Msg)
}

// Kind is what a term matches: a word, a phrase or a prefix.
type Kind int

const (
	Word Kind = iota
	Phrase
	Prefix
)

func (k Kind) String() string {
	switch k {
	case Phrase:
		return "phrase"
	case Prefix:
		return "prefix"
	}
	return "word"
}

// Term is one word, phrase or prefix, optionally limited to a field.
type Term struct {
	Kind  Kind
	Field string // "" for all text fields, else a key of fields
	Text  string // as typed, without quotes or the trailing *
	Pos   int    // byte offset of the term (of its field name, or its '-')
}

// Clause is one required (or, if Neg, excluded) element: one term or
// several joined by OR.
type Clause struct {
	Neg  bool
	Alts []Term
	Pos  int
}

// Query is a parsed free-text query: the AND of its clauses.
type Query struct {
	Clauses []Clause
}

// fields are the field names usable as field:value.
var fields = map[string]bool{
	"title": true, "author": true, "tag": true, "region": true,
	"audience": true, "topic": true, "type": true, "attachment": true,
}

const minPrefixRunes = 2

func isSpaceAt(s string, i int) (bool, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), size
}

// Parse parses free text. It never panics; errors are *Error with
// 0 ≤ Pos ≤ len(s).
func Parse(s string) (*Query, error) {
	type item struct {
		or   bool
		neg  bool
		term Term
		pos  int
	}
	var items []item
	i := 0
	for i < len(s) {
		if sp, size := isSpaceAt(s, i); sp {
			i += size
			continue
		}
		start := i
		neg := false
		if s[i] == '-' && i+1 < len(s) && s[i+1] != '-' {
			if sp, _ := isSpaceAt(s, i+1); !sp {
				neg = true
				i++
			}
		}
		if s[i] == '"' {
			text, next, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			items = append(items, item{neg: neg, pos: start, term: Term{Kind: Phrase, Text: text, Pos: start}})
			i = next
			continue
		}
		j := i
		for j < len(s) && s[j] != '"' {
			if sp, _ := isSpaceAt(s, j); sp {
				break
			}
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
		}
		chunk := s[i:j]
		if chunk == "OR" && !neg {
			items = append(items, item{or: true, pos: start})
			i = j
			continue
		}
		if colon := strings.IndexByte(chunk, ':'); colon > 0 {
			name, rest := chunk[:colon], chunk[colon+1:]
			field := strings.ToLower(name)
			if fields[field] {
				switch {
				case rest == "" && j < len(s) && s[j] == '"':
					text, next, err := quoted(s, j)
					if err != nil {
						return nil, err
					}
					items = append(items, item{neg: neg, pos: start, term: Term{Kind: Phrase, Field: field, Text: text, Pos: start}})
					i = next
					continue
				case rest == "":
					return nil, &Error{Pos: i + colon + 1, Msg: fmt.Sprintf("%s: needs a value right after the colon, e.g. %s:sepsis or %s:\"patient safety\"", field, field, field)}
				}
				t, err := wordOrPrefix(rest, start)
				if err != nil {
					return nil, err
				}
				t.Field = field
				items = append(items, item{neg: neg, pos: start, term: t})
				i = j
				continue
			}
			quotedValue := rest == "" && j < len(s) && s[j] == '"'
			if looksLikeField(name, rest) || (quotedValue && looksLikeField(name, `"`)) {
				return nil, &Error{Pos: i, Msg: fmt.Sprintf("unknown field %q; known fields are title, author, tag, region, audience, topic, type and attachment (put a space after the colon to search for the words)", name)}
			}
		}
		t, err := wordOrPrefix(chunk, start)
		if err != nil {
			return nil, err
		}
		items = append(items, item{neg: neg, pos: start, term: t})
		i = j
	}

	tq := &Query{}
	orPos := -1
	for _, it := range items {
		if it.or {
			if orPos >= 0 {
				return nil, &Error{Pos: it.pos, Msg: "OR follows another OR; put a word or phrase between them"}
			}
			if len(tq.Clauses) == 0 {
				return nil, &Error{Pos: it.pos, Msg: "OR needs a word or phrase before it"}
			}
			if tq.Clauses[len(tq.Clauses)-1].Neg {
				return nil, &Error{Pos: it.pos, Msg: "OR cannot join an excluded (-) term"}
			}
			orPos = it.pos
			continue
		}
		if orPos >= 0 {
			if it.neg {
				return nil, &Error{Pos: it.pos, Msg: "OR cannot join an excluded (-) term"}
			}
			last := &tq.Clauses[len(tq.Clauses)-1]
			last.Alts = append(last.Alts, it.term)
			orPos = -1
			continue
		}
		tq.Clauses = append(tq.Clauses, Clause{Neg: it.neg, Alts: []Term{it.term}, Pos: it.pos})
	}
	if orPos >= 0 {
		return nil, &Error{Pos: orPos, Msg: "OR needs a word or phrase after it"}
	}
	if err := checkLimits(tq); err != nil {
		return nil, err
	}
	firstNeg := -1
	for _, c := range tq.Clauses {
		if !c.Neg {
			return tq, nil
		}
		if firstNeg < 0 {
			firstNeg = c.Pos
		}
	}
	if firstNeg >= 0 {
		return nil, &Error{Pos: firstNeg, Msg: "only excluded (-) terms; add a word to search for"}
	}
	return tq, nil
}

// checkLimits refuses a query that asks more than the Max* limits allow,
// at the first term over the limit.
func checkLimits(q *Query) error {
	terms, prefixes := 0, 0
	for _, c := range q.Clauses {
		if len(c.Alts) > MaxAlternatives {
			return &Error{Pos: c.Alts[MaxAlternatives].Pos, Limit: LimitAlternatives,
				Msg: fmt.Sprintf("too many alternatives joined by OR: at most %d in one group", MaxAlternatives)}
		}
		for _, t := range c.Alts {
			if terms++; terms > MaxTerms {
				return &Error{Pos: t.Pos, Limit: LimitTerms,
					Msg: fmt.Sprintf("too many terms: at most %d words, phrases and prefixes in one query", MaxTerms)}
			}
			if t.Kind == Prefix {
				if prefixes++; prefixes > MaxPrefixes {
					return &Error{Pos: t.Pos, Limit: LimitPrefixes,
						Msg: fmt.Sprintf("too many prefix searches (*): at most %d in one query", MaxPrefixes)}
				}
			}
			if n := wordCount(t.Text); n > MaxPhraseWords {
				return &Error{Pos: t.Pos, Limit: LimitPhraseWords,
					Msg: fmt.Sprintf("phrase too long: %d words, at most %d", n, MaxPhraseWords)}
			}
		}
	}
	return nil
}

// wordCount counts the runs of letters and digits in text: the words of a
// phrase, or the parts of a hyphenated word, which is searched as a phrase.
func wordCount(text string) int {
	return len(strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
}

// quoted reads a phrase whose opening quote is at s[i]. It returns the text
// and the offset after the closing quote.
func quoted(s string, i int) (string, int, error) {
	end := strings.IndexByte(s[i+1:], '"')
	if end < 0 {
		return "", 0, &Error{Pos: i, Msg: "unclosed quote: add the closing \" to end the phrase"}
	}
	text := s[i+1 : i+1+end]
	if strings.TrimSpace(text) == "" {
		return "", 0, &Error{Pos: i, Msg: "empty phrase \"\""}
	}
	return text, i + end + 2, nil
}

// wordOrPrefix classifies a chunk as a word or, with a trailing *, a prefix.
func wordOrPrefix(chunk string, pos int) (Term, error) {
	if !strings.HasSuffix(chunk, "*") {
		return Term{Kind: Word, Text: chunk, Pos: pos}, nil
	}
	base := strings.TrimRight(chunk, "*")
	base = strings.TrimLeftFunc(base, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if utf8.RuneCountInString(base) < minPrefixRunes {
		return Term{}, &Error{Pos: pos, Msg: fmt.Sprintf("a prefix search needs at least %d letters before *", minPrefixRunes)}
	}
	return Term{Kind: Prefix, Text: base, Pos: pos}, nil
}

// looksLikeField tells a mistyped field ("titel:sepsis") from prose with a
// colon ("sepsis: signs", "10:30", "https://…").
func looksLikeField(name, rest string) bool {
	if rest == "" || strings.HasPrefix(rest, "/") || len(name) > 20 {
		return false
	}
	for _, r := range name {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return false
		}
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '"'
}
