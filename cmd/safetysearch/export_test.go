package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/searchapi/csvexport"
)

// crawlSampleHub crawls the sample hub in-process into a new data
// directory and returns it.
func crawlSampleHub(t *testing.T) (data, hubURL string) {
	t.Helper()
	data = filepath.Join(t.TempDir(), "data")
	return data, crawlSampleHubInto(t, data)
}

// crawlSampleHubInto crawls the sample hub in-process into data and returns
// the hub's URL (served until the test ends).
func crawlSampleHubInto(t *testing.T, data string) string {
	t.Helper()
	hub := startSampleHub(t)
	env := map[string]string{"SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS": "true", "SAFETYSEARCH_CRAWL_DELAY": "1ms"}
	code, stdout, stderr := run(t, env, "crawl", "--source", hub.URL+"/", "--data", data)
	if code != 0 {
		t.Fatalf("crawl: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	return hub.URL
}

func TestExportFormats(t *testing.T) {
	data, hubURL := crawlSampleHub(t)

	code, jsonl, stderr := run(t, nil, "export", "--data", data) // jsonl is the default
	if code != 0 {
		t.Fatalf("export jsonl: exit %d: %s", code, stderr)
	}
	arts := parseJSONL(t, []byte(jsonl))
	checkExportedArticles(t, arts, hubURL)
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		for _, key := range []string{`"regions":`, `"audiences":`, `"topics":`, `"tags":`, `"attachments":`, `"comments":`} {
			if !strings.Contains(line, key) || strings.Contains(line, key+"null") {
				t.Errorf("line lacks %s as a list: %.200s", key, line)
			}
		}
	}

	// Documents: status and page count always, the text only when asked.
	audit := func(arts []article.Article) *article.Document {
		for _, a := range arts {
			for _, at := range a.Attachments {
				if strings.HasSuffix(at.URL, "/insulin-pen-safety-audit.pdf") {
					return at.Document
				}
			}
		}
		t.Fatal("no article attaches the insulin pen safety audit")
		return nil
	}
	if d := audit(arts); d == nil || d.Status != article.DocExtracted || d.PageCount != 3 || d.Pages != nil {
		t.Errorf("exported insulin audit: %+v, want extracted, 3 pages, no text", d)
	}
	code, withText, stderr := run(t, nil, "export", "--data", data, "--include", "attachment_text")
	if code != 0 {
		t.Fatalf("export --include attachment_text: exit %d: %s", code, stderr)
	}
	if d := audit(parseJSONL(t, []byte(withText))); d == nil || len(d.Pages) != 3 || !strings.Contains(d.Pages[1], "degludec") {
		t.Errorf("exported insulin audit with its text: %+v", d)
	}
	if code, _, _ := run(t, nil, "export", "--data", data, "--include", "everything"); code == 0 {
		t.Error("export --include everything: exit 0, want a usage error")
	}

	code, csvOut, stderr := run(t, nil, "export", "--data", data, "--format", "csv")
	if code != 0 {
		t.Fatalf("export csv: exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	if strings.Join(rows[0], ",") != strings.Join(csvexport.Header, ",") {
		t.Fatalf("csv header %v", rows[0])
	}
	if len(rows)-1 != len(arts) {
		t.Fatalf("csv has %d rows, jsonl %d articles", len(rows)-1, len(arts))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	withComments := 0
	for i, row := range rows[1:] {
		a := arts[i] // both in store order
		if row[col["id"]] != a.ID || row[col["title"]] != a.Title || row[col["body"]] != a.Body {
			t.Errorf("row %d (%s) does not match article %s", i+1, row[col["id"]], a.ID)
		}
		if row[col["tags"]] != strings.Join(a.Tags, "; ") || row[col["regions"]] != strings.Join(a.Regions, "; ") {
			t.Errorf("row %d lists: tags %q regions %q", i+1, row[col["tags"]], row[col["regions"]])
		}
		if row[col["comment_count"]] != strconv.Itoa(len(a.Comments)) {
			t.Errorf("row %d comment_count %s, want %d", i+1, row[col["comment_count"]], len(a.Comments))
		}
		var cs []article.Comment
		if err := json.Unmarshal([]byte(row[col["comments"]]), &cs); err != nil || len(cs) != len(a.Comments) {
			t.Errorf("row %d comments column: %v (%d comments)", i+1, err, len(cs))
		}
		if len(a.Comments) > 0 {
			withComments++
		}
		if !a.Published.IsZero() && row[col["published"]] != a.Published.UTC().Format("2006-01-02T15:04:05Z07:00") {
			t.Errorf("row %d published %q", i+1, row[col["published"]])
		}
	}
	if withComments == 0 {
		t.Errorf("no exported article has comments; the sample hub has commented articles")
	}
}

func TestExportWithoutStore(t *testing.T) {
	code, _, stderr := run(t, nil, "export", "--data", filepath.Join(t.TempDir(), "empty"))
	if code != 1 || !strings.Contains(stderr, "no store in") || !strings.Contains(stderr, "safetysearch crawl") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

// TestTaxonomyFile: the configured taxonomy replaces the built-in one at
// crawl time; a broken one is refused naming the setting.
func TestTaxonomyFile(t *testing.T) {
	hub := startSampleHub(t)
	tax := writeFile(t, "taxonomy.yaml", "regions: [Canada]\naudiences: [Everyone]\ncontent_types: [Blogs]\n")
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{
		"SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS": "true", "SAFETYSEARCH_CRAWL_DELAY": "1ms",
		"SAFETYSEARCH_TAXONOMY_FILE": tax,
	}
	if code, _, stderr := run(t, env, "crawl", "--source", hub.URL+"/", "--data", data); code != 0 {
		t.Fatalf("crawl: exit %d: %s", code, stderr)
	}
	code, jsonl, stderr := run(t, nil, "export", "--data", data)
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	ukTopic := 0
	for _, a := range parseJSONL(t, []byte(jsonl)) {
		for _, r := range a.Regions {
			if r != "Canada" {
				t.Errorf("%s: region %q is not in the configured taxonomy", a.ID, r)
			}
		}
		for _, ty := range []string{a.ContentType} {
			if ty != "" && ty != "Blogs" {
				t.Errorf("%s: content type %q is not in the configured taxonomy", a.ID, ty)
			}
		}
		if containsFold(a.Topics, "UK") {
			ukTopic++
		}
	}
	if ukTopic == 0 {
		t.Errorf("no article has UK as a topic: the configured taxonomy was not used")
	}

	bad := writeFile(t, "bad.yaml", "regionz: [UK]\n")
	env["SAFETYSEARCH_TAXONOMY_FILE"] = bad
	code, _, stderr = run(t, env, "crawl", "--source", hub.URL+"/", "--data", filepath.Join(t.TempDir(), "d2"))
	if code != 2 || !strings.Contains(stderr, "taxonomy_file "+bad) || !strings.Contains(stderr, `unknown key "regionz"`) {
		t.Errorf("bad taxonomy: exit %d, stderr %s", code, stderr)
	}
}
