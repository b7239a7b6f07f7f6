package searchapi

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/safetysearch/safetysearch/indexer/indextest"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// historyStore is a schedule.HistoryStore in memory; the test's crawl adds
// its source runs as the crawler adds them to its store.
type historyStore struct {
	mu sync.Mutex
	h  schedule.History
}

func (m *historyStore) AppendIndexRun(_ context.Context, r schedule.IndexRun) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.h.Index = append(m.h.Index, r)
	return nil
}

func (m *historyStore) RunHistory(context.Context) (schedule.History, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := schedule.History{Index: append([]schedule.IndexRun{}, m.h.Index...)}
	for _, sh := range m.h.Sources {
		h.Sources = append(h.Sources, schedule.SourceHistory{Source: sh.Source, Runs: append([]schedule.SourceRun{}, sh.Runs...)})
	}
	return h, nil
}

func (m *historyStore) addSourceRun(r schedule.SourceRun) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.h.Sources {
		if m.h.Sources[i].Source == r.Source {
			m.h.Sources[i].Runs = append(m.h.Sources[i].Runs, r)
			return
		}
	}
	m.h.Sources = append(m.h.Sources, schedule.SourceHistory{Source: r.Source, Runs: []schedule.SourceRun{r}})
}

// After two crawls of two sources, the status page shows per source a
// duration chart and an errors chart of two bars (the mirror's failed run
// in the warning colour) above a table of two runs, and the index
// rebuilds; the admin status has the same history (validated against the
// OpenAPI document by the test client).
func TestStatusHistoryAfterTwoCrawls(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	hist := &historyStore{}
	crawls := 0
	crawl := func(ctx context.Context) (map[string]int, error) {
		crawls++
		now := time.Now().UTC()
		hist.addSourceRun(schedule.SourceRun{Source: "pslhub", Started: now, Duration: float64(crawls), Fetched: 10 * crawls, New: 3, Outcome: schedule.OutcomeOK,
			DocumentsFetched: 2, DocumentsExtracted: 1, DocumentsUnchanged: 3, DocumentsRefused: map[string]int{"encrypted": 1}})
		mirror := schedule.SourceRun{Source: "mirror", Started: now, Duration: 0.5, Fetched: 4, Outcome: schedule.OutcomeOK}
		if crawls == 2 {
			mirror.Fetched, mirror.Errors, mirror.Outcome, mirror.Error = 0, 1, schedule.OutcomeFailed, "robots.txt unavailable"
		}
		hist.addSourceRun(mirror)
		return map[string]int{"fetched": 10*crawls + mirror.Fetched}, nil
	}
	sched, err := schedule.New(context.Background(), schedule.Config{Spec: "off", History: hist}, crawl, ix, indextest.SliceSource(arts), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sched.Stop(context.Background()) })
	for range 2 {
		if _, err := sched.RunNow(context.Background(), "manual"); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, sched)

	// Pages are not in the OpenAPI document: a plain client fetches them.
	resp, err := http.Get(e.ts.URL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /status: %d", resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	sections := doc.Find("section.history-source")
	if sections.Length() != 3 {
		t.Fatalf("%d history sections, want the two sources and the index", sections.Length())
	}
	sections.Each(func(i int, sec *goquery.Selection) {
		name := sec.Find("h3").Text()
		charts := sec.Find("svg.chart")
		wantCharts := 2
		if name == "Index rebuilds" {
			wantCharts = 1
		}
		if charts.Length() != wantCharts {
			t.Errorf("%s: %d charts, want %d", name, charts.Length(), wantCharts)
		}
		charts.Each(func(_ int, svg *goquery.Selection) {
			if n := svg.Find("rect.bar").Length(); n != 2 {
				t.Errorf("%s: chart %q has %d bars, want 2", name, svg.Find("title").First().Text(), n)
			}
			if svg.AttrOr("role", "") != "img" || svg.Find("desc").Text() == "" {
				t.Errorf("%s: chart without role or description", name)
			}
		})
		warn := sec.Find("rect.bar.warn").Length()
		rows := sec.Find("table.runs tbody tr")
		if rows.Length() != 2 {
			t.Errorf("%s: %d table rows, want 2", name, rows.Length())
		}
		switch name {
		case "Crawls of mirror":
			// The newest run is on top: the failed one, with its error.
			if warn != 2 || !strings.Contains(rows.First().Find("td.outcome-failed").Text(), "robots.txt unavailable") {
				t.Errorf("mirror: %d warning bars, first row %q", warn, rows.First().Text())
			}
		case "Crawls of pslhub":
			if warn != 0 || rows.First().Find("td").Eq(1).Text() != "20" {
				t.Errorf("pslhub: %d warning bars, first row %q", warn, rows.First().Text())
			}
		case "Index rebuilds":
			if warn != 0 || !strings.Contains(rows.First().Text(), ix.Status().Generation) {
				t.Errorf("index: %d warning bars, first row %q", warn, rows.First().Text())
			}
		default:
			t.Errorf("unexpected history section %q", name)
		}
	})

	var st AdminStatus
	e.get("/api/v1/admin/status", http.StatusOK, &st, "Authorization: Bearer s3cret")
	h := st.History
	if h == nil || len(h.Sources) != 2 || len(h.Index) != 2 {
		t.Fatalf("admin status history: %+v", h)
	}
	for _, sh := range h.Sources {
		if len(sh.Runs) != 2 {
			t.Errorf("%s: %d runs in the admin status", sh.Source, len(sh.Runs))
		}
	}
	if r := h.Sources[1].Runs[1]; r.Source != "mirror" || r.Outcome != schedule.OutcomeFailed || r.Error == "" {
		t.Errorf("mirror's second run in the admin status: %+v", r)
	}
	if r := h.Index[1]; r.Documents != len(arts) || r.Generation != ix.Status().Generation {
		t.Errorf("second rebuild in the admin status: %+v", r)
	}
}

// Without a history the status page says so and draws no chart.
func TestStatusPageWithoutHistory(t *testing.T) {
	e := newPageEnv(t, sampleArticles(t))
	_, _, doc := e.page("/status", http.StatusOK)
	if doc.Find("section.history svg").Length() != 0 || !strings.Contains(doc.Find("section.history").Text(), "No run recorded yet.") {
		t.Errorf("history section without a history: %q", doc.Find("section.history").Text())
	}
}
