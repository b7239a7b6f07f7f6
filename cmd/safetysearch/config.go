package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/searchapi"
)

// Config is every setting of safetysearch. Each setting is read, first match
// wins, from:
//
//  1. its command-line flag (only some settings have one),
//  2. its SAFETYSEARCH_* environment variable,
//  3. the YAML config file (--config FILE or SAFETYSEARCH_CONFIG), key as in
//     the yaml tag; unknown keys are refused,
//  4. the default.
//
// The table of settings (key, variable, flag, default) is the settings slice
// below; README.md's "Configuration" table is checked against it by
// TestREADMEConfigTable.
type Config struct {
	// DataDir holds the crawler store (<data>/store.db) and the index
	// generations (<data>/index/). Default "./data".
	DataDir string `yaml:"data_dir"`
	// Addr is the listen address of `serve`. Default "127.0.0.1:8080".
	Addr string `yaml:"addr"`
	// Sources are the sites to crawl. Default none: `crawl` refuses to run
	// and `serve` only serves what is already stored.
	Sources []SourceSetting `yaml:"sources"`
	// Schedule is the cron spec (5 fields or a descriptor such as
	// "@every 6h" or "@daily") of the crawl + rebuild in `serve`, or "off".
	// Default "@every 6h".
	Schedule string `yaml:"schedule"`
	// RunTimeout bounds one crawl + rebuild; it must be shorter than the
	// schedule's interval. Default 0: 90% of the interval (no bound when the
	// schedule is off).
	RunTimeout time.Duration `yaml:"run_timeout"`
	// UserAgent sent by the crawler. Default
	// "safetysearch/<version> (+<contact_url>)"; it must start with the
	// product token "safetysearch" for robots.txt rules to apply to it.
	UserAgent string `yaml:"user_agent"`
	// ContactURL is put in the default User-Agent so site operators can
	// reach whoever runs the crawler.
	ContactURL string `yaml:"contact_url"`
	// CrawlDelay is the minimum time between two requests to one host; a
	// larger robots.txt Crawl-delay wins. Default 1s.
	CrawlDelay time.Duration `yaml:"crawl_delay"`
	// RequestTimeout is the deadline of one HTTP request. Default 30s.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// MaxBodyBytes caps one response body. Default 10485760 (10 MiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxPages caps the requests per source per run (comment pages,
	// sitemaps and retries included); the rest of the frontier is kept for
	// the next run. Default 100000.
	MaxPages int `yaml:"max_pages"`
	// MaxQueuedURLs bounds a source's crawl frontier. Default 100000; 0
	// means the default, as for the three limits below.
	MaxQueuedURLs int `yaml:"max_queued_urls"`
	// MaxLinksPerPage bounds the links queued from one page. Default 1000.
	MaxLinksPerPage int `yaml:"max_links_per_page"`
	// MaxCommentPages bounds the comment pages read per record. Default 200.
	MaxCommentPages int `yaml:"max_comment_pages"`
	// MaxSitemaps bounds the sitemap files read per source per run.
	// Default 1000.
	MaxSitemaps int `yaml:"max_sitemaps"`
	// MaxDocumentBytes, MaxDocumentPages and DocumentTimeout bound one
	// attached or linked document: larger, longer or slower ones are
	// refused. Defaults 52428800 (50 MiB), 2000 pages, 2m.
	MaxDocumentBytes int64         `yaml:"max_document_bytes"`
	MaxDocumentPages int           `yaml:"max_document_pages"`
	DocumentTimeout  time.Duration `yaml:"document_timeout"`
	// AllowPrivateNetworks lets the crawler fetch loopback and private
	// addresses (a local copy of a site, tests). Default false.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
	// AdminToken enables the admin routes (status, rebuild) for requests
	// carrying "Authorization: Bearer <token>". Default "": admin routes
	// are disabled. Give it through the environment or the file, never a
	// flag (flags are visible in the process list).
	AdminToken string `yaml:"admin_token"`
	// CORSOrigins are the origins allowed to call the API from a browser.
	// Default none (same origin only).
	CORSOrigins []string `yaml:"cors_origins"`
	// RateLimit is the sustained number of API requests per second allowed
	// per client address; 0 disables limiting. Default 10.
	RateLimit float64 `yaml:"rate_limit"`
	// RateBurst is how many requests a client may make at once above the
	// sustained rate. Default 20.
	RateBurst int `yaml:"rate_burst"`
	// SearchTimeout is the deadline of one search (or article lookup) of
	// serve; past it the search stops and the request fails with 503
	// search_timeout. Default 2s.
	SearchTimeout time.Duration `yaml:"search_timeout"`
	// PageRateLimit is RateLimit for the HTML pages and their assets, a
	// bucket of their own; 0 disables limiting them. Default 30.
	PageRateLimit float64 `yaml:"page_rate_limit"`
	// PageRateBurst is the pages' burst. Default 120.
	PageRateBurst int `yaml:"page_rate_burst"`
	// PublicURL is the address users reach serve at
	// (scheme://host[:port][/path]), for absolute links in Atom feeds.
	// Default "": a trusted proxy's X-Forwarded-Proto/-Host, else the
	// address the request came in on; never the Host header.
	PublicURL string `yaml:"public_url"`
	// TrustedProxies are the reverse proxies (addresses or CIDRs) whose
	// X-Forwarded-For, -Proto and -Host headers are believed, for per-client
	// rate limiting and links. Default none.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// MetricsListen serves /metrics on this address only (e.g.
	// 127.0.0.1:9090) and not on addr. Default "": on addr.
	MetricsListen string `yaml:"metrics_listen"`
	// MetricsToken, when set, is the bearer token /metrics requires on
	// addr. Like admin_token, never a flag.
	MetricsToken string `yaml:"metrics_token"`
	// HiddenTags are source-internal tags the pages show no chip for.
	// Default "New" and "Pre-existing" (the hub's).
	HiddenTags []string `yaml:"hidden_tags"`
	// LogLevel is debug, info, warn or error. Default info (warn for
	// search and export, whose output is on stdout).
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json (to stderr). Default text.
	LogFormat string `yaml:"log_format"`
	// TaxonomyFile replaces the built-in tag taxonomy (which tags are
	// regions, audiences, topics and content types). Default built in.
	TaxonomyFile string `yaml:"taxonomy_file"`
	// ThesaurusFile replaces the built-in patient-safety thesaurus used to
	// expand queries. Default built in.
	ThesaurusFile string `yaml:"thesaurus_file"`
	// FragmentSize is the length in characters of a highlighted snippet;
	// 0 takes the index's default.
	FragmentSize int `yaml:"fragment_size"`
	// RebuildProcs is the number of cores (GOMAXPROCS) of the child process
	// in which serve rebuilds the index, so that the build's memory is
	// returned when it ends and queries keep a core; 0 rebuilds inside the
	// server. Default: cores − 1, at least 1.
	RebuildProcs int `yaml:"rebuild_procs"`
	// ResultCacheEntries is how many search results the index keeps per
	// generation (indexer.ResultCacheConfig.Entries): 0 takes the index's
	// default, negative disables the cache.
	ResultCacheEntries int `yaml:"result_cache_entries"`

	// origin records where each setting came from, for error messages.
	origin map[string]string
}

// SourceSetting is one site to crawl, as written in the config file.
type SourceSetting struct {
	// Name is the source name in article ids; default derived from the
	// host (www.pslhub.org → "pslhub").
	Name string `yaml:"name"`
	// URL is the site's base URL, e.g. https://www.pslhub.org/.
	URL string `yaml:"url"`
	// AllowPrefixes are the URL paths that may be fetched; default /learn/.
	AllowPrefixes []string `yaml:"allow_prefixes"`
	// StartURLs are fetched first; default the base URL plus each prefix.
	// For the feed and sitemap kinds: further feeds or sitemaps.
	StartURLs []string `yaml:"start_urls"`
	// Kind is ips (default: an Invision Community site), feed (url is an
	// RSS, Atom or JSON Feed) or sitemap (url is a sitemap or sitemap
	// index, or the site whose robots.txt names them).
	Kind string `yaml:"kind"`
	// Publisher is the publisher facet's value for the source's articles;
	// default the source name.
	Publisher string `yaml:"publisher"`
	// Include and Exclude are regular expressions on a page's URL: with
	// include set a page must match one, and it must match no exclude.
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
	// CrawlDelay overrides crawl_delay for this source's host.
	CrawlDelay time.Duration `yaml:"crawl_delay"`
	// FullPassEvery is how often a feed or sitemap source fetches every
	// page whatever feed dates and lastmod say. Default 168h (7 days).
	FullPassEvery time.Duration `yaml:"full_pass_every"`
	// DefaultTags are given to every article of the source.
	DefaultTags TagSetting `yaml:"default_tags"`
	// Categories maps the publisher's own categories, tags and feed
	// categories to the hub's facets.
	Categories map[string]TagSetting `yaml:"categories"`
	// Documents is which documents are fetched and their text read: off,
	// attachments (default) or linked (attachments and same-site PDFs
	// linked from an article's body).
	Documents string `yaml:"documents"`
}

// TagSetting is what a source's default tags or one publisher category
// give an article.
type TagSetting struct {
	Regions     []string `yaml:"regions"`
	Audiences   []string `yaml:"audiences"`
	Topics      []string `yaml:"topics"`
	ContentType string   `yaml:"content_type"`
}

// sourceKinds are the values of sources[].kind.
var sourceKinds = []string{"", "ips", "feed", "sitemap"}

// setting is one row of the configuration table.
type setting struct {
	Key     string // yaml key
	Env     string // environment variable
	Flag    string // flag name without dashes, "" when none
	Default string // as documented
	Help    string
	set     func(c *Config, v string) error // from an env or flag string
}

// envPrefix starts every environment variable of safetysearch.
const envPrefix = "SAFETYSEARCH_"

// Defaults.
const (
	DefaultDataDir       = "./data"
	DefaultAddr          = "127.0.0.1:8080"
	DefaultSchedule      = "@every 6h"
	DefaultRateLimit     = 10
	DefaultRateBurst     = 20
	DefaultPageRateLimit = 30
	DefaultPageRateBurst = 120
	DefaultContactURL    = "https://github.com/safetysearch/safetysearch"
	ScheduleOff          = "off"
)

// settings is THE configuration table.
var settings = []setting{
	{"data_dir", "SAFETYSEARCH_DATA_DIR", "data", DefaultDataDir, "data directory (store.db and index/)",
		func(c *Config, v string) error { c.DataDir = v; return nil }},
	{"addr", "SAFETYSEARCH_ADDR", "addr", DefaultAddr, "listen address of serve",
		func(c *Config, v string) error { c.Addr = v; return nil }},
	{"sources", "SAFETYSEARCH_SOURCES", "source", "none", "sites to crawl: IPS hubs, feeds, sitemaps (file: keys in the source table below; env: comma-separated URLs; flag: repeatable)",
		func(c *Config, v string) error {
			c.Sources = nil
			for _, u := range splitList(v) {
				c.Sources = append(c.Sources, SourceSetting{URL: u})
			}
			return nil
		}},
	{"schedule", "SAFETYSEARCH_SCHEDULE", "schedule", DefaultSchedule, `cron spec of the crawl + rebuild, or "off"`,
		func(c *Config, v string) error { c.Schedule = v; return nil }},
	{"run_timeout", "SAFETYSEARCH_RUN_TIMEOUT", "", "0 (90% of the schedule's interval)", "time limit of one crawl + rebuild, shorter than the interval",
		durationSetter(func(c *Config) *time.Duration { return &c.RunTimeout })},
	{"user_agent", "SAFETYSEARCH_USER_AGENT", "", "safetysearch/VERSION (+CONTACT_URL)", "User-Agent of the crawler",
		func(c *Config, v string) error { c.UserAgent = v; return nil }},
	{"contact_url", "SAFETYSEARCH_CONTACT_URL", "", DefaultContactURL, "contact URL in the default User-Agent",
		func(c *Config, v string) error { c.ContactURL = v; return nil }},
	{"crawl_delay", "SAFETYSEARCH_CRAWL_DELAY", "", "1s", "minimum time between two requests to one host",
		durationSetter(func(c *Config) *time.Duration { return &c.CrawlDelay })},
	{"request_timeout", "SAFETYSEARCH_REQUEST_TIMEOUT", "", "30s", "deadline of one HTTP request of the crawler",
		durationSetter(func(c *Config) *time.Duration { return &c.RequestTimeout })},
	{"max_body_bytes", "SAFETYSEARCH_MAX_BODY_BYTES", "", "10485760", "largest response body the crawler reads",
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("expected a whole number of bytes")
			}
			c.MaxBodyBytes = n
			return nil
		}},
	{"max_pages", "SAFETYSEARCH_MAX_PAGES", "", "100000", "requests per source per run at most (comment pages, sitemaps, retries count)",
		intSetter(func(c *Config) *int { return &c.MaxPages })},
	{"max_queued_urls", "SAFETYSEARCH_MAX_QUEUED_URLS", "", "100000", "URLs waiting in a source's crawl frontier at most",
		intSetter(func(c *Config) *int { return &c.MaxQueuedURLs })},
	{"max_links_per_page", "SAFETYSEARCH_MAX_LINKS_PER_PAGE", "", "1000", "links queued from one page at most",
		intSetter(func(c *Config) *int { return &c.MaxLinksPerPage })},
	{"max_comment_pages", "SAFETYSEARCH_MAX_COMMENT_PAGES", "", "200", "comment pages read per record at most",
		intSetter(func(c *Config) *int { return &c.MaxCommentPages })},
	{"max_sitemaps", "SAFETYSEARCH_MAX_SITEMAPS", "", "1000", "sitemap files read per source per run at most",
		intSetter(func(c *Config) *int { return &c.MaxSitemaps })},
	{"max_document_bytes", "SAFETYSEARCH_MAX_DOCUMENT_BYTES", "", "52428800", "largest attached or linked document read",
		func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("expected a whole number of bytes")
			}
			c.MaxDocumentBytes = n
			return nil
		}},
	{"max_document_pages", "SAFETYSEARCH_MAX_DOCUMENT_PAGES", "", "2000", "pages of one document at most; longer ones are refused",
		intSetter(func(c *Config) *int { return &c.MaxDocumentPages })},
	{"document_timeout", "SAFETYSEARCH_DOCUMENT_TIMEOUT", "", "2m", "time to read the text of one document",
		durationSetter(func(c *Config) *time.Duration { return &c.DocumentTimeout })},
	{"allow_private_networks", "SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS", "", "false", "let the crawler fetch loopback and private addresses",
		func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("expected true or false")
			}
			c.AllowPrivateNetworks = b
			return nil
		}},
	{"admin_token", "SAFETYSEARCH_ADMIN_TOKEN", "", "none (admin routes disabled)", "bearer token of the admin routes",
		func(c *Config, v string) error { c.AdminToken = v; return nil }},
	{"cors_origins", "SAFETYSEARCH_CORS_ORIGINS", "", "none", "origins allowed to call the API from a browser (env: comma-separated)",
		func(c *Config, v string) error { c.CORSOrigins = splitList(v); return nil }},
	{"rate_limit", "SAFETYSEARCH_RATE_LIMIT", "", strconv.Itoa(DefaultRateLimit), "API requests per second per client (0 = unlimited)",
		rateSetter(func(c *Config) *float64 { return &c.RateLimit })},
	{"rate_burst", "SAFETYSEARCH_RATE_BURST", "", strconv.Itoa(DefaultRateBurst), "requests a client may make at once above the rate",
		intSetter(func(c *Config) *int { return &c.RateBurst })},
	{"search_timeout", "SAFETYSEARCH_SEARCH_TIMEOUT", "", searchapi.DefaultSearchTimeout.String(), "deadline of one search of serve; past it the search stops (503 search_timeout)",
		durationSetter(func(c *Config) *time.Duration { return &c.SearchTimeout })},
	{"page_rate_limit", "SAFETYSEARCH_PAGE_RATE_LIMIT", "", strconv.Itoa(DefaultPageRateLimit), "page views (and their assets) per second per client, a separate bucket (0 = unlimited)",
		rateSetter(func(c *Config) *float64 { return &c.PageRateLimit })},
	{"page_rate_burst", "SAFETYSEARCH_PAGE_RATE_BURST", "", strconv.Itoa(DefaultPageRateBurst), "page requests a client may make at once above the page rate",
		intSetter(func(c *Config) *int { return &c.PageRateBurst })},
	{"public_url", "SAFETYSEARCH_PUBLIC_URL", "public-url", "none (a trusted proxy's X-Forwarded-Host, else the listen address)", "address users reach serve at, for links in feeds; never taken from the Host header",
		func(c *Config, v string) error { c.PublicURL = v; return nil }},
	{"trusted_proxies", "SAFETYSEARCH_TRUSTED_PROXIES", "", "none", "reverse proxies (IPs or CIDRs) whose X-Forwarded-* headers are believed (env: comma-separated)",
		func(c *Config, v string) error { c.TrustedProxies = splitList(v); return nil }},
	{"metrics_listen", "SAFETYSEARCH_METRICS_LISTEN", "metrics-listen", "none (/metrics on addr)", "separate listen address for /metrics, which addr then does not serve",
		func(c *Config, v string) error { c.MetricsListen = v; return nil }},
	{"metrics_token", "SAFETYSEARCH_METRICS_TOKEN", "", "none (/metrics is public)", "bearer token /metrics requires on addr",
		func(c *Config, v string) error { c.MetricsToken = v; return nil }},
	{"hidden_tags", "SAFETYSEARCH_HIDDEN_TAGS", "", "New, Pre-existing", "source-internal tags the pages show no chip for (env: comma-separated)",
		func(c *Config, v string) error { c.HiddenTags = splitList(v); return nil }},
	{"log_level", "SAFETYSEARCH_LOG_LEVEL", "log-level", "info (warn for search, export)", "debug, info, warn or error",
		func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"log_format", "SAFETYSEARCH_LOG_FORMAT", "log-format", "text", "text or json (to stderr)",
		func(c *Config, v string) error { c.LogFormat = v; return nil }},
	{"taxonomy_file", "SAFETYSEARCH_TAXONOMY_FILE", "", "built in", "tag taxonomy (regions, audiences, topics, types)",
		func(c *Config, v string) error { c.TaxonomyFile = v; return nil }},
	{"thesaurus_file", "SAFETYSEARCH_THESAURUS_FILE", "", "built in", "query expansion thesaurus",
		func(c *Config, v string) error { c.ThesaurusFile = v; return nil }},
	{"fragment_size", "SAFETYSEARCH_FRAGMENT_SIZE", "", "0 (200)", "length of a highlighted snippet in characters",
		intSetter(func(c *Config) *int { return &c.FragmentSize })},
	{"rebuild_procs", "SAFETYSEARCH_REBUILD_PROCS", "", "cores − 1 (at least 1)", "cores of the lower-priority child process in which serve rebuilds the index (0 = inside the server)",
		intSetter(func(c *Config) *int { return &c.RebuildProcs })},
	{"result_cache_entries", "SAFETYSEARCH_RESULT_CACHE_ENTRIES", "", "0 (" + strconv.Itoa(indexer.DefaultResultCacheEntries) + ")", "search results cached per index generation; -1 disables the cache",
		intSetter(func(c *Config) *int { return &c.ResultCacheEntries })},
}

func durationSetter(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New(`expected a duration such as "30s", "5m" or "2h"`)
		}
		*field(c) = d
		return nil
	}
}

func rateSetter(field func(*Config) *float64) func(*Config, string) error {
	return func(c *Config, v string) error {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return errors.New("expected a number of requests per second")
		}
		*field(c) = f
		return nil
	}
}

func intSetter(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("expected a whole number")
		}
		*field(c) = n
		return nil
	}
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func settingByFlag(name string) *setting {
	for i := range settings {
		if settings[i].Flag == name {
			return &settings[i]
		}
	}
	return nil
}

// DefaultConfig returns the defaults of every setting.
func DefaultConfig() Config {
	return Config{
		DataDir:        DefaultDataDir,
		Addr:           DefaultAddr,
		Schedule:       DefaultSchedule,
		ContactURL:     DefaultContactURL,
		CrawlDelay:     time.Second,
		RequestTimeout: 30 * time.Second,
		SearchTimeout:  searchapi.DefaultSearchTimeout,
		MaxBodyBytes:   10 << 20,
		MaxPages:       100000,
		RateLimit:      DefaultRateLimit,
		RateBurst:      DefaultRateBurst,
		PageRateLimit:  DefaultPageRateLimit,
		PageRateBurst:  DefaultPageRateBurst,
		HiddenTags:     searchapi.DefaultHiddenTags(),
		LogLevel:       "info",
		LogFormat:      "text",
		RebuildProcs:   DefaultRebuildProcs(),
	}
}

// DefaultRebuildProcs leaves one core to the server while a child process
// rebuilds the index: the number of CPUs less one, at least 1.
func DefaultRebuildProcs() int { return max(1, runtime.NumCPU()-1) }

// flagValue is one flag occurrence, in command-line order.
type flagValue struct {
	Name, Value string
}

// loadConfig merges defaults, the config file, the environment and the
// flags that were set, then validates the result.
func loadConfig(configFile string, getenv func(string) string, flags []flagValue) (Config, error) {
	c := DefaultConfig()
	c.origin = map[string]string{}
	if configFile == "" {
		configFile = getenv("SAFETYSEARCH_CONFIG")
	}
	if configFile != "" {
		if err := c.readFile(configFile); err != nil {
			return Config{}, err
		}
	}
	for _, s := range settings {
		v, ok := lookupEnv(getenv, s.Env)
		if !ok {
			continue
		}
		if err := s.set(&c, v); err != nil {
			return Config{}, fmt.Errorf("config: %s %q: %v", s.Env, v, err)
		}
		c.origin[s.Key] = s.Env
	}
	// Repeatable flags (--source) accumulate; others: last one wins.
	var sources []SourceSetting
	for _, f := range flags {
		s := settingByFlag(f.Name)
		if s == nil {
			continue
		}
		if s.Key == "sources" {
			sources = append(sources, SourceSetting{URL: f.Value})
			c.origin[s.Key] = "--source"
			continue
		}
		if err := s.set(&c, f.Value); err != nil {
			return Config{}, fmt.Errorf("config: --%s %q: %v", f.Name, f.Value, err)
		}
		c.origin[s.Key] = "--" + f.Name
	}
	if sources != nil {
		c.Sources = sources
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// lookupEnv treats an empty variable as unset, so `VAR= cmd` does not
// override the file with an empty value.
func lookupEnv(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

// readFile overlays the YAML file on c. Unknown keys are an error.
func (c *Config) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: read config file: %w", err)
	}
	defer f.Close()
	// Find which keys the file sets, for the origin of error messages.
	raw, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("config: read config file %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("config: config file %s: %w", path, err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: config file %s: %s", path, nameSettings(err, topLevelKeys(&doc)))
	}
	for _, k := range topLevelKeys(&doc) {
		c.origin[k.name] = path
	}
	return nil
}

type fileKey struct {
	name string
	line int
}

// topLevelKeys are the setting names of a YAML document, with their lines.
func topLevelKeys(doc *yaml.Node) []fileKey {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	var keys []fileKey
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, fileKey{m.Content[i].Value, m.Content[i].Line})
	}
	return keys
}

// nameSettings rewrites "line N: …" in a YAML decoding error to
// "line N (setting): …" so the message names the setting.
func nameSettings(err error, keys []fileKey) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err.Error()
	}
	msgs := make([]string, len(te.Errors))
	for i, msg := range te.Errors {
		msgs[i] = msg
		var line int
		if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr != nil {
			continue
		}
		key := ""
		for _, k := range keys {
			if k.line <= line {
				key = k.name
			}
		}
		if key != "" {
			prefix := fmt.Sprintf("line %d:", line)
			msgs[i] = fmt.Sprintf("line %d (%s):%s", line, key, strings.TrimPrefix(msg, prefix))
		}
	}
	return strings.Join(msgs, "; ")
}

// where names the origin of a setting for an error message.
func (c *Config) where(key string) string {
	if o, ok := c.origin[key]; ok {
		return " (set by " + o + ")"
	}
	return ""
}

// Validate reports the first invalid setting by name.
func (c *Config) Validate() error {
	bad := func(key, val, msg string) error {
		return fmt.Errorf("config: %s %q: %s%s", key, val, msg, c.where(key))
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return bad("data_dir", c.DataDir, "must not be empty")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", c.Addr, "expected host:port, e.g. 127.0.0.1:8080")
	}
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d].url", i)
		u, err := url.Parse(s.URL)
		if err != nil {
			return bad(key, s.URL, "not a URL")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return fmt.Errorf("config: %s %q: must be http or https%s", key, s.URL, c.where("sources"))
		}
		if u.Host == "" {
			return fmt.Errorf("config: %s %q: has no host%s", key, s.URL, c.where("sources"))
		}
		switch crawler.DocumentsMode(s.Documents) {
		case "", crawler.DocumentsOff, crawler.DocumentsAttachments, crawler.DocumentsLinked:
		default:
			return fmt.Errorf("config: sources[%d].documents %q: must be off, attachments or linked%s", i, s.Documents, c.where("sources"))
		}
		for _, p := range s.AllowPrefixes {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("config: sources[%d].allow_prefixes %q: must start with /%s", i, p, c.where("sources"))
			}
		}
		name := s.Name
		if name == "" {
			name = u.Host
		}
		if !slices.Contains(sourceKinds, s.Kind) {
			return fmt.Errorf("config: sources[%d] (%s).kind %q: expected ips, feed or sitemap%s", i, name, s.Kind, c.where("sources"))
		}
		for _, pat := range []struct {
			key  string
			exps []string
		}{{"include", s.Include}, {"exclude", s.Exclude}} {
			for _, e := range pat.exps {
				if _, err := regexp.Compile(e); err != nil {
					return fmt.Errorf("config: sources[%d] (%s).%s %q: not a regular expression: %v%s", i, name, pat.key, e, err, c.where("sources"))
				}
			}
		}
		if s.CrawlDelay < 0 || s.FullPassEvery < 0 {
			return fmt.Errorf("config: sources[%d] (%s).crawl_delay and full_pass_every must not be negative%s", i, name, c.where("sources"))
		}
	}
	if err := checkSchedule(c.Schedule); err != nil {
		return bad("schedule", c.Schedule, err.Error())
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"run_timeout", c.RunTimeout}, {"crawl_delay", c.CrawlDelay}, {"request_timeout", c.RequestTimeout}, {"search_timeout", c.SearchTimeout},
		{"document_timeout", c.DocumentTimeout}} {
		if d.v < 0 {
			return bad(d.key, d.v.String(), "must not be negative")
		}
	}
	if c.RequestTimeout == 0 {
		return bad("request_timeout", "0s", "must be positive")
	}
	if c.SearchTimeout == 0 {
		return bad("search_timeout", "0s", "must be positive")
	}
	if c.MaxBodyBytes <= 0 {
		return bad("max_body_bytes", strconv.FormatInt(c.MaxBodyBytes, 10), "must be positive")
	}
	if c.MaxDocumentBytes < 0 {
		return bad("max_document_bytes", strconv.FormatInt(c.MaxDocumentBytes, 10), "must not be negative")
	}
	if c.MaxPages <= 0 {
		return bad("max_pages", strconv.Itoa(c.MaxPages), "must be positive")
	}
	// 0 leaves the crawler's default (the value in the settings table).
	for _, n := range []struct {
		key string
		v   int
	}{{"max_queued_urls", c.MaxQueuedURLs}, {"max_links_per_page", c.MaxLinksPerPage},
		{"max_comment_pages", c.MaxCommentPages}, {"max_sitemaps", c.MaxSitemaps}, {"max_document_pages", c.MaxDocumentPages}} {
		if n.v < 0 {
			return bad(n.key, strconv.Itoa(n.v), "must not be negative")
		}
	}
	if strings.ContainsAny(c.UserAgent, "\r\n") {
		return bad("user_agent", c.UserAgent, "must be one line")
	}
	if c.UserAgent != "" && !strings.HasPrefix(c.UserAgent, "safetysearch") {
		return bad("user_agent", c.UserAgent, `must start with the product token "safetysearch" so robots.txt rules for it apply`)
	}
	if u, err := url.Parse(c.ContactURL); c.ContactURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
		return bad("contact_url", c.ContactURL, "expected an http(s) or mailto URL")
	}
	if strings.ContainsAny(c.AdminToken, " \t\r\n") {
		// The token itself is not repeated in the message.
		return fmt.Errorf("config: admin_token: contains white space, so it could never be sent in a Bearer header%s", c.where("admin_token"))
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return bad("cors_origins", o, `expected "*" or an origin such as https://example.org`)
		}
	}
	if c.RateLimit < 0 {
		return bad("rate_limit", strconv.FormatFloat(c.RateLimit, 'g', -1, 64), "must not be negative")
	}
	if c.RateBurst < 0 || (c.RateLimit > 0 && c.RateBurst == 0) {
		return bad("rate_burst", strconv.Itoa(c.RateBurst), "must be at least 1 when rate_limit is set")
	}
	if c.PageRateLimit < 0 {
		return bad("page_rate_limit", strconv.FormatFloat(c.PageRateLimit, 'g', -1, 64), "must not be negative")
	}
	if c.PageRateBurst < 0 || (c.PageRateLimit > 0 && c.PageRateBurst == 0) {
		return bad("page_rate_burst", strconv.Itoa(c.PageRateBurst), "must be at least 1 when page_rate_limit is set")
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return bad("public_url", c.PublicURL, "expected an http(s) URL such as https://search.example.org/, without query or fragment")
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return bad("trusted_proxies", p, "expected an IP address or a CIDR such as 10.0.0.0/8")
			}
		}
	}
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			return bad("metrics_listen", c.MetricsListen, "expected host:port, e.g. 127.0.0.1:9090")
		}
		if c.MetricsListen == c.Addr {
			return bad("metrics_listen", c.MetricsListen, "must differ from addr")
		}
	}
	if strings.ContainsAny(c.MetricsToken, " \t\r\n") {
		return fmt.Errorf("config: metrics_token: contains white space, so it could never be sent in a Bearer header%s", c.where("metrics_token"))
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return bad("log_level", c.LogLevel, "expected debug, info, warn or error")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return bad("log_format", c.LogFormat, "expected text or json")
	}
	if c.FragmentSize < 0 {
		return bad("fragment_size", strconv.Itoa(c.FragmentSize), "must not be negative")
	}
	if c.RebuildProcs < 0 {
		return bad("rebuild_procs", strconv.Itoa(c.RebuildProcs), "must not be negative")
	}
	return nil
}

// checkSchedule accepts "off" or a spec the scheduler's cron parser takes.
func checkSchedule(spec string) error {
	if spec == ScheduleOff {
		return nil
	}
	if strings.TrimSpace(spec) == "" {
		return errors.New(`expected a cron spec or "off"`)
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		return errors.New(`expected a cron spec or "off"`)
	}
	return nil
}

// apiConfig maps the settings to the HTTP API's.
func (c *Config) apiConfig() searchapi.Config {
	// searchapi reads 0 as "the default" and a negative rate as "off";
	// here 0 means off.
	off := func(r float64) float64 {
		if r == 0 {
			return -1
		}
		return r
	}
	return searchapi.Config{
		AdminToken:       c.AdminToken,
		CORSOrigins:      c.CORSOrigins,
		RateLimit:        off(c.RateLimit),
		RateBurst:        c.RateBurst,
		PageRateLimit:    off(c.PageRateLimit),
		PageRateBurst:    c.PageRateBurst,
		SearchTimeout:    c.SearchTimeout,
		PublicURL:        c.PublicURL,
		TrustedProxies:   c.TrustedProxies,
		MetricsToken:     c.MetricsToken,
		MetricsElsewhere: c.MetricsListen != "",
		HiddenTags:       append([]string{}, c.HiddenTags...), // non-nil: an empty list hides none
	}
}
