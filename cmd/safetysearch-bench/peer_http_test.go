package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer"
)

// The SQLite peer over HTTP answers what it answers in process: the same
// page, total and disjunctive facet counts, in safetysearch's JSON shape.
func TestHTTPPeerMatchesInProcess(t *testing.T) {
	ctx := context.Background()
	arts := tinyCollection()
	dir := t.TempDir()
	p := &sqlitePeer{}
	if _, err := p.build(ctx, dir, arts); err != nil {
		t.Fatal(err)
	}
	if err := p.open(ctx, dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.close() })
	srv := httptest.NewServer(peerHandler(p))
	t.Cleanup(srv.Close)

	for _, q := range []benchQuery{
		{Class: "standard", Words: []string{"falls"}, Regions: []string{"UK"}, Audience: []string{"Everyone"}, Facets: true, Snippets: true, Sort: "relevance", Size: 20},
		{Class: "browse", Regions: []string{"Scotland"}, Audience: []string{"Everyone", "Nurses"}, Facets: true, Snippets: true, Sort: "newest", Size: 3},
		{Class: "phrase", Phrase: []string{"patient", "falls"}, Facets: true, Snippets: true, Sort: "relevance", Size: 5},
		{Class: "prefix", Prefix: "fal", Facets: true, Snippets: true, Sort: "relevance", Size: 4},
	} {
		t.Run(q.Class, func(t *testing.T) {
			want, err := p.answer(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(standardURL(srv.URL, q))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var got indexer.Result
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got.Total != uint64(want.res.Total) || got.PerPage != q.Size || got.Page != 1 {
				t.Errorf("total %d, page %d, per_page %d; want %d, 1, %d", got.Total, got.Page, got.PerPage, want.res.Total, q.Size)
			}
			var ids []string
			for _, h := range got.Hits {
				ids = append(ids, h.ID)
				if h.Title == "" {
					t.Errorf("hit %s has no title", h.ID)
				}
				if len(q.Words)+len(q.Phrase) > 0 && !strings.Contains(strings.Join(h.Highlights.Body, ""), "<mark>") {
					t.Errorf("hit %s: body highlights %q, want a <mark>", h.ID, h.Highlights.Body)
				}
			}
			if !slices.Equal(ids, want.res.IDs) || len(ids) == 0 {
				t.Errorf("page %v, want %v (not empty)", ids, want.res.IDs)
			}
			for _, f := range peerFacets {
				g, w := map[string]uint64{}, map[string]uint64{}
				for _, v := range got.Facets[f] {
					g[v.Value] = v.Count
					if v.Selected != (slices.Contains(q.Regions, v.Value) && f == "region" || slices.Contains(q.Audience, v.Value) && f == "audience") {
						t.Errorf("facet %s value %s: selected %v", f, v.Value, v.Selected)
					}
				}
				for _, c := range want.facets[f] {
					w[c.Value] = uint64(c.N)
				}
				if !maps.Equal(g, w) {
					t.Errorf("facet %s = %v, want %v", f, g, w)
				}
			}
		})
	}

	// Page 2 continues page 1.
	q := benchQuery{Words: []string{"falls"}, Facets: true, Snippets: true, Sort: "relevance", Size: 2}
	all, err := p.answer(ctx, benchQuery{Words: q.Words, Sort: "relevance", Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(standardURL(srv.URL, q) + "&page=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page2 indexer.Result
	if err := json.NewDecoder(resp.Body).Decode(&page2); err != nil {
		t.Fatal(err)
	}
	if len(page2.Hits) != 2 || page2.Hits[0].ID != all.res.IDs[2] || page2.Hits[1].ID != all.res.IDs[3] {
		t.Errorf("page 2 = %+v, want %v", page2.Hits, all.res.IDs[2:4])
	}

	resp, err = http.Get(srv.URL + "/api/v1/search?q=falls&per_page=0")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("per_page=0: status %d, want 400", resp.StatusCode)
	}
}

// The free-text forms of the bench's query classes read back as the query.
func TestQueryFromURL(t *testing.T) {
	for _, q := range []benchQuery{
		{Words: []string{"falls", "ward"}, Size: 20},
		{Phrase: []string{"patient", "falls"}, Size: 20},
		{Prefix: "medi", Size: 20},
		{Abbrev: "VTE", Expanded: "venous thromboembolism", Size: 20},
	} {
		u, _ := url.Parse(standardURL("http://x", q))
		got, err := queryFromURL(u.Query())
		if err != nil {
			t.Fatalf("%q: %v", q.text(), err)
		}
		if got.text() != q.text() || got.Expanded != q.Expanded || got.Sort != "relevance" || !got.Facets || !got.Snippets {
			t.Errorf("%q read back as %+v", q.text(), got)
		}
	}
	got, err := queryFromURL(url.Values{"facets": {""}, "highlight": {"false"}, "region": {"UK"}})
	if err != nil || got.Facets || got.Snippets || got.Sort != "newest" || !slices.Equal(got.Regions, []string{"UK"}) {
		t.Errorf("browse without facets or highlights: %+v, %v", got, err)
	}
	for _, bad := range []url.Values{{"sort": {"oldest-first"}}, {"page": {"0"}}, {"q": {"!!"}}, {"highlight": {"maybe"}}} {
		if _, err := queryFromURL(bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
