package searchapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
	"github.com/safetysearch/safetysearch/indexer/indextest"

	"github.com/PuerkitoBio/goquery"
)

// attachmentEnv is a server over a real index of the sample hub and the
// articles with extracted documents of indextest.AttachmentCorpus.
func attachmentEnv(t *testing.T) *apiEnv {
	t.Helper()
	arts := append(sampleArticles(t), indextest.AttachmentCorpus()...)
	return newAPI(t, testConfig(), openIndex(t, arts), nil)
}

func TestSearchPageLevelHits(t *testing.T) {
	e := attachmentEnv(t)
	var res indexer.Result
	e.get("/api/v1/search?q=tocilizumab", http.StatusOK, &res)
	if len(res.Hits) != 2 || res.Hits[0].ID != "doc:r2" || res.Hits[1].ID != "doc:r1" {
		t.Fatalf("hits %+v, want doc:r2 (body) then doc:r1 (documents)", res.Hits)
	}
	docs := res.Hits[1].Documents
	if len(docs) != 2 {
		t.Fatalf("documents %+v", docs)
	}
	d := docs[0]
	if d.Name != "HSSIB report.pdf" || !slices.Equal(d.Pages, []int{37, 12}) ||
		d.Link != "https://example.org/files/hssib-report.pdf#page=37" || !strings.Contains(d.Highlight, "<mark>tocilizumab</mark>") {
		t.Errorf("report hit %+v", d)
	}
	if len(res.Hits[0].Documents) != 0 {
		t.Errorf("body hit has documents %+v", res.Hits[0].Documents)
	}

	e.get("/api/v1/search?q=attachment:tocilizumab", http.StatusOK, &res)
	if len(res.Hits) != 1 || res.Hits[0].ID != "doc:r1" {
		t.Errorf("attachment:tocilizumab: %+v", res.Hits)
	}
}

func TestSearchHasAttachment(t *testing.T) {
	e := attachmentEnv(t)
	var all, with indexer.Result
	e.get("/api/v1/search?q=wards", http.StatusOK, &all)
	e.get("/api/v1/search?q=wards&has_attachment=true", http.StatusOK, &with)
	if with.Total == 0 || with.Total >= all.Total {
		t.Fatalf("wards: %d with attachments of %d", with.Total, all.Total)
	}
	for _, h := range with.Hits {
		if !strings.HasPrefix(h.ID, "doc:") && h.ID != "pslhub:r10120" {
			t.Errorf("hit %s has no attachment", h.ID)
		}
	}
	var none indexer.Result
	e.get("/api/v1/search?q=sepsis&has_attachment=1", http.StatusOK, &none)
	if none.Total != 0 || none.NoResults == nil || len(none.NoResults.Filters) != 1 || none.NoResults.Filters[0].Filter != "has_attachment" {
		t.Errorf("sepsis with attachments: total %d, relief %+v", none.Total, none.NoResults)
	}
	e.expectProblem(http.MethodGet, "/api/v1/search?has_attachment=yes", http.StatusBadRequest, "invalid_parameter", "has_attachment")
}

func TestArticleIncludeAttachmentText(t *testing.T) {
	e := attachmentEnv(t)
	var a article.Article
	plain := e.get("/api/v1/articles/doc:r1", http.StatusOK, &a)
	rep := a.Attachments[0].Document
	if rep == nil || rep.Status != article.DocExtracted || rep.PageCount != 40 || rep.Pages != nil {
		t.Fatalf("report without text: %+v", rep)
	}
	if ann := a.Attachments[1].Document; ann == nil || ann.Status != article.DocRefused || ann.Reason != "encrypted" {
		t.Errorf("annex %+v", ann)
	}
	var full article.Article
	withText := e.get("/api/v1/articles/doc:r1?include=attachment_text", http.StatusOK, &full)
	if got := full.Attachments[0].Document.Pages; !slices.Equal(got, indextest.ReportPages()) {
		t.Errorf("report pages: %d of 40", len(got))
	}
	// Each variant has its own validator, and each is honoured.
	tagPlain, tagText := plain.Header.Get("ETag"), withText.Header.Get("ETag")
	if tagPlain == "" || tagPlain == tagText {
		t.Fatalf("ETags %q and %q", tagPlain, tagText)
	}
	e.get("/api/v1/articles/doc:r1?include=attachment_text", http.StatusNotModified, nil, "If-None-Match: "+tagText)
	e.get("/api/v1/articles/doc:r1?include=attachment_text", http.StatusOK, nil, "If-None-Match: "+tagPlain)
	e.get("/api/v1/articles/doc:r1", http.StatusNotModified, nil, "If-None-Match: "+tagPlain)

	e.expectProblem(http.MethodGet, "/api/v1/articles/doc:r1?include=comments", http.StatusBadRequest, "invalid_parameter", "include")
	e.expectProblem(http.MethodGet, "/api/v1/articles/doc:r1?page=2", http.StatusBadRequest, "invalid_parameter", "page")
}

func TestPageShowsDocumentMatches(t *testing.T) {
	e := newPageEnv(t, append(sampleArticles(t), indextest.AttachmentCorpus()...))
	_, _, doc := e.page("/?q=tocilizumab", http.StatusOK)
	var got []string
	doc.Find(".hit .document-match p a").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		got = append(got, a.Text()+" → "+href)
	})
	want := []string{
		"matched in ‘HSSIB report.pdf’, pages 37, 12 → https://example.org/files/hssib-report.pdf#page=37",
		"matched in ‘Board paper.pdf’, page 2 → https://example.org/files/board.pdf#page=2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("document matches %q, want %q", got, want)
	}
	if snip, _ := doc.Find(".document-match blockquote.snippet").First().Html(); !strings.Contains(snip, "<mark>tocilizumab</mark> dose") {
		t.Errorf("snippet %q", snip)
	}
	if _, checked := doc.Find("#has-attachment").Attr("checked"); checked {
		t.Error("has_attachment checked without the filter")
	}

	_, _, doc = e.page("/?q=sepsis&has_attachment=true", http.StatusOK)
	if _, checked := doc.Find("#has-attachment").Attr("checked"); !checked {
		t.Error("has_attachment not checked with the filter")
	}
	relief := doc.Find(".relief a").First()
	href, _ := relief.Attr("href")
	if !strings.HasPrefix(relief.Text(), "without With an attachment (") || strings.Contains(href, "has_attachment") {
		t.Errorf("relief %q → %q", relief.Text(), href)
	}
}

func TestFeedEntryNamesMatchedDocument(t *testing.T) {
	e := attachmentEnv(t)
	resp, body := e.do(http.MethodGet, "/api/v1/search.atom?q=tocilizumab", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	f := parseAtom(t, body)
	var found bool
	for _, en := range f.Entries {
		if !strings.Contains(en.Title, "Investigation report") {
			if strings.Contains(en.Summary, "Matched in") {
				t.Errorf("entry %q names a document", en.Title)
			}
			continue
		}
		found = true
		if !strings.Contains(en.Summary, "Matched in ‘HSSIB report.pdf’, pages 37, 12.") {
			t.Errorf("summary %q", en.Summary)
		}
		var link bool
		for _, l := range en.Links {
			link = link || (l.Href == "https://example.org/files/hssib-report.pdf#page=37" && l.Type == "application/pdf")
		}
		if !link {
			t.Errorf("no link to page 37 among %+v", en.Links)
		}
	}
	if !found {
		t.Fatalf("no entry for the report in %d entries", len(f.Entries))
	}
}
