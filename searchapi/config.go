package searchapi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Config configures the HTTP API. The zero value is usable: New applies the
// defaults documented on each field.
type Config struct {
	// AdminToken is the bearer token of the admin routes
	// (/api/v1/admin/...). Empty disables them: they answer 404 not_found.
	// It may not contain white space.
	AdminToken string

	// CORSOrigins lists the origins (scheme://host[:port]) allowed to call
	// the API from a browser. Empty turns CORS off (no CORS headers, and
	// preflight requests get 405). "*" allows every origin.
	CORSOrigins []string

	// RateLimit is the sustained number of requests per second allowed per
	// client IP on the rate-limited routes. 0 means 10; negative disables
	// rate limiting.
	RateLimit float64
	// RateBurst is the token bucket size per client IP. 0 means 20.
	RateBurst int
	// PageRateLimit is RateLimit for the HTML pages and their static files,
	// a bucket of their own. 0 means 30; negative disables it.
	PageRateLimit float64
	// PageRateBurst is the pages' bucket size per client IP. 0 means 120.
	PageRateBurst int
	// RateClients bounds the number of client IPs tracked at once. 0 means
	// 10000. When full, idle clients are evicted first, then the least
	// recently seen one.
	RateClients int
	// RateIdle is how long a client IP stays tracked after its last
	// request. 0 means 10 minutes.
	RateIdle time.Duration

	// SearchTimeout bounds one search or article lookup. 0 means 2 s. On
	// expiry the search stops and the request fails with 503
	// search_timeout.
	SearchTimeout time.Duration

	// MaxBodyBytes caps request bodies. 0 means 1 MiB. Larger declared
	// bodies get 413 request_too_large.
	MaxBodyBytes int64

	// MaxQueryValues caps the number of query-string values of one request
	// (all parameters together). 0 means 64.
	MaxQueryValues int

	// TrustedProxies are the proxy addresses or CIDRs whose
	// X-Forwarded-For / X-Real-IP headers are believed when finding the
	// client IP (rate limiting, logs), and whose X-Forwarded-Proto /
	// X-Forwarded-Host are believed for links when PublicURL is empty.
	// Empty trusts none: the client IP is the peer address.
	TrustedProxies []string

	// PublicURL is the address users reach the service at
	// (scheme://host[:port][/path]), for absolute links in Atom feeds.
	// Empty: a trusted proxy's X-Forwarded-Proto/-Host, else the local
	// address the request came in on; never the Host header.
	PublicURL string

	// CacheMaxAge is the max-age of Cache-Control on cacheable GET responses
	// (search, articles, facets). 0 means 60 s; negative means no-cache.
	CacheMaxAge time.Duration

	// MetricsToken, when set, is the bearer token GET /metrics requires.
	// It may not contain white space.
	MetricsToken string
	// MetricsElsewhere leaves /metrics off this handler, for a caller that
	// serves MetricsHandler on a listener of its own.
	MetricsElsewhere bool

	// HiddenTags are tags the source uses internally (the hub's "New",
	// "Pre-existing"): pages do not show them as chips. Compared without
	// case. Nil means DefaultHiddenTags; empty (non-nil) hides none.
	HiddenTags []string

	// Registry receives the service's metrics and the Go runtime and
	// process collectors; GET /metrics serves it. Nil means a new registry
	// of the server's own (never Prometheus' global default).
	Registry *prometheus.Registry
}

// Defaults applied by New for zero fields.
const (
	DefaultRateLimit      = 10.0
	DefaultRateBurst      = 20
	DefaultPageRateLimit  = 30.0
	DefaultPageRateBurst  = 120
	DefaultRateClients    = 10000
	DefaultRateIdle       = 10 * time.Minute
	DefaultSearchTimeout  = 2 * time.Second
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxQueryValues = 64
	DefaultCacheMaxAge    = 60 * time.Second
)

// DefaultHiddenTags are the pslhub's internal tags.
func DefaultHiddenTags() []string { return []string{"New", "Pre-existing"} }

// withDefaults returns c with every zero field set to its default, or an
// error for values that cannot work.
func (c Config) withDefaults() (Config, error) {
	if c.RateLimit == 0 {
		c.RateLimit = DefaultRateLimit
	}
	if c.RateBurst == 0 {
		c.RateBurst = DefaultRateBurst
	}
	if c.PageRateLimit == 0 {
		c.PageRateLimit = DefaultPageRateLimit
	}
	if c.PageRateBurst == 0 {
		c.PageRateBurst = DefaultPageRateBurst
	}
	if c.HiddenTags == nil {
		c.HiddenTags = DefaultHiddenTags()
	}
	if c.RateClients == 0 {
		c.RateClients = DefaultRateClients
	}
	if c.RateIdle == 0 {
		c.RateIdle = DefaultRateIdle
	}
	if c.SearchTimeout == 0 {
		c.SearchTimeout = DefaultSearchTimeout
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxQueryValues == 0 {
		c.MaxQueryValues = DefaultMaxQueryValues
	}
	if c.CacheMaxAge == 0 {
		c.CacheMaxAge = DefaultCacheMaxAge
	}
	var errs []error
	if c.AdminToken != strings.TrimSpace(c.AdminToken) || strings.ContainsAny(c.AdminToken, " \t\r\n") {
		errs = append(errs, errors.New("AdminToken contains white space; it could never be sent in a Bearer header"))
	}
	if strings.ContainsAny(c.MetricsToken, " \t\r\n") {
		errs = append(errs, errors.New("MetricsToken contains white space; it could never be sent in a Bearer header"))
	}
	if c.PageRateBurst < 0 {
		errs = append(errs, fmt.Errorf("PageRateBurst %d is negative", c.PageRateBurst))
	}
	if c.RateBurst < 0 {
		errs = append(errs, fmt.Errorf("RateBurst %d is negative", c.RateBurst))
	}
	if c.RateClients < 0 {
		errs = append(errs, fmt.Errorf("RateClients %d is negative", c.RateClients))
	}
	if c.RateIdle < 0 {
		errs = append(errs, fmt.Errorf("RateIdle %s is negative", c.RateIdle))
	}
	if c.SearchTimeout < 0 {
		errs = append(errs, fmt.Errorf("SearchTimeout %s is negative", c.SearchTimeout))
	}
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("MaxBodyBytes %d is negative", c.MaxBodyBytes))
	}
	if c.MaxQueryValues < 0 {
		errs = append(errs, fmt.Errorf("MaxQueryValues %d is negative", c.MaxQueryValues))
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			errs = append(errs, err)
		}
	}
	for _, o := range c.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("searchapi: config: %w", err)
	}
	return c, nil
}

// checkOrigin accepts "*" or a bare origin: scheme://host[:port] with no
// path, query or fragment.
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
		strings.HasSuffix(o, "/") {
		return fmt.Errorf("CORS origin %q is not of the form scheme://host[:port]", o)
	}
	return nil
}
