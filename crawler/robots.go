package crawler

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jimsmart/grobotstxt"
)

// robotsPolicy is what one host's robots.txt says for this run (RFC 9309
// §2.3.1): a 2xx body is parsed, a 4xx allows everything, a 5xx or an
// unreachable robots.txt disallows everything until the next run.
type robotsPolicy struct {
	// body is the robots.txt text (2xx only).
	body string
	// disallowAll is set when robots.txt was unavailable (5xx, network).
	disallowAll bool
	// reason explains disallowAll ("robots.txt: HTTP 503", …).
	reason string
	// agent is our product token.
	agent string
	// crawlDelay is the Crawl-delay for agent (0 when none).
	crawlDelay time.Duration
	// sitemaps are the Sitemap: lines.
	sitemaps []string
}

func newRobotsPolicy(status int, body, agent string) *robotsPolicy {
	p := &robotsPolicy{agent: agent}
	switch {
	case status >= 200 && status < 300:
		p.body = body
		p.crawlDelay, _ = CrawlDelay(body, agent)
		p.sitemaps = grobotstxt.Sitemaps(body)
	case status >= 400 && status < 500:
		// allow all
	default:
		p.disallowAll = true
		p.reason = "robots.txt answered HTTP " + strconv.Itoa(status)
	}
	return p
}

func unavailableRobots(agent, reason string) *robotsPolicy {
	return &robotsPolicy{agent: agent, disallowAll: true, reason: reason}
}

// Allowed reports whether u may be fetched.
func (p *robotsPolicy) Allowed(u *url.URL) bool {
	if p.disallowAll {
		return false
	}
	if p.body == "" {
		return true
	}
	return grobotstxt.AgentAllowed(p.body, p.agent, u.String())
}

// CrawlDelay reads the Crawl-delay that applies to agent (a product token
// such as "safetysearch") from a robots.txt body, with the group selection
// of grobotstxt (Google's parser): the groups naming agent
// (case-insensitively, repeated groups merged) win; only when no group
// names agent do the "*" groups apply; a group for another bot never does.
// The largest value of the selected groups is returned. Fractions are
// allowed ("0.5"); invalid or negative values are ignored.
func CrawlDelay(body, agent string) (time.Duration, bool) {
	r := &crawlDelayReader{agent: agent}
	grobotstxt.Parse(body, r)
	if r.seenSpecific {
		return r.specific, r.specificSet
	}
	return r.global, r.globalSet
}

// crawlDelayReader is a grobotstxt.ParseHandler tracking groups exactly
// like grobotstxt.RobotsMatcher: consecutive User-agent lines form a
// group; a rule line ends the list of agents.
type crawlDelayReader struct {
	agent string

	inGlobal, inSpecific, separator bool
	seenSpecific                    bool

	specific, global       time.Duration
	specificSet, globalSet bool
}

func (r *crawlDelayReader) HandleRobotsStart() {}
func (r *crawlDelayReader) HandleRobotsEnd()   {}

func (r *crawlDelayReader) HandleUserAgent(_ int, value string) {
	if r.separator {
		r.inGlobal, r.inSpecific, r.separator = false, false, false
	}
	if value != "" && value[0] == '*' && (len(value) == 1 || value[1] == ' ' || value[1] == '\t') {
		r.inGlobal = true
		return
	}
	if strings.EqualFold(uaToken(value), r.agent) {
		r.inSpecific = true
		r.seenSpecific = true
	}
}

func (r *crawlDelayReader) HandleAllow(int, string) {
	r.separator = r.inGlobal || r.inSpecific || r.separator
}
func (r *crawlDelayReader) HandleDisallow(int, string) {
	r.separator = r.inGlobal || r.inSpecific || r.separator
}
func (r *crawlDelayReader) HandleSitemap(int, string) {}

func (r *crawlDelayReader) HandleUnknownAction(_ int, action, value string) {
	a := strings.ToLower(action)
	if a != "crawl-delay" && a != "crawldelay" && a != "crawl_delay" {
		return
	}
	if !r.inGlobal && !r.inSpecific {
		return
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || f < 0 || f > 1e6 {
		return
	}
	d := time.Duration(f * float64(time.Second))
	if r.inSpecific {
		if !r.specificSet || d > r.specific {
			r.specific = d
		}
		r.specificSet = true
	} else {
		if !r.globalSet || d > r.global {
			r.global = d
		}
		r.globalSet = true
	}
}

// uaToken is the matchable part of a User-agent value (grobotstxt stops
// at the first character that is not a token character).
func uaToken(v string) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("~#$%'*+-.^_`|", c) >= 0) {
			return v[:i]
		}
	}
	return v
}
