package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query keys dropped by NormalizeURL (any key starting
// with "utm_" too). They never change the content of a page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "ref_src": true,
	"igshid": true, "mkt_tok": true, "_hsenc": true, "_hsmi": true,
	"__hstc": true, "__hssc": true, "__hsfp": true, "hsctatracking": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wt.mc_id": true,
}

// NormalizeURL resolves raw against base (nil base: raw must be absolute)
// and returns its normal form: http(s) only, lower-case scheme and host,
// default port, user info and fragment dropped, dot segments resolved, an
// empty path as "/", percent-encoding normalised (upper-case hex,
// unreserved characters decoded, everything else such as %E2%80%99 kept
// encoded), tracking parameters (utm_*, fbclid, gclid, mc_cid, …) removed,
// the remaining query parameters sorted by key (stable), an empty query
// dropped. IPS paging (/page/N/, ?page=N) is kept.
func NormalizeURL(raw string, base *url.URL) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("crawler: normalize: empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("crawler: normalize %q: %w", raw, err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("crawler: normalize %q: not an absolute http(s) URL", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("crawler: normalize %q: no host", raw)
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimRight(host, ".")
	if host == "" {
		return nil, fmt.Errorf("crawler: normalize %q: no host", raw)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		if net.ParseIP(host) == nil {
			return nil, fmt.Errorf("crawler: normalize %q: invalid host", raw)
		}
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	out := &url.URL{Scheme: u.Scheme, Host: host}

	p := normalizePercent(u.EscapedPath(), pathSafe)
	p = removeDotSegments(p)
	if p == "" {
		p = "/"
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return nil, fmt.Errorf("crawler: normalize %q: %w", raw, err)
	}
	out.Path = dec
	out.RawPath = p
	out.RawQuery = normalizeQuery(u.RawQuery)
	if _, err := url.Parse(out.String()); err != nil {
		return nil, fmt.Errorf("crawler: normalize %q: %w", raw, err)
	}
	return out, nil
}

func normalizeQuery(q string) string {
	if q == "" {
		return ""
	}
	type kv struct{ k, raw string }
	var keep []kv
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, hasEq := strings.Cut(part, "=")
		k = normalizePercent(k, querySafe)
		dk, err := url.QueryUnescape(k)
		if err != nil {
			dk = k
		}
		lk := strings.ToLower(dk)
		if strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			continue
		}
		s := k
		if hasEq {
			s += "=" + normalizePercent(v, querySafe)
		}
		keep = append(keep, kv{k: dk, raw: s})
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].k < keep[j].k })
	parts := make([]string, len(keep))
	for i, p := range keep {
		parts[i] = p.raw
	}
	return strings.Join(parts, "&")
}

func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// pathSafe are the characters that may appear unencoded in a path.
func pathSafe(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("!$&'()*+,;=:@/", c) >= 0
}

// querySafe are the characters kept unencoded in a query component
// ("&" and "=" never reach it: components are split first).
func querySafe(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("!$'()*+,;:@/?", c) >= 0
}

const upperHex = "0123456789ABCDEF"

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// normalizePercent rewrites an escaped URL component: valid %XX escapes get
// upper-case hex and are decoded when they encode an unreserved character;
// a stray "%" and any byte that safe rejects are encoded.
func normalizePercent(s string, safe func(byte) bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				v := h<<4 | l
				if isUnreserved(v) {
					b.WriteByte(v)
				} else {
					b.WriteByte('%')
					b.WriteByte(upperHex[v>>4])
					b.WriteByte(upperHex[v&15])
				}
				i += 2
				continue
			}
		}
		if c != '%' && safe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[c>>4])
		b.WriteByte(upperHex[c&15])
	}
	return b.String()
}

// removeDotSegments implements RFC 3986 §5.2.4 on an escaped path.
func removeDotSegments(p string) string {
	if p == "" {
		return ""
	}
	segs := strings.Split(p, "/")
	var out []string
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if strings.HasPrefix(p, "/") && !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

// sameHost reports whether a and b have the same scheme-independent host
// (lower-case, default ports dropped).
func sameHost(a, b *url.URL) bool {
	return hostKey(a) == hostKey(b)
}

// hostKey is host[:port] with default ports dropped, lower-case.
func hostKey(u *url.URL) string {
	h := strings.ToLower(strings.TrimRight(u.Hostname(), "."))
	p := u.Port()
	if (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		p = ""
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if p != "" {
		h += ":" + p
	}
	return h
}

// Scope decides which normalised URLs of a source may be fetched.
type Scope struct {
	// Host is the source's host[:port] (see NormalizeURL).
	Host string
	// AllowPrefixes is the path allow list; empty allows every path.
	AllowPrefixes []string
	// Generic drops the Invision Community non-content rules: the site is
	// another publisher (a feed or sitemap source).
	Generic bool
	// patterns are the source's include and exclude URL patterns.
	patterns urlPatterns
}

// Scope refusal reasons returned by Scope.Check.
const (
	ScopeOK          = ""
	ScopeOtherHost   = "other_host"
	ScopePrefix      = "not_in_prefixes"
	ScopeNonContent  = "ips_non_content"
	ScopeAttachments = "attachment"
	ScopePattern     = "url_pattern"
)

// ipsNonContentQuery are query keys of IPS pages that never hold unique
// content (sorting, filtering, actions, tabs, search forms, feeds).
var ipsNonContentQuery = map[string]bool{
	"sortby": true, "sortdirection": true, "filter": true, "do": true, "tab": true,
	"advancedsearchform": true, "rss": true, "currency": true, "csrfkey": true,
}

// ipsNonContentSegments are first path segments of IPS pages without
// unique content (members, auth, search, tag pages, activity streams).
var ipsNonContentSegments = map[string]bool{
	"profile": true, "login": true, "register": true, "lostpassword": true,
	"search": true, "tags": true, "discover": true, "startTopic": true,
	"markallread": true, "staff": true, "cookies": true, "online": true,
	"leaderboard": true, "notifications": true, "messenger": true, "settings": true,
	"logout": true, "rss": true, "privacy": true,
}

// Check returns ScopeOK ("") when u may be fetched, else the reason. u
// must be normalised.
func (s Scope) Check(u *url.URL) string {
	if hostKey(u) != s.Host {
		return ScopeOtherHost
	}
	if !s.Generic && IsNonContentURL(u) {
		if strings.HasPrefix(u.Path, "/applications/") {
			return ScopeAttachments
		}
		return ScopeNonContent
	}
	if !s.patterns.allows(u) {
		return ScopePattern
	}
	if len(s.AllowPrefixes) == 0 {
		return ScopeOK
	}
	for _, p := range s.AllowPrefixes {
		if strings.HasPrefix(u.Path, p) || u.Path+"/" == p {
			return ScopeOK
		}
	}
	return ScopePrefix
}

// IsNonContentURL reports whether u is an IPS URL that is never fetched:
// ?sortby=, ?filter=, ?do=, ?tab=, ?advancedSearchForm, ?rss=, profiles,
// login/register/lost password, search, tag pages, discover streams and
// /applications/ (attachments and interface scripts).
func IsNonContentURL(u *url.URL) bool {
	seg := strings.TrimPrefix(u.Path, "/")
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	if seg == "applications" || ipsNonContentSegments[seg] {
		return true
	}
	if seg == "index.php" && u.RawQuery != "" {
		// legacy IPS URLs: index.php?/profile/…
		q := strings.TrimPrefix(u.RawQuery, "/")
		if i := strings.IndexAny(q, "/&"); i >= 0 {
			q = q[:i]
		}
		if ipsNonContentSegments[q] {
			return true
		}
	}
	if u.RawQuery == "" {
		return false
	}
	for _, part := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if ipsNonContentQuery[strings.ToLower(k)] {
			return true
		}
	}
	return false
}
