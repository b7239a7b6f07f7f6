package searchapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"
)

// publisherArticles are the sample articles (source pslhub, no publisher)
// plus one report from another publisher and its copy on a third, which
// the index build folds into the earlier one.
func publisherArticles(t *testing.T) []article.Article {
	arts := sampleArticles(t)
	var b strings.Builder
	for i := range 12 {
		fmt.Fprintf(&b, "Finding %d: the handover of deteriorating patients between wards %d and %d lacked a shared escalation tool. ", i+1, i, i+3)
	}
	return append(arts,
		article.Article{ID: "hssib:a1", Source: "hssib", Publisher: "HSSIB", URL: "https://hssib.example/reports/handover",
			Title: "Zebrafinch handover report", Body: b.String(), Published: indextest.Day("2024-06-01")},
		article.Article{ID: "mirror:a1", Source: "mirror", Publisher: "Mirror Org", URL: "https://mirror.example/handover",
			Title: "Zebrafinch handover report (copy)", Body: b.String(), Published: indextest.Day("2024-06-03")},
	)
}

// TestPublisherFilterAndDuplicates: the API filters and counts by
// publisher, a hit lists the copy folded into it and a filter on the
// copy's publisher finds it; the page shows the facet and "Also published
// by"; exports carry the publisher.
func TestPublisherFilterAndDuplicates(t *testing.T) {
	arts := publisherArticles(t)
	ix := openIndex(t, arts)
	e := newAPI(t, testConfig(), ix, nil)

	var res indexer.Result
	e.get("/api/v1/search?q=zebrafinch&facets=publisher", http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != "hssib:a1" || res.Hits[0].Publisher != "HSSIB" {
		t.Fatalf("zebrafinch: %+v", res.Hits)
	}
	if also := res.Hits[0].AlsoPublished; len(also) != 1 || also[0].ID != "mirror:a1" || also[0].Publisher != "Mirror Org" {
		t.Errorf("also published %+v", also)
	}
	e.get("/api/v1/search?publisher=mirror+org&publisher=nobody&facets=publisher", http.StatusOK, &res)
	if res.Total != 1 || res.Hits[0].ID != "hssib:a1" {
		t.Errorf("publisher=Mirror Org: %+v", res.Hits)
	}
	counts := map[string]uint64{}
	for _, v := range res.Facets[indexer.FacetPublisher] {
		counts[v.Value] = v.Count
	}
	if counts["pslhub"] != uint64(len(arts)-2) || counts["HSSIB"] != 1 || counts["Mirror Org"] != 1 {
		t.Errorf("publisher facet %v", counts)
	}
	e.get("/api/v1/search?publisher=HSSIB&region=Wales", http.StatusOK, &res)
	if res.Total != 0 || res.NoResults == nil || len(res.NoResults.Filters) == 0 {
		t.Fatalf("HSSIB in Wales: %d results, %+v", res.Total, res.NoResults)
	}
	var a article.Article
	e.get("/api/v1/articles/hssib:a1", http.StatusOK, &a)
	if len(a.AlsoPublished) != 1 || a.AlsoPublished[0].URL != "https://mirror.example/handover" {
		t.Errorf("article also published %+v", a.AlsoPublished)
	}

	resp, body := e.do(http.MethodGet, "/api/v1/export?format=csv&q=zebrafinch", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "id,url,source,publisher,") ||
		!strings.Contains(string(body), "hssib:a1,https://hssib.example/reports/handover,hssib,HSSIB,") ||
		!strings.Contains(string(body), "Mirror Org <https://mirror.example/handover>") {
		t.Errorf("csv export %d:\n%s", resp.StatusCode, body)
	}
	if _, body := e.do(http.MethodGet, "/api/v1/export?format=ris&q=zebrafinch", nil); !strings.Contains(string(body), "PB  - HSSIB\r\n") {
		t.Errorf("ris export:\n%s", body)
	}
	if _, body := e.do(http.MethodGet, "/api/v1/export?format=bibtex&q=zebrafinch", nil); !strings.Contains(string(body), "publisher = {HSSIB}") {
		t.Errorf("bibtex export:\n%s", body)
	}
	if resp, body := e.do(http.MethodGet, "/api/v1/search.atom?publisher=HSSIB", nil); resp.StatusCode != http.StatusOK || strings.Count(string(body), "<entry>") != 1 {
		t.Errorf("feed of HSSIB: %d\n%s", resp.StatusCode, body)
	}

	pe := newPageEnv(t, arts)
	_, _, doc := pe.page("/?q=zebrafinch", http.StatusOK)
	if n, _ := facetCount(doc, "publisher", "HSSIB"); n != 1 {
		t.Errorf("page publisher facet HSSIB: %d", n)
	}
	hit := doc.Find(".hit").First()
	if got := strings.Join(strings.Fields(hit.Find(".also-published").Text()), " "); got != "Also published by Mirror Org" {
		t.Errorf("page also published %q", got)
	}
	if hit.Find("a.publisher").Text() != "HSSIB" {
		t.Errorf("page hit publisher %q", hit.Find("a.publisher").Text())
	}
	_, _, doc = pe.page("/?publisher=HSSIB", http.StatusOK)
	if !strings.Contains(doc.Find(".active-filters").Text(), "HSSIB") {
		t.Errorf("no publisher chip among the active filters")
	}
	_, _, doc = pe.page("/articles/hssib:a1", http.StatusOK)
	if !strings.Contains(doc.Find(".also-published").Text(), "Mirror Org") {
		t.Errorf("article page lacks Also published by")
	}

	// A single-publisher index shows no publisher facet.
	single := newPageEnv(t, sampleArticles(t))
	if _, _, doc := single.page("/", http.StatusOK); doc.Find("#facet-publisher").Length() != 0 {
		t.Error("publisher facet shown with one publisher")
	}
}
