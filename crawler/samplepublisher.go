package crawler

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// SamplePublisher serves a sample publisher of testdata/publishers (a
// WordPress blog or a GOV.UK-shaped site) by the conventions of its
// README: /<path>/ and /<path> from <path>/index.html, a directory's
// index.xml (the WordPress /feed/) as RSS, other files as they are, every
// {{BASE}} replaced by base, query strings ignored.
type SamplePublisher struct {
	root fs.FS
	hub  *SampleHub
}

// NewSamplePublisher serves root (os.DirFS("testdata/publishers/wordpress"))
// at base. `serve --demo` and the crawler's tests use it.
func NewSamplePublisher(root fs.FS, base string) *SamplePublisher {
	return &SamplePublisher{root: root, hub: NewSampleHub(root, base)}
}

func (p *SamplePublisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		p.hub.ServeHTTP(w, r)
		return
	}
	name, ok := p.fileFor(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = "/"+name, "", ""
	data, ctype, err := p.hub.File(r2)
	if errors.Is(err, fs.ErrNotExist) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if path.Base(name) == "index.xml" {
		ctype = "application/rss+xml; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data)
}

// fileFor maps a URL path to a fixture file.
func (p *SamplePublisher) fileFor(urlPath string) (string, bool) {
	if !strings.HasPrefix(urlPath, "/") {
		return "", false
	}
	clean := strings.TrimPrefix(path.Clean(urlPath), "/")
	if clean == "" {
		clean = "."
	}
	if !fs.ValidPath(clean) || strings.HasPrefix(clean, "_") {
		return "", false
	}
	fi, err := fs.Stat(p.root, clean)
	if err != nil {
		return "", false
	}
	if !fi.IsDir() {
		return clean, true
	}
	for _, index := range []string{"index.html", "index.xml"} {
		if _, err := fs.Stat(p.root, path.Join(clean, index)); err == nil {
			return path.Join(clean, index), true
		}
	}
	return "", false
}
