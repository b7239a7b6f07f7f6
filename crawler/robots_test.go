package crawler

import (
	"net/url"
	"testing"
	"time"

	"github.com/jimsmart/grobotstxt"
)

func TestCrawlDelayGroupSelection(t *testing.T) {
	cases := []struct {
		name string
		body string
		want time.Duration
		ok   bool
	}{
		{"none", "User-agent: *\nDisallow: /x\n", 0, false},
		{"global", "User-agent: *\nCrawl-delay: 5\nDisallow: /x\n", 5 * time.Second, true},
		{"specific wins over global", "User-agent: *\nCrawl-delay: 5\n\nUser-agent: safetysearch\nCrawl-delay: 2\n", 2 * time.Second, true},
		{"case-insensitive agent and key", "user-agent: SafetySearch\ncrawl-DELAY: 3\n", 3 * time.Second, true},
		{"other bot's group never applies", "User-agent: GPTBot\nDisallow: /\nCrawl-delay: 60\n\nUser-agent: *\nCrawl-delay: 1\n", time.Second, true},
		{"other bot only", "User-agent: GPTBot\nCrawl-delay: 60\n", 0, false},
		{"specific group without delay hides global", "User-agent: *\nCrawl-delay: 9\n\nUser-agent: safetysearch\nDisallow: /private/\n", 0, false},
		{"repeated groups merged (largest)", "User-agent: safetysearch\nCrawl-delay: 2\nDisallow: /a\n\nUser-agent: foo\nDisallow: /\n\nUser-agent: safetysearch\nCrawl-delay: 4\n", 4 * time.Second, true},
		{"shared group", "User-agent: foo\nUser-agent: safetysearch\nCrawl-delay: 7\nDisallow: /\n", 7 * time.Second, true},
		{"fraction", "User-agent: *\nCrawl-delay: 0.5\n", 500 * time.Millisecond, true},
		{"garbage ignored", "User-agent: *\nCrawl-delay: soon\n", 0, false},
		{"negative ignored", "User-agent: *\nCrawl-delay: -3\n", 0, false},
		{"version in line", "User-agent: safetysearch/1.0\nCrawl-delay: 8\n", 8 * time.Second, true},
		{"prefix is another bot", "User-agent: safetysearchbot\nCrawl-delay: 8\n", 0, false},
		{"delay before any agent ignored", "Crawl-delay: 30\nUser-agent: *\nDisallow: /x\n", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := CrawlDelay(c.body, "safetysearch")
			if got != c.want || ok != c.ok {
				t.Errorf("CrawlDelay = %v,%v want %v,%v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestRobotsPolicy(t *testing.T) {
	body := `# Rules for Invision Community
User-Agent: GPTBot
Disallow: /

User-Agent: *
Disallow: /search/
Disallow: /*?sortby=
Disallow: /learn/private-r9/
Crawl-delay: 2

Sitemap: https://www.pslhub.org/sitemap.php
`
	u := func(s string) *url.URL { p, _ := url.Parse(s); return p }
	p := newRobotsPolicy(200, body, "safetysearch")
	checks := map[string]bool{
		"https://www.pslhub.org/learn/x-r1/":            true,
		"https://www.pslhub.org/learn/private-r9/":      false,
		"https://www.pslhub.org/search/":                false,
		"https://www.pslhub.org/learn/?sortby=title":    false,
		"https://www.pslhub.org/learn/a%E2%80%99b-r10/": true,
	}
	for s, want := range checks {
		if got := p.Allowed(u(s)); got != want {
			t.Errorf("Allowed(%s) = %v, want %v (GPTBot group must not apply)", s, got, want)
		}
	}
	if p.crawlDelay != 2*time.Second {
		t.Errorf("crawlDelay = %v", p.crawlDelay)
	}
	if len(p.sitemaps) != 1 || p.sitemaps[0] != "https://www.pslhub.org/sitemap.php" {
		t.Errorf("sitemaps = %v", p.sitemaps)
	}

	if !newRobotsPolicy(404, "", "safetysearch").Allowed(u("https://x.org/anything")) {
		t.Error("4xx robots.txt must allow all")
	}
	for _, st := range []int{500, 503} {
		p := newRobotsPolicy(st, "", "safetysearch")
		if p.Allowed(u("https://x.org/learn/")) || !p.disallowAll || p.reason == "" {
			t.Errorf("%d robots.txt must disallow all with a reason: %+v", st, p)
		}
	}
	if unavailableRobots("safetysearch", "connection refused").Allowed(u("https://x.org/")) {
		t.Error("unreachable robots.txt must disallow all")
	}
}

// The rules parsed once decide exactly as grobotstxt, which parses the
// whole file again for every URL.
func TestRobotsRulesMatchGrobotstxt(t *testing.T) {
	bodies := []string{
		"User-agent: *\nDisallow: /search/\nDisallow: /*?sortby=\nAllow: /search/help$\n",
		"User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nDisallow: /learn/private/\nAllow: /learn/private/open/\n",
		"User-agent: safetysearch\nDisallow: /a\n\nUser-agent: *\nDisallow: /\n",
		"User-agent: safetysearch\nCrawl-delay: 3\n\nUser-agent: *\nDisallow: /\n",
		"User-agent: *\nAllow: /x/index.html\nDisallow: /x/\n",
		"User-agent: *\nDisallow: /*.pdf$\nDisallow: /tags/\nAllow: /tags/Sepsis/\nDisallow:\n",
		"Disallow: /orphan\nUser-agent: foo\nUser-agent: SafetySearch/2.0\nDisallow: /b/\nAllow: /b/c\n",
		"User-agent: *\nDisallow: /caf%C3%A9/\nDisallow: /q?do=\n",
	}
	paths := []string{"/", "/search/", "/search/help", "/learn/x/?sortby=date", "/learn/private/a", "/learn/private/open/b",
		"/a", "/ab", "/b/c", "/b/d", "/x/", "/x/index.html", "/x/y", "/doc.pdf", "/doc.pdf?x", "/tags/Sepsis/", "/tags/Other/",
		"/café/", "/caf%C3%A9/x", "/q?do=1", "/orphan"}
	for _, body := range bodies {
		r := parseRobots(body, "safetysearch")
		for _, p := range paths {
			u, err := url.Parse("https://hub.example" + p)
			if err != nil {
				t.Fatal(err)
			}
			want := grobotstxt.AgentAllowed(body, "safetysearch", u.String())
			if got := r.allowed(robotsPath(u)); got != want {
				t.Errorf("robots %q path %s: allowed %v, grobotstxt says %v", body, p, got, want)
			}
		}
	}
}
