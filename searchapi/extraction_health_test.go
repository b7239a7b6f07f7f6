package searchapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/safetysearch/safetysearch/indexer/health"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// sampleHealth is the extraction health of the sample articles, with one
// made-up source whose authors fell away at the last crawl.
func sampleHealth(t *testing.T, at time.Time) health.Report {
	t.Helper()
	srcs := health.Measure(sampleArticles(t))
	if len(srcs) == 0 {
		t.Fatal("no source in the sample articles")
	}
	srcs = append(srcs, health.Source{Source: "zz-gov", Articles: 4,
		Shares: map[string]float64{"title": 1, "author": 0.25, "published": 1, "tags": 0.5, "body": 1, "comments": 0}})
	return health.Report{MeasuredAt: at, Sources: srcs,
		Warnings: []health.Drop{{Source: "zz-gov", Field: "author", Before: 1, After: 0.25}}}
}

// The admin status carries the extraction health (its shape checked
// against openapi.json by the test client), and /metrics one gauge per
// source and field, which goes away with its source.
func TestExtractionHealthStatusAndMetrics(t *testing.T) {
	arts := sampleArticles(t)
	ix := openIndex(t, arts)
	sched := newTestScheduler(t, ix, arts, nil)
	cfg := testConfig()
	cfg.AdminToken = "s3cret"
	e := newAPI(t, cfg, ix, sched)
	auth := "Authorization: Bearer s3cret"

	var st AdminStatus
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	if st.ExtractionHealth != nil {
		t.Errorf("extraction health before any measurement: %+v", st.ExtractionHealth)
	}
	_, body := e.do(http.MethodGet, "/metrics", nil)
	if strings.Contains(string(body), "extraction_field_share") {
		t.Error("field share gauge before any measurement")
	}

	at := time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	rep := sampleHealth(t, at)
	sched.SetHealth(rep)
	st = AdminStatus{}
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	h := st.ExtractionHealth
	if h == nil || !h.MeasuredAt.Equal(at) || len(h.Sources) != len(rep.Sources) || len(h.Warnings) != 1 || h.Warnings[0] != rep.Warnings[0] {
		t.Fatalf("status extraction health = %+v, want %+v", h, rep)
	}
	for _, s := range h.Sources {
		for _, f := range health.Fields {
			if v, ok := s.Shares[f]; !ok || v < 0 || v > 1 {
				t.Errorf("%s %s share %v (present %v)", s.Source, f, v, ok)
			}
		}
	}

	_, body = e.do(http.MethodGet, "/metrics", nil)
	types, samples := parseProm(t, string(body))
	if types["safetysearch_extraction_field_share"] != "gauge" {
		t.Errorf("extraction_field_share type %q", types["safetysearch_extraction_field_share"])
	}
	shares := map[[2]string]float64{}
	for _, s := range samples {
		if s.name == "safetysearch_extraction_field_share" {
			shares[[2]string{s.labels["source"], s.labels["field"]}] = s.value
		}
	}
	if len(shares) != len(rep.Sources)*len(health.Fields) {
		t.Errorf("%d field share series, want %d: %v", len(shares), len(rep.Sources)*len(health.Fields), shares)
	}
	for _, s := range rep.Sources {
		for _, f := range health.Fields {
			if v, ok := shares[[2]string{s.Source, f}]; !ok || v != s.Shares[f] {
				t.Errorf("share %s %s = %v (found %v), want %v", s.Source, f, v, ok, s.Shares[f])
			}
		}
	}
	if !strings.Contains(string(body), `safetysearch_extraction_field_share{field="author",source="zz-gov"} 0.25`) {
		t.Errorf("metrics text lacks the zz-gov author share:\n%s", body)
	}

	// The next measurement has no zz-gov: its series are gone.
	next := rep.Clone()
	next.MeasuredAt = at.Add(time.Hour)
	next.Sources = next.Sources[:len(next.Sources)-1]
	next.Warnings = nil
	sched.SetHealth(next)
	_, body = e.do(http.MethodGet, "/metrics", nil)
	if strings.Contains(string(body), `source="zz-gov"`) {
		t.Errorf("a source gone from the measurement keeps its series:\n%s", body)
	}
	st = AdminStatus{}
	e.get("/api/v1/admin/status", http.StatusOK, &st, auth)
	if st.ExtractionHealth == nil || st.ExtractionHealth.Warnings == nil || len(st.ExtractionHealth.Warnings) != 0 {
		t.Errorf("warnings after a clean measurement: %+v", st.ExtractionHealth)
	}
}

// The status page shows a table per source, the dropped share marked and
// the warning listed; before a measurement it says so.
func TestPageStatusExtractionHealth(t *testing.T) {
	ix := openIndex(t, nil)
	render := func(st schedule.RunStatus) *goquery.Document {
		t.Helper()
		srv, err := New(testConfig(), ix, fakeRebuilder{st}, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/status", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status page: %d", rec.Code)
		}
		doc, err := goquery.NewDocumentFromReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}

	doc := render(schedule.RunStatus{Schedule: "off"})
	if got := doc.Find("section.extraction-health").Text(); !strings.Contains(got, "Not measured yet") {
		t.Errorf("health section before a measurement: %q", got)
	}

	rep := sampleHealth(t, time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC))
	doc = render(schedule.RunStatus{Schedule: "off", ExtractionHealth: &rep})
	sec := doc.Find("section.extraction-health")
	tables := sec.Find("table.health")
	if tables.Length() != len(rep.Sources) {
		t.Fatalf("%d health tables, want one per source (%d)", tables.Length(), len(rep.Sources))
	}
	gov := tables.Last()
	if c := gov.Find("caption").Text(); c != "zz-gov: 4 articles" {
		t.Errorf("caption %q", c)
	}
	if n := gov.Find("tbody tr").Length(); n != len(health.Fields) {
		t.Errorf("%d rows, want one per field", n)
	}
	drop := gov.Find("tr.health-drop")
	if drop.Length() != 1 || drop.Find("th").Text() != "Author" || !strings.Contains(drop.Find("td").Text(), "25%") ||
		!strings.Contains(drop.Find("td").Text(), "warning: down from 100%") {
		t.Errorf("dropped row: %q", drop.Text())
	}
	if n := sec.Find("tr.health-drop").Length(); n != 1 {
		t.Errorf("%d rows marked as dropped, want 1", n)
	}
	if w := sec.Find("ul.health-warnings li").Text(); !strings.Contains(w, "zz-gov: Author on 25% of articles, down from 100%") {
		t.Errorf("warning list: %q", w)
	}
	if !strings.Contains(sec.Text(), "more than 20 points") || !strings.Contains(sec.Text(), "1 May 2026, 03:00 UTC") {
		t.Errorf("health section text: %q", sec.Text())
	}
}
