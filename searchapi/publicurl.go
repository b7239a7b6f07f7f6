package searchapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// Absolute links (Atom feeds) must not be decided by the client's Host
// header: a forged Host would point every link of a publicly cached feed
// at another site. They come, first match wins, from the configured public
// URL, from X-Forwarded-Proto/-Host sent by a trusted proxy, or from the
// local address the connection was accepted on.

// trustedNets parses proxy addresses and CIDRs as gin's SetTrustedProxies
// does.
func trustedNets(proxies []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range proxies {
		if strings.Contains(p, "/") {
			pfx, err := netip.ParsePrefix(p)
			if err != nil {
				return nil, err
			}
			out = append(out, pfx.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// fromTrustedProxy reports whether the peer of r is a configured proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := ap.Addr().Unmap()
	for _, p := range s.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// baseURL is scheme://host[/path] of this service, without a trailing
// slash, for absolute links.
func (s *Server) baseURL(c *gin.Context) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	r := c.Request
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r) {
		if p := strings.ToLower(firstForwarded(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); validHost(h) {
			return (&url.URL{Scheme: scheme, Host: h}).String()
		}
	}
	host := "localhost"
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok && a != nil {
		host = a.String()
	}
	return (&url.URL{Scheme: scheme, Host: host}).String()
}

// firstForwarded is the first value of a comma-separated forwarded header
// (the one the outermost proxy set).
func firstForwarded(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// validHost accepts host[:port] and nothing that could change a URL's
// meaning.
func validHost(h string) bool {
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/\\@?#% \t\r\n\"<>") {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h
}

// checkPublicURL accepts an absolute http(s) URL without query, fragment
// or user info.
func checkPublicURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("PublicURL %q is not an absolute http(s) URL without query or fragment", v)
	}
	return nil
}
