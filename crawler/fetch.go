package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// ErrorKind names a class of failed URL, the key of Summary.Errors.
type ErrorKind string

// Error kinds counted in Summary.Errors.
const (
	KindTimeout           ErrorKind = "timeout"
	KindConnection        ErrorKind = "connection"
	KindHTTP5xx           ErrorKind = "http_5xx"
	KindHTTP4xx           ErrorKind = "http_4xx"
	KindRateLimited       ErrorKind = "rate_limited"
	KindTooLarge          ErrorKind = "too_large"
	KindRedirectLoop      ErrorKind = "redirect_loop"
	KindTooManyRedirects  ErrorKind = "too_many_redirects"
	KindRedirectBad       ErrorKind = "bad_redirect"
	KindNotHTML           ErrorKind = "not_html"
	KindCharset           ErrorKind = "charset"
	KindExtractFailed     ErrorKind = "extract_failed"
	KindRobotsUnavailable ErrorKind = "robots_unavailable"
	KindSitemap           ErrorKind = "sitemap"
	KindStore             ErrorKind = "store"
	KindPrivateNetwork    ErrorKind = "private_network"
)

// MaxRedirects is how many redirects one fetch follows.
const MaxRedirects = 5

// FetchError is a failed fetch of one URL, with a kind for the summary.
type FetchError struct {
	Kind   ErrorKind
	URL    string
	Status int // HTTP status when there was a response
	Err    error
}

func (e *FetchError) Error() string {
	if e.Kind == KindSitemap {
		return fmt.Sprintf("crawler: sitemap %s: %s", e.URL, strings.TrimPrefix(e.Err.Error(), "crawler: sitemap: "))
	}
	return fmt.Sprintf("crawler: fetch %s: %v", e.URL, e.Err)
}

func (e *FetchError) Unwrap() error { return e.Err }

// retryable reports whether another try in this run may succeed.
func (e *FetchError) retryable() bool {
	switch e.Kind {
	case KindTimeout, KindConnection, KindHTTP5xx, KindRateLimited:
		return true
	}
	return false
}

// response is one HTTP answer (no redirect followed).
type response struct {
	URL         *url.URL
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
}

// fetcher does single HTTP GETs: context deadline per request, no
// automatic redirects, capped body.
type fetcher struct {
	client    *http.Client
	userAgent string
	maxBody   int64
	timeout   time.Duration
	// guard refuses localhost names before any lookup; addresses are
	// checked at connect time by guardControl.
	guard bool
}

func newFetcher(cfg Config) *fetcher {
	var c http.Client
	if cfg.HTTPClient != nil {
		c = *cfg.HTTPClient
	} else {
		d := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
		proxy := http.ProxyFromEnvironment
		if !cfg.AllowPrivateNetworks {
			d.Control = guardControl
			// Through a proxy the proxy resolves the name and the guard
			// would only see the proxy's address.
			proxy = nil
		}
		c.Transport = &http.Transport{
			Proxy:                 proxy,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   cfg.Timeout,
			ResponseHeaderTimeout: cfg.Timeout,
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &fetcher{client: &c, userAgent: cfg.UserAgent, maxBody: cfg.MaxBodyBytes, timeout: cfg.Timeout,
		guard: !cfg.AllowPrivateNetworks}
}

// get fetches u once. hdr adds request headers (validators, Accept).
// Non-2xx statuses are returned as a response, not an error; errors are
// *FetchError (or the context's error when ctx itself is done). A body
// over the size cap is an error, unless truncateAt > 0: then the first
// truncateAt bytes are kept and the rest is not read.
func (f *fetcher) get(ctx context.Context, u *url.URL, hdr http.Header, truncateAt int64) (*response, error) {
	if f.guard && isPrivateHost(u.Hostname()) {
		return nil, &FetchError{Kind: KindPrivateNetwork, URL: u.String(), Err: fmt.Errorf("%w: %s", ErrPrivateNetwork, u.Host)}
	}
	rctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &FetchError{Kind: KindConnection, URL: u.String(), Err: err}
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("User-Agent", f.userAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.classify(ctx, u, 0, err)
	}
	defer resp.Body.Close()
	r := &response{URL: u, Status: resp.StatusCode, Header: resp.Header, ContentType: resp.Header.Get("Content-Type")}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 || resp.StatusCode == http.StatusNotModified {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return r, nil
	}
	if truncateAt > 0 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, truncateAt))
		if err != nil {
			return nil, f.classify(ctx, u, resp.StatusCode, fmt.Errorf("reading body: %w", err))
		}
		r.Body = body
		return r, nil
	}
	if resp.ContentLength > f.maxBody {
		return nil, &FetchError{Kind: KindTooLarge, URL: u.String(), Status: resp.StatusCode,
			Err: fmt.Errorf("body exceeds %d bytes (Content-Length %d)", f.maxBody, resp.ContentLength)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBody+1))
	if err != nil {
		return nil, f.classify(ctx, u, resp.StatusCode, fmt.Errorf("reading body: %w", err))
	}
	if int64(len(body)) > f.maxBody {
		return nil, &FetchError{Kind: KindTooLarge, URL: u.String(), Status: resp.StatusCode,
			Err: fmt.Errorf("body exceeds %d bytes", f.maxBody)}
	}
	r.Body = body
	return r, nil
}

func (f *fetcher) classify(ctx context.Context, u *url.URL, status int, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	kind := KindConnection
	var ne net.Error
	switch {
	case errors.Is(err, ErrPrivateNetwork):
		kind = KindPrivateNetwork
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		kind = KindTimeout
		err = fmt.Errorf("no complete answer within %s: %w", f.timeout, err)
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF):
		kind = KindConnection
	}
	return &FetchError{Kind: kind, URL: u.String(), Status: status, Err: err}
}

// statusError turns a non-2xx answer into a FetchError.
func statusError(r *response) *FetchError {
	kind := KindHTTP4xx
	switch {
	case r.Status == http.StatusTooManyRequests:
		kind = KindRateLimited
	case r.Status >= 500:
		kind = KindHTTP5xx
	}
	return &FetchError{Kind: kind, URL: r.URL.String(), Status: r.Status, Err: fmt.Errorf("HTTP %d", r.Status)}
}

// isHTML checks the Content-Type (sniffing the body when there is none).
func isHTML(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(body))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

var (
	utf8BOM     = []byte("\xef\xbb\xbf")
	metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)
)

// toUTF8 returns body as UTF-8 without a BOM. Valid UTF-8 is kept as is;
// otherwise the charset comes from the Content-Type, then from a <meta
// charset> anywhere in the page (not only in the first 1024 bytes), then
// from golang.org/x/net/html/charset's sniffing; a page that claims UTF-8
// but is not is read as windows-1252.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	body = bytes.TrimPrefix(body, utf8BOM)
	if utf8.Valid(body) {
		return body, nil
	}
	label := ""
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		label = params["charset"]
	}
	if label == "" || isUTF8Label(label) {
		if m := metaCharset.FindSubmatch(body); m != nil && !isUTF8Label(string(m[1])) {
			label = string(m[1])
		} else {
			label = ""
		}
	}
	var enc encoding.Encoding
	if label != "" {
		enc, _ = charset.Lookup(label)
		if enc == nil {
			return nil, fmt.Errorf("unknown charset %q", label)
		}
	} else {
		// Sniff (BOMs, an early <meta>); a page that claims UTF-8 but is
		// not is almost always windows-1252.
		var name string
		enc, name, _ = charset.DetermineEncoding(body, "text/html")
		if name == "utf-8" {
			enc = charmap.Windows1252
		}
	}
	r := enc.NewDecoder().Reader(bytes.NewReader(body))
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("transcoding to UTF-8: %w", err)
	}
	return bytes.TrimPrefix(out, utf8BOM), nil
}

func isUTF8Label(l string) bool {
	l = strings.ToLower(strings.TrimSpace(l))
	return l == "utf-8" || l == "utf8"
}
