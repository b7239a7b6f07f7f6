package textquery

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func w(text string, pos int) Term { return Term{Kind: Word, Text: text, Pos: pos} }

func TestTextParse(t *testing.T) {
	cases := []struct {
		in   string
		want []Clause
	}{
		{"", nil},
		{"   ", nil},
		{"sepsis", []Clause{{Alts: []Term{w("sepsis", 0)}, Pos: 0}}},
		{"sepsis children", []Clause{{Alts: []Term{w("sepsis", 0)}}, {Alts: []Term{w("children", 7)}, Pos: 7}}},
		{`"never events"`, []Clause{{Alts: []Term{{Kind: Phrase, Text: "never events"}}}}},
		{"-falls sepsis", []Clause{{Neg: true, Alts: []Term{w("falls", 0)}}, {Alts: []Term{w("sepsis", 7)}, Pos: 7}}},
		{`sepsis -"care homes"`, []Clause{{Alts: []Term{w("sepsis", 0)}}, {Neg: true, Alts: []Term{{Kind: Phrase, Text: "care homes", Pos: 7}}, Pos: 7}}},
		{"a OR b c", []Clause{{Alts: []Term{w("a", 0), w("b", 5)}}, {Alts: []Term{w("c", 7)}, Pos: 7}}},
		{`a OR "b c" OR dr*`, []Clause{{Alts: []Term{w("a", 0), {Kind: Phrase, Text: "b c", Pos: 5}, {Kind: Prefix, Text: "dr", Pos: 14}}}}},
		{"wor*", []Clause{{Alts: []Term{{Kind: Prefix, Text: "wor"}}}}},
		{"title:sepsis", []Clause{{Alts: []Term{{Kind: Word, Field: "title", Text: "sepsis"}}}}},
		{"Title:Sepsis", []Clause{{Alts: []Term{{Kind: Word, Field: "title", Text: "Sepsis"}}}}},
		{`author:"Jane Smith"`, []Clause{{Alts: []Term{{Kind: Phrase, Field: "author", Text: "Jane Smith"}}}}},
		{"-region:uk x", []Clause{{Neg: true, Alts: []Term{{Kind: Word, Field: "region", Text: "uk"}}}, {Alts: []Term{w("x", 11)}, Pos: 11}}},
		{"topic:sep*", []Clause{{Alts: []Term{{Kind: Prefix, Field: "topic", Text: "sep"}}}}},
		// prose punctuation is text
		{"sepsis: warning signs?", []Clause{{Alts: []Term{w("sepsis:", 0)}}, {Alts: []Term{w("warning", 8)}, Pos: 8}, {Alts: []Term{w("signs?", 16)}, Pos: 16}}},
		{"(falls, fractures)!", []Clause{{Alts: []Term{w("(falls,", 0)}}, {Alts: []Term{w("fractures)!", 8)}, Pos: 8}}},
		{"meet at 10:30", []Clause{{Alts: []Term{w("meet", 0)}}, {Alts: []Term{w("at", 5)}, Pos: 5}, {Alts: []Term{w("10:30", 8)}, Pos: 8}}},
		{"see https://x.org", []Clause{{Alts: []Term{w("see", 0)}}, {Alts: []Term{w("https://x.org", 4)}, Pos: 4}}},
		{"covid-19 - care", []Clause{{Alts: []Term{w("covid-19", 0)}}, {Alts: []Term{w("-", 9)}, Pos: 9}, {Alts: []Term{w("care", 11)}, Pos: 11}}},
		{"or and", []Clause{{Alts: []Term{w("or", 0)}}, {Alts: []Term{w("and", 3)}, Pos: 3}}},
		{"don’t café", []Clause{{Alts: []Term{w("don’t", 0)}}, {Alts: []Term{w("café", 8)}, Pos: 8}}},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		// Positions of the first term in each case default to 0 above.
		if !reflect.DeepEqual(got.Clauses, c.want) {
			t.Errorf("Parse(%q)\n got  %+v\n want %+v", c.in, got.Clauses, c.want)
		}
	}
}

func TestTextParseErrors(t *testing.T) {
	cases := []struct {
		in      string
		pos     int
		contain string
	}{
		{`sepsis "warning signs`, 7, "unclosed quote"},
		{`title:"abc`, 6, "unclosed quote"},
		{`""`, 0, "empty phrase"},
		{"OR sepsis", 0, "before it"},
		{"sepsis OR", 7, "after it"},
		{"a OR OR b", 5, "another OR"},
		{"-a OR b", 3, "excluded"},
		{"a OR -b", 5, "excluded"},
		{"title: sepsis", 6, "needs a value"},
		{"sepsis author:", 14, "needs a value"},
		{"titel:sepsis", 0, "unknown field"},
		{"x foo:\"bar\"", 2, "unknown field"},
		{"-sepsis", 0, "only excluded"},
		{"-a -\"b c\"", 0, "only excluded"},
		{"a*", 0, "prefix"},
		{"x *", 2, "prefix"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%q): error %v, want *Error", c.in, err)
			continue
		}
		if qe.Pos != c.pos || !strings.Contains(qe.Msg, c.contain) {
			t.Errorf("Parse(%q): %v; want pos %d and %q", c.in, qe, c.pos, c.contain)
		}
	}
}

func FuzzTextParse(f *testing.F) {
	for _, s := range []string{"", "a OR b", `"x y" -z`, "title:\"a", "wor* OR", "-", "a:b:c", "\xff\"", "OR", "- -a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tq, err := Parse(s)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("%q: non-Error %v", s, err)
			}
			if qe.Pos < 0 || qe.Pos > len(s) {
				t.Fatalf("%q: pos %d out of range", s, qe.Pos)
			}
			return
		}
		for _, c := range tq.Clauses {
			if len(c.Alts) == 0 {
				t.Fatalf("%q: empty clause", s)
			}
			for _, a := range c.Alts {
				if a.Pos < 0 || a.Pos > len(s) {
					t.Fatalf("%q: term pos %d", s, a.Pos)
				}
			}
		}
	})
}

func TestTextParseLimits(t *testing.T) {
	words := func(w string, n int) string { return strings.TrimSpace(strings.Repeat(w+" ", n)) }
	cases := []struct {
		in    string
		limit string
		pos   int
	}{
		{words("care", MaxTerms+1), LimitTerms, 5 * MaxTerms},
		{`"` + words("safety", MaxPhraseWords+1) + `"`, LimitPhraseWords, 0},
		{"x " + strings.Repeat("a-", MaxPhraseWords) + "b", LimitPhraseWords, 2},
		{"ab* cd* ef* gh* ij*", LimitPrefixes, 16},
		{strings.Repeat("a OR ", MaxAlternatives) + "b", LimitAlternatives, 5 * MaxAlternatives},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var qe *Error
		if !errors.As(err, &qe) || qe.Limit != c.limit || qe.Pos != c.pos {
			t.Errorf("Parse(%.40q…): %v (limit %q); want limit %q at %d", c.in, err, limitOf(qe), c.limit, c.pos)
		}
	}
	// At the limits, a query parses.
	for _, in := range []string{
		words("care", MaxTerms),
		`"` + words("safety", MaxPhraseWords) + `"`,
		"ab* cd* ef* gh*",
		strings.Repeat("a OR ", MaxAlternatives-1) + "b",
	} {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%.40q…): %v", in, err)
		}
	}
}

func limitOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Limit
}
