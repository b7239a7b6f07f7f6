package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ErrDisallowed is returned by FetchPage when robots.txt forbids the URL
// (or a redirect target) to the configured User-Agent.
var ErrDisallowed = errors.New("disallowed by robots.txt")

// FetchedPage is one HTML page fetched by FetchPage.
type FetchedPage struct {
	// URL is the final URL after redirects.
	URL *url.URL
	// Status is the HTTP status (200).
	Status int
	// Body is the page as UTF-8.
	Body []byte
	// FetchedAt is when the answer arrived (UTC).
	FetchedAt time.Time
	// Delay is the gap kept between requests to the host: max(Delay,
	// robots.txt Crawl-delay capped by MaxCrawlDelay).
	Delay time.Duration
}

// FetchPage fetches one HTML page as the crawler would, for checking a
// page before a crawl: the host's robots.txt first (its rules and
// Crawl-delay obeyed for cfg.UserAgent, an unavailable robots.txt
// forbidding everything), then the page, the same User-Agent, timeout, body
// cap and redirect rules (each target re-checked against robots.txt), the
// body decoded to UTF-8. cfg.Sources is ignored; the other fields take
// their defaults as in New. Non-2xx answers, non-HTML bodies and refusals
// are errors (*FetchError, or one wrapping ErrDisallowed).
func FetchPage(ctx context.Context, cfg Config, rawURL string) (*FetchedPage, error) {
	cfg.Sources = nil
	cfg = cfg.withDefaults()
	if productToken(cfg.UserAgent) == "" || strings.ContainsAny(cfg.UserAgent, "\r\n") {
		return nil, fmt.Errorf("crawler: fetch page: UserAgent %q is not a valid User-Agent", cfg.UserAgent)
	}
	u, err := NormalizeURL(rawURL, nil)
	if err != nil {
		return nil, err
	}
	o := &oneFetch{cfg: cfg, f: newFetcher(cfg), agent: productToken(cfg.UserAgent), robots: map[string]*robotsPolicy{}}
	cur := u
	chain := []string{cur.String()}
	for hops := 0; ; hops++ {
		if !cfg.AllowPrivateNetworks && isPrivateHost(cur.Hostname()) {
			return nil, fmt.Errorf("crawler: fetch %s: a loopback or private address (set AllowPrivateNetworks)", cur)
		}
		if err := o.allowed(ctx, cur); err != nil {
			return nil, err
		}
		if err := o.wait(ctx, cur); err != nil {
			return nil, err
		}
		resp, err := o.f.get(ctx, cur, http.Header{"Accept": {acceptHTML}}, 0)
		if err != nil {
			return nil, err
		}
		if resp.Status >= 300 && resp.Status < 400 && resp.Status != http.StatusNotModified {
			loc := resp.Header.Get("Location")
			next, err := NormalizeURL(loc, cur)
			if err != nil {
				return nil, &FetchError{Kind: KindRedirectBad, URL: u.String(), Status: resp.Status,
					Err: fmt.Errorf("HTTP %d with unusable Location %q", resp.Status, loc)}
			}
			chain = append(chain, next.String())
			if slices.Contains(chain[:len(chain)-1], next.String()) {
				return nil, &FetchError{Kind: KindRedirectLoop, URL: u.String(), Status: resp.Status,
					Err: fmt.Errorf("redirect loop: %s", strings.Join(chain, " → "))}
			}
			if hops+1 > MaxRedirects {
				return nil, &FetchError{Kind: KindTooManyRedirects, URL: u.String(), Status: resp.Status,
					Err: fmt.Errorf("more than %d redirects: %s", MaxRedirects, strings.Join(chain, " → "))}
			}
			cur = next
			continue
		}
		if resp.Status != http.StatusOK {
			return nil, statusError(resp)
		}
		body, err := decodeHTML(resp)
		if err != nil {
			return nil, err
		}
		return &FetchedPage{URL: cur, Status: resp.Status, Body: body, FetchedAt: time.Now().UTC(), Delay: o.delay(cur)}, nil
	}
}

// oneFetch is the politeness state of one FetchPage call: robots.txt per
// host and the time of the last request to each host.
type oneFetch struct {
	cfg    Config
	f      *fetcher
	agent  string
	robots map[string]*robotsPolicy
	last   map[string]time.Time
}

// allowed reads u's host's robots.txt once (redirects ≤ MaxRedirects, as
// the crawl does) and checks u against it.
func (o *oneFetch) allowed(ctx context.Context, u *url.URL) error {
	key := hostKey(u)
	pol, ok := o.robots[key]
	if !ok {
		var err error
		pol, err = readRobots(ctx, func(ctx context.Context, u *url.URL) (*response, error) {
			if err := o.wait(ctx, u); err != nil {
				return nil, err
			}
			return o.f.get(ctx, u, nil, MaxRobotsBytes)
		}, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}, o.agent)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pol = unavailableRobots(o.agent, err.Error())
		}
		o.robots[key] = pol
	}
	if pol.disallowAll {
		return fmt.Errorf("crawler: fetch %s: %w: robots.txt unavailable (%s), so nothing on %s may be fetched", u, ErrDisallowed, pol.reason, key)
	}
	if !pol.Allowed(u) {
		return fmt.Errorf("crawler: fetch %s: %w for user agent %q", u, ErrDisallowed, o.agent)
	}
	return nil
}

// delay is the gap between two requests to u's host.
func (o *oneFetch) delay(u *url.URL) time.Duration {
	d := o.cfg.Delay
	if pol := o.robots[hostKey(u)]; pol != nil && pol.crawlDelay > d {
		d = min(pol.crawlDelay, o.cfg.MaxCrawlDelay)
	}
	return d
}

// wait keeps the host's delay since the previous request to it.
func (o *oneFetch) wait(ctx context.Context, u *url.URL) error {
	if o.last == nil {
		o.last = map[string]time.Time{}
	}
	key := hostKey(u)
	if last, ok := o.last[key]; ok {
		t := time.NewTimer(time.Until(last.Add(o.delay(u))))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	o.last[key] = time.Now()
	return nil
}

// decodeHTML checks that an answer is HTML and returns it as UTF-8.
func decodeHTML(resp *response) ([]byte, error) {
	if !isHTML(resp.ContentType, resp.Body) {
		return nil, &FetchError{Kind: KindNotHTML, URL: resp.URL.String(), Status: resp.Status,
			Err: fmt.Errorf("Content-Type %q is not HTML", resp.ContentType)}
	}
	body, err := toUTF8(resp.Body, resp.ContentType)
	if err != nil {
		return nil, &FetchError{Kind: KindCharset, URL: resp.URL.String(), Status: resp.Status, Err: err}
	}
	return body, nil
}

// DecodeHTML returns a saved page as UTF-8, with the charset rules of the
// crawl (contentType may be "": the <meta charset> and sniffing decide).
func DecodeHTML(body []byte, contentType string) ([]byte, error) {
	return toUTF8(body, contentType)
}
