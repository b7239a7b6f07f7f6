package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by Config.withDefaults (and so by New) to zero fields.
const (
	DefaultDelay         = time.Second
	DefaultMaxBodyBytes  = 10 << 20
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 3
	DefaultMaxRetryAfter = 10 * time.Minute
	DefaultBackoffBase   = 2 * time.Second
	DefaultMaxPages      = 100000
	DefaultMaxCrawlDelay = 60 * time.Second
	DefaultConcurrency   = 2
	// DefaultMaxQueuedURLs bounds a source's frontier.
	DefaultMaxQueuedURLs = 100000
	// DefaultMaxLinksPerPage bounds the in-scope links taken from one page.
	DefaultMaxLinksPerPage = 1000
	// DefaultMaxCommentPages bounds the comment pages read per record (25
	// comments a page on IPS).
	DefaultMaxCommentPages = 200
	// DefaultMaxSitemaps bounds the sitemap files read per source per run.
	DefaultMaxSitemaps = 1000
	// DefaultFullPassEvery is how often a feed or sitemap source fetches
	// every page it lists.
	DefaultFullPassEvery = 7 * 24 * time.Hour
	DefaultContactURL    = "https://github.com/safetysearch/safetysearch"
	// DefaultMaxDocumentBytes caps one fetched document (PDF).
	DefaultMaxDocumentBytes = 50 << 20
	// DefaultMaxDocumentPages refuses documents with more pages.
	DefaultMaxDocumentPages = 2000
	// DefaultDocumentTimeout bounds the extraction of one document.
	DefaultDocumentTimeout = 2 * time.Minute
	// ProductToken is the robots.txt product token the crawler obeys.
	ProductToken = "safetysearch"
)

// DefaultAllowPrefixes is the path allow list of a source that sets none:
// the IPS Pages database of pslhub.
var DefaultAllowPrefixes = []string{"/learn/"}

// DefaultUserAgent returns "safetysearch/<version> (+<contact>)".
func DefaultUserAgent(version, contact string) string {
	if version == "" {
		version = "dev"
	}
	if contact == "" {
		contact = DefaultContactURL
	}
	return fmt.Sprintf("%s/%s (+%s)", ProductToken, version, contact)
}

// SourceConfig is one site to crawl.
type SourceConfig struct {
	// Name is the source name stored in Article.Source and used in article
	// ids; "" → derived from the host (see SourceName).
	Name string
	// URL is the site's base URL, e.g. https://www.pslhub.org/.
	URL string
	// AllowPrefixes are the URL path prefixes that may be fetched
	// (default DefaultAllowPrefixes). Start URLs are exempt.
	AllowPrefixes []string
	// StartURLs are fetched first (default: base URL + each allow prefix).
	// Relative URLs are resolved against URL. For the feed and sitemap
	// kinds they are further feeds or sitemaps read with URL.
	StartURLs []string
	// Kind is how the source is discovered: SourceIPS (default), SourceFeed
	// (URL is an RSS 2.0, Atom or JSON Feed) or SourceSitemap (URL is a
	// sitemap or sitemap index, or the site whose robots.txt names them).
	Kind string
	// Publisher is stored in Article.Publisher (default: Name).
	Publisher string
	// Include and Exclude are regular expressions matched against a page's
	// normalised URL: with Include set a page must match one of them, and
	// it must match none of Exclude. Feeds and sitemaps are exempt.
	Include, Exclude []string
	// Delay is the minimum time between two requests to this source's
	// host (0: Config.Delay); a larger robots.txt Crawl-delay wins.
	Delay time.Duration
	// FullPassEvery is how often a feed or sitemap source fetches every
	// page whatever the feed dates and lastmod say (default
	// DefaultFullPassEvery); the time of the last full pass is stored per
	// source.
	FullPassEvery time.Duration
	// DefaultTags are given to every article of the source (e.g. region UK
	// for a UK publisher).
	DefaultTags TagMapping
	// Categories maps the publisher's own categories, tags and feed
	// categories (matched as taxonomy tags are) to the hub's facets.
	Categories map[string]TagMapping
	// Documents selects the documents fetched and read after the pages
	// (default DocumentsAttachments).
	Documents DocumentsMode
}

// DocumentsMode is which documents of a source's articles are fetched and
// their text extracted.
type DocumentsMode string

// The document modes of a source.
const (
	// DocumentsOff fetches no document.
	DocumentsOff DocumentsMode = "off"
	// DocumentsAttachments fetches the files attached to records.
	DocumentsAttachments DocumentsMode = "attachments"
	// DocumentsLinked adds PDF documents linked from an article's body on
	// the same source.
	DocumentsLinked DocumentsMode = "linked"
)

// Config holds the crawler's settings. Zero values take the defaults above.
type Config struct {
	Sources []SourceConfig
	// UserAgent sent with every request (default DefaultUserAgent("dev", "")).
	// Its product token (before the first "/") selects the robots.txt group.
	UserAgent string
	// Delay is the minimum time between two requests to one host; a larger
	// robots.txt Crawl-delay (capped by MaxCrawlDelay) wins.
	Delay time.Duration
	// MaxCrawlDelay caps a robots.txt Crawl-delay (default 60s).
	MaxCrawlDelay time.Duration
	// MaxBodyBytes caps a response body; a larger body is an error.
	MaxBodyBytes int64
	// Timeout is the per-request deadline (headers and body).
	Timeout time.Duration
	// MaxRetries is how many times one URL is retried in a run after a
	// 5xx, 429, timeout or connection error.
	MaxRetries int
	// BackoffBase is the first retry back-off; it doubles per attempt and
	// gets ±50% jitter.
	BackoffBase time.Duration
	// MaxRetryAfter caps a Retry-After pause of a host; a longer one pauses
	// the host for the cap and is reported.
	MaxRetryAfter time.Duration
	// MaxPages caps the requests per source per run: pages, comment
	// pages, sitemaps, robots.txt, redirects and retries all count. The
	// rest of the frontier stays in the store for the next run.
	MaxPages int
	// MaxQueuedURLs caps a source's frontier; URLs found beyond it are
	// dropped and counted (Summary.QueueDropped).
	MaxQueuedURLs int
	// MaxLinksPerPage caps the in-scope links queued from one page; the
	// rest are counted (Summary.LinksDropped).
	MaxLinksPerPage int
	// MaxCommentPages caps the comment pages read per record (page 1
	// included); a record with more keeps the comments of the first ones.
	MaxCommentPages int
	// MaxSitemaps caps the sitemap files read per source per run.
	MaxSitemaps int
	// Taxonomy classifies tags (nil → DefaultTaxonomy()).
	Taxonomy *Taxonomy
	// AllowPrivateNetworks must be true to crawl loopback or private
	// addresses (tests, intranets). When false every connection, redirects
	// included, is checked after name resolution and refused with
	// ErrPrivateNetwork; no proxy from the environment is used. Scope rules
	// apply either way.
	AllowPrivateNetworks bool
	// Concurrency is how many sources (hosts) are crawled at once. Each
	// host has at most one request in flight.
	Concurrency int
	// HTTPClient is used for every request if set. Its redirect policy is
	// overridden: the crawler follows redirects itself. Its transport is
	// the caller's: the connect-time private-network check applies only to
	// the crawler's own transport (localhost names are refused either way).
	HTTPClient *http.Client
	// Extractor reads the text of fetched documents; nil fetches no
	// document whatever the sources' Documents setting.
	Extractor DocumentExtractor
	// MaxDocumentBytes caps one document; a larger one is refused
	// ("too_large") without being read past the cap.
	MaxDocumentBytes int64
	// MaxDocumentPages refuses documents with more pages.
	MaxDocumentPages int
	// DocumentTimeout bounds the text extraction of one document.
	DocumentTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent("dev", "")
	}
	if c.Delay == 0 {
		c.Delay = DefaultDelay
	}
	if c.MaxCrawlDelay == 0 {
		c.MaxCrawlDelay = DefaultMaxCrawlDelay
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	if c.BackoffBase == 0 {
		c.BackoffBase = DefaultBackoffBase
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if c.MaxPages == 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxQueuedURLs == 0 {
		c.MaxQueuedURLs = DefaultMaxQueuedURLs
	}
	if c.MaxLinksPerPage == 0 {
		c.MaxLinksPerPage = DefaultMaxLinksPerPage
	}
	if c.MaxCommentPages == 0 {
		c.MaxCommentPages = DefaultMaxCommentPages
	}
	if c.MaxSitemaps == 0 {
		c.MaxSitemaps = DefaultMaxSitemaps
	}
	if c.MaxDocumentBytes == 0 {
		c.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if c.MaxDocumentPages == 0 {
		c.MaxDocumentPages = DefaultMaxDocumentPages
	}
	if c.DocumentTimeout == 0 {
		c.DocumentTimeout = DefaultDocumentTimeout
	}
	srcs := make([]SourceConfig, len(c.Sources))
	for i, s := range c.Sources {
		if s.Kind == "" {
			s.Kind = SourceIPS
		}
		if s.Documents == "" {
			s.Documents = DocumentsAttachments
		}
		if len(s.AllowPrefixes) == 0 {
			s.AllowPrefixes = DefaultAllowPrefixes
			if s.Kind != SourceIPS {
				s.AllowPrefixes = []string{"/"}
			}
		}
		if s.Name == "" {
			if u, err := url.Parse(s.URL); err == nil {
				s.Name = SourceName(u.Host)
			}
		}
		if s.Publisher == "" {
			s.Publisher = s.Name
		}
		if s.FullPassEvery == 0 {
			s.FullPassEvery = DefaultFullPassEvery
		}
		srcs[i] = s
	}
	c.Sources = srcs
	return c
}

// Validate applies the defaults and reports the first bad setting by name.
func (c Config) Validate() error {
	c = c.withDefaults()
	if len(c.Sources) == 0 {
		return errors.New("crawler: config: Sources: at least one source is required")
	}
	if c.Delay < 0 {
		return fmt.Errorf("crawler: config: Delay %s is negative", c.Delay)
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("crawler: config: MaxBodyBytes %d is negative", c.MaxBodyBytes)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("crawler: config: Timeout %s is negative", c.Timeout)
	}
	if c.MaxRetries < 0 {
		return fmt.Errorf("crawler: config: MaxRetries %d is negative", c.MaxRetries)
	}
	if c.MaxRetryAfter < 0 || c.BackoffBase < 0 || c.MaxCrawlDelay < 0 {
		return errors.New("crawler: config: MaxRetryAfter, BackoffBase and MaxCrawlDelay must not be negative")
	}
	if c.MaxPages < 0 {
		return fmt.Errorf("crawler: config: MaxPages %d is negative", c.MaxPages)
	}
	if c.MaxQueuedURLs < 0 || c.MaxLinksPerPage < 0 || c.MaxCommentPages < 0 || c.MaxSitemaps < 0 {
		return errors.New("crawler: config: MaxQueuedURLs, MaxLinksPerPage, MaxCommentPages and MaxSitemaps must not be negative")
	}
	if c.MaxDocumentBytes < 0 || c.MaxDocumentPages < 0 || c.DocumentTimeout < 0 {
		return errors.New("crawler: config: MaxDocumentBytes, MaxDocumentPages and DocumentTimeout must not be negative")
	}
	if c.Concurrency < 0 {
		return fmt.Errorf("crawler: config: Concurrency %d is negative", c.Concurrency)
	}
	if strings.ContainsAny(c.UserAgent, "\r\n") {
		return errors.New("crawler: config: UserAgent contains a line break")
	}
	if productToken(c.UserAgent) == "" {
		return fmt.Errorf("crawler: config: UserAgent %q does not start with a product token", c.UserAgent)
	}
	names := map[string]bool{}
	for i, s := range c.Sources {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("crawler: config: Sources[%d].URL %q is not an absolute http(s) URL", i, s.URL)
		}
		if !c.AllowPrivateNetworks && isPrivateHost(u.Hostname()) {
			return fmt.Errorf("crawler: config: Sources[%d].URL %q is a loopback or private address (set AllowPrivateNetworks)", i, s.URL)
		}
		if !validSourceName(s.Name) {
			return fmt.Errorf("crawler: config: Sources[%d].Name %q must be lower-case [a-z0-9-]", i, s.Name)
		}
		if names[s.Name] {
			return fmt.Errorf("crawler: config: Sources[%d].Name %q is used twice", i, s.Name)
		}
		names[s.Name] = true
		if err := s.validateKind(); err != nil {
			return fmt.Errorf("crawler: config: Sources[%d] (%s).%w", i, s.Name, err)
		}
		switch s.Documents {
		case DocumentsOff, DocumentsAttachments, DocumentsLinked:
		default:
			return fmt.Errorf("crawler: config: Sources[%d].Documents %q must be off, attachments or linked", i, s.Documents)
		}
		for _, p := range s.AllowPrefixes {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("crawler: config: Sources[%d].AllowPrefixes %q must start with /", i, p)
			}
		}
		for _, su := range s.StartURLs {
			r, err := u.Parse(su)
			if err != nil || !sameHost(r, u) {
				return fmt.Errorf("crawler: config: Sources[%d].StartURLs %q is not on host %s", i, su, u.Host)
			}
		}
	}
	return nil
}

// SourceName derives a source name from a host: "www." and the port are
// dropped, then the last label (the TLD): www.pslhub.org → "pslhub",
// nhs.uk → "nhs"; an IP address keeps all of it with dots as "-".
func SourceName(host string) string {
	h := strings.ToLower(host)
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if ip := net.ParseIP(h); ip != nil {
		h = strings.NewReplacer(".", "-", ":", "-").Replace(h)
	} else {
		h = strings.TrimPrefix(h, "www.")
		if i := strings.LastIndexByte(h, '.'); i > 0 {
			h = h[:i]
		}
	}
	var b strings.Builder
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func validSourceName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// productToken returns the robots.txt product token of a User-Agent.
func productToken(ua string) string {
	ua = strings.TrimSpace(ua)
	if i := strings.IndexAny(ua, "/ "); i >= 0 {
		ua = ua[:i]
	}
	return ua
}
