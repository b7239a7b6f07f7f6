package fold

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"plain ascii":        "plain ascii",
		"don’t “café” naïve": `don't "cafe" naive`,
		"Sjögren ﬁle Œuvre":  "Sjogren file OEuvre",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Key("  Café   Bar "); got != "cafe bar" {
		t.Errorf("Key = %q", got)
	}
	if got := Rune('→'); got != "→" {
		t.Errorf("Rune without a folding = %q", got)
	}
}
