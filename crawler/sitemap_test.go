package crawler

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const testIndex = `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://www.pslhub.org/sitemap.php?file=1_sitemap_database_records_1</loc><lastmod>2026-01-28T10:00:00+00:00</lastmod></sitemap>
 <sitemap><loc> https://www.pslhub.org/sitemap.php?file=1_sitemap_database_categories </loc></sitemap>
</sitemapindex>`

const testURLSet = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <url><loc>https://www.pslhub.org/learn/a-r1/</loc><lastmod>2026-01-28</lastmod><priority>1</priority></url>
 <url><loc>https://www.pslhub.org/learn/doesn%E2%80%99t-r2/</loc><lastmod>2026-01-28T10:00Z</lastmod></url>
 <url><loc></loc></url>
</urlset>`

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseSitemap(t *testing.T) {
	sm, err := ParseSitemap(strings.NewReader(testIndex), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !sm.Index || len(sm.URLs) != 2 || sm.URLs[1].Loc != "https://www.pslhub.org/sitemap.php?file=1_sitemap_database_categories" {
		t.Fatalf("index = %+v", sm)
	}
	if !sm.URLs[0].LastMod.Equal(time.Date(2026, 1, 28, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("lastmod = %v", sm.URLs[0].LastMod)
	}

	for name, body := range map[string][]byte{"plain": []byte(testURLSet), "gzip": gz(t, testURLSet), "bom": append([]byte("\xef\xbb\xbf"), testURLSet...)} {
		t.Run(name, func(t *testing.T) {
			sm, err := ParseSitemap(bytes.NewReader(body), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if sm.Index || len(sm.URLs) != 2 {
				t.Fatalf("urlset = %+v", sm)
			}
			if sm.URLs[1].Loc != "https://www.pslhub.org/learn/doesn%E2%80%99t-r2/" {
				t.Errorf("loc = %q", sm.URLs[1].Loc)
			}
			if sm.URLs[0].LastMod.IsZero() || sm.URLs[1].LastMod.IsZero() {
				t.Errorf("lastmod not parsed: %+v", sm.URLs)
			}
		})
	}
}

func TestParseSitemapErrors(t *testing.T) {
	if _, err := ParseSitemap(strings.NewReader(`<urlset><url><loc>x</loc></urlset>`), 0, 0); err == nil || !strings.Contains(err.Error(), "bad XML") {
		t.Errorf("bad XML: err = %v", err)
	}
	if _, err := ParseSitemap(strings.NewReader(`<!DOCTYPE html><html><body>hi</body></html>`), 0, 0); err == nil {
		t.Error("HTML accepted as a sitemap")
	}
	if _, err := ParseSitemap(strings.NewReader(``), 0, 0); err == nil {
		t.Error("empty document accepted")
	}
	if _, err := ParseSitemap(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), 0, 0); err == nil {
		t.Error("broken gzip accepted")
	}

	var big strings.Builder
	big.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 200 {
		fmt.Fprintf(&big, "<url><loc>https://x.org/learn/p-r%d/</loc></url>\n", i)
	}
	big.WriteString(`</urlset>`)
	_, err := ParseSitemap(strings.NewReader(big.String()), 1000, 0)
	if err == nil || !strings.Contains(err.Error(), "exceeds 1000 bytes") {
		t.Errorf("oversize: err = %v", err)
	}
	// the size cap applies to the uncompressed size
	_, err = ParseSitemap(bytes.NewReader(gz(t, big.String())), 1000, 0)
	if err == nil || !strings.Contains(err.Error(), "exceeds 1000 bytes") {
		t.Errorf("oversize gzip: err = %v", err)
	}
	sm, err := ParseSitemap(strings.NewReader(big.String()), 0, 50)
	if !errors.Is(err, ErrSitemapTooManyURLs) || sm == nil || len(sm.URLs) != 50 {
		t.Errorf("too many URLs: err = %v, sm = %v", err, sm != nil)
	}
}

func TestLooksLikeXMLOrGzip(t *testing.T) {
	for s, want := range map[string]bool{
		testURLSet:                 true,
		"\xef\xbb\xbf <urlset/>":   true,
		"<!DOCTYPE html><html>":    false,
		"<HTML><body>":             false,
		"plain text":               false,
		"":                         false,
		string(gz(t, "<urlset/>")): true,
	} {
		if got := looksLikeXMLOrGzip([]byte(s)); got != want {
			t.Errorf("looksLikeXMLOrGzip(%.20q) = %v", s, got)
		}
	}
}

// A gzip bomb stops after about MaxSitemapRatio times the compressed bytes
// read, long before the uncompressed size cap.
func TestParseSitemapGzipBomb(t *testing.T) {
	bomb := gzipBomb(t, 16<<20)
	src := &countReader{r: bytes.NewReader(bomb)}
	_, err := ParseSitemap(src, 0, 0)
	if err == nil || !strings.Contains(err.Error(), "gzip bomb") {
		t.Fatalf("ParseSitemap(bomb) = %v, want a gzip-bomb error", err)
	}
	// bufio reads ahead up to 4 KiB; the decompressor stops after about
	// MaxSitemapRatio × that, not after 16 MiB.
	if src.n > int64(len(bomb)) || src.n > 64<<10 {
		t.Errorf("read %d compressed bytes of %d", src.n, len(bomb))
	}
	// A real sitemap compresses far less and still parses.
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`))
	for i := range 20000 {
		fmt.Fprintf(zw, "<url><loc>https://hub.example/learn/c/record-number-%d-r%d/</loc><lastmod>2026-01-0%dT10:00:00+00:00</lastmod></url>\n", i, i, i%9+1)
	}
	zw.Write([]byte(`</urlset>`))
	zw.Close()
	sm, err := ParseSitemap(&buf, 0, 0)
	if err != nil || len(sm.URLs) != 20000 {
		t.Fatalf("gzip sitemap: %v, %d URLs", err, len(sm.URLs))
	}
}
