package searchapi

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/safetysearch/safetysearch/indexer"
)

// findBrowser returns a Chromium or Chrome binary. Without one the test is
// skipped, except under CI=true where a missing browser is a failure.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium or Chrome found (looked for chromium, chromium-browser, google-chrome, google-chrome-stable) and CI=true")
	}
	t.Skip("skipping the browser test: no Chromium or Chrome on PATH (install the Debian package chromium); with CI=true this fails")
	return ""
}

// browser starts a headless browser for the test and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser on a context without deadline (see chromedp.Run).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// step runs one action with a deadline, failing the test on error.
func step[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// navigate runs actions of which one loads a new page and waits for the
// load, failing unless the page answers 200.
func navigate(t *testing.T, ctx context.Context, what string, a ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(sctx, a...)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if resp == nil || resp.Status != 200 {
		t.Fatalf("%s: response %+v", what, resp)
	}
}

// screenshot saves a full-page PNG under dir (and, when
// SEARCHAPI_SCREENSHOTS names a directory, there too for a human to look at).
func screenshot(t *testing.T, ctx context.Context, dir, name string, full bool) {
	t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png := step(t, ctx, "screenshot "+name, shot)
	if len(png) < 1000 {
		t.Fatalf("screenshot %s is only %d bytes", name, len(png))
	}
	dirs := []string{dir}
	if extra := os.Getenv("SEARCHAPI_SCREENSHOTS"); extra != "" {
		dirs = append(dirs, extra)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// lowContrastJS lists visible text whose colour has a WCAG contrast ratio
// below 4.5:1 against the background it is drawn on.
const lowContrastJS = `(() => {
  const parse = c => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(",").map(s => parseFloat(s));
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = ({r, g, b}) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const bad = [];
  for (const el of document.querySelectorAll("body *")) {
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest(".visually-hidden, .skip") || el.getClientRects().length === 0) continue;
    const fg = parse(getComputedStyle(el).color);
    if (!fg) { bad.push(el.tagName + ": unparsed colour " + getComputedStyle(el).color); continue; }
    const l1 = lum(fg), l2 = lum(background(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    if (ratio < 4.5) bad.push(el.tagName + "." + el.className + " '" + el.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
  }
  return bad;
})()`

// checkContrast fails the test for text below WCAG AA contrast.
func checkContrast(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	bad := step(t, ctx, "contrast "+page, chromedp.Evaluate[[]string](lowContrastJS))
	for _, b := range bad {
		t.Errorf("%s: low contrast: %s", page, b)
	}
}

func TestBrowserSearchFlow(t *testing.T) {
	arts := sampleArticles(t)
	e := newPageEnv(t, arts)
	ctx := browser(t)
	shots := t.TempDir()

	// What the index says, to compare with what the browser shows.
	count := func(q indexer.Query) int {
		q.PerPage = 1
		res, err := e.ix.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		return int(res.Total)
	}
	all := count(indexer.Query{Text: "patient"})
	uk := count(indexer.Query{Text: "patient", Regions: []string{"UK"}})
	if all == uk || uk == 0 {
		t.Fatalf("sample index: 'patient' finds %d, with UK %d: the test needs a filter that changes the count", all, uk)
	}
	shownTotal := func() int {
		s := step(t, ctx, "read total", chromedp.Text(chromedp.CSS(".summary strong")))
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			t.Fatalf("total %q: %v", s, err)
		}
		return n
	}

	// Type a query and press Enter.
	step(t, ctx, "open search page", chromedp.Navigate(e.ts.URL+"/"))
	navigate(t, ctx, "type query and Enter", chromedp.SendKeys(chromedp.CSS("#q"), "patient"+kb.Enter))
	step(t, ctx, "wait for results", chromedp.Poll[bool](`location.search === "?q=patient"`))
	step(t, ctx, "results visible", chromedp.WaitVisible(chromedp.CSS(".hit")))
	if got := shownTotal(); got != all {
		t.Errorf("after typing: %d results shown, index says %d", got, all)
	}

	// Filter-as-you-type on a long facet list (the box only appears with
	// JavaScript; the full list works without it).
	step(t, ctx, "type in topic filter", chromedp.SendKeys(chromedp.CSS("#filter-topic"), "deter"))
	visible := step(t, ctx, "visible topics", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#facet-topic li")].filter(li => !li.hidden).map(li => li.querySelector(".value").textContent)`))
	if len(visible) != 1 || visible[0] != "Deterioration" {
		t.Errorf("topics left after typing 'deter': %q, want [Deterioration]", visible)
	}

	// Tick UK: the progressive script submits at once, without empty fields.
	navigate(t, ctx, "tick UK", chromedp.Click(chromedp.CSS(`#facet-region input[value="UK"]`)))
	step(t, ctx, "wait for UK filter", chromedp.Poll[bool](`location.search.includes("region=UK")`))
	step(t, ctx, "results visible", chromedp.WaitVisible(chromedp.CSS(".active-filters")))
	loc := step(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("q") != "patient" || q.Get("region") != "UK" || q.Has("from") || q.Has("to") {
		t.Errorf("URL after ticking UK: %s (want q and region, no empty fields)", loc)
	}
	if got := shownTotal(); got != uk {
		t.Errorf("after ticking UK: %d results shown, index says %d", got, uk)
	}
	checked := step(t, ctx, "UK checked", chromedp.Evaluate[bool](`document.querySelector('#facet-region input[value="UK"]').checked`))
	if !checked {
		t.Error("the UK checkbox is not checked after the reload")
	}
	screenshot(t, ctx, shots, "search-uk.png", true)
	checkContrast(t, ctx, "search page")

	// Results by year: one bar per year from the oldest to the newest of
	// the year facet; clicking the newest year's bar narrows the search.
	ukRes, err := e.ix.Search(context.Background(), indexer.Query{Text: "patient", Regions: []string{"UK"}, Facets: []string{indexer.FacetYear}})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := 9999, 0
	newest := 0
	for _, v := range ukRes.Facets[indexer.FacetYear] {
		y, _ := strconv.Atoi(v.Value)
		if y > hi {
			hi, newest = y, int(v.Count)
		}
		lo = min(lo, y)
	}
	bars := step(t, ctx, "count bars", chromedp.Evaluate[int](`document.querySelectorAll("figure.years svg rect.bar").length`))
	if bars != hi-lo+1 {
		t.Errorf("%d bars in the histogram, want %d (%d to %d)", bars, hi-lo+1, lo, hi)
	}
	navigate(t, ctx, "click newest year", chromedp.Click(chromedp.CSS(`figure.years svg a:last-of-type rect.hit-area`)))
	step(t, ctx, "wait for year filter", chromedp.Poll[bool](fmt.Sprintf(`location.search.includes("year=%d")`, hi)))
	step(t, ctx, "results visible", chromedp.WaitVisible(chromedp.CSS(".summary")))
	if got := shownTotal(); got != newest {
		t.Errorf("after clicking %d: %d results shown, the facet said %d", hi, got, newest)
	}
	selected := step(t, ctx, "selected bar", chromedp.Evaluate[int](`document.querySelectorAll("figure.years svg rect.bar.selected").length`))
	if selected != 1 {
		t.Errorf("%d highlighted bars after choosing a year, want 1", selected)
	}
	screenshot(t, ctx, shots, "search-year.png", false)

	// With JavaScript, a drag from one bar to another narrows to the range.
	counts := map[int]int{}
	for _, v := range ukRes.Facets[indexer.FacetYear] {
		y, _ := strconv.Atoi(v.Value)
		counts[y] = int(v.Count)
	}
	from := lo
	if hi-lo >= 2 {
		from = lo + 1
	}
	want := 0
	for y := from; y <= hi; y++ {
		want += counts[y]
	}
	centre := func(year int) []float64 {
		return step(t, ctx, fmt.Sprintf("locate bar %d", year), chromedp.Evaluate[[]float64](fmt.Sprintf(
			`(() => { const f = document.querySelector("figure.years"); f.scrollIntoView({block: "center"});
			  const r = f.querySelector('svg a[data-key="%d"] rect.hit-area').getBoundingClientRect();
			  return [r.x + r.width / 2, r.y + r.height / 2]; })()`, year)))
	}
	start, end := centre(from), centre(hi)
	navigate(t, ctx, "drag across the years",
		chromedp.MouseEvent(chromedp.MouseMoved, start[0], start[1]),
		chromedp.MouseEvent(chromedp.MousePressed, start[0], start[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, (start[0]+end[0])/2, end[1], chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, end[0], end[1], chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, end[0], end[1], chromedp.ButtonLeft, chromedp.ClickCount(1)),
	)
	step(t, ctx, "wait for the year range", chromedp.Poll[bool](fmt.Sprintf(`location.search.includes("year=%d") && location.search.includes("year=%d")`, from, hi)))
	step(t, ctx, "results visible", chromedp.WaitVisible(chromedp.CSS(".summary")))
	if got := shownTotal(); got != want {
		t.Errorf("after dragging %d–%d: %d results shown, the facet counts add up to %d", from, hi, got, want)
	}
	if n := step(t, ctx, "selected bars", chromedp.Evaluate[int](`document.querySelectorAll("figure.years svg rect.bar.selected").length`)); n != hi-from+1 {
		t.Errorf("%d highlighted bars after dragging %d–%d, want %d", n, from, hi, hi-from+1)
	}
	// The same range in two clicks: the newest year, then a shift-click.
	navigate(t, ctx, "back to the newest year", chromedp.Click(chromedp.CSS(fmt.Sprintf(`figure.years svg a[data-key="%d"] rect.hit-area`, hi))))
	step(t, ctx, "wait for one year", chromedp.Poll[bool](fmt.Sprintf(`location.search.endsWith("year=%d") && !location.search.includes("year=%d")`, hi, from)))
	start = centre(from)
	navigate(t, ctx, "shift-click a second year", chromedp.MouseClickXY(start[0], start[1], chromedp.ButtonModifiers(chromedp.ModifierShift)))
	step(t, ctx, "wait for the shift-click range", chromedp.Poll[bool](fmt.Sprintf(`location.search.includes("year=%d") && location.search.includes("year=%d")`, from, hi)))
	if got := shownTotal(); got != want {
		t.Errorf("after shift-clicking %d–%d: %d results shown, want %d", from, hi, got, want)
	}

	// Open an article by clicking its title.
	title := step(t, ctx, "first title", chromedp.Text(chromedp.CSS(".hit-title a")))
	navigate(t, ctx, "open article", chromedp.Click(chromedp.CSS(".hit-title a")))
	step(t, ctx, "wait for article", chromedp.Poll[bool](`location.pathname.startsWith("/articles/")`))
	step(t, ctx, "article visible", chromedp.WaitVisible(chromedp.CSS("article.article h1")))
	if h1 := step(t, ctx, "article title", chromedp.Text(chromedp.CSS("article.article h1"))); h1 != title {
		t.Errorf("article page title %q, clicked %q", h1, title)
	}
	screenshot(t, ctx, shots, "article.png", true)
	checkContrast(t, ctx, "article page")

	// Keyboard only: Tab to the skip link, Enter, then Tab to the first
	// result and Enter.
	step(t, ctx, "reopen search", chromedp.Navigate(e.ts.URL+"/?q=patient"))
	step(t, ctx, "first Tab", chromedp.KeyEvent(kb.Tab))
	if cls := step(t, ctx, "focused", chromedp.Evaluate[string](`document.activeElement.className`)); cls != "skip" {
		t.Fatalf("the first Tab focuses %q, want the skip link", cls)
	}
	step(t, ctx, "follow skip link", chromedp.KeyEvent(kb.Enter))
	reached := false
	for i := 0; i < 40 && !reached; i++ {
		step(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		reached = step(t, ctx, "focus check", chromedp.Evaluate[bool](`document.activeElement.closest(".hit-title") !== null`))
	}
	if !reached {
		t.Fatal("40 Tab presses after the skip link never reached a result")
	}
	inFacets := step(t, ctx, "focus outside facets", chromedp.Evaluate[bool](`document.activeElement.closest("aside") !== null`))
	if inFacets {
		t.Error("the skip link did not move focus past the filters")
	}
	focusVisible := step(t, ctx, "focus style", chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`))
	if focusVisible == "none" {
		t.Error("the focused result link has no visible outline")
	}
	navigate(t, ctx, "Enter on result", chromedp.KeyEvent(kb.Enter))
	step(t, ctx, "keyboard navigation", chromedp.Poll[bool](`location.pathname.startsWith("/articles/")`))

	// Phone width: one column, filters collapsed above the results.
	step(t, ctx, "phone viewport", chromedp.EmulateViewport(390, 844))
	step(t, ctx, "phone page", chromedp.Navigate(e.ts.URL+"/?q=patient&region=UK"))
	open := step(t, ctx, "filters state", chromedp.Evaluate[bool](`document.querySelector("details.filters").open`))
	if open {
		t.Error("the filter panel is open at phone width")
	}
	above := step(t, ctx, "layout", chromedp.Evaluate[bool](
		`document.querySelector("aside.facets").getBoundingClientRect().bottom <= document.querySelector("ol.hits").getBoundingClientRect().top`))
	if !above {
		t.Error("at phone width the filters are not above the results")
	}
	overflow := step(t, ctx, "horizontal overflow", chromedp.Evaluate[bool](
		`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
	if overflow {
		t.Error("the page scrolls sideways at 390px")
	}
	screenshot(t, ctx, shots, "search-phone.png", false)
	step(t, ctx, "open filters", chromedp.Click(chromedp.CSS("details.filters > summary")))
	screenshot(t, ctx, shots, "search-phone-filters.png", false)
	commented := arts[0]
	for _, a := range arts {
		if len(a.Comments) > len(commented.Comments) {
			commented = a
		}
	}
	step(t, ctx, "phone article", chromedp.Navigate(e.ts.URL+articlePath(commented.ID)))
	screenshot(t, ctx, shots, "article-phone.png", true)
	checkContrast(t, ctx, "article page with comments")
}
