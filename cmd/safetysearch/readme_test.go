package main

import (
	"cmp"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/crawler"
)

var update = flag.Bool("update", false, "rewrite golden files and the README configuration table")

const (
	readmePath       = "../../README.md"
	tableStartMarker = "<!-- config-table:start"
	tableEndMarker   = "<!-- config-table:end -->"
)

// configTable renders the settings table as Markdown.
func configTable() string {
	var b strings.Builder
	b.WriteString("| Setting (YAML key) | Environment variable | Flag | Default | Meaning |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, s := range settings {
		fl := ""
		if s.Flag != "" {
			fl = "`--" + s.Flag + "`"
		}
		b.WriteString("| `" + s.Key + "` | `" + s.Env + "` | " + fl + " | " + s.Default + " | " +
			strings.ReplaceAll(s.Help, "|", `\|`) + " |\n")
	}
	return b.String()
}

// TestREADMEConfigTable keeps README.md's configuration table equal to the
// settings table in config.go; -update rewrites it.
func TestREADMEConfigTable(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, tableStartMarker)
	end := strings.Index(readme, tableEndMarker)
	if start < 0 || end < start {
		t.Fatalf("README.md has no %q … %q block", tableStartMarker, tableEndMarker)
	}
	startLineEnd := start + strings.Index(readme[start:], "\n") + 1
	got := readme[startLineEnd:end]
	want := configTable()
	if got == want {
		return
	}
	if *update {
		readme = readme[:startLineEnd] + want + readme[end:]
		if err := os.WriteFile(readmePath, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md configuration table is out of date; run go test ./cmd/safetysearch -run TestREADMEConfigTable -update\ngot:\n%s\nwant:\n%s", got, want)
}

// TestREADMEExampleConfig loads the example config file of README.md.
func TestREADMEExampleConfig(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i := strings.Index(readme, "An example file:")
	if i < 0 {
		t.Fatal(`README.md has no "An example file:"`)
	}
	c, err := loadConfig(writeFile(t, "example.yaml", yamlBlockAfter(t, readme[i:])), envMap(nil), nil)
	if err != nil {
		t.Fatalf("the README example config is refused: %v", err)
	}
	if len(c.Sources) != 1 || c.Sources[0].URL != "https://www.pslhub.org/" || c.LogFormat != "json" {
		t.Errorf("example config read as %+v", c)
	}
}

// yamlBlockAfter is the first yaml code block of text.
func yamlBlockAfter(t *testing.T, text string) string {
	t.Helper()
	start := strings.Index(text, "```yaml\n")
	if start < 0 {
		t.Fatal("no yaml block after the heading")
	}
	block := text[start+len("```yaml\n"):]
	return block[:strings.Index(block, "```")]
}

// TestREADMEAddingAPublisher loads the worked example of "Adding a
// publisher" and maps it to the crawler's sources.
func TestREADMEAddingAPublisher(t *testing.T) {
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	i := strings.Index(readme, "## Adding a publisher")
	if i < 0 {
		t.Fatal(`README.md has no "## Adding a publisher"`)
	}
	c, err := loadConfig(writeFile(t, "publishers.yaml", yamlBlockAfter(t, readme[i:])), envMap(nil), nil)
	if err != nil {
		t.Fatalf("the README publisher example is refused: %v", err)
	}
	cc, err := (&Main{cfg: c}).crawlerConfig()
	if err != nil {
		t.Fatalf("the README publisher example is refused by the crawler: %v", err)
	}
	var kinds []string
	for _, s := range cc.Sources {
		kinds = append(kinds, cmp.Or(s.Kind, crawler.SourceIPS))
	}
	if strings.Join(kinds, ",") != "ips,feed,sitemap" {
		t.Errorf("example source kinds %v, want ips, feed, sitemap", kinds)
	}
}
