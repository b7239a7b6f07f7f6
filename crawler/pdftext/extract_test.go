package pdftext

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden/pdf")

const (
	fixtures = "../../testdata/pdf"
	goldens  = "../../testdata/golden/pdf"
)

// testMemoryLimit is well under the bomb's gigabyte and well over what the
// other fixtures need; the lower it is, the sooner the bomb fails.
const testMemoryLimit = 64 << 20

// slowMachine is the deadline for outcomes other than timed_out: generous, so
// that a loaded machine or -race does not turn the bomb's too_large into a
// timeout.
var slowMachine = Limits{Timeout: 10 * time.Minute}

// The extractor is shared by the tests: starting PDFium compiles its module,
// which is the slow part, and sharing it is what the crawler will do too.
var (
	sharedOnce sync.Once
	shared     *Extractor
)

func extractor(t testing.TB) *Extractor {
	t.Helper()
	sharedOnce.Do(func() { shared = New(Config{Workers: 2, MemoryLimit: testMemoryLimit}) })
	return shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		_ = shared.Close()
	}
	os.Exit(code)
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// render is the golden form of an extraction: its status, then each page under
// its number.
func render(doc Document, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "status: %s\npages: %d\n", StatusOf(err), doc.PageCount)
	for _, p := range doc.Pages {
		fmt.Fprintf(&b, "=== page %d\n%s\n", p.Number, p.Text)
	}
	return b.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldens, strings.TrimSuffix(name, ".pdf")+".txt")
	if *update {
		if err := os.MkdirAll(goldens, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: text differs from %s\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

// TestExtractGolden covers every fixture in testdata/pdf, so a new one cannot
// go without its golden text.
func TestExtractGolden(t *testing.T) {
	e := extractor(t)
	paths, err := filepath.Glob(filepath.Join(fixtures, "*.pdf"))
	if err != nil || len(paths) < 10 {
		t.Fatalf("fixtures: %d found (%v)", len(paths), err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			doc, err := e.Extract(context.Background(), bytes.NewReader(readFixture(t, name)), slowMachine)
			checkGolden(t, name, render(doc, err))
		})
	}
}

// TestExtractQuality states what the golden files must show, so that an
// -update cannot quietly accept a regression.
func TestExtractQuality(t *testing.T) {
	e := extractor(t)
	cases := []struct {
		fixture      string
		page         int
		contains     []string
		lacks        []string
		inOrder      []string
		wantNumPages int
	}{
		{fixture: "multipage.pdf", page: 3, contains: []string{"Observations", "omitted doses"}, wantNumPages: 3},
		{fixture: "twocolumn.pdf", page: 1, inOrder: []string{"Two column", "Left column line one", "medication errors", "the reporting culture.", "Right column line one", "use of bed rails."}},
		{fixture: "table.pdf", page: 1, contains: []string{"Drug Dose Route", "Insulin 4 units Subcutaneous"}},
		{fixture: "ligatures.pdf", page: 1, contains: []string{"first finding", "flow rate", "verified", "Staff", "flagged", "unqualified", "office"}, lacks: []string{"\uFB01", "\uFB02", "\uFB00", "\uFB03"}},
		{fixture: "nonascii.pdf", page: 1, contains: []string{"Café", "patient’s fall – twice", "Naïve “root cause”", "37 °C", "Zoë"}},
		{fixture: "header.pdf", page: 2, contains: []string{"Recommendation 1"}, lacks: []string{"HSSIB Investigation Report", "Page 2 of 4"}, wantNumPages: 4},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			doc, err := e.Extract(context.Background(), bytes.NewReader(readFixture(t, c.fixture)), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if c.wantNumPages > 0 && (doc.PageCount != c.wantNumPages || len(doc.Pages) != c.wantNumPages) {
				t.Fatalf("pages: count %d, extracted %d, want %d", doc.PageCount, len(doc.Pages), c.wantNumPages)
			}
			text := doc.Pages[c.page-1].Text
			for _, s := range c.contains {
				if !strings.Contains(text, s) {
					t.Errorf("page %d lacks %q:\n%s", c.page, s, text)
				}
			}
			for _, s := range c.lacks {
				if strings.Contains(text, s) {
					t.Errorf("page %d has %q:\n%s", c.page, s, text)
				}
			}
			at := 0
			for _, s := range c.inOrder {
				i := strings.Index(text[at:], s)
				if i < 0 {
					t.Fatalf("page %d: %q missing or out of reading order:\n%s", c.page, s, text)
				}
				at += i + len(s)
			}
		})
	}
}

// TestExtractRefusals checks that each hostile or unusable file ends in its
// named outcome, well within the limits it was given.
func TestExtractRefusals(t *testing.T) {
	e := extractor(t)
	cases := []struct {
		name    string
		fixture string
		data    []byte
		limits  Limits
		want    Status
	}{
		{name: "encrypted", fixture: "encrypted.pdf", want: StatusEncrypted},
		{name: "image only", fixture: "imageonly.pdf", want: StatusImageOnly},
		{name: "truncated", fixture: "truncated.pdf", want: StatusDamaged},
		{name: "not a PDF", data: []byte("<html>not a pdf</html>"), want: StatusDamaged},
		{name: "decompression bomb", fixture: "bomb.pdf", limits: slowMachine, want: StatusTooLarge},
		{name: "file over the size cap", fixture: "multipage.pdf", limits: Limits{MaxBytes: 1000}, want: StatusTooLarge},
		{name: "too many objects", fixture: "multipage.pdf", limits: Limits{MaxObjects: 3}, want: StatusTooLarge},
		{name: "too many pages", fixture: "multipage.pdf", limits: Limits{MaxPages: 2}, want: StatusTooManyPages},
		{name: "deadline", fixture: "bomb.pdf", limits: Limits{Timeout: 300 * time.Millisecond}, want: StatusTimedOut},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := c.data
			if c.fixture != "" {
				data = readFixture(t, c.fixture)
			}
			timeout := c.limits.withDefaults().Timeout
			start := time.Now()
			_, err := e.Extract(context.Background(), bytes.NewReader(data), c.limits)
			took := time.Since(start)
			if got := StatusOf(err); got != c.want {
				t.Fatalf("status %s (%v), want %s", got, err, c.want)
			}
			// The slack covers a start of PDFium on a loaded machine.
			if took > timeout+30*time.Second {
				t.Errorf("took %s, over its %s deadline", took, timeout)
			}
			t.Logf("%s in %s: %v", c.want, took.Round(time.Millisecond), err)
		})
	}
}

func TestExtractCancelled(t *testing.T) {
	e := extractor(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.Extract(ctx, bytes.NewReader(readFixture(t, "multipage.pdf")), Limits{})
	// Cancellation is the caller's (a shutdown), not the document's fault.
	if !errors.Is(err, context.Canceled) || StatusOf(err) != StatusError {
		t.Fatalf("Extract with a cancelled context: %v (status %s), want context.Canceled", err, StatusOf(err))
	}
}

// TestExtractConcurrent runs more documents at once than there are workers;
// run it with -race.
func TestExtractConcurrent(t *testing.T) {
	e := extractor(t)
	names := []string{"multipage.pdf", "twocolumn.pdf", "table.pdf", "encrypted.pdf", "header.pdf", "nonascii.pdf"}
	want := map[string]string{}
	for _, n := range names {
		doc, err := e.Extract(context.Background(), bytes.NewReader(readFixture(t, n)), Limits{})
		want[n] = render(doc, err)
	}
	var wg sync.WaitGroup
	for _, n := range append(names, names...) {
		data := readFixture(t, n)
		wg.Go(func() {
			doc, err := e.Extract(context.Background(), bytes.NewReader(data), Limits{})
			if got := render(doc, err); got != want[n] {
				t.Errorf("%s concurrently: got %q, want %q", n, got, want[n])
			}
		})
	}
	wg.Wait()
}

func TestExtractAfterClose(t *testing.T) {
	e := New(Config{})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := e.Extract(context.Background(), bytes.NewReader(readFixture(t, "multipage.pdf")), Limits{})
	if err == nil || StatusOf(err) != StatusError {
		t.Fatalf("Extract after Close: %v, want an extractor error", err)
	}
}

func BenchmarkExtract(b *testing.B) {
	e := extractor(b)
	if err := e.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	var docs [][]byte
	for _, n := range []string{"multipage.pdf", "twocolumn.pdf", "table.pdf", "ligatures.pdf", "nonascii.pdf", "header.pdf"} {
		docs = append(docs, readFixture(b, n))
	}
	pages := 0
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			doc, err := e.Extract(context.Background(), bytes.NewReader(d), Limits{})
			if err != nil {
				b.Fatal(err)
			}
			pages += len(doc.Pages)
		}
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
