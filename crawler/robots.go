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
	// rules are the parsed groups of a 2xx robots.txt (nil otherwise).
	rules *robotsRules
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
		p.rules = parseRobots(body, agent)
		p.crawlDelay, _ = p.rules.crawlDelay()
		p.sitemaps = p.rules.sitemaps
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
	if p.rules == nil {
		return true
	}
	return p.rules.allowed(robotsPath(u))
}

// MaxRobotsBytes is how much of a robots.txt is read and parsed; the rest
// is ignored (RFC 9309 §2.5 asks for at least 500 KiB).
const MaxRobotsBytes = 500 << 10

// CrawlDelay reads the Crawl-delay that applies to agent (a product token
// such as "safetysearch") from a robots.txt body, with the group selection
// of grobotstxt (Google's parser): the groups naming agent
// (case-insensitively, repeated groups merged) win; only when no group
// names agent do the "*" groups apply; a group for another bot never does.
// The largest value of the selected groups is returned. Fractions are
// allowed ("0.5"); invalid or negative values are ignored.
func CrawlDelay(body, agent string) (time.Duration, bool) {
	return parseRobots(body, agent).crawlDelay()
}

// robotsRule is one Allow or Disallow line (pattern escaped by the parser).
type robotsRule struct {
	allow   bool
	pattern string
	// literal is the pattern up to its first wildcard: a path that does
	// not start with it cannot match, which spares most Matches calls.
	literal string
}

func newRobotsRule(allow bool, pattern string) robotsRule {
	lit := pattern
	if i := strings.IndexAny(lit, "*$"); i >= 0 {
		lit = lit[:i]
	}
	return robotsRule{allow: allow, pattern: pattern, literal: lit}
}

// robotsRules is a robots.txt parsed once for one agent: the rules and
// Crawl-delay of the groups naming the agent and of the "*" groups. It is a
// grobotstxt.ParseHandler that tracks groups exactly like
// grobotstxt.RobotsMatcher (consecutive User-agent lines form a group; a
// rule line ends the list of agents) and matches like it, without parsing
// the file again for every URL.
type robotsRules struct {
	agent string

	inGlobal, inSpecific, separator bool
	seenSpecific                    bool

	specific, global                 []robotsRule
	specificDelay, globalDelay       time.Duration
	specificDelaySet, globalDelaySet bool
	sitemaps                         []string
}

func parseRobots(body, agent string) *robotsRules {
	r := &robotsRules{agent: agent}
	grobotstxt.Parse(body, r)
	return r
}

func (r *robotsRules) crawlDelay() (time.Duration, bool) {
	if r.seenSpecific {
		return r.specificDelay, r.specificDelaySet
	}
	return r.globalDelay, r.globalDelaySet
}

// allowed applies the longest-match rule (an Allow wins a tie) of the
// agent's groups, or of the "*" groups when no group names the agent.
func (r *robotsRules) allowed(path string) bool {
	best := func(rules []robotsRule) (allow, disallow int) {
		allow, disallow = -1, -1
		for _, x := range rules {
			if !strings.HasPrefix(path, x.literal) || !grobotstxt.Matches(path, x.pattern) {
				continue
			}
			if x.allow {
				allow = max(allow, len(x.pattern))
			} else {
				disallow = max(disallow, len(x.pattern))
			}
		}
		return allow, disallow
	}
	if a, d := best(r.specific); a > 0 || d > 0 {
		return d <= a
	}
	if r.seenSpecific {
		return true
	}
	a, d := best(r.global)
	if a > 0 || d > 0 {
		return d <= a
	}
	return true
}

// robotsPath is the path, params and query of u as robots.txt rules see
// it; "/" when empty.
func robotsPath(u *url.URL) string {
	p := u.EscapedPath()
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	if p == "" || p[0] != '/' {
		p = "/" + p
	}
	return p
}

func (r *robotsRules) HandleRobotsStart() {}
func (r *robotsRules) HandleRobotsEnd()   {}

func (r *robotsRules) HandleUserAgent(_ int, value string) {
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

func (r *robotsRules) addRule(allow bool, value string) {
	if !r.inGlobal && !r.inSpecific {
		return
	}
	r.separator = true
	rules := []robotsRule{newRobotsRule(allow, value)}
	// Google's matcher treats an allowed ".../index.htm(l)" as ".../$".
	if i := strings.LastIndexByte(value, '/'); allow && i >= 0 && strings.HasPrefix(value[i:], "/index.htm") {
		rules = append(rules, newRobotsRule(true, value[:i+1]+"$"))
	}
	if r.inSpecific {
		r.specific = append(r.specific, rules...)
	} else {
		r.global = append(r.global, rules...)
	}
}

func (r *robotsRules) HandleAllow(_ int, value string)    { r.addRule(true, value) }
func (r *robotsRules) HandleDisallow(_ int, value string) { r.addRule(false, value) }
func (r *robotsRules) HandleSitemap(_ int, value string)  { r.sitemaps = append(r.sitemaps, value) }

func (r *robotsRules) HandleUnknownAction(_ int, action, value string) {
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
		if !r.specificDelaySet || d > r.specificDelay {
			r.specificDelay = d
		}
		r.specificDelaySet = true
	} else {
		if !r.globalDelaySet || d > r.globalDelay {
			r.globalDelay = d
		}
		r.globalDelaySet = true
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
