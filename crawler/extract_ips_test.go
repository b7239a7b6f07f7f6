package crawler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	ipsDir       = "../testdata/ips"
	ipsGoldenDir = "../testdata/golden/ips"
)

// ipsVariants are the fixtures of testdata/ips with the URL each is
// served at (see its README).
var ipsVariants = []struct{ name, path string }{
	{"pre45-byline", "/learn/improving-patient-safety/handover/handover-checklists-on-surgical-wards-r2210/"},
	{"forum-authors", "/learn/patient-safety-in-health-and-care/medication/safer-insulin-at-discharge-r9302/"},
	{"discussion-jsonld", "/learn/improving-patient-safety/learning-from-near-misses-in-theatres-r9303/"},
	{"no-article-reactions", "/learn/improving-patient-safety/falls-after-dark-in-care-homes-r9304/"},
	{"listing-at-record-url", "/learn/learning-from-incidents-r12/"},
	{"pslhub-r9621", "/learn/patient-safety-learning/the-elephant-in-the-room-patient-safety-and-integrated-care-systems-r9621/"},
}

func extractIPS(t *testing.T, name string) *Page {
	t.Helper()
	for _, v := range ipsVariants {
		if v.name != name {
			continue
		}
		b, err := os.ReadFile(filepath.Join(ipsDir, name+".html"))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte(placeholder), []byte(fixtureBase))
		p, err := Extract(mustURL(t, fixtureBase+v.path), b, ExtractOptions{Source: testSource, FetchedAt: fixtureFetchedAt})
		if err != nil {
			t.Fatalf("Extract(%s): %v", name, err)
		}
		return p
	}
	t.Fatalf("no IPS fixture %s", name)
	return nil
}

func TestExtractIPSVariantsGolden(t *testing.T) {
	if *update {
		if err := os.MkdirAll(ipsGoldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range ipsVariants {
		t.Run(v.name, func(t *testing.T) {
			got, err := json.MarshalIndent(extractIPS(t, v.name), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gp := filepath.Join(ipsGoldenDir, v.name+".json")
			if *update {
				if err := os.WriteFile(gp, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gp)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from golden %s (run with -update and review the diff)\ngot:\n%s", v.name, gp, got)
			}
		})
	}
}

// The golden files are checked by hand once; these name what each
// fixture is there for.
func TestExtractIPSVariants(t *testing.T) {
	t.Run("pre-4.5 byline beside the header", func(t *testing.T) {
		a := extractIPS(t, "pre45-byline").Article
		if a.Author != "Morag Fraser" || a.Published.Format("2006-01-02T15:04") != "2019-11-04T10:30" {
			t.Errorf("author %q published %v", a.Author, a.Published)
		}
	})
	t.Run("forum-style comment authors", func(t *testing.T) {
		a := extractIPS(t, "forum-authors").Article
		if len(a.Comments) != 2 || a.Comments[0].Author != "Priya Shah" || a.Comments[1].Author != "Tom Evans" || a.Comments[0].Reactions != 3 {
			t.Errorf("comments %+v", a.Comments)
		}
	})
	t.Run("DiscussionForumPosting JSON-LD", func(t *testing.T) {
		a := extractIPS(t, "discussion-jsonld").Article
		if a == nil || a.Title != "Learning from near misses in theatres" || a.Author != "Ruth Okafor" || a.Published.IsZero() ||
			!strings.Contains(a.Body, "debrief") || len(a.Comments) != 2 || a.Comments[0].ID != "88101" || a.Comments[0].Author != "Sam Reid" {
			t.Errorf("article %+v", a)
		}
	})
	t.Run("no <article>: a comment's reactions are not the record's", func(t *testing.T) {
		a := extractIPS(t, "no-article-reactions").Article
		if a.Reactions != 0 || len(a.Comments) != 1 || a.Comments[0].Reactions != 6 {
			t.Errorf("record reactions %d, comments %+v", a.Reactions, a.Comments)
		}
	})
	t.Run("listing at a record URL", func(t *testing.T) {
		p := extractIPS(t, "listing-at-record-url")
		if p.Article != nil || len(p.Links) == 0 {
			t.Errorf("listing became an article: %+v", p.Article)
		}
	})
	t.Run("pslhub r9621", func(t *testing.T) {
		a := extractIPS(t, "pslhub-r9621").Article
		if !strings.HasPrefix(a.Title, "The elephant in the room: ") || a.Author != "Patient Safety Learning" {
			t.Errorf("title %q author %q", a.Title, a.Author)
		}
		if strings.Join(a.Tags, "|") != "UK|Reports and articles|New|Everyone" || a.ContentType != "Reports and articles" {
			t.Errorf("tags %q content type %q", a.Tags, a.ContentType)
		}
		if a.Reactions != 3 || len(a.Comments) != 4 {
			t.Fatalf("reactions %d, %d comments", a.Reactions, len(a.Comments))
		}
		for i, want := range []int{1, 1, 2, 0} {
			if a.Comments[i].Reactions != want {
				t.Errorf("comment %d reactions %d, want %d", i+1, a.Comments[i].Reactions, want)
			}
		}
		if a.Comments[2].EditedBy != "Steve Turner" || a.Comments[0].EditedBy != "" || strings.Contains(a.Comments[2].Body, "Edited") {
			t.Errorf("edited: %q / %q, body %q", a.Comments[2].EditedBy, a.Comments[0].EditedBy, a.Comments[2].Body)
		}
		for _, s := range []string{a.Body, a.Summary, a.Comments[3].Body} {
			if strings.Contains(s, "sign in") || strings.Contains(s, "Sign In") || strings.Contains(s, "Create an account") {
				t.Errorf("guest block leaked: %q", s)
			}
		}
	})
}
