package searchapi

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"

	"github.com/safetysearch/safetysearch/indexer"
)

// This file turns the query string of GET /api/v1/search into an
// indexer.Query. It is pure: every failure is an *indexer.ParamError naming
// the API parameter, which problemFor maps to 400 invalid_parameter.

// searchParams lists the parameters of GET /api/v1/search and whether each
// may be repeated. Any other parameter is refused, so typos such as
// "regoin" fail loudly instead of being ignored.
var searchParams = map[string]bool{
	"q":          false,
	"region":     true,
	"audience":   true,
	"topic":      true,
	"type":       true,
	"tag":        true,
	"author":     true,
	"publisher":  true,
	"from":       false,
	"to":         false,
	"year":       true,
	"sort":       false,
	"page":       false,
	"per_page":   false,
	"facets":     true,
	"facet_size": false,
	"highlight":  false,
	// has_attachment=true keeps the articles with an attachment.
	"has_attachment": false,
}

// allFacets are the facet names a client may ask for.
var allFacets = []string{
	indexer.FacetRegion, indexer.FacetAudience, indexer.FacetTopic, indexer.FacetType,
	indexer.FacetYear, indexer.FacetTag, indexer.FacetAuthor, indexer.FacetPublisher,
}

// Bounds of the parameters not covered by the indexer's limits.
const (
	maxFilterValueBytes = 200 // one filter value
	minYear, maxYear    = 1000, 9999
	dateLayout          = "2006-01-02"
)

// parseRawQuery parses a raw query string strictly: a malformed escape is
// an error rather than a silently dropped parameter.
func parseRawQuery(raw string, maxValues int) (url.Values, error) {
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return nil, &indexer.ParamError{Param: "", Msg: "malformed query string: " + err.Error()}
	}
	n := 0
	for _, k := range sortedKeys(vals) {
		n += len(vals[k])
		if n > maxValues {
			return nil, &indexer.ParamError{Param: k,
				Msg: fmt.Sprintf("too many query parameters: more than %d values in all", maxValues)}
		}
	}
	return vals, nil
}

// checkParams refuses parameters not in allowed and repeats of
// non-repeatable ones. Parameters are checked in name order so the error
// is deterministic.
func checkParams(vals url.Values, allowed map[string]bool) error {
	for _, k := range sortedKeys(vals) {
		repeatable, ok := allowed[k]
		if !ok {
			msg := "unknown parameter"
			if s := closestName(k, allowed); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			return &indexer.ParamError{Param: k, Msg: msg}
		}
		if !repeatable && len(vals[k]) > 1 {
			return &indexer.ParamError{Param: k, Msg: "must be given at most once"}
		}
	}
	return nil
}

// parseSearchParams builds the Query of GET /api/v1/search from vals.
func parseSearchParams(vals url.Values) (indexer.Query, error) {
	q := indexer.Query{Highlight: true}
	if err := checkParams(vals, searchParams); err != nil {
		return q, err
	}
	var err error
	if q.Text, err = parseText(vals); err != nil {
		return q, err
	}
	filters := []struct {
		name string
		dst  *[]string
	}{
		{"region", &q.Regions}, {"audience", &q.Audiences}, {"topic", &q.Topics},
		{"type", &q.Types}, {"tag", &q.Tags}, {"author", &q.Authors},
		{"publisher", &q.Publishers},
	}
	for _, f := range filters {
		if *f.dst, err = parseFilter(vals, f.name); err != nil {
			return q, err
		}
	}
	if q.Years, err = parseYears(vals); err != nil {
		return q, err
	}
	if q.From, err = parseDate(vals, "from"); err != nil {
		return q, err
	}
	if q.To, err = parseDate(vals, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, &indexer.ParamError{Param: "from", Msg: "is after to"}
	}
	if q.Sort, err = parseSort(vals); err != nil {
		return q, err
	}
	if q.Page, err = parseInt(vals, "page", 1, 1, indexer.MaxResultWindow); err != nil {
		return q, err
	}
	if q.PerPage, err = parseInt(vals, "per_page", indexer.DefaultPerPage, 1, indexer.MaxPerPage); err != nil {
		return q, err
	}
	if q.Page*q.PerPage > indexer.MaxResultWindow {
		return q, &indexer.ParamError{Param: "page",
			Msg: fmt.Sprintf("page × per_page must be at most %d", indexer.MaxResultWindow)}
	}
	if q.Facets, err = parseFacets(vals); err != nil {
		return q, err
	}
	if q.FacetSize, err = parseInt(vals, "facet_size", indexer.DefaultFacetSize, 1, indexer.MaxFacetSize); err != nil {
		return q, err
	}
	if q.Highlight, err = parseBool(vals, "highlight", true); err != nil {
		return q, err
	}
	if q.HasAttachment, err = parseBool(vals, "has_attachment", false); err != nil {
		return q, err
	}
	return q, nil
}

func parseText(vals url.Values) (string, error) {
	t := strings.TrimSpace(vals.Get("q"))
	if !utf8.ValidString(t) {
		return "", &indexer.ParamError{Param: "q", Msg: "is not valid UTF-8"}
	}
	if len(t) > indexer.MaxTextLength {
		return "", &indexer.ParamError{Param: "q",
			Msg: fmt.Sprintf("is %d bytes long; at most %d are allowed", len(t), indexer.MaxTextLength)}
	}
	return t, nil
}

// parseFilter returns the non-empty values of a repeatable filter. Empty
// values (as sent by an empty form field) are ignored.
func parseFilter(vals url.Values, name string) ([]string, error) {
	var out []string
	for _, v := range vals[name] {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			return nil, &indexer.ParamError{Param: name, Msg: "is not valid UTF-8"}
		}
		if len(v) > maxFilterValueBytes {
			return nil, &indexer.ParamError{Param: name,
				Msg: fmt.Sprintf("value is longer than %d bytes", maxFilterValueBytes)}
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > indexer.MaxFilterValues {
		return nil, &indexer.ParamError{Param: name,
			Msg: fmt.Sprintf("at most %d values are allowed", indexer.MaxFilterValues)}
	}
	return out, nil
}

func parseYears(vals url.Values) ([]int, error) {
	var out []int
	for _, v := range vals["year"] {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		y, err := strconv.Atoi(v)
		if err != nil || y < minYear || y > maxYear {
			return nil, &indexer.ParamError{Param: "year", Msg: fmt.Sprintf("%q is not a year (YYYY)", clip(v))}
		}
		if !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	if len(out) > indexer.MaxFilterValues {
		return nil, &indexer.ParamError{Param: "year",
			Msg: fmt.Sprintf("at most %d values are allowed", indexer.MaxFilterValues)}
	}
	return out, nil
}

func parseDate(vals url.Values, name string) (time.Time, error) {
	v := strings.TrimSpace(vals.Get(name))
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		return time.Time{}, &indexer.ParamError{Param: name, Msg: fmt.Sprintf("%q is not a date (YYYY-MM-DD)", clip(v))}
	}
	return t.UTC(), nil
}

func parseSort(vals url.Values) (indexer.Sort, error) {
	v := strings.TrimSpace(vals.Get("sort"))
	switch s := indexer.Sort(v); s {
	case "":
		return "", nil
	case indexer.SortRelevance, indexer.SortNewest, indexer.SortOldest:
		return s, nil
	}
	return "", &indexer.ParamError{Param: "sort", Msg: fmt.Sprintf("%q is not one of relevance, newest, oldest", clip(v))}
}

// parseInt reads an optional integer in [lo, hi]; def when absent or empty.
func parseInt(vals url.Values, name string, def, lo, hi int) (int, error) {
	v := strings.TrimSpace(vals.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &indexer.ParamError{Param: name, Msg: fmt.Sprintf("%q is not an integer from %d to %d", clip(v), lo, hi)}
	}
	return n, nil
}

// parseBool reads true/false/1/0; def when absent or empty.
func parseBool(vals url.Values, name string, def bool) (bool, error) {
	switch v := strings.TrimSpace(vals.Get(name)); strings.ToLower(v) {
	case "":
		return def, nil
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	default:
		return false, &indexer.ParamError{Param: name, Msg: fmt.Sprintf("%q is not one of true, false, 1, 0", clip(v))}
	}
}

// parseFacets reads the comma-separated facet names (the parameter may also
// be repeated). Absent means the default facets; present but empty means
// none.
func parseFacets(vals url.Values) ([]string, error) {
	raw, ok := vals["facets"]
	if !ok {
		return nil, nil
	}
	out := []string{}
	for _, v := range raw {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !slices.Contains(allFacets, name) {
				return nil, &indexer.ParamError{Param: "facets",
					Msg: fmt.Sprintf("%q is not a facet; known facets: %s", clip(name), strings.Join(allFacets, ", "))}
			}
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// clip shortens a user value quoted in an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// closestName suggests the allowed name within edit distance 2 of name.
func closestName(name string, allowed map[string]bool) string {
	if len(name) > 32 {
		return ""
	}
	best, bestD := "", 3
	for _, k := range sortedKeys(allowed) {
		if d := levenshtein.ComputeDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
