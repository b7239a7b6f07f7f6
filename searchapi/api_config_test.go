package searchapi

import (
	"testing"
	"time"
)

func TestConfigDefaultsAndErrors(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		RateLimit: DefaultRateLimit, RateBurst: DefaultRateBurst, RateClients: DefaultRateClients,
		RateIdle: DefaultRateIdle, SearchTimeout: DefaultSearchTimeout, MaxBodyBytes: DefaultMaxBodyBytes,
		MaxQueryValues: DefaultMaxQueryValues, CacheMaxAge: DefaultCacheMaxAge,
	}
	if c.PageRateLimit != DefaultPageRateLimit || c.PageRateBurst != DefaultPageRateBurst ||
		len(c.HiddenTags) != 2 || c.Registry != nil {
		t.Errorf("page limit %v/%d, hidden tags %v", c.PageRateLimit, c.PageRateBurst, c.HiddenTags)
	}
	if c.RateLimit != want.RateLimit || c.RateBurst != want.RateBurst || c.RateClients != want.RateClients ||
		c.RateIdle != want.RateIdle || c.SearchTimeout != want.SearchTimeout || c.MaxBodyBytes != want.MaxBodyBytes ||
		c.MaxQueryValues != want.MaxQueryValues || c.CacheMaxAge != want.CacheMaxAge {
		t.Errorf("defaults %+v, want %+v", c, want)
	}
	bad := []Config{
		{AdminToken: " padded"},
		{AdminToken: "two words"},
		{RateBurst: -1},
		{RateClients: -1},
		{RateIdle: -time.Second},
		{SearchTimeout: -time.Second},
		{MaxBodyBytes: -1},
		{MaxQueryValues: -1},
		{CORSOrigins: []string{"https://ok.example", "not an origin"}},
		{TrustedProxies: []string{"not-an-ip"}},
		{PublicURL: "search.example.org"},
		{PublicURL: "ftp://search.example.org/"},
		{PublicURL: "https://search.example.org/?x=1"},
		{MetricsToken: "two words"},
		{PageRateBurst: -1},
	}
	ix := openIndex(t, nil)
	for _, cfg := range bad {
		if _, err := New(cfg, ix, nil, nil); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
	if _, err := New(Config{}, nil, nil, nil); err == nil {
		t.Error("nil Searcher accepted")
	}
	// Negative RateLimit disables limiting; negative CacheMaxAge means no-cache.
	s, err := New(Config{RateLimit: -1, CacheMaxAge: -1}, ix, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.limiter != nil || s.pageLimiter == nil || s.publicCacheControl() != "no-cache" {
		t.Errorf("limiter %v, Cache-Control %q", s.limiter, s.publicCacheControl())
	}
}

func TestClientKeyAndMethodLabel(t *testing.T) {
	for ip, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"":                     "unknown",
		"not-an-ip":            "not-an-ip",
	} {
		if got := clientKey(ip); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", ip, got, want)
		}
	}
	for m, want := range map[string]string{"GET": "GET", "OPTIONS": "OPTIONS", "BREW": "other", "get": "other"} {
		if got := methodLabel(m); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", m, got, want)
		}
	}
}
