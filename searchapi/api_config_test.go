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
	if s.limiter != nil || s.publicCacheControl() != "no-cache" {
		t.Errorf("limiter %v, Cache-Control %q", s.limiter, s.publicCacheControl())
	}
}
