package crawler

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/indexer/article"
)

// recordFixture extracts the one record fixture whose path ends in suffix.
func recordFixture(t *testing.T, suffix string) *Page {
	t.Helper()
	f := fixtureByRecord(t, loadSite(t, false), suffix)
	p := extractFixture(t, f)
	if p.Article == nil {
		t.Fatalf("%s: no article", f.url)
	}
	return p
}

func commentByID(t *testing.T, a *article.Article, id string) article.Comment {
	t.Helper()
	for _, c := range a.Comments {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("%s: no comment %s", a.ID, id)
	return article.Comment{}
}

func TestExtractFeaturedCommentNotDuplicated(t *testing.T) {
	a := recordFixture(t, "-r13688/index.html").Article
	var ids []string
	for _, c := range a.Comments {
		ids = append(ids, c.ID)
	}
	if want := []string{"41201", "41202", "41203", "41204"}; !slices.Equal(ids, want) {
		t.Fatalf("comment ids = %v, want %v (the featured copy of 41202 must not be counted)", ids, want)
	}
	// The page-1 featured box of r12504 holds a copy of 50003.
	p1 := recordFixture(t, "-r12504/index.html").Article
	n := 0
	for _, c := range p1.Comments {
		if c.ID == "50003" {
			n++
		}
	}
	if n != 1 || len(p1.Comments) != 25 {
		t.Fatalf("r12504 page 1: %d comments, 50003 seen %d times; want 25 and 1", len(p1.Comments), n)
	}
}

func TestExtractEditedComment(t *testing.T) {
	a := recordFixture(t, "-r13688/index.html").Article
	c := commentByID(t, a, "41202")
	if c.EditedBy != "Dr Amir Khan" {
		t.Errorf("EditedBy = %q, want Dr Amir Khan", c.EditedBy)
	}
	want := "A normal temperature does not rule it out. Confusion and fast breathing were the signs we saw most often in older patients on our ward."
	if c.Body != want {
		t.Errorf("edited comment body = %q, want %q", c.Body, want)
	}
	if other := commentByID(t, a, "41201"); other.EditedBy != "" {
		t.Errorf("unedited comment has EditedBy %q", other.EditedBy)
	}
	b := recordFixture(t, "-r8975/index.html").Article
	if c := commentByID(t, b, "28811"); c.EditedBy != "Moderator Jane" || strings.Contains(c.Body, "Edited") {
		t.Errorf("28811: EditedBy %q body %q", c.EditedBy, c.Body)
	}
	p2 := recordFixture(t, "-r12504/page/2/index.html").Article
	if c := commentByID(t, p2, "50031"); c.EditedBy != "Emma Lewis" || strings.Contains(c.Body, "Edited") {
		t.Errorf("50031: EditedBy %q body %q", c.EditedBy, c.Body)
	}
}

func TestExtractQuotedTextExcluded(t *testing.T) {
	a := recordFixture(t, "-r13688/index.html").Article
	c := commentByID(t, a, "41203")
	if strings.Contains(c.Body, "normal temperature") || strings.Contains(c.Body, "said:") {
		t.Errorf("quoting comment contains the quoted text: %q", c.Body)
	}
	if c.Body != "I wish someone had told us that at the time. Families need to know they can ask the question." {
		t.Errorf("quoting comment body = %q", c.Body)
	}
	p3 := recordFixture(t, "-r12504/page/3/index.html").Article
	if c := commentByID(t, p3, "50054"); c.Body != "Agreed, and they are quick to run on nights too." {
		t.Errorf("50054 body = %q", c.Body)
	}
}

func TestExtractDatesUTCFromMachineValues(t *testing.T) {
	// JSON-LD "2026-03-30T10:00:00+0100" → 09:00 UTC.
	a := recordFixture(t, "-r14254/index.html").Article
	if want := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC); !a.Published.Equal(want) || a.Published.Location() != time.UTC {
		t.Errorf("r14254 published = %v, want %v UTC", a.Published, want)
	}
	// No JSON-LD Article; the header <time> says "2 hours ago" but has a datetime.
	b := recordFixture(t, "-r14402/index.html").Article
	if want := time.Date(2026, 11, 25, 16, 12, 0, 0, time.UTC); !b.Published.Equal(want) {
		t.Errorf("r14402 published = %v, want %v", b.Published, want)
	}
	if !b.Updated.IsZero() {
		t.Errorf("r14402 updated = %v, want zero (unknown)", b.Updated)
	}
	// "+0000" form.
	c := recordFixture(t, "-r13688/index.html").Article
	if want := time.Date(2025, 10, 14, 13, 0, 0, 0, time.UTC); !c.Published.Equal(want) || c.Published.Location() != time.UTC {
		t.Errorf("r13688 published = %v", c.Published)
	}
	if want := time.Date(2025, 10, 15, 7, 55, 0, 0, time.UTC); !commentByID(t, c, "41202").Published.Equal(want) {
		t.Errorf("comment 41202 published = %v", commentByID(t, c, "41202").Published)
	}
	if !c.FetchedAt.Equal(fixtureFetchedAt) {
		t.Errorf("FetchedAt = %v", c.FetchedAt)
	}
}

func TestExtractEntitiesDecoded(t *testing.T) {
	a := recordFixture(t, "-r8720/index.html").Article
	if a.Title != "Medicines & older people: ‘polypharmacy’ – a guide for families" {
		t.Errorf("title = %q", a.Title)
	}
	for _, want := range []string{"interact & cause", "It’s worth", "“structured medication review”", "medicines – including",
		"look out for…?", "£9.90", "Doses < 1 mg & > 100 mg", "extra care — check", "Café meetings run by Age UK", "“Medicines and you”",
		"Questions to ask: Do I still need this?", "aged 60 and over"} {
		if !strings.Contains(a.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, a.Body)
		}
	}
	for _, bad := range []string{"&amp;", "&nbsp;", "&#", "\u00a0", "  "} {
		if strings.Contains(a.Body, bad) || strings.Contains(a.Summary, bad) {
			t.Errorf("body or summary contains %q", bad)
		}
	}
	if a.Summary != "Taking many medicines at once – ‘polypharmacy’ – is common in later life. This guide explains the risks & what families can do." {
		t.Errorf("summary = %q", a.Summary)
	}
}

// leakMarkers must not appear in any extracted text of any record page.
var leakMarkers = []string{
	"MUST_NOT_LEAK", "Share on other sites", "Link to comment", "More sharing options", "Sign in", "Sign In",
	"Sign Up", "Recommended Comments", "Create an account", "reactions so far", "Edited", "Jump to content",
	"Go to this comment", "Posted by", "Rating:", "Privacy Policy", "Latest resources",
	"Popular tags", "Article information", "ipsHide", "{{BASE}}", "{", "}",
}

func TestExtractNoChromeLeaks(t *testing.T) {
	fixtures := loadSite(t, true)
	if len(fixtures) < minFixtures {
		t.Fatalf("found %d record fixtures, want at least %d", len(fixtures), minFixtures)
	}
	for _, f := range fixtures {
		a := extractFixture(t, f).Article
		if a == nil {
			t.Fatalf("%s: no article", f.rel)
		}
		texts := map[string]string{"title": a.Title, "author": a.Author, "category": a.Category, "summary": a.Summary, "body": a.Body}
		for _, c := range a.Comments {
			texts["comment "+c.ID] = c.Body
			texts["comment author "+c.ID] = c.Author
		}
		for field, s := range texts {
			for _, m := range leakMarkers {
				if strings.Contains(s, m) {
					t.Errorf("%s: %s contains %q: %q", f.rel, field, m, s)
				}
			}
			for _, line := range strings.Split(s, "\n") {
				switch line {
				case "Report", "Follow", "Share", "Summary", "Content", "Downloads", "Next", "Prev", "Like", "Thanks":
					t.Errorf("%s: %s has a chrome line %q", f.rel, field, line)
				}
			}
		}
		if a.Body == "" || a.Summary == "" || a.Title == "" || a.Author == "" || a.Category == "" {
			t.Errorf("%s: empty field: %+v", f.rel, a)
		}
	}
	// The script-heavy page keeps its real paragraphs.
	a := recordFixture(t, "-r9012/index.html").Article
	want := "Opioids are effective for acute pain and pain at the end of life, but there is little evidence that they help most people with long-term pain, and the risks of dependence and overdose rise with dose.\n" +
		"The speakers cover how to start a conversation about tapering, how to agree a plan with the patient, and how to work with pharmacists to review high-dose prescriptions.\n" +
		"Slides and a transcript are available to registered attendees."
	if a.Body != want {
		t.Errorf("r9012 body =\n%s\nwant\n%s", a.Body, want)
	}
}

func TestMergeCommentsAcrossThreePages(t *testing.T) {
	p1 := recordFixture(t, "-r12504/index.html")
	p2 := recordFixture(t, "-r12504/page/2/index.html")
	p3 := recordFixture(t, "-r12504/page/3/index.html")
	rec := p1.Article.URL
	if len(p1.CommentPages) != 2 || p1.CommentPages[0] != rec+"page/2/" || p1.CommentPages[1] != rec+"page/3/" {
		t.Fatalf("page 1 CommentPages = %v", p1.CommentPages)
	}
	if !slices.Equal(p2.CommentPages, []string{rec, rec + "page/3/"}) {
		t.Errorf("page 2 CommentPages = %v", p2.CommentPages)
	}
	for _, p := range []*Page{p2, p3} {
		if p.Article.ID != p1.Article.ID || p.Article.URL != rec {
			t.Errorf("comment page article id/url = %s %s, want %s %s", p.Article.ID, p.Article.URL, p1.Article.ID, rec)
		}
	}
	if !strings.HasSuffix(p3.Canonical, "/page/3/") {
		t.Fatalf("fixture: page 3 canonical should be the paged URL, got %s", p3.Canonical)
	}
	art := *p1.Article
	art.Comments = slices.Clone(p1.Article.Comments)
	// A page merged twice adds nothing the second time.
	MergeComments(&art, p2.Article, nil, p3.Article, p2.Article)
	if len(art.Comments) != 57 {
		t.Fatalf("merged %d comments, want 57", len(art.Comments))
	}
	seen := map[string]bool{}
	for i, c := range art.Comments {
		if want := strconv.Itoa(50001 + i); c.ID != want {
			t.Errorf("comment %d id = %s, want %s (page order)", i, c.ID, want)
		}
		if seen[c.ID] {
			t.Errorf("duplicate comment %s", c.ID)
		}
		seen[c.ID] = true
	}
	if len(p1.Article.Comments) != 25 {
		t.Errorf("MergeComments changed its inputs")
	}
	MergeComments(nil, p2.Article) // must not panic
}

func TestExtractRecordUnderTwoURLs(t *testing.T) {
	real := recordFixture(t, "human-factors-improving-human-performance-in-care-delivery/accelerated-learning-through-after-action-reviews-r11783/index.html")
	old := recordFixture(t, "patient-safety-in-health-and-care/human-factors/accelerated-learning-through-after-action-reviews-r11783/index.html")
	if old.Article.ID != real.Article.ID || old.Article.URL != real.Article.URL || old.Canonical != real.Article.URL {
		t.Errorf("old path: id %s url %s canonical %s; real: id %s url %s", old.Article.ID, old.Article.URL, old.Canonical, real.Article.ID, real.Article.URL)
	}
	if real.Article.ID != "pslhub:r11783" {
		t.Errorf("id = %s", real.Article.ID)
	}
}

func TestExtractNonASCIISlug(t *testing.T) {
	a := recordFixture(t, "-r14316/index.html").Article
	if want := fixtureBase + "/learn/investigations-risk-management-and-legal-issues/investigations-and-complaints/action-plans-and-applying-recommendations-from-investigations/when-learning-from-deaths-doesn%E2%80%99t-really-learn-the-need-for-system-change-r14316/"; a.URL != want {
		t.Errorf("url = %s\nwant %s", a.URL, want)
	}
	if a.Title != "When learning from deaths doesn’t really learn: the need for system change" {
		t.Errorf("title = %q", a.Title)
	}
	b := recordFixture(t, "-r5120/index.html").Article
	if !strings.Contains(b.URL, "/sl%C3%A1intecare-and-patient-safety-in-ireland-r5120/") || b.Title != "Sláintecare and patient safety in Ireland: Öffentliche lessons?" {
		t.Errorf("r5120: url %s title %q", b.URL, b.Title)
	}
}

func TestExtractAttachmentsAndReactions(t *testing.T) {
	a := recordFixture(t, "-r10120/index.html").Article
	want := []article.Attachment{
		{Name: "Medication-error-reporting-toolkit.pdf", URL: fixtureBase + "/applications/core/interface/file/attachment.php?id=20711"},
		{Name: "Learning huddle template.docx", URL: fixtureBase + "/applications/core/interface/file/attachment.php?id=20712"},
		{Name: "reporting-flowchart.png", URL: fixtureBase + "/uploads/monthly_2023_09/reporting-flowchart.png.1f2e3d4c.png"},
		{Name: "RPS medication safety summary.pdf", URL: fixtureBase + "/applications/cms/interface/file/file.php?record=10120&database=1&fileKey=a1b2c3&file=RPS%20medication%20safety%20summary.pdf"},
	}
	if !slices.Equal(a.Attachments, want) {
		t.Errorf("attachments = %+v\nwant %+v", a.Attachments, want)
	}
	s := recordFixture(t, "-r13688/index.html").Article
	if s.Reactions != 11 {
		t.Errorf("r13688 reactions = %d, want 11", s.Reactions)
	}
	if c := commentByID(t, s, "41202"); c.Reactions != 5 {
		t.Errorf("comment 41202 reactions = %d, want 5", c.Reactions)
	}
}

func TestExtractFieldsAndTaxonomy(t *testing.T) {
	a := recordFixture(t, "-r13688/index.html").Article
	if a.Author != "UK Sepsis Trust" || a.Category != "Sepsis" || a.ContentType != "Guides" {
		t.Errorf("author %q category %q content type %q", a.Author, a.Category, a.ContentType)
	}
	if !slices.Equal(a.Tags, []string{"UK", "Guides", "New", "Everyone", "Sepsis", "Deterioration"}) {
		t.Errorf("tags = %v (the sidebar tag cloud must not be included)", a.Tags)
	}
	if !slices.Equal(a.Regions, []string{"UK"}) || !slices.Equal(a.Audiences, []string{"Everyone"}) || !slices.Equal(a.Topics, []string{"Sepsis", "Deterioration"}) {
		t.Errorf("regions %v audiences %v topics %v", a.Regions, a.Audiences, a.Topics)
	}
	// No displayed-author field: the byline member.
	if b := recordFixture(t, "-r7950/index.html").Article; b.Author != "Clive Flashman" {
		t.Errorf("r7950 author = %q", b.Author)
	}
}

func TestExtractNonRecordPages(t *testing.T) {
	fixtures := loadSite(t, false)
	for _, suffix := range []string{"site/index.html", "profile/767-patient_safety_learning/index.html", "tags/Sepsis/index.html", "learn/index.html",
		"learn/patient-safety-in-health-and-care/medication/index.html", "learn/patient-safety-in-health-and-care/medication/page/2/index.html"} {
		var f *siteFixture
		for i := range fixtures {
			if "site/"+fixtures[i].rel == suffix || fixtures[i].rel == suffix {
				f = &fixtures[i]
			}
		}
		if f == nil {
			t.Fatalf("no fixture %s", suffix)
		}
		p := extractFixture(t, *f)
		if p.Article != nil || p.CommentPages != nil {
			t.Errorf("%s: got an article %+v", f.rel, p.Article)
		}
		if len(p.Links) < 10 {
			t.Errorf("%s: %d links", f.rel, len(p.Links))
		}
		for _, l := range p.Links {
			if strings.Contains(l, "#") || !strings.HasPrefix(l, "http") {
				t.Errorf("%s: link %q has a fragment or is not absolute", f.rel, l)
			}
		}
		if f.rel == "index.html" {
			for _, want := range []string{
				fixtureBase + "/learn/private-drafts/draft-never-events-review-r99901/",
				fixtureBase + "/learn/patient-safety-learning/retired-article-r5001/",
				fixtureBase + "/learn/patient-safety-in-health-and-care/conditions/sepsis/sepsis-recognising-the-deteriorating-patient-r13688/?utm_source=twitter&utm_medium=social",
				fixtureBase + "/learn/patient-safety-in-health-and-care/human-factors/accelerated-learning-through-after-action-reviews-r11783/",
			} {
				if !slices.Contains(p.Links, want) {
					t.Errorf("home links lack %s", want)
				}
			}
		}
		if strings.HasSuffix(f.rel, "medication/index.html") {
			if !slices.Contains(p.Links, fixtureBase+"/learn/patient-safety-in-health-and-care/medication/page/2/") {
				t.Errorf("medication listing lacks page 2 link")
			}
		}
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestExtractRecordWithoutPartsIsErrNotArticle(t *testing.T) {
	u := mustURL(t, "https://www.pslhub.org/learn/x/broken-record-r123/")
	for _, body := range []string{
		"",
		"<html><head></head><body><p>Nothing here</p></body></html>",
		"<html><head><title>   </title></head><body data-pageApp='cms'><div id='ipsLayout_mainArea'><div class='ipsPageHeader'><h1 class='ipsType_pageTitle'> </h1></div></div></body></html>",
		// A login wall served at a record URL: a title but no record parts.
		"<html><head><title>Sign In - Patient Safety Learning - the hub</title><meta property='og:title' content='Sign In'></head><body><div id='ipsLayout_mainArea'><h1 class='ipsType_reset ipsType_pageTitle'>Sign In</h1><form><input name='auth'></form></div></body></html>",
	} {
		p, err := Extract(u, []byte(body), ExtractOptions{Source: "pslhub"})
		if !errors.Is(err, ErrNotArticle) {
			t.Errorf("body %q: err = %v, page = %+v; want ErrNotArticle", body, err, p)
			continue
		}
		if !strings.Contains(err.Error(), u.String()) {
			t.Errorf("error %q does not name the URL", err)
		}
	}
}

func TestExtractFallbacks(t *testing.T) {
	u := mustURL(t, "https://hub.example/learn/cat/some-record-r42/page/2/?utm_source=x#comments")
	opts := ExtractOptions{Source: "ex", FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))}
	cases := []struct {
		name, body                          string
		title, author, url, category, body1 string
	}{
		{
			name:  "og title and byline author, no canonical",
			body:  `<html><head><meta property="og:title" content="OG Title"></head><body><div id="ipsLayout_mainArea"><div class="ipsPageHeader"><div class="ipsPageHeader__meta"><a href="/profile/1-x/"><img alt=""></a><p>By <a href="/profile/1-x/">Member Name</a></p><time datetime="2024-02-03T04:05:06Z">Yesterday</time></div></div><article><section class="ipsType_richText"><p>Body one.</p><p>Body two.</p></section></article></div></body></html>`,
			title: "OG Title", author: "Member Name", url: "https://hub.example/learn/cat/some-record-r42/", body1: "Body one.\nBody two.",
		},
		{
			name:  "JSON-LD headline and author",
			body:  `<html><head><script type="application/ld+json">{"@context":"http://schema.org","@type":"Article","headline":"LD Headline","author":{"@type":"Person","name":"LD Author"},"datePublished":"2023-07-11T09:00:00+0000","url":"https://hub.example/learn/cat/some-record-r42/"}</script></head><body><section class="ipsType_richText"><p>Text</p></section></body></html>`,
			title: "LD Headline", author: "LD Author", url: "https://hub.example/learn/cat/some-record-r42/", body1: "Text",
		},
		{
			name:  "title element minus page, category and board; paged canonical",
			body:  `<html><head><title>Real Title - Page 2 - My Category - Board - the hub</title><meta property="og:site_name" content="Board - the hub"><link rel="canonical" href="/learn/cat/some-record-r42/page/2/"></head><body><nav><ul data-role="breadcrumbList"><li><a href="/">Home</a></li><li><a href="/learn/">Learn</a></li><li><a href="/learn/cat/">My Category</a></li><li>Real Title</li></ul></nav><section class="ipsType_richText">Only text</section></body></html>`,
			title: "Real Title", url: "https://hub.example/learn/cat/some-record-r42/", category: "My Category", body1: "Only text",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Extract(u, []byte(c.body), opts)
			if err != nil {
				t.Fatal(err)
			}
			a := p.Article
			if a == nil {
				t.Fatal("no article")
			}
			if a.Title != c.title || a.Author != c.author || a.URL != c.url || a.Category != c.category || a.Body != c.body1 {
				t.Errorf("got title %q author %q url %q category %q body %q", a.Title, a.Author, a.URL, a.Category, a.Body)
			}
			if a.ID != "ex:r42" || a.Source != "ex" || a.FetchedAt.Location() != time.UTC || !a.FetchedAt.Equal(opts.FetchedAt) {
				t.Errorf("id %q source %q fetched %v", a.ID, a.Source, a.FetchedAt)
			}
		})
	}
}

func TestExtractRecordDetection(t *testing.T) {
	opts := ExtractOptions{Source: "pslhub"}
	ld := `<script type="application/ld+json">{"@type":"Article","headline":"H","url":"https://hub.example/learn/c/r-r77/"}</script>`
	// A JSON-LD Article whose url has a record id makes the page a record.
	p, err := Extract(mustURL(t, "https://hub.example/index.php?/learn/c/r-r77/"), []byte("<html><head>"+ld+"</head><body></body></html>"), opts)
	if err != nil || p.Article == nil || p.Article.ID != "pslhub:r77" {
		t.Fatalf("JSON-LD record: %+v %v", p, err)
	}
	// The truncated JSON-LD articleBody is the last resort for the body.
	withBody := `<script type="application/ld+json">{"@type":"Article","headline":"H","articleBody":"Truncated  text\n of the record…","url":"https://hub.example/learn/c/r-r78/"}</script>`
	p, err = Extract(mustURL(t, "https://hub.example/learn/c/r-r78/"), []byte("<html><head>"+withBody+"</head><body></body></html>"), opts)
	if err != nil || p.Article == nil || p.Article.Body != "Truncated text\nof the record…" {
		t.Fatalf("articleBody fallback: %+v %v", p.Article, err)
	}
	// Without a record id anywhere it is not a record.
	noID := `<script type="application/ld+json">{"@type":"Article","headline":"H","url":"https://hub.example/blog/post/"}</script>`
	p, err = Extract(mustURL(t, "https://hub.example/blog/post/"), []byte("<html><head>"+noID+"</head><body><a href='/x'>x</a></body></html>"), opts)
	if err != nil || p.Article != nil || len(p.Links) != 1 {
		t.Fatalf("non-record: %+v %v", p, err)
	}
	// Canonical with a record id wins over a non-record page URL.
	p, err = Extract(mustURL(t, "https://hub.example/?p=1"), []byte(`<html><head><link rel="canonical" href="https://hub.example/learn/c/t-r9/"></head><body><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div></body></html>`), opts)
	if err != nil || p.Article == nil || p.Article.URL != "https://hub.example/learn/c/t-r9/" {
		t.Fatalf("canonical record: %+v %v", p, err)
	}
}

func TestExtractLinks(t *testing.T) {
	body := `<html><head><base href="https://cdn.example/base/"><link rel="next" href="page/2/"><link rel="prev" href="/prev/"><link rel="stylesheet" href="/x.css"></head><body>
<a href="a/#frag">a</a><a href="a/">again</a><a href="#top">top</a><a href="javascript:void(0)">js</a><a href="mailto:x@example.org">m</a>
<a href="//other.example/p?utm_source=n&amp;q=1">other</a><a href="http://[::1">bad</a><a>no href</a><a href="">empty</a></body></html>`
	p, err := Extract(mustURL(t, "https://hub.example/page/"), []byte(body), ExtractOptions{Source: "s"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://cdn.example/base/page/2/", "https://cdn.example/prev/", "https://cdn.example/base/a/", "https://other.example/p?utm_source=n&q=1"}
	if !slices.Equal(p.Links, want) {
		t.Errorf("links = %q\nwant %q", p.Links, want)
	}
}

func TestExtractOptionErrors(t *testing.T) {
	if _, err := Extract(mustURL(t, "https://hub.example/x-r1/"), []byte("<h1 class='ipsType_pageTitle'>T</h1>"), ExtractOptions{}); err == nil {
		t.Error("empty Source accepted")
	}
	if _, err := Extract(mustURL(t, "/relative-r1/"), nil, ExtractOptions{Source: "s"}); err == nil {
		t.Error("relative page URL accepted")
	}
	if _, err := Extract(nil, nil, ExtractOptions{Source: "s"}); err == nil {
		t.Error("nil page URL accepted")
	}
}
