package crawler

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseFeed(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t.UTC() }
	for _, tc := range []struct {
		name, doc string
		want      []FeedItem
		next      string
		wordpress bool
	}{
		{"rss", `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
			<atom:link href="https://x.example/feed/" rel="self"/><link>https://x.example/</link><generator>https://wordpress.org/?v=6.5</generator>
			<item><title> Falls &amp; frailty&nbsp;</title><link>https://x.example/a/</link><dc:creator><![CDATA[Ann Lee]]></dc:creator>
			<pubDate>Thu, 15 May 2025 07:45:00 +0000</pubDate><category>Falls</category><category> </category></item>
			<item><title>No link</title></item>
			<item><title>Permalink guid</title><guid>https://x.example/b/</guid><pubDate>Tue, 2 Jan 2024 10:00:00 GMT</pubDate></item>
			</channel></rss>`,
			[]FeedItem{{Link: "https://x.example/a/", Title: "Falls & frailty", Author: "Ann Lee", Published: day("2025-05-15T07:45:00Z"), Categories: []string{"Falls"}},
				{Link: "https://x.example/b/", Title: "Permalink guid", Published: day("2024-01-02T10:00:00Z")}}, "", true},
		{"atom", `<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="/a.atom"/><link rel="next" href="/a.atom?page=2"/>
			<entry><title>Alert</title><link rel="alternate" href="https://y.example/alert"/><link rel="enclosure" href="https://y.example/a.pdf"/>
			<published>2025-01-09T10:00:00Z</published><updated>2025-02-01T09:00:00+01:00</updated><author><name>MHRA</name></author>
			<category term="drug-safety" label="Drug safety"/><category term="medicines"/></entry></feed>`,
			[]FeedItem{{Link: "https://y.example/alert", Title: "Alert", Author: "MHRA", Published: day("2025-01-09T10:00:00Z"),
				Updated: day("2025-02-01T08:00:00Z"), Categories: []string{"Drug safety", "medicines"}}}, "/a.atom?page=2", false},
		{"json", `{"version":"https://jsonfeed.org/version/1.1","next_url":"https://z.example/feed.json?p=2","items":[
			{"id":"1","url":"https://z.example/1","title":"One","date_published":"2025-03-01T00:00:00Z","authors":[{"name":"Kim"}],"tags":["sepsis"]},
			{"id":"2","title":"No URL"}]}`,
			[]FeedItem{{Link: "https://z.example/1", Title: "One", Author: "Kim", Published: day("2025-03-01T00:00:00Z"), Categories: []string{"sepsis"}}},
			"https://z.example/feed.json?p=2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFeed(strings.NewReader(tc.doc), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != len(tc.want) {
				t.Fatalf("items %+v, want %+v", f.Items, tc.want)
			}
			for i, it := range f.Items {
				w := tc.want[i]
				if it.Link != w.Link || it.Title != w.Title || it.Author != w.Author || !it.Published.Equal(w.Published) ||
					!it.Updated.Equal(w.Updated) || strings.Join(it.Categories, "|") != strings.Join(w.Categories, "|") {
					t.Errorf("item %d: %+v, want %+v", i, it, w)
				}
			}
			if f.Next != tc.next || f.WordPress != tc.wordpress {
				t.Errorf("next %q wordpress %v, want %q %v", f.Next, f.WordPress, tc.next, tc.wordpress)
			}
		})
	}
}

func TestParseFeedErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"", "empty document"},
		{"<html><body>not a feed</body></html>", "root element <html>"},
		{`{"items":[]}`, "not a JSON Feed"},
		{"<rss><channel><item>", "bad XML"},
		{"<rss>" + strings.Repeat(" ", 200) + "</rss>", "exceeds 100 bytes"},
	} {
		_, err := ParseFeed(strings.NewReader(tc.doc), 100, 0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.30q: error %v, want %q", tc.doc, err, tc.want)
		}
	}
	f, err := ParseFeed(strings.NewReader(`<rss><channel><item><link>/a</link></item><item><link>/b</link></item></channel></rss>`), 0, 1)
	if err != nil || len(f.Items) != 1 {
		t.Errorf("maxItems 1: %v items, %v", f, err)
	}
}

func TestNextFeedPage(t *testing.T) {
	cur, _ := url.Parse("https://x.example/feed/?paged=2")
	f := &Feed{WordPress: true, Items: []FeedItem{{Link: "https://x.example/a/"}}}
	if got := nextFeedPage(cur, f, 1); got == nil || got.String() != "https://x.example/feed/?paged=3" {
		t.Errorf("WordPress next page %v", got)
	}
	f.Next = "?page=9"
	if got := nextFeedPage(cur, f, 1); got == nil || got.String() != "https://x.example/feed/?page=9" {
		t.Errorf("rel=next page %v", got)
	}
	if got := nextFeedPage(cur, &Feed{Items: f.Items}, 0); got != nil {
		t.Errorf("a feed without paging gave %v", got)
	}
}
