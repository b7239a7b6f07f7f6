package crawler

// The sample hub: an IPS-shaped site kept as static files (testdata/site),
// served with its own address substituted. It is what `serve --demo` crawls
// with no network, and what the crawler's end-to-end tests crawl.

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// SampleBasePlaceholder is written in the fixtures wherever an absolute URL of
// the hub starts; the demo server replaces it with its own base URL.
const SampleBasePlaceholder = "{{BASE}}"

// SampleHub serves the sample hub of testdata/site (layout in
// testdata/site/README.md): one file per URL path, <path>/index.html for a
// path ending in "/", /sitemap.php from _sitemap/index.xml and
// /sitemap.php?file=X from _sitemap/X.xml or _sitemap/X.xml.gz. Every
// {{BASE}} in a file is replaced by base, inside gzip files too.
type SampleHub struct {
	root fs.FS
	base string
}

// NewSampleHub serves root (os.DirFS("testdata/site")) as the hub at base
// (its own http://host:port). `serve --demo` and the crawler's tests use it.
func NewSampleHub(root fs.FS, base string) *SampleHub {
	return &SampleHub{root: root, base: base}
}

func (h *SampleHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	data, ctype, err := h.File(r)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data)
}

// File returns the body and content type of the fixture that answers r,
// with every {{BASE}} replaced (inside gzip files too); an error wrapping
// fs.ErrNotExist when no fixture does.
func (h *SampleHub) File(r *http.Request) ([]byte, string, error) {
	name, ok := h.fileFor(r)
	if !ok {
		return nil, "", fmt.Errorf("sample hub: no fixture for %s: %w", r.URL, fs.ErrNotExist)
	}
	data, err := fs.ReadFile(h.root, name)
	if err != nil {
		return nil, "", fmt.Errorf("sample hub: %w", err)
	}
	if strings.HasSuffix(name, ".gz") {
		if data, err = h.rewriteGzip(data); err != nil {
			return nil, "", fmt.Errorf("sample hub: bad fixture %s: %w", name, err)
		}
	} else {
		data = bytes.ReplaceAll(data, []byte(SampleBasePlaceholder), []byte(h.base))
	}
	return data, sampleContentType(name), nil
}

// fileFor maps a request to a fixture file name inside root.
func (h *SampleHub) fileFor(r *http.Request) (string, bool) {
	p := r.URL.Path
	if p == "" || !strings.HasPrefix(p, "/") {
		return "", false
	}
	if p == "/sitemap.php" {
		file := r.URL.Query().Get("file")
		if file == "" {
			return "_sitemap/index.xml", true
		}
		if strings.ContainsAny(file, `/\`) || strings.HasPrefix(file, ".") {
			return "", false
		}
		for _, ext := range []string{".xml", ".xml.gz"} {
			if _, err := fs.Stat(h.root, "_sitemap/"+file+ext); err == nil {
				return "_sitemap/" + file + ext, true
			}
		}
		return "", false
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") {
		clean = path.Join(clean, "index.html")
	}
	clean = strings.TrimPrefix(clean, "/")
	if clean == "" || strings.HasPrefix(clean, "_") || !fs.ValidPath(clean) {
		return "", false
	}
	if fi, err := fs.Stat(h.root, clean); err != nil || fi.IsDir() {
		return "", false
	}
	return clean, true
}

func (h *SampleHub) rewriteGzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	plain = bytes.ReplaceAll(plain, []byte(SampleBasePlaceholder), []byte(h.base))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(plain); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sampleContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".xml.gz"):
		return "application/x-gzip"
	case strings.HasSuffix(name, ".xml"):
		return "application/xml; charset=utf-8"
	case strings.HasSuffix(name, ".pdf"):
		return "application/pdf"
	case strings.HasSuffix(name, ".txt"):
		return "text/plain; charset=utf-8"
	case strings.HasSuffix(name, ".html"), path.Ext(name) == "":
		return "text/html; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
