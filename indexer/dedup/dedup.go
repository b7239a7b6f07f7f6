// Package dedup finds the articles that are one document reached more than
// once: through two sources, or under two URLs. Two articles are the same
// document when their canonical URLs are equal once normalised (URLKey), or
// when their bodies are the same or nearly the same text (the simhash of
// their word shingles within MaxDistance bits). Only articles of different
// sources are compared: a source's own records are distinct by its own
// account (a corrected re-issue, a monthly bulletin with the same frame),
// while the same report on two publishers' sites is the repetition a
// reader wants folded. Grouping is transitive (union-find). The index
// build uses it to index one article per group.
//
// It is pure and standard library only.
package dedup

import (
	"hash/fnv"
	"math/bits"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Thresholds of near-duplicate bodies.
const (
	// MinWords is the length under which a body gets no fingerprint: short
	// texts ("See the attached report.") are alike without being one
	// document.
	MinWords = 50
	// MaxDistance is the largest Hamming distance between two 64-bit
	// fingerprints of one document (a reworded sentence, a changed footer).
	MaxDistance = 3
	// shingleWords is the length of the word shingles that are hashed.
	shingleWords = 3
)

// Signature is what grouping compares of one article.
type Signature struct {
	Source string // the article's source: signatures of one source are never joined
	URLKey string // NormalizeURL of the canonical URL; "" when none
	// Fingerprint is the simhash of the body; valid only when HasBody.
	Fingerprint uint64
	HasBody     bool
}

// Sign computes the signature of an article of source from its canonical
// URL and body.
func Sign(source, canonicalURL, body string) Signature {
	s := Signature{Source: source, URLKey: NormalizeURL(canonicalURL)}
	words := Words(body)
	if len(words) >= MinWords {
		s.Fingerprint, s.HasBody = Simhash(words), true
	}
	return s
}

// Words splits text into lower-case words of letters and digits.
func Words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Simhash is the 64-bit simhash of the word shingles (shingleWords words
// each) of words: every bit is the majority vote of that bit of the
// shingles' FNV-1a hashes. Texts that share most shingles get fingerprints
// a few bits apart.
func Simhash(words []string) uint64 {
	var votes [64]int
	vote := func(h uint64) {
		for b := range 64 {
			if h&(1<<b) != 0 {
				votes[b]++
			} else {
				votes[b]--
			}
		}
	}
	n := len(words) - shingleWords + 1
	if n < 1 {
		n = 1
	}
	for i := range n {
		h := fnv.New64a()
		for j := i; j < i+shingleWords && j < len(words); j++ {
			_, _ = h.Write([]byte(words[j]))
			_, _ = h.Write([]byte{0})
		}
		vote(h.Sum64())
	}
	var out uint64
	for b := range 64 {
		if votes[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

// Distance is the Hamming distance of two fingerprints.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// trackingParams are query parameters that name a campaign, not a page.
var trackingParams = []string{"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid", "gclid"}

// NormalizeURL is the form of a URL under which two spellings of one page
// are equal: scheme http and https alike, host lower case without "www."
// and default port, no fragment, no trailing slash, no tracking
// parameters, the other parameters sorted. It returns "" for a URL that
// is not absolute http(s).
func NormalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		host += ":" + p
	}
	q := u.Query()
	for _, p := range trackingParams {
		q.Del(p)
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	out := host + path
	if enc := q.Encode(); enc != "" { // Encode sorts by key
		out += "?" + enc
	}
	return out
}

// Group returns the groups of signatures that are one document: each group
// the ascending indexes of its members, groups ordered by their first
// member. Signatures alone in their group are left out.
func Group(sigs []Signature) [][]int {
	uf := newUnionFind(len(sigs))
	join := func(i, j int) {
		if sigs[i].Source != sigs[j].Source && uf.find(i) != uf.find(j) {
			uf.union(i, j)
		}
	}
	byURL := map[string][]int{}
	// Pigeonhole: fingerprints within MaxDistance bits agree exactly on at
	// least one of MaxDistance+1 bands, so only signatures sharing a band
	// value are compared.
	const bands = MaxDistance + 1
	const bandBits = 64 / bands
	byBand := make([]map[uint64][]int, bands)
	for b := range byBand {
		byBand[b] = map[uint64][]int{}
	}
	for i, s := range sigs {
		if s.URLKey != "" {
			for _, j := range byURL[s.URLKey] {
				join(i, j)
			}
			byURL[s.URLKey] = append(byURL[s.URLKey], i)
		}
		if !s.HasBody {
			continue
		}
		for b := range bands {
			v := (s.Fingerprint >> (b * bandBits)) & (1<<bandBits - 1)
			for _, j := range byBand[b][v] {
				if Distance(s.Fingerprint, sigs[j].Fingerprint) <= MaxDistance {
					join(i, j)
				}
			}
			byBand[b][v] = append(byBand[b][v], i)
		}
	}
	members := map[int][]int{}
	for i := range sigs {
		r := uf.find(i)
		members[r] = append(members[r], i)
	}
	var out [][]int
	for _, m := range members {
		if len(m) > 1 {
			out = append(out, m) // ascending: filled in index order
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	return out
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct {
	parent, size []int
}

func newUnionFind(n int) *unionFind {
	uf := &unionFind{parent: make([]int, n), size: slices.Repeat([]int{1}, n)}
	for i := range uf.parent {
		uf.parent[i] = i
	}
	return uf
}

func (uf *unionFind) find(i int) int {
	for uf.parent[i] != i {
		uf.parent[i] = uf.parent[uf.parent[i]]
		i = uf.parent[i]
	}
	return i
}

func (uf *unionFind) union(a, b int) {
	ra, rb := uf.find(a), uf.find(b)
	if ra == rb {
		return
	}
	if uf.size[ra] < uf.size[rb] {
		ra, rb = rb, ra
	}
	uf.parent[rb] = ra
	uf.size[ra] += uf.size[rb]
}
