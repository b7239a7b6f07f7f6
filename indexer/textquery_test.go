package indexer

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func w(text string, pos int) textTerm { return textTerm{Kind: kindWord, Text: text, Pos: pos} }

func TestTextParse(t *testing.T) {
	cases := []struct {
		in   string
		want []textClause
	}{
		{"", nil},
		{"   ", nil},
		{"sepsis", []textClause{{Alts: []textTerm{w("sepsis", 0)}, Pos: 0}}},
		{"sepsis children", []textClause{{Alts: []textTerm{w("sepsis", 0)}}, {Alts: []textTerm{w("children", 7)}, Pos: 7}}},
		{`"never events"`, []textClause{{Alts: []textTerm{{Kind: kindPhrase, Text: "never events"}}}}},
		{"-falls sepsis", []textClause{{Neg: true, Alts: []textTerm{w("falls", 0)}}, {Alts: []textTerm{w("sepsis", 7)}, Pos: 7}}},
		{`sepsis -"care homes"`, []textClause{{Alts: []textTerm{w("sepsis", 0)}}, {Neg: true, Alts: []textTerm{{Kind: kindPhrase, Text: "care homes", Pos: 7}}, Pos: 7}}},
		{"a OR b c", []textClause{{Alts: []textTerm{w("a", 0), w("b", 5)}}, {Alts: []textTerm{w("c", 7)}, Pos: 7}}},
		{`a OR "b c" OR dr*`, []textClause{{Alts: []textTerm{w("a", 0), {Kind: kindPhrase, Text: "b c", Pos: 5}, {Kind: kindPrefix, Text: "dr", Pos: 14}}}}},
		{"wor*", []textClause{{Alts: []textTerm{{Kind: kindPrefix, Text: "wor"}}}}},
		{"title:sepsis", []textClause{{Alts: []textTerm{{Kind: kindWord, Field: "title", Text: "sepsis"}}}}},
		{"Title:Sepsis", []textClause{{Alts: []textTerm{{Kind: kindWord, Field: "title", Text: "Sepsis"}}}}},
		{`author:"Jane Smith"`, []textClause{{Alts: []textTerm{{Kind: kindPhrase, Field: "author", Text: "Jane Smith"}}}}},
		{"-region:uk x", []textClause{{Neg: true, Alts: []textTerm{{Kind: kindWord, Field: "region", Text: "uk"}}}, {Alts: []textTerm{w("x", 11)}, Pos: 11}}},
		{"topic:sep*", []textClause{{Alts: []textTerm{{Kind: kindPrefix, Field: "topic", Text: "sep"}}}}},
		// prose punctuation is text
		{"sepsis: warning signs?", []textClause{{Alts: []textTerm{w("sepsis:", 0)}}, {Alts: []textTerm{w("warning", 8)}, Pos: 8}, {Alts: []textTerm{w("signs?", 16)}, Pos: 16}}},
		{"(falls, fractures)!", []textClause{{Alts: []textTerm{w("(falls,", 0)}}, {Alts: []textTerm{w("fractures)!", 8)}, Pos: 8}}},
		{"meet at 10:30", []textClause{{Alts: []textTerm{w("meet", 0)}}, {Alts: []textTerm{w("at", 5)}, Pos: 5}, {Alts: []textTerm{w("10:30", 8)}, Pos: 8}}},
		{"see https://x.org", []textClause{{Alts: []textTerm{w("see", 0)}}, {Alts: []textTerm{w("https://x.org", 4)}, Pos: 4}}},
		{"covid-19 - care", []textClause{{Alts: []textTerm{w("covid-19", 0)}}, {Alts: []textTerm{w("-", 9)}, Pos: 9}, {Alts: []textTerm{w("care", 11)}, Pos: 11}}},
		{"or and", []textClause{{Alts: []textTerm{w("or", 0)}}, {Alts: []textTerm{w("and", 3)}, Pos: 3}}},
		{"don’t café", []textClause{{Alts: []textTerm{w("don’t", 0)}}, {Alts: []textTerm{w("café", 8)}, Pos: 8}}},
	}
	for _, c := range cases {
		got, err := parseText(c.in)
		if err != nil {
			t.Errorf("parseText(%q): %v", c.in, err)
			continue
		}
		// Positions of the first term in each case default to 0 above.
		if !reflect.DeepEqual(got.Clauses, c.want) {
			t.Errorf("parseText(%q)\n got  %+v\n want %+v", c.in, got.Clauses, c.want)
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
		_, err := parseText(c.in)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("parseText(%q): error %v, want *QueryError", c.in, err)
			continue
		}
		if qe.Pos != c.pos || !strings.Contains(qe.Msg, c.contain) {
			t.Errorf("parseText(%q): %v; want pos %d and %q", c.in, qe, c.pos, c.contain)
		}
	}
}

func FuzzTextParse(f *testing.F) {
	for _, s := range []string{"", "a OR b", `"x y" -z`, "title:\"a", "wor* OR", "-", "a:b:c", "\xff\"", "OR", "- -a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tq, err := parseText(s)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("%q: non-QueryError %v", s, err)
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
