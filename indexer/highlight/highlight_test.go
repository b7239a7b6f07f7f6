package highlight

import (
	"html"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/safetysearch/safetysearch/indexer/fold"
)

// wordSpans returns the spans of the words of fold.Text(text), as the
// analyzer's offsets would be.
func wordSpans(text string) []Span {
	folded := fold.Text(text)
	var sp []Span
	start := -1
	for i, r := range folded + " " {
		isWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		if isWord && start < 0 {
			start = i
		}
		if !isWord && start >= 0 {
			sp = append(sp, Span{Start: start, End: i})
			start = -1
		}
	}
	return sp
}

func TestHighlightUnfold(t *testing.T) {
	text := "Œuvre “naïve” ﬁle: don’t <b>Sjögren</b> & æther"
	got := MarkAll(text, wordSpans(text))
	want := "<mark>Œuvre</mark> “<mark>naïve</mark>” <mark>ﬁle</mark>: <mark>don</mark>’<mark>t</mark> &lt;<mark>b</mark>&gt;<mark>Sjögren</mark>&lt;/<mark>b</mark>&gt; &amp; <mark>æther</mark>"
	if got != want {
		t.Fatalf("markAll\n got  %s\n want %s", got, want)
	}
	long := strings.Repeat("filler words here ", 30) + "the café result " + strings.Repeat("more filler ", 30)
	at := strings.Index(fold.Text(long), "cafe")
	frags := Fragments(long, []Span{{Start: at, End: at + 4}}, 40, 2)
	if len(frags) != 1 || !strings.Contains(frags[0], "<mark>café</mark>") || !strings.HasPrefix(frags[0], "…") || !strings.HasSuffix(frags[0], "…") {
		t.Fatalf("fragment %q", frags)
	}
}

func FuzzHighlight(f *testing.F) {
	for _, s := range []string{"", "a", "café ﬁ ’x’", "<script>x</script> & é", "\xff\xfe abc", "Œ Œ Œ"} {
		f.Add(s, 30)
	}
	f.Fuzz(func(t *testing.T, text string, size int) {
		if size < 1 || size > 500 {
			return
		}
		sp := wordSpans(text)
		all := MarkAll(text, sp)
		plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(all))
		if utf8.ValidString(text) && plain != text {
			t.Fatalf("markAll changed the text: %q → %q", text, plain)
		}
		for _, fr := range Fragments(text, sp, size, 2) {
			if utf8.ValidString(text) && !utf8.ValidString(fr) {
				t.Fatalf("invalid UTF-8 fragment %q", fr)
			}
			inner := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(fr)
			if strings.ContainsAny(inner, "<>") {
				t.Fatalf("unescaped markup in %q", fr)
			}
		}
	})
}
