package crawler

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/crawler/pdftext"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// Paths of the sample hub's documents (testdata/site/uploads) and of the
// records that carry them.
const (
	pathInsulinAudit = "/uploads/monthly_2022_08/insulin-pen-safety-audit.pdf"
	pathOxygenList   = "/uploads/monthly_2026_11/oxygen-cylinder-transfer-checklist.pdf"
	pathClotGuide    = "/uploads/monthly_2025_11/clot-prevention-guide.pdf"
	pathR14402       = "/learn/patient-safety-learning/national-patient-safety-alert-oxygen-cylinders-r14402/"
)

// The PDFium extractor is shared by the crawl tests: starting it is the
// slow part, and one per process is what cmd does too.
var (
	testPDFOnce sync.Once
	testPDF     *pdftext.Extractor
)

func pdfExtractor() *pdftext.Extractor {
	testPDFOnce.Do(func() { testPDF = pdftext.New(pdftext.Config{MemoryLimit: 64 << 20}) })
	return testPDF
}

// hostileDocs are served at /uploads/hostile/<name> by withHostileDocs.
var hostileDocs = []struct{ name, fixture, reason string }{
	{"encrypted.pdf", "encrypted.pdf", "encrypted"},
	{"imageonly.pdf", "imageonly.pdf", "image_only"},
	{"truncated.pdf", "truncated.pdf", "damaged"},
	{"bomb.pdf", "bomb.pdf", "too_large"},
	{"header.pdf", "header.pdf", "too_many_pages"}, // 4 pages, over docTestConfig's 3
	{"oversized.pdf", "", ReasonTooLarge},          // over docTestConfig's MaxDocumentBytes
	{"notpdf", "", ReasonNotPDF},
}

// withHostileDocs attaches hostileDocs and a missing file to record r14402
// and serves them.
func withHostileDocs(t *testing.T, srv *siteServer) {
	t.Helper()
	var links strings.Builder
	for _, d := range append(hostileDocs, struct{ name, fixture, reason string }{name: "missing.pdf"}) {
		p := "/uploads/hostile/" + d.name
		links.WriteString(`<a class="ipsAttachLink" href="` + srv.URL + p + `">` + d.name + `</a> `)
		var body []byte
		ctype := "application/pdf"
		switch {
		case d.fixture != "":
			b, err := os.ReadFile(filepath.Join("../testdata/pdf", d.fixture))
			if err != nil {
				t.Fatal(err)
			}
			body = b
		case d.name == "oversized.pdf":
			body = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 300<<10)...)
		case d.name == "notpdf":
			body, ctype = []byte("<html><body>Sign in to download</body></html>"), "text/html; charset=utf-8"
		default:
			continue // missing.pdf: 404
		}
		srv.setFault(p, func(w http.ResponseWriter, r *http.Request, _ int) bool {
			w.Header().Set("Content-Type", ctype)
			w.Write(body)
			return true
		})
	}
	srv.setReplace(pathR14402, "Transfer checklist:", links.String()+"Transfer checklist:")
}

func docTestConfig(base string) Config {
	cfg := testConfig(base)
	cfg.Sources[0].Documents = DocumentsLinked
	cfg.Extractor = pdfExtractor()
	cfg.MaxDocumentBytes = 256 << 10
	cfg.MaxDocumentPages = 3
	// Generous: a loaded machine must not turn a refusal into a timeout.
	cfg.DocumentTimeout = 10 * time.Minute
	cfg.Timeout = 5 * time.Second
	return cfg
}

// attachment finds the attachment of a whose URL ends in suffix.
func attachment(t *testing.T, a article.Article, suffix string) article.Attachment {
	t.Helper()
	for _, at := range a.Attachments {
		if strings.HasSuffix(at.URL, suffix) {
			return at
		}
	}
	t.Fatalf("%s: no attachment %s in %+v", a.ID, suffix, a.Attachments)
	return article.Attachment{}
}

// TestCrawlDocuments crawls the sample hub with documents on: attached
// and linked PDFs are read page by page, hostile ones refused with their
// reason, a missing one failed, and every article kept. A second crawl
// reads nothing again (304s), a changed PDF is read again.
func TestCrawlDocuments(t *testing.T) {
	srv := newSiteServer(t)
	withHostileDocs(t, srv)
	st := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(docTestConfig(srv.URL), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	arts := storedArticles(t, st)
	public, _ := fixtureRecordIDs(t)
	if len(arts) != len(public) {
		t.Errorf("stored %d articles, want %d: a document must never lose its article", len(arts), len(public))
	}

	audit := attachment(t, arts["pslhub:r7950"], pathInsulinAudit).Document
	if audit == nil || audit.Status != article.DocExtracted || audit.PageCount != 3 || len(audit.Pages) != 3 {
		t.Fatalf("insulin audit: %+v", audit)
	}
	if !strings.Contains(audit.Pages[1], "insulin degludec must never be drawn up") || strings.Contains(audit.Pages[0]+audit.Pages[2], "degludec") {
		t.Errorf("insulin audit pages: %q", audit.Pages)
	}
	if audit.ContentType != "application/pdf" || len(audit.SHA256) != 64 || audit.Bytes == 0 || audit.FetchedAt.IsZero() {
		t.Errorf("insulin audit document: %+v", audit)
	}
	guide := attachment(t, arts["pslhub:r9428"], pathClotGuide)
	if !guide.Linked || guide.Document == nil || guide.Document.Status != article.DocExtracted ||
		!strings.Contains(guide.Document.Pages[1], "fondaparinux") {
		t.Errorf("linked clot guide: %+v", guide)
	}
	oxygen := arts["pslhub:r14402"]
	if d := attachment(t, oxygen, pathOxygenList).Document; d == nil || d.Status != article.DocExtracted || d.PageCount != 2 {
		t.Errorf("oxygen checklist: %+v", d)
	}
	wantRefused := map[string]int{}
	for _, h := range hostileDocs {
		wantRefused[h.reason]++
		d := attachment(t, oxygen, "/uploads/hostile/"+h.name).Document
		if d == nil || d.Status != article.DocRefused || d.Reason != h.reason || d.Pages != nil {
			t.Errorf("%s: %+v, want refused %s", h.name, d, h.reason)
		}
	}
	if d := attachment(t, oxygen, "/uploads/hostile/missing.pdf").Document; d == nil || d.Status != article.DocFailed || d.Reason != "http 404" {
		t.Errorf("missing.pdf: %+v, want failed http 404", d)
	}
	// r10120's image attachment is no document; its others answer 404.
	for _, at := range arts["pslhub:r10120"].Attachments {
		if strings.HasSuffix(at.URL, ".png") != (at.Document == nil) {
			t.Errorf("r10120 attachment %s: %+v", at.Name, at.Document)
		}
	}

	d := sum.Documents
	if d.Extracted != 3 || d.Unchanged != 0 || !mapsEqual(d.Refused, wantRefused) {
		t.Errorf("first crawl documents: %+v, want 3 extracted, refused %v", d, wantRefused)
	}
	// Failed: missing.pdf and r10120's three attachment URLs.
	if d.Failed != 4 || d.Fetched != 3+len(hostileDocs)-1 {
		t.Errorf("first crawl: fetched %d failed %d, want %d and 4", d.Fetched, d.Failed, 3+len(hostileDocs)-1)
	}
	if m := sum.Counts(); m["documents_extracted"] != 3 || m["documents_refused_encrypted"] != 1 || m["documents_refused"] != len(hostileDocs) {
		t.Errorf("Counts: %v", m)
	}
	if s := sum.String(); !strings.Contains(s, "documents:") || !strings.Contains(s, "refused, image_only:") {
		t.Errorf("String:\n%s", s)
	}
	hist, _, err := st.History(context.Background())
	if err != nil || len(hist) != 1 || len(hist[0].Runs) != 1 || hist[0].Runs[0].DocumentsExtracted != 3 || hist[0].Runs[0].DocumentsRefused["damaged"] != 1 {
		t.Errorf("history: %+v, %v", hist, err)
	}

	// Second crawl: every stored document is asked for conditionally and
	// nothing is read again.
	srv.resetLog()
	sum, err = c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("second crawl: %v", err)
	}
	if d := sum.Documents; d.Extracted != 0 || d.Unchanged != 3+len(hostileDocs)-1 {
		t.Errorf("second crawl documents: %+v, want none extracted, %d unchanged", d, 3+len(hostileDocs)-1)
	}
	for _, r := range srv.requests() {
		if r.Path == pathInsulinAudit && (r.Header.Get("If-None-Match") == "" || r.Status != http.StatusNotModified) {
			t.Errorf("second crawl: %s asked without validators or answered %d", r.Path, r.Status)
		}
	}
	if got := storedArticles(t, st)["pslhub:r7950"]; attachment(t, got, pathInsulinAudit).Document.PageCount != 3 {
		t.Errorf("after the second crawl: %+v", got.Attachments)
	}

	// A changed PDF is read again.
	changed, err := os.ReadFile("../testdata/pdf/multipage.pdf")
	if err != nil {
		t.Fatal(err)
	}
	srv.setFault(pathInsulinAudit, func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(changed)
		return true
	})
	sum, err = c.Run(context.Background(), nil)
	if err != nil {
		t.Fatalf("third crawl: %v", err)
	}
	if sum.Documents.Extracted != 1 {
		t.Errorf("third crawl documents: %+v, want the changed PDF read again", sum.Documents)
	}
	got := attachment(t, storedArticles(t, st)["pslhub:r7950"], pathInsulinAudit).Document
	if got == nil || got.SHA256 == audit.SHA256 || !strings.Contains(strings.Join(got.Pages, "\n"), "infusion pump") {
		t.Errorf("changed PDF: %+v", got)
	}
}

// TestCrawlDocumentsModes: attachments mode leaves linked documents
// alone, off and a nil extractor fetch no document.
func TestCrawlDocumentsModes(t *testing.T) {
	for _, c := range []struct {
		name      string
		mode      DocumentsMode
		extractor bool
		attached  bool // the insulin audit is read
	}{
		{"attachments", DocumentsAttachments, true, true},
		{"off", DocumentsOff, true, false},
		{"no extractor", DocumentsLinked, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newSiteServer(t)
			cfg := docTestConfig(srv.URL)
			cfg.Sources[0].Documents = c.mode
			if !c.extractor {
				cfg.Extractor = nil
			}
			st := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
			cr, err := New(cfg, st, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := cr.Run(context.Background(), nil); err != nil {
				t.Fatal(err)
			}
			arts := storedArticles(t, st)
			if d := attachment(t, arts["pslhub:r7950"], pathInsulinAudit).Document; (d != nil) != c.attached {
				t.Errorf("insulin audit document %+v, want read %v", d, c.attached)
			}
			if d := attachment(t, arts["pslhub:r9428"], pathClotGuide).Document; d != nil {
				t.Errorf("linked clot guide read in mode %s: %+v", c.mode, d)
			}
			served := slices.ContainsFunc(srv.requests(), func(r served) bool { return strings.HasPrefix(r.Path, "/uploads/") })
			if served != c.attached {
				t.Errorf("documents requested: %v, want %v", served, c.attached)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCrawlDocumentUnchangedIsConfirmed: a document the server answers 304
// for, or serves again with the same content, keeps its reading and
// records that it was checked (FetchedAt moves on).
func TestCrawlDocumentUnchangedIsConfirmed(t *testing.T) {
	srv := newSiteServer(t)
	st := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(docTestConfig(srv.URL), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	stored := func() *article.Document {
		t.Helper()
		return attachment(t, storedArticles(t, st)["pslhub:r7950"], pathInsulinAudit).Document
	}
	first := stored()
	if first == nil || first.Status != article.DocExtracted || first.FetchedAt.IsZero() {
		t.Fatalf("first crawl: %+v", first)
	}

	// 304 Not Modified.
	srv.resetLog()
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	answered := slices.ContainsFunc(srv.requests(), func(r served) bool {
		return r.Path == pathInsulinAudit && r.Status == http.StatusNotModified
	})
	second := stored()
	if !answered || sum.Documents.Extracted != 0 {
		t.Fatalf("second crawl: 304 answered %v, documents %+v", answered, sum.Documents)
	}
	if !second.FetchedAt.After(first.FetchedAt) {
		t.Errorf("after a 304 fetched_at is %v, want later than %v", second.FetchedAt, first.FetchedAt)
	}
	if second.SHA256 != first.SHA256 || second.PageCount != first.PageCount || !slices.Equal(second.Pages, first.Pages) {
		t.Errorf("after a 304 the reading changed: %+v", second)
	}

	// 200 with the same bytes and no validators.
	body, err := os.ReadFile(filepath.Join(siteRoot, strings.TrimPrefix(pathInsulinAudit, "/")))
	if err != nil {
		t.Fatal(err)
	}
	srv.setFault(pathInsulinAudit, func(w http.ResponseWriter, r *http.Request, _ int) bool {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(body)
		return true
	})
	sum, err = c.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	third := stored()
	if sum.Documents.Extracted != 0 || sum.Documents.Unchanged == 0 {
		t.Errorf("third crawl documents: %+v, want the same content not read again", sum.Documents)
	}
	if !third.FetchedAt.After(second.FetchedAt) || third.SHA256 != first.SHA256 || !slices.Equal(third.Pages, first.Pages) {
		t.Errorf("after the same content again: %+v (fetched_at before: %v)", third, second.FetchedAt)
	}
}

// TestCrawlDocumentsProgress: the document step reports progress after
// each document, with the documents still to fetch as queued, so a
// progress bar moves through it.
func TestCrawlDocumentsProgress(t *testing.T) {
	srv := newSiteServer(t)
	st := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(docTestConfig(srv.URL), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	var events []Progress
	sum, err := c.Run(context.Background(), func(p Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	var docs []Progress
	for i, p := range events {
		if i > 0 && p.Done != events[i-1].Done+1 {
			t.Fatalf("event %d: done %d after %d", i, p.Done, events[i-1].Done)
		}
		if p.Documents > 0 {
			docs = append(docs, p)
		}
	}
	fetched := sum.Documents.Fetched + sum.Documents.Failed
	if fetched == 0 || len(docs) != fetched {
		t.Fatalf("%d progress events in the document step, want one per document (%d): %+v", len(docs), fetched, docs)
	}
	for i, p := range docs {
		if p.Documents != i+1 || p.Queued != fetched-i-1 {
			t.Errorf("document event %d: %+v, want documents %d, queued %d", i, p, i+1, fetched-i-1)
		}
	}
	if last := events[len(events)-1]; last.Documents != fetched || last.Queued != 0 {
		t.Errorf("last event %+v", last)
	}
}

// A record page that changes keeps the documents the document step read
// for its attachments: the next request for the document is conditional
// (a 304), nothing is read again, and the stored reading stays.
func TestCrawlChangedPageKeepsDocuments(t *testing.T) {
	srv := newSiteServer(t)
	st := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	c, err := New(docTestConfig(srv.URL), st, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	first := attachment(t, storedArticles(t, st)["pslhub:r14402"], pathOxygenList).Document
	if first == nil || first.Status != article.DocExtracted {
		t.Fatalf("first crawl: %+v", first)
	}

	srv.setReplace(pathR14402, "Transfer checklist:", "Transfer checklist (revised):")
	srv.resetLog()
	sum, err := c.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Changed == 0 {
		t.Fatalf("the edited record was not stored as changed:\n%s", sum)
	}
	var status int
	for _, r := range srv.requests() {
		if r.Path == pathOxygenList {
			status = r.Status
		}
	}
	if status != http.StatusNotModified || sum.Documents.Extracted != 0 {
		t.Errorf("checklist answered %d, %d documents read again; want a 304 and none", status, sum.Documents.Extracted)
	}
	a := storedArticles(t, st)["pslhub:r14402"]
	if !strings.Contains(a.Body, "(revised)") {
		t.Fatalf("stored body not the edited one: %.200q", a.Body)
	}
	got := attachment(t, a, pathOxygenList).Document
	if got == nil || got.SHA256 != first.SHA256 || !slices.Equal(got.Pages, first.Pages) {
		t.Errorf("after the page changed the document is %+v, want the first reading", got)
	}
}
