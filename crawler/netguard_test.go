package crawler

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestIsNonPublicAddr(t *testing.T) {
	for _, c := range []struct {
		ip      string
		private bool
	}{
		{"127.0.0.1", true}, {"127.1.2.3", true}, {"::1", true}, {"::ffff:127.0.0.1", true},
		{"::ffff:10.1.2.3", true}, {"10.0.0.1", true}, {"172.16.5.4", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fc00::1", true}, {"fd12:3456::1", true},
		{"0.0.0.0", true}, {"::", true}, {"224.0.0.1", true}, {"ff02::1", true}, {"100.64.0.1", true},
		{"255.255.255.255", true}, {"2002:7f00:1::", true},
		{"93.184.216.34", false}, {"2606:4700::1111", false}, {"::ffff:93.184.216.34", false},
	} {
		if got := isNonPublicAddr(netip.MustParseAddr(c.ip)); got != c.private {
			t.Errorf("isNonPublicAddr(%s) = %v, want %v", c.ip, got, c.private)
		}
	}
}

func TestConfigRefusesLocalNames(t *testing.T) {
	for _, u := range []string{"http://localhost.:8080/", "http://LOCALHOST./", "http://a.localhost./", "http://[::ffff:127.0.0.1]:80/", "http://[::1]/", "http://0.0.0.0/"} {
		cfg := Config{Sources: []SourceConfig{{Name: "x", URL: u}}}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "private") {
			t.Errorf("Validate(%s) = %v, want a private-address error", u, err)
		}
	}
}

// With the guard on, a loopback server is never connected to, whatever
// name leads there: the address is checked after resolution.
func TestFetchGuardRefusesLoopbackAtConnect(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.Listener.Addr().(interface{ String() string }).String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	f := newFetcher(Config{Timeout: DefaultTimeout, MaxBodyBytes: 1 << 20})
	for _, raw := range []string{srv.URL + "/", "http://localhost.:" + port + "/", "http://localhost:" + port + "/", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.get(context.Background(), u, nil, 0)
		var fe *FetchError
		if !errors.Is(err, ErrPrivateNetwork) || !errors.As(err, &fe) || fe.Kind != KindPrivateNetwork || fe.retryable() {
			t.Errorf("GET %s: %v, want a non-retryable ErrPrivateNetwork", raw, err)
		}
	}
	// A name that is not "localhost" but resolves to a non-public address
	// (here the machine's own name, when it does) is refused at connect.
	if h, err := os.Hostname(); err == nil && !isPrivateHost(h) {
		if ips, err := net.LookupIP(h); err == nil && len(ips) > 0 && allNonPublic(ips) {
			_, err := f.get(context.Background(), mustURL(t, "http://"+h+":"+port+"/"), nil, 0)
			if !errors.Is(err, ErrPrivateNetwork) {
				t.Errorf("GET via host name %s (%v): %v, want ErrPrivateNetwork", h, ips, err)
			}
		} else {
			t.Logf("host name %s does not resolve to non-public addresses only (%v, %v): not checked", h, ips, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
	// The same fetcher with the guard off (tests, intranets) connects.
	open := newFetcher(Config{Timeout: DefaultTimeout, MaxBodyBytes: 1 << 20, AllowPrivateNetworks: true})
	if _, err := open.get(context.Background(), mustURL(t, srv.URL+"/"), nil, 0); err != nil || hits.Load() != 1 {
		t.Errorf("guard off: %v, %d hits", err, hits.Load())
	}
}

func allNonPublic(ips []net.IP) bool {
	for _, ip := range ips {
		a, ok := netip.AddrFromSlice(ip)
		if !ok || !isNonPublicAddr(a) {
			return false
		}
	}
	return true
}

// A crawl whose connections are guarded reaches nothing on loopback and
// says why.
func TestCrawlGuardedReachesNoLoopback(t *testing.T) {
	srv := newSiteServer(t)
	store := openTestStore(t, filepath.Join(t.TempDir(), "crawl.db"))
	cfg := testConfig(srv.URL)
	c, err := New(cfg, store, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.AllowPrivateNetworks = false
	c.fetch = newFetcher(cfg.withDefaults())
	sum, err := c.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "refusing to connect") {
		t.Errorf("crawl error = %v, want the private-network refusal named", err)
	}
	if n := len(srv.requests()); n != 0 || sum.Fetched != 0 {
		t.Errorf("%d requests reached the loopback site (fetched %d)", n, sum.Fetched)
	}
}
