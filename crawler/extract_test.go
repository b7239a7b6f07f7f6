package crawler

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

const (
	siteDir      = "../testdata/site"
	goldenDir    = "../testdata/golden/extract"
	fixtureBase  = "https://www.pslhub.org"
	minFixtures  = 20
	testSource   = "pslhub"
	placeholder  = "{{BASE}}"
	recordSuffix = `-r[0-9]+/(page/[0-9]+/)?index\.html$`
)

var fixtureFetchedAt = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

var recordFile = regexp.MustCompile(recordSuffix)

// siteFixture is one HTML file of the sample hub with the URL it is served at.
type siteFixture struct {
	rel  string // path under testdata/site, slash separated
	url  *url.URL
	body []byte
}

// loadSite reads every index.html of the sample hub (optionally only record
// pages), substituting the fixed base URL for {{BASE}}. Directory names are
// decoded URL paths, so the URL is rebuilt with url.URL.String().
func loadSite(t testing.TB, recordsOnly bool) []siteFixture {
	t.Helper()
	var out []siteFixture
	err := filepath.WalkDir(siteDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() != "index.html" {
			return nil
		}
		rel, err := filepath.Rel(siteDir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if recordsOnly && !recordFile.MatchString(rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		u := fixtureURL(t, rel)
		out = append(out, siteFixture{rel: rel, url: u, body: bytes.ReplaceAll(b, []byte(placeholder), []byte(fixtureBase))})
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", siteDir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out
}

func fixtureURL(t testing.TB, rel string) *url.URL {
	t.Helper()
	dir := strings.TrimSuffix(rel, "index.html")
	base, err := url.Parse(fixtureBase)
	if err != nil {
		t.Fatal(err)
	}
	u := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/" + dir}
	// Round-trip so the URL carries the same escaping as a fetched URL.
	parsed, err := url.Parse(u.String())
	if err != nil {
		t.Fatalf("fixture URL for %s: %v", rel, err)
	}
	return parsed
}

var goldenUnsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// goldenName names a record fixture's golden file after its last two
// directories (category leaf and record slug) plus the comment page.
func goldenName(rel string) string {
	parts := strings.Split(strings.TrimSuffix(rel, "/index.html"), "/")
	page := ""
	if n := len(parts); n >= 2 && parts[n-2] == "page" {
		page = "__page-" + parts[n-1]
		parts = parts[:n-2]
	}
	n := len(parts)
	name := parts[n-1]
	if n >= 2 {
		name = parts[n-2] + "__" + name
	}
	return goldenUnsafe.ReplaceAllString(strings.ToLower(name), "_") + page + ".json"
}

func extractFixture(t testing.TB, f siteFixture) *Page {
	t.Helper()
	p, err := Extract(f.url, f.body, ExtractOptions{Source: testSource, FetchedAt: fixtureFetchedAt})
	if err != nil {
		t.Fatalf("Extract(%s): %v", f.url, err)
	}
	return p
}

func TestExtractGolden(t *testing.T) {
	fixtures := loadSite(t, true)
	if len(fixtures) < minFixtures {
		t.Fatalf("found %d record fixtures under %s, want at least %d", len(fixtures), siteDir, minFixtures)
	}
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, f := range fixtures {
		name := goldenName(f.rel)
		if want[name] {
			t.Fatalf("two fixtures map to golden %s", name)
		}
		want[name] = true
		t.Run(name, func(t *testing.T) {
			p := extractFixture(t, f)
			if p.Article == nil {
				t.Fatalf("%s: no article", f.url)
			}
			got, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gp := filepath.Join(goldenDir, name)
			if *update {
				if err := os.WriteFile(gp, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			wantB, err := os.ReadFile(gp)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if !bytes.Equal(got, wantB) {
				t.Errorf("%s differs from golden %s (run with -update and review the diff)\ngot:\n%s", f.url, gp, got)
			}
		})
	}
	// No stale goldens: every golden file belongs to a fixture.
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] {
			if *update {
				if err := os.Remove(filepath.Join(goldenDir, e.Name())); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("golden %s has no fixture", e.Name())
		}
	}
}

// fixtureByRecord returns the fixture whose relative path ends with suffix.
func fixtureByRecord(t testing.TB, fixtures []siteFixture, suffix string) siteFixture {
	t.Helper()
	var found []siteFixture
	for _, f := range fixtures {
		if strings.HasSuffix(f.rel, suffix) {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one fixture ending %q, found %d", suffix, len(found))
	}
	return found[0]
}
