package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The import rules of the README (crawler → indexer ← searchapi, cmd
// wires): .golangci.yml states them for depguard as well, so that a wrong
// import fails both the linter and go test.
const modulePath = "github.com/safetysearch/safetysearch"

// listedPackage is the part of `go list -json` the rules read.
type listedPackage struct {
	ImportPath   string
	Imports      []string // non-test, direct
	TestImports  []string
	XTestImports []string
	Deps         []string // non-test, transitive
	Standard     bool
}

// within reports whether path is pkg or one of its sub-packages.
func within(path, pkg string) bool {
	return path == pkg || strings.HasPrefix(path, pkg+"/")
}

// importViolations checks the packages of this module against the rules;
// std reports whether an import path is in the standard library.
func importViolations(pkgs []listedPackage, std func(string) bool) []string {
	var (
		crawler   = modulePath + "/crawler"
		searchapi = modulePath + "/searchapi"
		indexer   = modulePath + "/indexer"
		article   = modulePath + "/indexer/article"
		cmd       = modulePath + "/cmd"
	)
	// A package under each key may not import, even from its tests, a
	// package under any of the listed ones.
	forbidden := map[string][]string{
		crawler:   {searchapi, cmd},
		searchapi: {crawler, cmd},
		indexer:   {crawler, searchapi, cmd},
	}
	// Nor may it link (non-test, transitively) these modules.
	unlinked := map[string][]string{
		crawler: {"github.com/blevesearch/", "github.com/robfig/cron", "github.com/gin-gonic/"},
	}
	var bad []string
	for _, p := range pkgs {
		if !within(p.ImportPath, modulePath) {
			continue
		}
		imports := slices.Concat(p.Imports, p.TestImports, p.XTestImports)
		for owner, banned := range forbidden {
			if !within(p.ImportPath, owner) {
				continue
			}
			for _, imp := range imports {
				for _, b := range banned {
					if within(imp, b) {
						bad = append(bad, fmt.Sprintf("%s imports %s", p.ImportPath, imp))
					}
				}
			}
		}
		for owner, banned := range unlinked {
			if !within(p.ImportPath, owner) {
				continue
			}
			for _, dep := range p.Deps {
				for _, b := range banned {
					if strings.HasPrefix(dep, b) {
						bad = append(bad, fmt.Sprintf("%s links %s", p.ImportPath, dep))
					}
				}
			}
		}
		// The document contract is a leaf: standard library only.
		if within(p.ImportPath, article) {
			for _, imp := range slices.Concat(p.Deps, imports) {
				if !std(imp) && !within(imp, article) {
					bad = append(bad, fmt.Sprintf("%s depends on %s (standard library only)", p.ImportPath, imp))
				}
			}
		}
	}
	slices.Sort(bad)
	return slices.Compact(bad)
}

// goList runs `go list -deps -json ./...` on the module and returns every
// package it lists (ours and their dependencies).
func goList(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,TestImports,XTestImports,Deps,Standard", "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	pkgs := goList(t)
	std := map[string]bool{}
	ours := 0
	for _, p := range pkgs {
		std[p.ImportPath] = p.Standard
		if within(p.ImportPath, modulePath) {
			ours++
		}
	}
	if ours < 5 {
		t.Fatalf("go list found %d packages of %s, want at least 5", ours, modulePath)
	}
	isStd := func(path string) bool {
		if s, ok := std[path]; ok {
			return s
		}
		// Imported only by tests, so not listed: the standard library has
		// no dot in its first path element.
		return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
	}
	for _, v := range importViolations(pkgs, isStd) {
		t.Error(v)
	}
}

// TestImportRulesCatch feeds importViolations the wrong imports the rules
// exist for.
func TestImportRulesCatch(t *testing.T) {
	m := func(s string) string { return modulePath + "/" + s }
	std := func(p string) bool { return !strings.Contains(p, ".") }
	pkgs := []listedPackage{
		{ImportPath: m("crawler"), Imports: []string{m("indexer/article")}, TestImports: []string{m("searchapi")},
			Deps: []string{"net/http", "github.com/blevesearch/bleve/v2"}},
		{ImportPath: m("searchapi"), XTestImports: []string{m("crawler")}},
		{ImportPath: m("indexer/query"), Imports: []string{m("cmd/safetysearch")}},
		{ImportPath: m("indexer/article"), Imports: []string{"time", m("indexer")}},
		{ImportPath: m("cmd/safetysearch"), Imports: []string{m("crawler"), m("searchapi"), m("indexer")}},
	}
	got := importViolations(pkgs, std)
	want := []string{
		m("crawler") + " imports " + m("searchapi"),
		m("crawler") + " links github.com/blevesearch/bleve/v2",
		m("indexer/article") + " depends on " + m("indexer") + " (standard library only)",
		m("indexer/query") + " imports " + m("cmd/safetysearch"),
		m("searchapi") + " imports " + m("crawler"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
