package crawler

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

//go:embed taxonomy_default.yaml
var defaultTaxonomyYAML string

// TagKind is the class of a tag, spelt as the keys of the taxonomy YAML.
type TagKind string

// Tag kinds.
const (
	TagRegion      TagKind = "regions"
	TagContentType TagKind = "content_types"
	TagAudience    TagKind = "audiences"
	TagOther       TagKind = "other"
	TagTopic       TagKind = "topics"
)

var taxonomyKinds = []TagKind{TagRegion, TagContentType, TagOther, TagAudience, TagTopic}

// Taxonomy classifies a record's tags into regions, content types,
// audiences, topics and a small "other" set (New / Pre-existing). Anything
// it does not list is a topic. A Taxonomy is immutable once loaded and safe
// for concurrent use.
type Taxonomy struct {
	kind map[string]TagKind // tagKey(value) → kind
}

// Classification is the result of Taxonomy.Classify: each list holds the
// tag labels as written on the page, in page order, without duplicates.
type Classification struct {
	Regions      []string
	Audiences    []string
	ContentTypes []string
	Topics       []string
	Other        []string
}

// DefaultTaxonomy returns the pslhub default taxonomy (embedded
// taxonomy_default.yaml). It is parsed on every call: keep the result.
func DefaultTaxonomy() *Taxonomy {
	t, err := LoadTaxonomy(strings.NewReader(defaultTaxonomyYAML))
	if err != nil {
		// The embedded file is covered by tests; a failure here is a
		// build defect, not a runtime condition.
		panic(err)
	}
	return t
}

// LoadTaxonomy reads a taxonomy in the YAML format of the default file: a
// mapping whose keys are regions, content_types, audiences, other and
// (optionally) topics, each a list of tag values. Unknown keys, non-list
// values, empty values and a value listed twice (under the same or two
// kinds) are errors that name the line.
func LoadTaxonomy(r io.Reader) (*Taxonomy, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("crawler: taxonomy: empty document")
		}
		return nil, fmt.Errorf("crawler: taxonomy: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("crawler: taxonomy: empty document")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("crawler: taxonomy line %d: want a mapping of %s", root.Line, kindList())
	}
	t := &Taxonomy{kind: map[string]TagKind{}}
	type seen struct {
		kind TagKind
		line int
	}
	first := map[string]seen{}
	keys := map[TagKind]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		kind := TagKind(k.Value)
		if !isTaxonomyKind(kind) {
			return nil, fmt.Errorf("crawler: taxonomy line %d: unknown key %q (want one of %s)", k.Line, kind, kindList())
		}
		if l, dup := keys[kind]; dup {
			return nil, fmt.Errorf("crawler: taxonomy line %d: key %q repeated (first on line %d)", k.Line, kind, l)
		}
		keys[kind] = k.Line
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
			continue // "audiences:" with nothing under it
		}
		if v.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("crawler: taxonomy line %d: %s must be a list of tag values", v.Line, kind)
		}
		for _, item := range v.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("crawler: taxonomy line %d: %s: each value must be a plain string", item.Line, kind)
			}
			key := tagKey(item.Value)
			if key == "" {
				return nil, fmt.Errorf("crawler: taxonomy line %d: %s: empty value", item.Line, kind)
			}
			if s, dup := first[key]; dup {
				if s.kind == kind {
					return nil, fmt.Errorf("crawler: taxonomy line %d: %q listed twice under %s (first on line %d)", item.Line, item.Value, kind, s.line)
				}
				return nil, fmt.Errorf("crawler: taxonomy line %d: %q is listed under both %s (line %d) and %s", item.Line, item.Value, s.kind, s.line, kind)
			}
			first[key] = seen{kind, item.Line}
			t.kind[key] = kind
		}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("crawler: taxonomy line %d: more than one YAML document", extra.Line)
	}
	return t, nil
}

func isTaxonomyKind(k TagKind) bool {
	return slices.Contains(taxonomyKinds, k)
}

// Kind returns the kind of a tag value: one of TagRegion, TagContentType,
// TagAudience, TagOther or TagTopic (anything unrecognised).
func (t *Taxonomy) Kind(tag string) TagKind {
	if k, ok := t.kind[tagKey(tag)]; ok {
		return k
	}
	return TagTopic
}

// Classify sorts tags into kinds. Labels keep the spelling of the page;
// matching ignores case, white space differences and the difference
// between typographic and ASCII apostrophes. Empty tags are ignored and
// a tag repeated on the page is reported once.
func (t *Taxonomy) Classify(tags []string) Classification {
	var c Classification
	done := map[string]bool{}
	for _, raw := range tags {
		label := strings.Join(strings.Fields(raw), " ")
		key := tagKey(label)
		if key == "" || done[key] {
			continue
		}
		done[key] = true
		switch t.Kind(label) {
		case TagRegion:
			c.Regions = append(c.Regions, label)
		case TagContentType:
			c.ContentTypes = append(c.ContentTypes, label)
		case TagAudience:
			c.Audiences = append(c.Audiences, label)
		case TagOther:
			c.Other = append(c.Other, label)
		default:
			c.Topics = append(c.Topics, label)
		}
	}
	return c
}

// tagKey is the comparison form of a tag: lower case, white space runs
// collapsed and trimmed, typographic apostrophes and quotes made ASCII.
func tagKey(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2018', '\u2019', '\u02bc', '\u2032', '`', '\u00b4':
			return '\''
		case '\u201c', '\u201d':
			return '"'
		case '\u2010', '\u2011', '\u2012', '\u2013':
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func kindList() string {
	names := make([]string, len(taxonomyKinds))
	for i, k := range taxonomyKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
