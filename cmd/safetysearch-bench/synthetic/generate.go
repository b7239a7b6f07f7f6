// Package synthetic generates a deterministic, realistic-looking corpus of
// pslhub articles for benchmarks and load tests.
//
// The same seed always gives byte-identical articles, and article i depends
// only on the seed and i (not on the corpus size), so a 10k corpus is the
// first 10k articles of the 100k one. Articles are streamed one at a time:
// generating 100k never holds more than one in memory.
//
// What it imitates: pslhub titles ("Publisher: Title (date)" or
// "Title (Author, date)"), 1–3 sentence summaries, bodies with a long-tailed
// (log-normal) length of median ~600 words and a tail to 8,000, comments
// (most articles none, some 1–5, a few 20–60), the pslhub tag taxonomy with
// skewed distributions (UK and Everyone dominate; ~160 topics in a Zipf
// tail), dates 2015–2026 growing towards the present, and authors from a
// skewed pool. Text is drawn from a Zipf–Mandelbrot distribution over a
// ~33,000-word ranked vocabulary (English function words first, then
// ~700 patient-safety and general words, then a morphological tail of real-
// looking medical words that takes about a quarter of the text), with each
// article's own keywords (from its topics) mixed in, and thesaurus
// abbreviations (PSIRF, AKI, VTE, NEWS2…) and their expansions at a few per
// thousand words.
package synthetic

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Tunables of the text model.
const (
	zipfS = 1.15 // Zipf exponent of the vocabulary ("the" ≈ 5% of words)
	zipfQ = 2.7  // Mandelbrot offset: flattens the head
	// Rates per word in units of 1/65536: article keywords ~4%, thesaurus
	// abbreviations or expansions ~0.4%, multi-word thesaurus phrases ~0.2%,
	// a comma after ~6% of words.
	keywordRate      = 2621
	abbreviationRate = 262
	phraseRate       = 131
	commaRate        = 3932
	bodyMedianWords  = 600
	bodySigma        = 0.8
	bodyMinWords     = 40
	bodyMaxWords     = 8000
)

var (
	epoch     = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDate  = time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	fetchedAt = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
)

// FirstRecord is the pslhub record number of article 0; article i has
// record number FirstRecord+i and ID "synthetic:r<record>".
const FirstRecord = 1000

// SourceName is the Article.Source of every generated article.
const SourceName = "synthetic"

// Corpus is a synthetic corpus of N articles from Seed. It implements
// indexer.Source.
type Corpus struct {
	Seed int64
	N    int
}

// Count returns N.
func (c Corpus) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return c.N, nil
}

// Each generates the articles in order and calls fn with each one. It stops
// at the first error from fn or when ctx is done.
func (c Corpus) Each(ctx context.Context, fn func(article.Article) error) error {
	return Generate(c.Seed, c.N, func(a article.Article) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(a)
	})
}

// Generate streams n articles from seed to fn, in order, and returns the
// first error fn returns.
func Generate(seed int64, n int, fn func(article.Article) error) error {
	g := newGenerator(seed)
	for i := range n {
		if err := fn(g.article(i)); err != nil {
			return err
		}
	}
	return nil
}

// Article returns article i of the corpus from seed, the same value
// Generate passes for index i.
func Article(seed int64, i int) article.Article {
	return newGenerator(seed).article(i)
}

// model holds the immutable distributions, built once per Generate call.
type model struct {
	words       []string
	wordTable   aliasTable
	domain      []string // deduplicated domain words, ranked
	domainTable aliasTable
	general     []string
	topicTable  aliasTable
	regionTable aliasTable
	typeTable   aliasTable
	audTable    aliasTable
	authors     []string
	authorTable aliasTable
	abbrTable   aliasTable
}

func newModel() *model {
	m := &model{}
	m.words = rankedVocabulary()
	m.wordTable = newAliasTable(zipfWeights(len(m.words), zipfS, zipfQ))
	m.domain = dedupe(domainWords)
	m.domainTable = newAliasTable(zipfWeights(len(m.domain), 1.0, 1))
	m.general = dedupe(generalWords)
	m.topicTable = newAliasTable(zipfWeights(len(topics), 1.0, 1))
	m.regionTable = newAliasTable(regionWeights)
	m.typeTable = newAliasTable(contentTypeWeights)
	m.audTable = newAliasTable(audienceWeights)
	m.authors = authorPool()
	aw := zipfWeights(len(m.authors), 1.1, 1)
	aw[0] *= 3 // Patient Safety Learning publishes a large share of the hub
	m.authorTable = newAliasTable(aw)
	m.abbrTable = newAliasTable(zipfWeights(len(abbreviations), 1.0, 1))
	return m
}

// rankedVocabulary orders the vocabulary by intended frequency: the first
// 30 function words, then function, domain and general words interleaved,
// then the morphological tail.
func rankedVocabulary() []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	fw, dw, gw := dedupe(functionWords), dedupe(domainWords), dedupe(generalWords)
	for _, w := range fw[:30] {
		add(w)
	}
	fw = fw[30:]
	for i := 0; i < max(len(fw), len(dw), len(gw)); i++ {
		if i < len(fw) {
			add(fw[i])
		}
		if i < len(dw) {
			add(dw[i])
		}
		if i < len(gw) {
			add(gw[i])
		}
	}
	for _, p := range prefixMorphs {
		for _, s := range suffixMorphs {
			for _, r := range rootMorphs {
				add(p + r + s)
			}
		}
	}
	return out
}

func dedupe(words []string) []string {
	seen := make(map[string]bool, len(words))
	out := make([]string, 0, len(words))
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// authorPool lists the organisations first (they publish most), then
// people named from the first and last name lists.
func authorPool() []string {
	out := append([]string(nil), organisations...)
	for i, f := range firstNames {
		for j := range 8 {
			out = append(out, f+" "+lastNames[(i*7+j*11)%len(lastNames)])
		}
	}
	return out
}

// generator produces articles; it reuses one random source and one buffer.
type generator struct {
	seed     uint64
	m        *model
	src      *rand.PCG
	r        *rand.Rand
	buf      []byte
	keywords []string
}

func newGenerator(seed int64) *generator {
	src := rand.NewPCG(0, 0)
	return &generator{seed: uint64(seed), m: newModel(), src: src, r: rand.New(src), buf: make([]byte, 0, 64<<10)}
}

func (g *generator) article(i int) article.Article {
	g.src.Seed(g.seed, uint64(i))
	r, m := g.r, g.m
	rec := FirstRecord + i

	published := epoch.Add(time.Duration(math.Sqrt(r.Float64()) * float64(lastDate.Sub(epoch)))).Truncate(time.Minute)
	var updated time.Time
	if r.IntN(5) == 0 {
		updated = published.Add(time.Duration(r.Int64N(int64(400 * 24 * time.Hour)))).Truncate(time.Minute)
		if updated.After(lastDate) {
			updated = lastDate
		}
	}

	regs := g.pickDistinct(m.regionTable, regions, 1+boolInt(r.IntN(8) == 0))
	ctype := contentTypes[m.typeTable.draw(r.Uint64())]
	newness := "New"
	if r.IntN(7) == 0 {
		newness = "Pre-existing"
	}
	nAud := 1
	switch x := r.IntN(10); {
	case x == 0:
		nAud = 3
	case x < 3:
		nAud = 2
	}
	auds := g.pickDistinct(m.audTable, audiences, nAud)
	nTop := 1
	switch x := r.IntN(20); {
	case x < 2:
		nTop = 4
	case x < 6:
		nTop = 3
	case x < 13:
		nTop = 2
	}
	tops := g.pickDistinct(m.topicTable, topics, nTop)
	tags := make([]string, 0, len(regs)+2+len(auds)+len(tops))
	tags = append(tags, regs...)
	tags = append(tags, ctype, newness)
	tags = append(tags, auds...)
	tags = append(tags, tops...)

	g.setKeywords(tops)
	author := m.authors[m.authorTable.draw(r.Uint64())]
	category := categories[r.IntN(len(categories))]

	title := g.title(tops[0])
	date := published.Format("2 January 2006")
	var fullTitle string
	if r.IntN(4) == 0 {
		fullTitle = title + " (" + author + ", " + date + ")"
	} else {
		fullTitle = author + ": " + title + " (" + date + ")"
	}

	summary := g.paragraph(1+r.IntN(3), 12, 28)
	body := g.body(bodyWords(r))

	a := article.Article{
		ID:          SourceName + ":r" + strconv.Itoa(rec),
		URL:         "https://synthetic.invalid/learn/" + category + "/" + slug(title) + "-r" + strconv.Itoa(rec) + "/",
		Source:      SourceName,
		Title:       fullTitle,
		Author:      author,
		Published:   published,
		Updated:     updated,
		Category:    category,
		ContentType: ctype,
		Regions:     regs,
		Audiences:   auds,
		Topics:      tops,
		Tags:        tags,
		Summary:     summary,
		Body:        body,
		Reactions:   reactions(r),
		Attachments: []article.Attachment{},
		Comments:    g.comments(rec, published),
		FetchedAt:   fetchedAt.Add(time.Duration(i) * time.Second),
	}
	if r.IntN(10) == 0 {
		for k := range 1 + r.IntN(2) {
			name := slug(title) + "-" + strconv.Itoa(k+1) + ".pdf"
			a.Attachments = append(a.Attachments, article.Attachment{Name: name, URL: "https://synthetic.invalid/uploads/" + strconv.Itoa(rec) + "/" + name})
		}
	}
	return a
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pickDistinct draws n distinct values from a skewed table.
func (g *generator) pickDistinct(t aliasTable, values []string, n int) []string {
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < 50; tries++ {
		v := values[t.draw(g.r.Uint64())]
		dup := false
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// setKeywords chooses the words this article is about: the words of its
// topics (and a topic's abbreviation expansion), plus a few domain words.
// They are mixed into the text at keywordRate, which gives articles the
// burstiness of real text (a topic's words recur within an article).
func (g *generator) setKeywords(tops []string) {
	kw := g.keywords[:0]
	for _, t := range tops {
		for _, a := range abbreviations {
			if a.Short == t {
				kw = append(kw, a.Short, a.Long)
			}
		}
		for _, w := range strings.Fields(t) {
			if len(w) > 3 {
				kw = append(kw, strings.ToLower(w))
			}
		}
	}
	for range 3 + g.r.IntN(4) {
		kw = append(kw, g.m.domain[g.m.domainTable.draw(g.r.Uint64())])
	}
	g.keywords = kw
}

// title is 4–12 words around the article's main topic, capitalised.
func (g *generator) title(topic string) string {
	n := 4 + g.r.IntN(9)
	b := g.buf[:0]
	at := g.r.IntN(n)
	for w := range n {
		if w > 0 {
			b = append(b, ' ')
		}
		switch {
		case w == at:
			b = append(b, topic...)
		case g.r.IntN(3) == 0:
			b = append(b, g.m.words[g.m.wordTable.draw(g.r.Uint64())]...)
		case g.r.IntN(2) == 0:
			b = append(b, g.m.general[g.r.IntN(len(g.m.general))]...)
		default:
			b = append(b, g.m.domain[g.m.domainTable.draw(g.r.Uint64())]...)
		}
	}
	capitalise(b, 0)
	g.buf = b
	return string(b)
}

// body writes about n words in paragraphs of 3–7 sentences.
func (g *generator) body(n int) string {
	b := g.buf[:0]
	for written := 0; written < n; {
		if written > 0 {
			b = append(b, '\n', '\n')
		}
		sentences := 3 + g.r.IntN(5)
		for s := 0; s < sentences && written < n; s++ {
			if s > 0 {
				b = append(b, ' ')
			}
			k := min(8+g.r.IntN(20), n-written)
			b = g.sentence(b, k)
			written += k
		}
	}
	g.buf = b
	return string(b)
}

// paragraph writes one paragraph of n sentences of lo..hi words.
func (g *generator) paragraph(n, lo, hi int) string {
	b := g.buf[:0]
	for s := range n {
		if s > 0 {
			b = append(b, ' ')
		}
		b = g.sentence(b, lo+g.r.IntN(hi-lo+1))
	}
	g.buf = b
	return string(b)
}

// Cut points of the rates on a 16-bit uniform draw.
const (
	keywordCut = keywordRate
	abbrCut    = keywordCut + abbreviationRate
	phraseCut  = abbrCut + phraseRate
	commaCut   = commaRate
)

// sentence appends n words, the first capitalised, ending with a full stop.
func (g *generator) sentence(b []byte, n int) []byte {
	start := len(b)
	for w := range n {
		if w > 0 {
			b = append(b, ' ')
		}
		x := g.r.Uint64()
		switch p := x & 0xFFFF; {
		case p < keywordCut:
			b = append(b, g.keywords[int((x>>16)%uint64(len(g.keywords)))]...)
		case p < abbrCut:
			a := abbreviations[g.m.abbrTable.draw(g.r.Uint64())]
			if x>>63 == 0 {
				b = append(b, a.Short...)
			} else {
				b = append(b, a.Long...)
			}
		case p < phraseCut:
			b = append(b, neverEventPhrases[int((x>>16)%uint64(len(neverEventPhrases)))]...)
		default:
			b = append(b, g.m.words[g.m.wordTable.draw(g.r.Uint64())]...)
		}
		if w < n-1 && (x>>20)&0xFFFF < commaCut {
			b = append(b, ',')
		}
	}
	capitalise(b, start)
	return append(b, '.')
}

func capitalise(b []byte, i int) {
	if i < len(b) && b[i] >= 'a' && b[i] <= 'z' {
		b[i] -= 'a' - 'A'
	}
}

// bodyWords draws a body length: log-normal with median bodyMedianWords,
// clamped to [bodyMinWords, bodyMaxWords].
func bodyWords(r *rand.Rand) int {
	n := int(bodyMedianWords * math.Exp(bodySigma*r.NormFloat64()))
	return min(max(n, bodyMinWords), bodyMaxWords)
}

// reactions is mostly 0–3 with a tail into the dozens.
func reactions(r *rand.Rand) int {
	return max(0, int(math.Exp(1.2*r.NormFloat64()))-1)
}

// comments: 72% of articles have none, 24% have 1–5, 3% 6–19 and 1% 20–60.
func (g *generator) comments(rec int, published time.Time) []article.Comment {
	r := g.r
	var n int
	switch x := r.IntN(100); {
	case x < 72:
		return []article.Comment{}
	case x < 96:
		n = 1 + r.IntN(5)
	case x < 99:
		n = 6 + r.IntN(14)
	default:
		n = 20 + r.IntN(41)
	}
	out := make([]article.Comment, n)
	at := published
	for k := range out {
		at = at.Add(time.Duration(1+r.IntN(72*60)) * time.Minute)
		c := article.Comment{
			ID:        strconv.Itoa(rec) + "-" + strconv.Itoa(k+1),
			Author:    g.m.authors[len(organisations)+r.IntN(len(g.m.authors)-len(organisations))],
			Published: at,
			Body:      g.paragraph(1+r.IntN(4), 6, 22),
			Reactions: max(0, int(math.Exp(0.8*r.NormFloat64()))-1),
		}
		if r.IntN(15) == 0 {
			c.EditedBy = c.Author
		}
		out[k] = c
	}
	return out
}

// slug turns a title into a URL path segment.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// Queries returns n search texts in the mix a benchmark should send, drawn
// from the generator's vocabulary with seed: single domain words (the most
// common kind, skewed towards frequent words such as "patient" that match
// much of the corpus), pairs, a domain word with a general word, topic
// names, thesaurus abbreviations and expansions, and multi-word phrases.
// They use no query syntax (no quotes, operators, fields or leading "-";
// a hyphen inside a word, as in "covid-19", does occur).
func Queries(seed int64, n int) []string {
	m := newModel()
	r := rand.New(rand.NewPCG(uint64(seed), 1<<62))
	domain := func() string { return m.domain[m.domainTable.draw(r.Uint64())] }
	out := make([]string, n)
	for i := range out {
		switch x := r.IntN(100); {
		case x < 30:
			out[i] = domain()
		case x < 50:
			out[i] = domain() + " " + domain()
		case x < 60:
			out[i] = domain() + " " + m.general[r.IntN(len(m.general))]
		case x < 75:
			out[i] = strings.ToLower(topics[m.topicTable.draw(r.Uint64())])
		case x < 85:
			out[i] = abbreviations[m.abbrTable.draw(r.Uint64())].Short
		case x < 90:
			out[i] = strings.ToLower(abbreviations[m.abbrTable.draw(r.Uint64())].Long)
		case x < 95:
			out[i] = neverEventPhrases[r.IntN(len(neverEventPhrases))]
		default:
			out[i] = domain() + " " + domain() + " " + domain()
		}
	}
	return out
}
