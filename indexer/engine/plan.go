package engine

// This file is the plan step of a search: it compiles the parsed free text
// (package textquery) into Bleve queries, one unit per clause, with the
// thesaurus expansions and the stop-word handling. A prefix matches the
// most frequent indexed words that start with it (maxPrefixTerms).

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/safetysearch/safetysearch/indexer/fold"
	"github.com/safetysearch/safetysearch/indexer/textquery"
	"github.com/safetysearch/safetysearch/indexer/thesaurus"
)

// fieldBoost is a text field searched by unfielded terms, with its weight.
type fieldBoost struct {
	field string
	boost float64
}

// textFields: title > summary and tags > text (title, summary and body) >
// author > attached documents > comments. A word in a document's hundred
// pages is weaker evidence than the same word in the article. The boosts are moderate because Bleve's disjunction
// multiplies a word's score by the share of fields it matched in (coord): a
// word in the title and the body already counts about twice, and larger
// title boosts rank worse on the judged collections.
var textFields = []fieldBoost{
	{fTitle, 1.5}, {fSummary, 1.2}, {fTagsText, 1.2}, {fText, 1}, {fAuthorText, 0.8}, {fAttachment, 0.6}, {fComments, 0.5},
}

// expansionFields are the fields searched for thesaurus expansions: the
// publication's own text. Phrase queries are the costliest part of a query
// (every expansion is one per field), and a term spelled out only in a
// comment or an author name is a weak match. (Title, summary, tags, text:
// the first four textFields, with their boosts.)
var expansionFields = textFields[:4]

// textUnit is one positive element of a compiled query.
type textUnit struct {
	label     string // as typed, reported in Relaxation
	q         query.Query
	relaxable bool   // a plain word (or a thesaurus concept from plain words)
	token     string // the index term of a plain one-token word (title frequency in relaxation)
	// words are the index terms of what was typed, and alts the thesaurus
	// alternatives of a concept (nil otherwise): the bag-of-words level of
	// a long question is built from them (feedback.go).
	words []string
	alts  query.Query
}

// textPlan is a compiled query: units are required unless made optional by
// relaxation; negatives are excluded.
type textPlan struct {
	units      []textUnit
	negatives  []query.Query
	expansions []Expansion
	// inTitle, for a keyword query of two or more plain words (not a long
	// question, which is ranked as a bag of words), matches the articles
	// whose title holds every one of them: an optional clause that ranks
	// such an article above one that only mentions the words in its body.
	inTitle query.Query
}

// titleBoost weighs inTitle against the words' own scores.
const titleBoost = 2

// query builds the Bleve query with the given units optional.
func (p *textPlan) query(optional []int) query.Query {
	opt := make(map[int]bool, len(optional))
	for _, i := range optional {
		opt[i] = true
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	for i, u := range p.units {
		if opt[i] {
			bq.AddShould(u.q)
		} else {
			bq.AddMust(u.q)
		}
	}
	if p.inTitle != nil {
		bq.AddShould(p.inTitle)
	}
	if len(p.negatives) > 0 {
		bq.AddMustNot(p.negatives...)
	}
	return bq
}

// labels lists the labels of the optional units, in relaxation order.
func (p *textPlan) labels(optional []int) []string {
	out := make([]string, 0, len(optional))
	for _, i := range optional {
		// A word typed at the end of a sentence ("children?") is reported
		// without its punctuation, which is text, not part of the word.
		label := strings.TrimFunc(p.units[i].label, func(r rune) bool { return unicode.IsPunct(r) && r != '"' })
		if label == "" {
			label = p.units[i].label
		}
		out = append(out, label)
	}
	return out
}

// analyze returns the index terms of a text (folded first).
func (e *Engine) analyze(text string) []string {
	var out []string
	_ = Safely(func() error {
		for _, t := range e.analyzer.Analyze([]byte(fold.Text(text))) {
			out = append(out, string(t.Term))
		}
		return nil
	})
	return out
}

// compile parses free text and builds its plan.
func (e *Engine) compile(ctx context.Context, text string) (*textPlan, error) {
	tq, err := textquery.Parse(text)
	if err != nil {
		return nil, err
	}
	plan := &textPlan{}
	firstNeg := -1
	for ci := 0; ci < len(tq.Clauses); ci++ {
		// Prefix expansion reads term dictionaries: stop between clauses
		// when the deadline has passed (frequentTerms stops early).
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := tq.Clauses[ci]
		if c.Neg {
			if firstNeg < 0 {
				firstNeg = c.Pos
			}
			if q, exp := e.expandedTerm(ctx, c.Alts[0]); q != nil {
				plan.negatives = append(plan.negatives, q)
				if exp != nil {
					plan.expansions = append(plan.expansions, *exp)
				}
			}
			continue
		}
		if len(c.Alts) == 1 && c.Alts[0].Field == "" && c.Alts[0].Kind == textquery.Word {
			// A run of plain words: look for thesaurus concepts in it.
			j := ci
			var words []string
			for j < len(tq.Clauses) && isPlainWord(tq.Clauses[j]) {
				words = append(words, tq.Clauses[j].Alts[0].Text)
				j++
			}
			tokens := make([][]string, len(words))
			for i, w := range words {
				tokens[i] = e.analyze(w)
			}
			for k := 0; k < len(words); {
				n, g, typed := e.thesaurus.Match(words[k:], tokens[k:])
				if n == 0 {
					if q := e.termQuery(ctx, textquery.Term{Kind: textquery.Word, Text: words[k]}); q != nil {
						u := textUnit{label: words[k], q: q, relaxable: true, words: tokens[k]}
						if len(tokens[k]) == 1 {
							u.token = tokens[k][0]
						}
						plan.units = append(plan.units, u)
					}
					k++
					continue
				}
				var typedQ []query.Query
				for _, w := range words[k : k+n] {
					if q := e.termQuery(ctx, textquery.Term{Kind: textquery.Word, Text: w}); q != nil {
						typedQ = append(typedQ, q)
					}
				}
				label := strings.Join(words[k:k+n], " ")
				q, exp, alts := e.concept(ctx, typedQ, label, g, typed)
				if q != nil {
					var typedTokens []string
					for _, t := range tokens[k : k+n] {
						typedTokens = append(typedTokens, t...)
					}
					plan.units = append(plan.units, textUnit{label: label, q: q, relaxable: true, words: typedTokens, alts: alts})
				}
				if len(exp) > 0 {
					plan.expansions = append(plan.expansions, Expansion{Term: label, Expanded: exp})
				}
				k += n
			}
			ci = j - 1
			continue
		}
		var alts []query.Query
		var labels []string
		for _, t := range c.Alts {
			labels = append(labels, t.Text)
			q, exp := e.expandedTerm(ctx, t)
			if q == nil {
				continue
			}
			if exp != nil {
				plan.expansions = append(plan.expansions, *exp)
			}
			alts = append(alts, q)
		}
		if len(alts) == 0 {
			continue
		}
		q := alts[0]
		if len(alts) > 1 {
			q = query.NewDisjunctionQuery(alts)
		}
		plan.units = append(plan.units, textUnit{label: strings.Join(labels, " OR "), q: q})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	plan.expansions = dedupeExpansions(plan.expansions)
	if len(plan.units) < longQueryUnits {
		plan.inTitle = titleAllWords(plan.units)
	}
	if len(plan.units) == 0 && firstNeg < 0 {
		plan.units = e.stopWordUnits(tq)
	}
	if len(plan.units) == 0 {
		if firstNeg >= 0 {
			return nil, &QueryError{Pos: firstNeg, Msg: "only excluded (-) terms; add a word to search for"}
		}
		return nil, &QueryError{Pos: 0, Msg: "nothing to search for: no searchable word (only punctuation, or field:word with a word too common to be indexed)"}
	}
	return plan, nil
}

// titleAllWords is the conjunction of the index terms of the plain words
// in the title field, boosted, or nil for fewer than two such words.
func titleAllWords(units []textUnit) query.Query {
	var terms []query.Query
	seen := map[string]bool{}
	for _, u := range units {
		if !u.relaxable {
			continue
		}
		for _, w := range u.words {
			if seen[w] {
				continue
			}
			seen[w] = true
			tq := query.NewTermQuery(w)
			tq.SetField(fTitle)
			// On the terms: Bleve does not apply a conjunction's own boost.
			tq.SetBoost(titleBoost)
			terms = append(terms, tq)
		}
	}
	if len(terms) < 2 {
		return nil
	}
	return query.NewConjunctionQuery(terms)
}

// stopWordUnits is the plan of a query made only of stop words ("because",
// "the who"), which the text fields cannot match: every word must then be in
// the spelling field (titles, summaries, tags and topics, analysed without
// stop words), so that such a query finds "Because we care" instead of being
// refused. Fielded and prefix terms are left out (they are never all stop
// words). It returns nil when nothing is left to search.
func (e *Engine) stopWordUnits(tq *textquery.Query) []textUnit {
	an := e.idx.Mapping().AnalyzerNamed(analyzerWords)
	if an == nil {
		return nil
	}
	var units []textUnit
	for _, c := range tq.Clauses {
		var alts []query.Query
		var labels []string
		for _, t := range c.Alts {
			if t.Field != "" || t.Kind == textquery.Prefix {
				continue
			}
			var terms []query.Query
			_ = Safely(func() error {
				for _, tok := range an.Analyze([]byte(fold.Text(t.Text))) {
					tq := query.NewTermQuery(string(tok.Term))
					tq.SetField(fSpell)
					terms = append(terms, tq)
				}
				return nil
			})
			switch len(terms) {
			case 0:
				continue
			case 1:
				alts = append(alts, terms[0])
			default:
				alts = append(alts, query.NewConjunctionQuery(terms))
			}
			labels = append(labels, t.Text)
		}
		if len(alts) == 0 {
			continue
		}
		q := alts[0]
		if len(alts) > 1 {
			q = query.NewDisjunctionQuery(alts)
		}
		units = append(units, textUnit{label: strings.Join(labels, " OR "), q: q})
	}
	return units
}

// expandedTerm compiles one term of an OR group or an exclusion; an
// unfielded word or phrase that is a whole thesaurus term is expanded.
func (e *Engine) expandedTerm(ctx context.Context, t textquery.Term) (query.Query, *Expansion) {
	q := e.termQuery(ctx, t)
	if t.Field != "" || t.Kind == textquery.Prefix {
		return q, nil
	}
	words := strings.Fields(t.Text)
	tokens := make([][]string, len(words))
	for i, w := range words {
		tokens[i] = e.analyze(w)
	}
	n, g, typed := e.thesaurus.Match(words, tokens)
	if n == 0 || n != len(words) {
		return q, nil
	}
	var typedQ []query.Query
	if q != nil {
		typedQ = append(typedQ, q)
	}
	cq, exp, _ := e.concept(ctx, typedQ, t.Text, g, typed)
	if len(exp) == 0 {
		return cq, nil
	}
	return cq, &Expansion{Term: t.Text, Expanded: exp}
}

func isPlainWord(c textquery.Clause) bool {
	return !c.Neg && len(c.Alts) == 1 && c.Alts[0].Field == "" && c.Alts[0].Kind == textquery.Word
}

// termQuery compiles one term; nil when it has no searchable token (a stop
// word or punctuation).
func (e *Engine) termQuery(ctx context.Context, t textquery.Term) query.Query {
	switch t.Field {
	case "":
		return e.fieldsQuery(ctx, t, textFields)
	case "title":
		return e.fieldsQuery(ctx, t, []fieldBoost{{fTitle, 3}})
	case "author":
		return e.fieldsQuery(ctx, t, []fieldBoost{{fAuthorText, 1}})
	case "attachment":
		return e.fieldsQuery(ctx, t, []fieldBoost{{fAttachment, 1}})
	case "tag":
		kw := keywordTerm(t, fTag)
		if txt := e.fieldsQuery(ctx, t, []fieldBoost{{fTagsText, 2}}); txt != nil {
			return query.NewDisjunctionQuery([]query.Query{kw, txt})
		}
		return kw
	default:
		return keywordTerm(t, facetFields[t.Field])
	}
}

// keywordTerm matches a normalised keyword value (or prefix).
func keywordTerm(t textquery.Term, field string) query.Query {
	v := fold.Key(t.Text)
	if t.Kind == textquery.Prefix {
		pq := query.NewPrefixQuery(v)
		pq.SetField(field)
		return pq
	}
	tq := query.NewTermQuery(v)
	tq.SetField(field)
	return tq
}

// fieldsQuery matches a word, phrase or prefix in each of the fields with
// its boost, as a disjunction.
func (e *Engine) fieldsQuery(ctx context.Context, t textquery.Term, fields []fieldBoost) query.Query {
	var qs []query.Query
	switch t.Kind {
	case textquery.Prefix:
		// Index terms are stemmed, so a prefix of a word is not always a
		// prefix of its stem ("medicat*" vs "medic"). Search the prefix
		// itself and the stems of the words that complete it in the
		// spelling dictionary (unstemmed words).
		p := strings.ToLower(fold.Text(t.Text))
		var stems []string
		for _, st := range e.completionStems(ctx, p) {
			if !strings.HasPrefix(st, p) {
				stems = append(stems, st)
			}
		}
		for _, f := range fields {
			for _, term := range e.prefixTerms(ctx, f.field, p) {
				tq := query.NewTermQuery(term)
				tq.SetField(f.field)
				tq.SetBoost(f.boost)
				qs = append(qs, tq)
			}
			for _, st := range stems {
				tq := query.NewTermQuery(st)
				tq.SetField(f.field)
				tq.SetBoost(f.boost)
				qs = append(qs, tq)
			}
		}
	default:
		tokens := e.analyze(t.Text)
		switch {
		case len(tokens) == 0:
			return nil
		case len(tokens) == 1:
			for _, f := range fields {
				tq := query.NewTermQuery(tokens[0])
				tq.SetField(f.field)
				tq.SetBoost(f.boost)
				qs = append(qs, tq)
			}
		default:
			for _, f := range fields {
				qs = append(qs, newPhrase(nil, fold.Text(t.Text), f.field, f.boost))
			}
		}
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// concept is the disjunction of what was typed (all typed words) and the
// other terms of a thesaurus group, each as a phrase over the text fields.
// It also returns the expanded terms and the disjunction of their queries
// alone (nil when there is none).
func (e *Engine) concept(ctx context.Context, typed []query.Query, typedText string, g *thesaurus.Group, matched int) (query.Query, []string, query.Query) {
	typedTokens := strings.Join(e.analyze(typedText), " ")
	var alts []query.Query
	switch len(typed) {
	case 0:
	case 1:
		alts = append(alts, typed[0])
	default:
		alts = append(alts, query.NewConjunctionQuery(typed))
	}
	var expanded []string
	var expQ []query.Query
	for i, t := range g.Terms {
		if i == matched || t.CaseSensitive {
			continue
		}
		if strings.Join(e.analyze(t.Text), " ") == typedTokens {
			continue // a spelling variant of what was typed ("never event(s)")
		}
		q := e.expansionQuery(ctx, t.Text)
		if q == nil {
			continue
		}
		alts = append(alts, q)
		expQ = append(expQ, q)
		expanded = append(expanded, t.Text)
	}
	sort.Strings(expanded)
	var onlyExp query.Query
	switch len(expQ) {
	case 0:
	case 1:
		onlyExp = expQ[0]
	default:
		onlyExp = query.NewDisjunctionQuery(expQ)
	}
	switch len(alts) {
	case 0:
		return nil, nil, nil
	case 1:
		return alts[0], expanded, onlyExp
	}
	return query.NewDisjunctionQuery(alts), expanded, onlyExp
}

// maxPrefixTerms bounds how many of a field's indexed terms a prefix
// matches: the most frequent ones, as Elasticsearch's max_expansions bounds
// a phrase prefix. A scored disjunction over every completion ("inte*" has
// thousands in a large index) costs seconds; the rare completions left out
// are mostly typos and one-off words.
const maxPrefixTerms = 128

// prefixTerms returns the indexed terms of field that start with prefix, at
// most maxPrefixTerms of them (the most frequent; ties by term), sorted.
func (e *Engine) prefixTerms(ctx context.Context, field, prefix string) []string {
	terms := e.frequentTerms(ctx, field, prefix, maxPrefixTerms)
	sort.Strings(terms)
	return terms
}

// frequentTerms returns the at most k terms of field's dictionary that
// start with prefix and are in the most documents, most frequent first
// (ties by term).
func (e *Engine) frequentTerms(ctx context.Context, field, prefix string, k int) []string {
	type entry struct {
		term  string
		count uint64
	}
	var terms []entry
	_ = Safely(func() error {
		d, err := e.idx.FieldDictPrefix(field, []byte(prefix))
		if err != nil {
			return err
		}
		defer func() { _ = d.Close() }()
		for n := 0; ; n++ {
			// A short prefix of a large index has many thousand terms;
			// past the deadline the caller fails the search.
			if n%dictCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			de, err := d.Next()
			if err != nil || de == nil {
				return err
			}
			terms = append(terms, entry{de.Term, de.Count})
		}
	})
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].count != terms[j].count {
			return terms[i].count > terms[j].count
		}
		return terms[i].term < terms[j].term
	})
	out := make([]string, 0, min(k, len(terms)))
	for _, t := range terms[:min(k, len(terms))] {
		out = append(out, t.term)
	}
	return out
}

// dictCheckEvery is how many dictionary terms a prefix expansion reads
// between looks at its context's deadline.
const dictCheckEvery = 1024

// maxCompletions bounds how many dictionary words a prefix expands to.
const maxCompletions = 64

// completionStems returns the distinct stems of the most frequent words of
// the spelling dictionary that start with prefix.
func (e *Engine) completionStems(ctx context.Context, prefix string) []string {
	words := e.frequentTerms(ctx, fSpell, prefix, maxCompletions)
	seen := map[string]bool{}
	var stems []string
	for _, w := range words {
		for _, st := range e.analyze(w) {
			if !seen[st] {
				seen[st] = true
				stems = append(stems, st)
			}
		}
	}
	sort.Strings(stems)
	return stems
}

// dedupeExpansions drops repeated expansions of the same term.
func dedupeExpansions(exps []Expansion) []Expansion {
	seen := map[string]bool{}
	out := exps[:0]
	for _, x := range exps {
		k := strings.ToLower(x.Term) + "\x00" + strings.Join(x.Expanded, "\x00")
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}
