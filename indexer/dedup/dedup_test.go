package dedup

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// report is a body of about 80 distinct-ish words.
func report(topic string) string {
	var b strings.Builder
	for i := range 80 {
		fmt.Fprintf(&b, "%s finding %d about medication incident reporting in ward %d. ", topic, i, i%7)
	}
	return b.String()
}

func TestNormalizeURL(t *testing.T) {
	same := []string{
		"https://www.example.org/reports/falls/",
		"http://example.org/reports/falls",
		"https://EXAMPLE.org:443/reports/falls#summary",
		"https://example.org/reports/falls?utm_source=feed&utm_medium=rss",
	}
	want := NormalizeURL(same[0])
	if want != "example.org/reports/falls" {
		t.Fatalf("NormalizeURL(%q) = %q", same[0], want)
	}
	for _, u := range same[1:] {
		if got := NormalizeURL(u); got != want {
			t.Errorf("NormalizeURL(%q) = %q, want %q", u, got, want)
		}
	}
	if a, b := NormalizeURL("https://example.org/r?b=2&a=1"), NormalizeURL("https://example.org/r?a=1&b=2"); a != b {
		t.Errorf("parameter order matters: %q vs %q", a, b)
	}
	for _, u := range []string{"https://example.org/r?id=1", "https://example.org:8080/reports/falls", "https://other.org/reports/falls"} {
		if NormalizeURL(u) == want {
			t.Errorf("NormalizeURL(%q) equals the falls report's", u)
		}
	}
	for _, u := range []string{"", "mailto:a@b.org", "/relative/path", "ftp://example.org/x", "http://%zz"} {
		if got := NormalizeURL(u); got != "" {
			t.Errorf("NormalizeURL(%q) = %q, want \"\"", u, got)
		}
	}
}

func TestSimhashDistance(t *testing.T) {
	a := report("Sepsis")
	edited := strings.Replace(a, "finding 40 about", "finding forty about", 1)
	other := report("Falls prevention in older people")
	ha, he, ho := Simhash(Words(a)), Simhash(Words(edited)), Simhash(Words(other))
	if d := Distance(ha, Simhash(Words(strings.ToUpper(a)))); d != 0 {
		t.Errorf("case changes the fingerprint by %d bits", d)
	}
	if d := Distance(ha, he); d > MaxDistance {
		t.Errorf("one changed word: distance %d > %d", d, MaxDistance)
	}
	if d := Distance(ha, ho); d <= MaxDistance {
		t.Errorf("different reports: distance %d ≤ %d", d, MaxDistance)
	}
}

func TestSignShortBody(t *testing.T) {
	if s := Sign("a", "https://example.org/a", "See the attached report."); s.HasBody {
		t.Errorf("short body fingerprinted: %+v", s)
	}
	if s := Sign("a", "", report("x")); !s.HasBody || s.URLKey != "" {
		t.Errorf("long body without URL: %+v", s)
	}
}

func TestGroup(t *testing.T) {
	body := report("Sepsis")
	near := strings.Replace(body, "ward 3", "unit 3", 1)
	sigs := []Signature{
		0: Sign("hub", "https://hub.example/r/1", body),
		1: Sign("other", "https://other.example/falls", report("Falls")),
		2: Sign("gov", "https://gov.example/sepsis-report", near),       // near body of 0
		3: Sign("hub", "http://www.other.example/falls/", "short text"), // URL of 1
		4: Sign("third", "https://third.example/x", "See the attached report."),
		5: Sign("fourth", "https://fourth.example/y", "See the attached report."), // short: no body match
		6: Sign("hub", "https://gov.example/sepsis-report?utm_source=x", ""),      // URL of 2: joins 0's group
		7: Sign("other", "https://other.example/falls-2", report("Falls")),        // body of 1, same source: not joined
		8: Sign("gov", "https://gov.example/r/8", near),                           // body of 2, same source, but near 0's
	}
	got := Group(sigs)
	want := [][]int{{0, 2, 6, 8}, {1, 3}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Group = %v, want %v", got, want)
	}
	if g := Group(nil); len(g) != 0 {
		t.Errorf("Group(nil) = %v", g)
	}
}

// TestGroupTransitive: A~B and B~C put A, B, C in one group even when A and
// C are further apart than MaxDistance.
func TestGroupTransitive(t *testing.T) {
	a := Signature{Source: "a", Fingerprint: 0, HasBody: true}
	b := Signature{Source: "b", Fingerprint: 0b111, HasBody: true}
	c := Signature{Source: "c", Fingerprint: 0b111111, HasBody: true}
	far := Signature{Source: "d", Fingerprint: 0b1111111111, HasBody: true}
	if got := Group([]Signature{a, b, c, far}); !reflect.DeepEqual(got, [][]int{{0, 1, 2}}) {
		t.Errorf("Group = %v", got)
	}
}

// TestGroupMatchesPairwise checks the banded search against comparing
// every pair, on fingerprints that differ in few bits.
func TestGroupMatchesPairwise(t *testing.T) {
	var sigs []Signature
	seed := uint64(0x9e3779b97f4a7c15)
	for i := range 300 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		fp := seed
		if i%3 != 0 && len(sigs) > 0 {
			fp = sigs[len(sigs)-1].Fingerprint ^ (1 << (seed % 64)) ^ (1 << (seed >> 58))
		}
		sigs = append(sigs, Signature{Source: fmt.Sprint(i % 4), Fingerprint: fp, HasBody: true})
	}
	uf := newUnionFind(len(sigs))
	for i := range sigs {
		for j := range i {
			if sigs[i].Source != sigs[j].Source && Distance(sigs[i].Fingerprint, sigs[j].Fingerprint) <= MaxDistance {
				uf.union(i, j)
			}
		}
	}
	got := Group(sigs)
	inGroup := map[int]int{}
	for g, m := range got {
		for _, i := range m {
			inGroup[i] = g
		}
	}
	for i := range sigs {
		for j := range i {
			same := uf.find(i) == uf.find(j)
			gi, oki := inGroup[i]
			gj, okj := inGroup[j]
			if same != (oki && okj && gi == gj) {
				t.Fatalf("signatures %d and %d: pairwise same=%t, Group disagrees", i, j, same)
			}
		}
	}
	if len(got) == 0 {
		t.Fatal("no groups: the test fingerprints are not near each other")
	}
}
