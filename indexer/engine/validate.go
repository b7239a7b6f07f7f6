package engine

// This file normalises and validates a Query for every caller (API, command
// line, engine). Parameter names in errors are the API's.

import (
	"fmt"
	"strings"
	"time"
)

// Normalized is a Query that Normalize accepted: its defaults applied and
// its parameters validated. A query is normalised once, where it enters
// (the API, the command line, Index.Search), and passed on as a Normalized;
// nothing downstream (result cache, engine) normalises it again. Make one
// only with Normalize.
type Normalized struct {
	Query
}

// Normalize applies the defaults of a Query (page 1, DefaultPerPage,
// DefaultFacets, DefaultFacetSize, relevance sort with text and newest
// without) and validates it. Errors are *ParamError naming the API
// parameter. Free-text syntax is checked by the search itself (*QueryError).
func (q Query) Normalize() (Normalized, error) {
	q, err := q.normalize()
	return Normalized{Query: q}, err
}

func (q Query) normalize() (Query, error) {
	q.Text = strings.TrimSpace(q.Text)
	if len(q.Text) > MaxTextLength {
		return q, &ParamError{Param: "q", Msg: fmt.Sprintf("text is %d bytes long; at most %d are allowed", len(q.Text), MaxTextLength)}
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Page < 1 {
		return q, &ParamError{Param: "page", Msg: fmt.Sprintf("must be 1 or more, got %d", q.Page)}
	}
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		return q, &ParamError{Param: "per_page", Msg: fmt.Sprintf("must be between 1 and %d, got %d", MaxPerPage, q.PerPage)}
	}
	if q.Page > MaxResultWindow/q.PerPage {
		return q, &ParamError{Param: "page", Msg: fmt.Sprintf("page × per_page must be at most %d (page %d × per_page %d); narrow the search instead", MaxResultWindow, q.Page, q.PerPage)}
	}
	switch q.Sort {
	case "":
		if q.Text == "" {
			q.Sort = SortNewest
		} else {
			q.Sort = SortRelevance
		}
	case SortRelevance, SortNewest, SortOldest:
	default:
		return q, &ParamError{Param: "sort", Msg: fmt.Sprintf("unknown sort %q; use relevance, newest or oldest", q.Sort)}
	}
	if q.Facets == nil {
		q.Facets = append([]string(nil), DefaultFacets...)
	} else {
		seen := map[string]bool{}
		facets := make([]string, 0, len(q.Facets))
		for _, f := range q.Facets {
			f = strings.ToLower(strings.TrimSpace(f))
			if _, ok := facetFields[f]; !ok {
				return q, &ParamError{Param: "facets", Msg: fmt.Sprintf("unknown facet %q; known: region, audience, topic, type, year, tag, author, publisher", f)}
			}
			if !seen[f] {
				seen[f] = true
				facets = append(facets, f)
			}
		}
		q.Facets = facets
	}
	if q.FacetSize == 0 {
		q.FacetSize = DefaultFacetSize
	}
	if q.FacetSize < 1 || q.FacetSize > MaxFacetSize {
		return q, &ParamError{Param: "facet_size", Msg: fmt.Sprintf("must be between 1 and %d, got %d", MaxFacetSize, q.FacetSize)}
	}
	for _, f := range []struct {
		param string
		n     int
	}{
		{"region", len(q.Regions)}, {"audience", len(q.Audiences)}, {"topic", len(q.Topics)},
		{"type", len(q.Types)}, {"tag", len(q.Tags)}, {"author", len(q.Authors)}, {"year", len(q.Years)},
		{"publisher", len(q.Publishers)},
	} {
		if f.n > MaxFilterValues {
			return q, &ParamError{Param: f.param, Msg: fmt.Sprintf("%d values given; at most %d are allowed", f.n, MaxFilterValues)}
		}
	}
	for _, y := range q.Years {
		if y < 1 || y > 9999 {
			return q, &ParamError{Param: "year", Msg: fmt.Sprintf("invalid year %d", y)}
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && dayStart(q.From).After(dayStart(q.To)) {
		return q, &ParamError{Param: "from", Msg: fmt.Sprintf("from %s is after to %s", q.From.Format("2006-01-02"), q.To.Format("2006-01-02"))}
	}
	for _, d := range []struct {
		param string
		t     time.Time
	}{{"from", q.From}, {"to", q.To}} {
		if !d.t.IsZero() && (d.t.Year() < 1678 || d.t.Year() > 2261) {
			return q, &ParamError{Param: d.param, Msg: "date out of range (1678–2261)"}
		}
	}
	return q, nil
}
