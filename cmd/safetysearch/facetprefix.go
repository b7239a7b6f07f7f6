package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/safetysearch/safetysearch/indexer"
)

// facetSearcher is what resolveTypes needs of the index.
type facetSearcher interface {
	Search(ctx context.Context, q indexer.Query) (*indexer.Result, error)
}

// resolveTypes replaces each --type value by the content type of the index
// it names: the value itself (any case) or the one value it is a
// case-insensitive prefix of ("report" → "Reports and articles"). A value
// that names none, or several, is a usage error listing the real values.
func resolveTypes(ctx context.Context, ix facetSearcher, types []string) ([]string, error) {
	if len(types) == 0 {
		return types, nil
	}
	res, err := ix.Search(ctx, indexer.Query{PerPage: 1, Facets: []string{indexer.FacetType}, FacetSize: indexer.MaxFacetSize})
	if err != nil {
		return nil, fmt.Errorf("search: content types: %w", err)
	}
	var known []string
	for _, fv := range res.Facets[indexer.FacetType] {
		known = append(known, fv.Value)
	}
	out := make([]string, len(types))
	for i, t := range types {
		v, err := matchPrefix(t, known)
		if err != nil {
			return nil, usageErrorf("search: --type %q: %v", t, err)
		}
		out[i] = v
	}
	return out, nil
}

// matchPrefix finds v in known: an exact match ignoring case, else the
// single value v is a case-insensitive prefix of.
func matchPrefix(v string, known []string) (string, error) {
	want := strings.ToLower(strings.TrimSpace(v))
	var matches []string
	for _, k := range known {
		lk := strings.ToLower(k)
		if lk == want {
			return k, nil
		}
		if want != "" && strings.HasPrefix(lk, want) {
			matches = append(matches, k)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return "", fmt.Errorf("no such content type; the index has %s", quoteList(known))
	}
	return "", fmt.Errorf("matches %s; type more of it", quoteList(matches))
}

func quoteList(vs []string) string {
	if len(vs) == 0 {
		return "none"
	}
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
