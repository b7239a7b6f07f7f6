package crawler

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Sitemap caps (sitemaps.org protocol limits) and the index nesting depth.
const (
	DefaultSitemapMaxBytes = 50 << 20
	DefaultSitemapMaxURLs  = 50000
	MaxSitemapDepth        = 2
	// MaxSitemapRatio caps how much larger than its compressed form a
	// gzip sitemap may grow (past the first MiB); real sitemaps compress
	// far less, a gzip bomb far more, so a bomb stops after little work.
	MaxSitemapRatio = 100
)

// ErrSitemapTooManyURLs is returned (with the URLs up to the cap) when a
// sitemap lists more than the allowed number of URLs.
var ErrSitemapTooManyURLs = errors.New("crawler: sitemap lists too many URLs")

// Sitemap is one parsed sitemap file.
type Sitemap struct {
	// Index is true for a <sitemapindex>: URLs are then child sitemaps.
	Index bool
	URLs  []SitemapURL
}

// SitemapURL is one <url> or <sitemap> entry.
type SitemapURL struct {
	Loc     string
	LastMod time.Time // zero when absent or unparsable
}

// ParseSitemap reads a <urlset> or <sitemapindex> document, gzip-compressed
// or not (detected by the magic bytes 1f 8b, never by name or header).
// maxBytes caps the uncompressed size and maxURLs the number of entries (0
// → the defaults). Malformed XML or another root element is an error; too
// many entries returns the first maxURLs with ErrSitemapTooManyURLs.
func ParseSitemap(r io.Reader, maxBytes int64, maxURLs int) (*Sitemap, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultSitemapMaxBytes
	}
	if maxURLs <= 0 {
		maxURLs = DefaultSitemapMaxURLs
	}
	br := bufio.NewReader(r)
	lr := &capReader{max: maxBytes}
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		lr.compressed = &countReader{r: br}
		zr, err := gzip.NewReader(lr.compressed)
		if err != nil {
			return nil, fmt.Errorf("crawler: sitemap: gzip: %w", err)
		}
		defer zr.Close()
		lr.r = zr
	} else {
		lr.r = br
	}
	dec := xml.NewDecoder(lr)
	sm := &Sitemap{}
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if lr.err != nil {
				return nil, lr.err
			}
			return nil, fmt.Errorf("crawler: sitemap: bad XML: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		name := strings.ToLower(se.Name.Local)
		if root == "" {
			root = name
			switch root {
			case "sitemapindex":
				sm.Index = true
			case "urlset":
			default:
				return nil, fmt.Errorf("crawler: sitemap: root element <%s> is neither <urlset> nor <sitemapindex>", se.Name.Local)
			}
			continue
		}
		if (root == "urlset" && name == "url") || (root == "sitemapindex" && name == "sitemap") {
			var e struct {
				Loc     string `xml:"loc"`
				LastMod string `xml:"lastmod"`
			}
			if err := dec.DecodeElement(&e, &se); err != nil {
				if lr.err != nil {
					return nil, lr.err
				}
				return nil, fmt.Errorf("crawler: sitemap: bad XML: %w", err)
			}
			loc := strings.TrimSpace(e.Loc)
			if loc == "" {
				continue
			}
			if len(sm.URLs) >= maxURLs {
				return sm, fmt.Errorf("%w (more than %d)", ErrSitemapTooManyURLs, maxURLs)
			}
			sm.URLs = append(sm.URLs, SitemapURL{Loc: loc, LastMod: parseLastMod(e.LastMod)})
		}
	}
	if root == "" {
		return nil, errors.New("crawler: sitemap: empty document")
	}
	return sm, nil
}

// parseLastMod accepts the W3C datetime forms used in sitemaps.
func parseLastMod(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// capReader fails once more than max bytes were read, or, for a gzip
// stream, once the output outgrows MaxSitemapRatio times the input read.
type capReader struct {
	r          io.Reader
	compressed *countReader // nil when not gzip
	max, n     int64
	err        error
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if int64(len(p)) > c.max-c.n+1 {
		p = p[:c.max-c.n+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	switch {
	case c.n > c.max:
		c.err = fmt.Errorf("crawler: sitemap exceeds %d bytes", c.max)
	case c.compressed != nil && c.n > 1<<20 && c.n > MaxSitemapRatio*c.compressed.n:
		c.err = fmt.Errorf("crawler: sitemap: gzip expands more than %d times (%d bytes from %d): refused as a gzip bomb",
			MaxSitemapRatio, c.n, c.compressed.n)
	}
	if c.err != nil {
		return n, c.err
	}
	return n, err
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// looksLikeXMLOrGzip reports whether a body could be a sitemap: gzip magic,
// or (after a BOM and white space) a "<" that does not open an HTML page.
func looksLikeXMLOrGzip(b []byte) bool {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return true
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	head := strings.ToLower(string(b[:min(len(b), 64)]))
	return !strings.HasPrefix(head, "<!doctype html") && !strings.HasPrefix(head, "<html")
}
