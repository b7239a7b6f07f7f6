package crawler

import (
	"slices"
	"testing"
)

// Markup variants the real pslhub theme may use instead of our fixture
// template: each fallback path of the extractor is exercised here.
func TestExtractMarkupVariants(t *testing.T) {
	u := mustURL(t, "https://hub.example/learn/cat/rec-r5/")
	opts := ExtractOptions{Source: "pslhub"}
	extract := func(t *testing.T, body string) *Page {
		t.Helper()
		p, err := Extract(u, []byte(body), opts)
		if err != nil || p.Article == nil {
			t.Fatalf("Extract: %+v %v", p, err)
		}
		return p
	}

	t.Run("summary and content introduced by headings", func(t *testing.T) {
		a := extract(t, `<div id="ipsLayout_mainArea"><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div>
<article><div><h3>Summary</h3><div class="ipsType_richText"><p>The summary.</p></div>
<h3>Content</h3><div class="ipsType_richText"><p>The content.</p></div></div></article></div>`).Article
		if a.Summary != "The summary." || a.Body != "The content." {
			t.Errorf("summary %q body %q", a.Summary, a.Body)
		}
	})

	t.Run("IPS default record template", func(t *testing.T) {
		a := extract(t, `<div id="ipsLayout_mainArea"><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div>
<article class="ipsContained"><div class="ipsClearfix ipsPadding"><section class="ipsType_richText"><p>Default body.</p></section>
<p data-excludequote><strong>Edited by X</strong></p></div>
<div class="ipsItemControls"><div class="ipsReact"><ul class="ipsReact_reactions"><li class="ipsReact_reactCount"><span><img alt="Like"></span><span>3</span></li><li class="ipsReact_reactCount"><span><img alt="Thanks"></span><span>2</span></li></ul></div></div></article>
<div id="comments"><article class="ipsComment" id="elComment_9"><div data-commentid="9"><h3 class="ipsComment_author"><a>C</a></h3><div data-role="commentContent"><section class="ipsType_richText"><p>A comment.</p></section></div></div></article></div></div>`).Article
		if a.Body != "Default body." || a.Summary != "" {
			t.Errorf("summary %q body %q", a.Summary, a.Body)
		}
		if a.Reactions != 5 {
			t.Errorf("individual reactions sum = %d, want 5", a.Reactions)
		}
		if len(a.Comments) != 1 || a.Comments[0].Body != "A comment." {
			t.Errorf("comments %+v", a.Comments)
		}
	})

	t.Run("reaction text only", func(t *testing.T) {
		a := extract(t, `<div id="ipsLayout_mainArea"><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div>
<article><section class="ipsType_richText">B</section><div class="ipsItemControls"><div class="ipsReact_blurb">1,204 reactions so far</div></div></article></div>`).Article
		if a.Reactions != 1204 {
			t.Errorf("reactions = %d", a.Reactions)
		}
	})

	t.Run("tags outside the header, sidebar ignored", func(t *testing.T) {
		a := extract(t, `<div id="ipsLayout_mainArea"><h1 class="ipsType_pageTitle">T</h1>
<div id="ipsLayout_sidebar"><ul class="ipsTags"><a class="ipsTag" data-tag-label="Sidebar">Sidebar</a></ul></div>
<ol><li class="ipsDataItem"><ul class="ipsTags"><a class="ipsTag">Listing</a></ul></li></ol>
<ul class="ipsTags"><li><a class="ipsTag"><span>UK</span></a></li><li><a class="ipsTag" data-tag-label="Blogs">x</a></li><li><a class="ipsTag">uk</a></li><li><a class="ipsTag">  Human   factors </a></li></ul>
<section class="ipsType_richText">B</section></div>`).Article
		if !slices.Equal(a.Tags, []string{"UK", "Blogs", "Human factors"}) || a.ContentType != "Blogs" || !slices.Equal(a.Topics, []string{"Human factors"}) {
			t.Errorf("tags %q content type %q topics %q", a.Tags, a.ContentType, a.Topics)
		}
	})

	t.Run("comment pages from links when data-pages is absent", func(t *testing.T) {
		p := extract(t, `<div id="ipsLayout_mainArea"><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div><article><section class="ipsType_richText">B</section></article>
<div id="comments" data-commentsType="comments"><ul class="ipsPagination"><li class="ipsPagination_page ipsPagination_active"><a href="https://hub.example/learn/cat/rec-r5/#comments" data-page="1">1</a></li>
<li class="ipsPagination_page"><a href="https://hub.example/learn/cat/rec-r5/page/2/#comments" data-page="2">2</a></li>
<li class="ipsPagination_next"><a href="https://hub.example/learn/cat/rec-r5/page/2/?tab=comments#comments" rel="next">Next</a></li></ul></div></div>`)
		if !slices.Equal(p.CommentPages, []string{"https://hub.example/learn/cat/rec-r5/page/2/"}) {
			t.Errorf("comment pages = %q", p.CommentPages)
		}
	})

	t.Run("comment fallbacks: id attribute, quoteData author, featured article skipped", func(t *testing.T) {
		a := extract(t, `<div id="ipsLayout_mainArea"><div class="ipsPageHeader"><h1 class="ipsType_pageTitle">T</h1></div><article><section class="ipsType_richText">B</section></article>
<div id="comments"><div class="ipsRecommendedComments"><article class="ipsComment ipsComment_recommended" id="elComment_7"><div data-commentid="7"><div data-role="commentContent">truncated copy</div></div></article></div>
<article class="ipsComment" id="elComment_7"><div data-quoteData='{"username":"Quoted Name"}'><p class="ipsComment_meta"><time datetime="2024-01-02T03:04:05+0000">just now</time></p><div data-role="commentContent"><p>Full comment.</p><span data-excludequote><strong>Edited <time>1 hour ago</time> by Someone Else</strong></span></div></div></article>
<article class="ipsComment" id="elComment_7"><div data-role="commentContent">duplicate</div></article></div></div>`).Article
		if len(a.Comments) != 1 {
			t.Fatalf("comments = %+v", a.Comments)
		}
		c := a.Comments[0]
		if c.ID != "7" || c.Author != "Quoted Name" || c.Body != "Full comment." || c.EditedBy != "Someone Else" || c.Published.Format("2006-01-02T15:04:05Z07:00") != "2024-01-02T03:04:05Z" {
			t.Errorf("comment = %+v", c)
		}
	})
}

func TestParseMachineDate(t *testing.T) {
	for in, want := range map[string]string{
		"2023-07-11T09:00:00+0000":      "2023-07-11T09:00:00Z",
		"2023-07-11T09:00:00Z":          "2023-07-11T09:00:00Z",
		"2023-07-11T10:00:00+01:00":     "2023-07-11T09:00:00Z",
		"2023-07-11T04:00:00-0500":      "2023-07-11T09:00:00Z",
		"2023-07-11T09:00:00.123+00:00": "2023-07-11T09:00:00.123Z",
		" 2023-07-11 ":                  "2023-07-11T00:00:00Z",
		"2023-07-11T09:00:00":           "2023-07-11T09:00:00Z",
	} {
		got, ok := parseMachineDate(in)
		if !ok || got.Format("2006-01-02T15:04:05.999Z07:00") != want {
			t.Errorf("parseMachineDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2 hours ago", "Yesterday at 4:12 PM", "0000-00-00T00:00:00+0000", "1970-01-01T00:00:00Z", "July 11, 2023"} {
		if got, ok := parseMachineDate(bad); ok {
			t.Errorf("parseMachineDate(%q) = %v, want failure", bad, got)
		}
	}
}
