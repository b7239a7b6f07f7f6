package crawler

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// Source kinds (SourceConfig.Kind).
const (
	SourceIPS     = "ips"
	SourceFeed    = "feed"
	SourceSitemap = "sitemap"
)

// TagMapping is what a source's default tags or one of its publisher's
// categories give an article in the hub's facets.
type TagMapping struct {
	Regions     []string
	Audiences   []string
	Topics      []string
	ContentType string
}

func (m TagMapping) empty() bool {
	return len(m.Regions)+len(m.Audiences)+len(m.Topics) == 0 && m.ContentType == ""
}

// validateKind checks the kind and compiles the URL patterns; the error
// starts with the field's name.
func (s SourceConfig) validateKind() error {
	switch s.Kind {
	case SourceIPS, SourceFeed, SourceSitemap:
	default:
		return fmt.Errorf("%s %q: unknown source kind (expected %s, %s or %s)", "Kind", s.Kind, SourceIPS, SourceFeed, SourceSitemap)
	}
	if _, err := s.patterns(); err != nil {
		return err
	}
	if s.Delay < 0 {
		return fmt.Errorf("%s %s: is negative", "Delay", s.Delay)
	}
	if s.FullPassEvery < 0 {
		return fmt.Errorf("%s %s: is negative", "FullPassEvery", s.FullPassEvery)
	}
	return nil
}

// urlPatterns are a source's compiled Include and Exclude expressions.
type urlPatterns struct {
	include, exclude []*regexp.Regexp
}

// patterns compiles Include and Exclude; the error names the field.
func (s SourceConfig) patterns() (urlPatterns, error) {
	var p urlPatterns
	for _, f := range []struct {
		name string
		in   []string
		out  *[]*regexp.Regexp
	}{{"Include", s.Include, &p.include}, {"Exclude", s.Exclude, &p.exclude}} {
		for _, expr := range f.in {
			re, err := regexp.Compile(expr)
			if err != nil {
				return p, fmt.Errorf("%s %q: %w", f.name, expr, err)
			}
			*f.out = append(*f.out, re)
		}
	}
	return p, nil
}

// allows reports whether u passes the include and exclude patterns.
func (p urlPatterns) allows(u *url.URL) bool {
	s := u.String()
	if len(p.include) > 0 && !slices.ContainsFunc(p.include, func(re *regexp.Regexp) bool { return re.MatchString(s) }) {
		return false
	}
	return !slices.ContainsFunc(p.exclude, func(re *regexp.Regexp) bool { return re.MatchString(s) })
}

// sourceTaxonomy classifies the articles of one source: the hub's taxonomy
// for their tags, then the source's default tags and category mapping.
type sourceTaxonomy struct {
	tax        *Taxonomy
	defaults   TagMapping
	categories map[string]TagMapping // tagKey → mapping
}

func newSourceTaxonomy(tax *Taxonomy, src SourceConfig) *sourceTaxonomy {
	st := &sourceTaxonomy{tax: tax, defaults: src.DefaultTags, categories: map[string]TagMapping{}}
	for k, m := range src.Categories {
		st.categories[tagKey(k)] = m
	}
	return st
}

// apply fills the facets of a generic article from its category and tags
// and the feed's categories: a value the source maps gives its mapping, any
// other tag is classified by the hub's taxonomy; the source's default tags
// come last. A content type already set is kept.
func (st *sourceTaxonomy) apply(a *article.Article, feedCategories []string) {
	labels := append([]string{a.Category}, a.Tags...)
	labels = append(labels, feedCategories...)
	var unmapped []string
	var maps []TagMapping
	for _, l := range labels {
		if m, ok := st.categories[tagKey(l)]; ok {
			maps = append(maps, m)
		} else if l != a.Category {
			unmapped = append(unmapped, l)
		}
	}
	c := st.tax.Classify(unmapped)
	a.Regions = appendLabels(a.Regions, c.Regions...)
	a.Audiences = appendLabels(a.Audiences, c.Audiences...)
	a.Topics = appendLabels(a.Topics, c.Topics...)
	if a.ContentType == "" && len(c.ContentTypes) > 0 {
		a.ContentType = c.ContentTypes[0]
	}
	for _, m := range append(maps, st.defaults) {
		st.add(a, m)
	}
}

// addIPS adds the source's default tags to an IPS record, whose tags the
// hub's taxonomy already classified.
func (st *sourceTaxonomy) addIPS(a *article.Article) {
	if !st.defaults.empty() {
		st.add(a, st.defaults)
	}
}

func (st *sourceTaxonomy) add(a *article.Article, m TagMapping) {
	a.Regions = appendLabels(a.Regions, m.Regions...)
	a.Audiences = appendLabels(a.Audiences, m.Audiences...)
	a.Topics = appendLabels(a.Topics, m.Topics...)
	if a.ContentType == "" {
		a.ContentType = m.ContentType
	}
}

// appendLabels appends the labels list lacks (compared as tags are).
func appendLabels(list []string, labels ...string) []string {
	for _, l := range labels {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || slices.ContainsFunc(list, func(x string) bool { return tagKey(x) == tagKey(l) }) {
			continue
		}
		list = append(list, l)
	}
	return list
}

// ApplySource gives an extracted article what its source's configuration
// adds in a crawl: the publisher (default: the source name) and the
// source's default tags and category mapping. The extract and check
// commands use it to show what the crawl would store.
func ApplySource(ex *Extraction, src SourceConfig, tax *Taxonomy) {
	if tax == nil {
		tax = DefaultTaxonomy()
	}
	st := newSourceTaxonomy(tax, src)
	if ex.Extractor == ExtractorGeneric {
		st.apply(ex.Article, nil)
	} else {
		st.addIPS(ex.Article)
	}
	ex.Article.Publisher = cmp.Or(src.Publisher, ex.Article.Source)
}
