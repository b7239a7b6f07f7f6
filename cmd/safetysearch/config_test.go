package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/searchapi"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig("", envMap(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./data" || c.Addr != "127.0.0.1:8080" || c.Schedule != "@every 6h" ||
		c.RunTimeout != 0 || c.CrawlDelay != time.Second || c.LogFormat != "text" ||
		len(c.Sources) != 0 || c.AdminToken != "" || c.RateLimit != 10 || c.RateBurst != 20 {
		t.Errorf("defaults: %+v", c)
	}
}

// TestConfigPrecedence checks flags > environment > file > defaults for
// every layer, setting by setting.
func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "c.yaml", `
data_dir: /from/file
addr: 127.0.0.1:1001
schedule: "@daily"
crawl_delay: 3s
log_level: warn
admin_token: file-token
sources:
  - name: hub
    url: https://file.example/
    allow_prefixes: [/learn/, /news/]
`)
	env := map[string]string{
		"SAFETYSEARCH_ADDR":        "127.0.0.1:2002",
		"SAFETYSEARCH_SCHEDULE":    "@hourly",
		"SAFETYSEARCH_CRAWL_DELAY": "5s",
		"SAFETYSEARCH_SOURCES":     "https://env.example/, https://env2.example/",
	}
	flags := []flagValue{{"schedule", "off"}, {"source", "https://flag.example/"}, {"source", "https://flag2.example/"}}
	c, err := loadConfig(file, envMap(env), flags)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("data_dir (file over default)", c.DataDir, "/from/file")
	check("addr (env over file)", c.Addr, "127.0.0.1:2002")
	check("schedule (flag over env)", c.Schedule, "off")
	check("crawl_delay (env over file)", c.CrawlDelay, 5*time.Second)
	check("log_level (file)", c.LogLevel, "warn")
	check("admin_token (file)", c.AdminToken, "file-token")
	check("log_format (default)", c.LogFormat, "text")
	if len(c.Sources) != 2 || c.Sources[0].URL != "https://flag.example/" || c.Sources[1].URL != "https://flag2.example/" {
		t.Errorf("sources (flags over env over file) = %+v", c.Sources)
	}

	// Without the flags the environment's sources win over the file's.
	c, err = loadConfig(file, envMap(env), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 || c.Sources[0].URL != "https://env.example/" || c.Sources[1].URL != "https://env2.example/" {
		t.Errorf("sources (env over file) = %+v", c.Sources)
	}
	check("schedule (env over file)", c.Schedule, "@hourly")

	// Without the environment the file's structured source is kept.
	c, err = loadConfig(file, envMap(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Name != "hub" || strings.Join(c.Sources[0].AllowPrefixes, ",") != "/learn/,/news/" {
		t.Errorf("sources (file) = %+v", c.Sources)
	}
	check("addr (file over default)", c.Addr, "127.0.0.1:1001")

	// The file can be named by SAFETYSEARCH_CONFIG.
	c, err = loadConfig("", envMap(map[string]string{"SAFETYSEARCH_CONFIG": file}), nil)
	if err != nil {
		t.Fatal(err)
	}
	check("data_dir via SAFETYSEARCH_CONFIG", c.DataDir, "/from/file")
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name  string
		file  string
		env   map[string]string
		flags []flagValue
		want  string
	}{
		{name: "schedule", flags: []flagValue{{"schedule", "every 5 min"}},
			want: `config: schedule "every 5 min": expected a cron spec or "off" (set by --schedule)`},
		{name: "source scheme", flags: []flagValue{{"source", "ftp://x"}},
			want: `config: sources[0].url "ftp://x": must be http or https (set by --source)`},
		{name: "source from env", env: map[string]string{"SAFETYSEARCH_SOURCES": "https://ok.example/,mailto:x@y"},
			want: `config: sources[1].url "mailto:x@y": must be http or https (set by SAFETYSEARCH_SOURCES)`},
		{name: "source no host", flags: []flagValue{{"source", "https:///path"}},
			want: `config: sources[0].url "https:///path": has no host`},
		{name: "unknown key", file: "scheduel: off\n", want: "field scheduel not found"},
		{name: "bad duration in file", file: "crawl_delay: soon\n", want: "crawl_delay"},
		{name: "bad duration in env", env: map[string]string{"SAFETYSEARCH_RUN_TIMEOUT": "long"},
			want: `config: SAFETYSEARCH_RUN_TIMEOUT "long": expected a duration`},
		{name: "bad addr", flags: []flagValue{{"addr", "8080"}}, want: `config: addr "8080": expected host:port`},
		{name: "log format", env: map[string]string{"SAFETYSEARCH_LOG_FORMAT": "xml"},
			want: `config: log_format "xml": expected text or json (set by SAFETYSEARCH_LOG_FORMAT)`},
		{name: "log level", flags: []flagValue{{"log-level", "loud"}}, want: `config: log_level "loud"`},
		{name: "user agent token", env: map[string]string{"SAFETYSEARCH_USER_AGENT": "Mozilla/5.0"},
			want: `config: user_agent "Mozilla/5.0": must start with the product token`},
		{name: "cors", file: "cors_origins: [example.org]\n", want: `config: cors_origins "example.org"`},
		{name: "allow prefix", file: "sources: [{url: 'https://a.example/', allow_prefixes: [learn]}]\n",
			want: `config: sources[0].allow_prefixes "learn": must start with /`},
		{name: "source kind", file: "sources: [{name: mhra, url: 'https://a.example/feed', kind: atom}]\n",
			want: `config: sources[0] (mhra).kind "atom": expected ips, feed or sitemap`},
		{name: "source include pattern", file: "sources: [{url: 'https://b.example/', kind: sitemap, include: ['(x']}]\n",
			want: `config: sources[0] (b.example).include "(x": not a regular expression`},
		{name: "source exclude pattern", file: "sources: [{name: c, url: 'https://c.example/', exclude: ['a**']}]\n",
			want: `config: sources[0] (c).exclude "a**": not a regular expression`},
		{name: "source unknown key", file: "sources: [{url: 'https://c.example/', publsher: X}]\n",
			want: "field publsher not found"},
		{name: "negative delay", file: "crawl_delay: -1s\n", want: `config: crawl_delay "-1s": must not be negative`},
		{name: "admin token", env: map[string]string{"SAFETYSEARCH_ADMIN_TOKEN": "two words"},
			want: "config: admin_token: contains white space, so it could never be sent in a Bearer header (set by SAFETYSEARCH_ADMIN_TOKEN)"},
		{name: "bool", env: map[string]string{"SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS": "maybe"},
			want: `SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS "maybe": expected true or false`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := ""
			if tc.file != "" {
				file = writeFile(t, "c.yaml", tc.file)
			}
			_, err := loadConfig(file, envMap(tc.env), tc.flags)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigUnreadableFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := loadConfig(missing, envMap(nil), nil)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("error %v: want the path and the OS error", err)
	}
}

func TestConfigEmptyFileKeepsDefaults(t *testing.T) {
	c, err := loadConfig(writeFile(t, "empty.yaml", "# nothing\n"), envMap(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultAddr {
		t.Errorf("addr = %q", c.Addr)
	}
}

// TestSettingsTable keeps the table consistent: every setting has a key, a
// SAFETYSEARCH_ variable and help, and every Config yaml key is a setting.
func TestSettingsTable(t *testing.T) {
	keys := map[string]bool{}
	for _, s := range settings {
		if s.Key == "" || !strings.HasPrefix(s.Env, envPrefix) || s.Help == "" || s.Default == "" || s.set == nil {
			t.Errorf("incomplete setting %+v", s)
		}
		if keys[s.Key] {
			t.Errorf("setting %s twice", s.Key)
		}
		keys[s.Key] = true
	}
	for _, k := range yamlKeys() {
		if !keys[k] {
			t.Errorf("Config key %s has no row in the settings table", k)
		}
	}
}

// yamlKeys are the yaml keys of Config's fields.
func yamlKeys() []string {
	var out []string
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("yaml"); tag != "" && tag != "-" {
			out = append(out, strings.Split(tag, ",")[0])
		}
	}
	return out
}

func TestConfigServingSecuritySettings(t *testing.T) {
	env := map[string]string{
		"SAFETYSEARCH_PUBLIC_URL":      "https://search.example.org/",
		"SAFETYSEARCH_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
		"SAFETYSEARCH_METRICS_TOKEN":   "m3trics",
		"SAFETYSEARCH_HIDDEN_TAGS":     "New, Draft",
	}
	c, err := loadConfig("", envMap(env), []flagValue{{"metrics-listen", "127.0.0.1:9090"}})
	if err != nil {
		t.Fatal(err)
	}
	a := c.apiConfig()
	if a.PublicURL != "https://search.example.org/" || !reflect.DeepEqual(a.TrustedProxies, []string{"10.0.0.0/8", "127.0.0.1"}) ||
		a.MetricsToken != "m3trics" || !a.MetricsElsewhere || !reflect.DeepEqual(a.HiddenTags, []string{"New", "Draft"}) ||
		a.PageRateLimit != DefaultPageRateLimit || a.PageRateBurst != DefaultPageRateBurst {
		t.Errorf("apiConfig = %+v", a)
	}
	d, err := loadConfig("", envMap(map[string]string{"SAFETYSEARCH_PAGE_RATE_LIMIT": "0"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := d.apiConfig(); a.PublicURL != "" || a.MetricsElsewhere || a.PageRateLimit >= 0 ||
		!reflect.DeepEqual(a.HiddenTags, []string{"New", "Pre-existing"}) {
		t.Errorf("defaults: apiConfig = %+v (page_rate_limit 0 must turn the page limit off)", a)
	}
	for key, val := range map[string]string{
		"SAFETYSEARCH_PUBLIC_URL":      "search.example.org",
		"SAFETYSEARCH_TRUSTED_PROXIES": "proxy.local",
		"SAFETYSEARCH_METRICS_LISTEN":  "9090",
		"SAFETYSEARCH_METRICS_TOKEN":   "a b",
		"SAFETYSEARCH_PAGE_RATE_LIMIT": "-1",
	} {
		if _, err := loadConfig("", envMap(map[string]string{key: val}), nil); err == nil {
			t.Errorf("%s=%q accepted", key, val)
		}
	}
}

func TestServeMetricsListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	m := &Main{cfg: Config{MetricsListen: addr}}
	ix, err := indexer.Open(context.Background(), indexer.Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	api, err := searchapi.New(m.cfg.apiConfig(), ix, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop, err := m.serveMetrics(api, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "safetysearch_index_documents") {
		t.Errorf("metrics listener: %d\n%.200s", resp.StatusCode, body)
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on addr with metrics_listen set: %d, want 404", rec.Code)
	}
}

// TestConfigSourceKinds maps a feed and a sitemap source from the file to
// the crawler's configuration.
func TestConfigSourceKinds(t *testing.T) {
	file := writeFile(t, "c.yaml", `sources:
  - name: saferwards
    kind: feed
    url: https://saferwards.example/feed/
    publisher: Safer Wards Network
    crawl_delay: 5s
    full_pass_every: 24h
    default_tags: {regions: [UK]}
    categories:
      Medication safety: {topics: [Medication], content_type: Blogs}
  - name: gov
    kind: sitemap
    url: https://publishing.service.example/sitemap.xml
    include: ['/government/publications/']
    exclude: ['/print$']
`)
	cfg, err := loadConfig(file, envMap(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{cfg: cfg}
	cc, err := m.crawlerConfig()
	if err != nil {
		t.Fatal(err)
	}
	feed, sm := cc.Sources[0], cc.Sources[1]
	if feed.Kind != crawler.SourceFeed || feed.Publisher != "Safer Wards Network" || feed.Delay != 5*time.Second ||
		feed.FullPassEvery != 24*time.Hour || feed.DefaultTags.Regions[0] != "UK" ||
		feed.Categories["Medication safety"].ContentType != "Blogs" {
		t.Errorf("feed source %+v", feed)
	}
	if sm.Kind != crawler.SourceSitemap || sm.Include[0] != "/government/publications/" || sm.Exclude[0] != "/print$" {
		t.Errorf("sitemap source %+v", sm)
	}
}
