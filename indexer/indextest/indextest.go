// Package indextest holds test helpers for code that rebuilds an index:
// in-memory sources (one that blocks until released), small deterministic
// articles, a goroutine-safe test logger and a poll-until helper. It imports
// nothing of ours but the document contract, so that the indexer's own
// packages can use it in their tests.
package indextest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// SliceSource is an in-memory rebuild source.
type SliceSource []article.Article

// Count returns the number of articles.
func (s SliceSource) Count(ctx context.Context) (int, error) { return len(s), ctx.Err() }

// Each calls fn for every article, stopping at the first error.
func (s SliceSource) Each(ctx context.Context, fn func(article.Article) error) error {
	for _, a := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

var lifecycleTopics = []string{"Sepsis", "Falls", "Medication safety", "PSIRF", "VTE"}

// LifecycleArticle is a small, deterministic article number i.
func LifecycleArticle(i int) article.Article {
	topic := lifecycleTopics[i%len(lifecycleTopics)]
	return article.Article{
		ID:          fmt.Sprintf("life:r%d", i),
		URL:         fmt.Sprintf("https://example.org/r%d", i),
		Source:      "life",
		Title:       fmt.Sprintf("%s learning note %d", topic, i),
		Author:      "Author " + string(rune('A'+i%7)),
		Published:   time.Date(2020+i%5, time.Month(1+i%12), 1+i%28, 12, 0, 0, 0, time.UTC),
		ContentType: "Reports and articles",
		Regions:     []string{"UK"},
		Audiences:   []string{"Everyone"},
		Topics:      []string{topic},
		Tags:        []string{"UK", topic},
		Summary:     "A summary about " + topic + " in hospitals.",
		Body:        strings.Repeat("Patients and staff learned how "+topic+" incidents happen on wards. ", 5+i%11),
	}
}

// LifecycleArticles is articles 0 … n-1.
func LifecycleArticles(n int) SliceSource {
	out := make(SliceSource, n)
	for i := range out {
		out[i] = LifecycleArticle(i)
	}
	return out
}

// LogBuffer is a goroutine-safe sink for a test logger.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Logger is a debug-level text logger writing to the returned buffer.
func Logger(t testing.TB) (*slog.Logger, *LogBuffer) {
	t.Helper()
	b := &LogBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// WaitFor polls cond until it holds or ten seconds pass.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// GatedSource is a source whose Each waits for Release (or its context)
// before yielding its articles, so that a test can look at a rebuild while
// it runs. Started is closed when Each begins. Use it once.
type GatedSource struct {
	SliceSource
	Started chan struct{}
	release chan struct{}
	once    sync.Once
}

// NewGatedSource is a GatedSource of arts.
func NewGatedSource(arts []article.Article) *GatedSource {
	return &GatedSource{SliceSource: arts, Started: make(chan struct{}), release: make(chan struct{})}
}

// Each waits for Release, then yields the articles.
func (g *GatedSource) Each(ctx context.Context, fn func(article.Article) error) error {
	close(g.Started)
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.SliceSource.Each(ctx, fn)
}

// Release lets Each go on.
func (g *GatedSource) Release() { g.once.Do(func() { close(g.release) }) }

// Day is a UTC date at noon.
func Day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

// InlineCorpus is a small hand-written corpus covering the features the
// engine tests exercise.
func InlineCorpus() []article.Article {
	arts := []article.Article{
		{
			ID: "t:r1", Title: "Introducing PSIRF in an acute trust", Author: "Jane Smith",
			Published: Day("2024-03-10"), ContentType: "Reports and articles",
			Regions: []string{"UK"}, Audiences: []string{"Everyone"}, Topics: []string{"PSIRF"},
			Tags:    []string{"UK", "Reports and articles", "Everyone", "PSIRF"},
			Summary: "How one trust moved to the new framework.",
			Body:    "The trust adopted PSIRF and replaced serious incident investigations with proportionate learning responses.",
		},
		{
			ID: "t:r2", Title: "Learning responses under the Patient Safety Incident Response Framework", Author: "Ali Khan",
			Published: Day("2023-09-01"), ContentType: "Guides",
			Regions: []string{"England"}, Audiences: []string{"Patient safety leads"}, Topics: []string{"Investigations"},
			Tags:    []string{"England", "Guides", "Patient safety leads", "Investigations"},
			Summary: "A guide to after action review and swarm huddles.",
			Body:    "The Patient Safety Incident Response Framework sets out how organisations respond to incidents.",
		},
		{
			ID: "t:r3", Title: "Sepsis: warning signs in children", Author: "Maria José Núñez",
			Published: Day("2025-01-20"), ContentType: "Blogs",
			Regions: []string{"UK"}, Audiences: []string{"Patients and public"}, Topics: []string{"Sepsis", "Paediatrics"},
			Tags:    []string{"UK", "Blogs", "Patients and public", "Sepsis", "Paediatrics"},
			Summary: "What parents should look out for.",
			Body:    "Sepsis in children can be hard to spot. A child’s breathing, colour and temperature are warning signs; don’t wait.",
			Comments: []article.Comment{
				{ID: "c1", Author: "A parent", Body: "Thank you, this helped us act quickly."},
			},
		},
		{
			ID: "t:r4", Title: "Venous thromboembolism after surgery", Author: "Jane Smith",
			Published: Day("2022-05-05"), ContentType: "Research",
			Regions: []string{"Ireland"}, Audiences: []string{"Healthcare professionals"}, Topics: []string{"VTE"},
			Tags:    []string{"Ireland", "Research", "Healthcare professionals", "VTE"},
			Summary: "Risk assessment reduces hospital-acquired clots.",
			Body:    "Thromboprophylaxis after surgery lowers the risk of venous thromboembolism in adults.",
		},
		{
			ID: "t:r5", Title: "Medication errors in care homes", Author: "Sam Lee",
			Published: Day("2024-11-11"), ContentType: "Reports and articles",
			Regions: []string{"UK", "Scotland"}, Audiences: []string{"Everyone"}, Topics: []string{"Medication safety"},
			Tags:    []string{"UK", "Scotland", "Reports and articles", "Everyone", "Medication safety"},
			Summary: "A review of dispensing errors.",
			Body:    "Errors with <script>alert(1)</script> labels & dosing were common; café staff were not involved.",
			Comments: []article.Comment{
				{ID: "c2", Author: "Nurse", Body: "We saw the same dispensing problems."},
				{ID: "c3", Author: "Pharmacist", Body: "VTE prophylaxis was also missed in our audit of thromboembolism."},
			},
		},
		{
			ID: "t:r6", Title: "Falls prevention on older people’s wards", Author: "Ali Khan",
			ContentType: "Guides",
			Regions:     []string{"UK"}, Audiences: []string{"Nurses"}, Topics: []string{"Falls"},
			Tags:    []string{"UK", "Guides", "Nurses", "Falls"},
			Summary: "Practical steps without a publication date.",
			Body:    "Lying and standing blood pressure checks reduce falls.",
		},
	}
	for i := range arts {
		arts[i].Source = "test"
		arts[i].URL = "https://example.org/" + arts[i].ID
	}
	return arts
}

// ExtractedDocument is a PDF document whose text was extracted, with these
// pages (pages[0] is page 1).
func ExtractedDocument(pages ...string) *article.Document {
	return &article.Document{
		ContentType: "application/pdf",
		Bytes:       int64(1000 * len(pages)),
		SHA256:      fmt.Sprintf("%064x", len(pages)),
		Status:      article.DocExtracted,
		PageCount:   len(pages),
		Pages:       pages,
		FetchedAt:   Day("2025-03-02"),
	}
}

// ReportPages is the text of a 40-page report: a running sentence on
// every page, the word "tocilizumab" twice on page 37 and once on page 12,
// the phrase "oxygen cylinder storage" on page 20 only, and an empty page
// 3 (a scanned figure).
func ReportPages() []string {
	pages := make([]string, 40)
	for i := range pages {
		pages[i] = fmt.Sprintf("Section %d of the national investigation into ward safety.", i+1)
	}
	pages[2] = ""
	pages[11] += " A patient was given tocilizumab without a weight check."
	pages[19] += " Recommendation 4 concerns oxygen cylinder storage near beds."
	pages[36] += " The tocilizumab dose was calculated twice; tocilizumab is now prescribed on a chart."
	return pages
}

// AttachmentCorpus is articles for the attachment tests: "doc:r1" with a
// 40-page extracted report (ReportPages), a refused document and a linked
// two-page board paper; "doc:r2" with "tocilizumab" in its body and no
// attachment; "doc:r3" with an attachment that was never fetched; and
// "doc:r4" with neither.
func AttachmentCorpus() []article.Article {
	arts := []article.Article{
		{
			ID: "doc:r1", Title: "Investigation report: medicines on wards", Author: "HSSIB",
			ContentType: "Reports and articles", Published: Day("2025-03-01"),
			Regions: []string{"England"}, Topics: []string{"Medication safety"}, Tags: []string{"England"},
			Summary: "The national investigation and its recommendations.",
			Body:    "Read the full report attached below.",
			Attachments: []article.Attachment{
				{Name: "HSSIB report.pdf", URL: "https://example.org/files/hssib-report.pdf", Document: ExtractedDocument(ReportPages()...)},
				{Name: "Annex.pdf", URL: "https://example.org/files/annex.pdf", Document: &article.Document{
					ContentType: "application/pdf", Bytes: 2048, Status: article.DocRefused, Reason: "encrypted",
				}},
				{Name: "Board paper.pdf", URL: "https://example.org/files/board.pdf", Linked: true, Document: ExtractedDocument(
					"Board meeting, March. Ward staff raised the bedside",
					"handover checklist and the tocilizumab chart.",
				)},
			},
		},
		{
			ID: "doc:r2", Title: "Biologic medicines: a pharmacist's note", Author: "Pharmacy team",
			ContentType: "Blogs", Published: Day("2025-02-01"),
			Regions: []string{"England"}, Topics: []string{"Medication safety"},
			Summary: "A note on prescribing biologics.",
			Body:    "Tocilizumab needs a weight check before every dose.",
		},
		{
			ID: "doc:r3", Title: "Falls toolkit", Author: "Falls group",
			ContentType: "Toolkits", Published: Day("2024-06-01"),
			Regions: []string{"Scotland"}, Topics: []string{"Falls"},
			Summary: "A toolkit for falls on wards.",
			Body:    "The toolkit is attached.",
			Attachments: []article.Attachment{
				{Name: "Toolkit.docx", URL: "https://example.org/files/toolkit.docx"},
			},
		},
		{
			ID: "doc:r4", Title: "Sepsis on wards", Author: "Sepsis group",
			ContentType: "Blogs", Published: Day("2024-01-01"),
			Regions: []string{"Scotland"}, Topics: []string{"Sepsis"},
			Summary: "Spotting sepsis early on wards.",
			Body:    "Screen for sepsis on every ward round; oxygen saturation matters.",
		},
	}
	for i := range arts {
		arts[i].Source = "test"
		arts[i].URL = "https://example.org/" + arts[i].ID
		arts[i].FetchedAt = Day("2025-03-02")
	}
	return arts
}
