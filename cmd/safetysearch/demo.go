package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// DefaultDemoSite is where `serve --demo` finds the sample hub, relative to
// the working directory (the repository root).
const DefaultDemoSite = "testdata/site"

// basePlaceholder is written in the fixtures wherever an absolute URL of
// the hub starts; the demo server replaces it with its own base URL.
const basePlaceholder = "{{BASE}}"

// siteHandler serves the sample hub of testdata/site (layout in
// testdata/site/README.md): one file per URL path, <path>/index.html for a
// path ending in "/", /sitemap.php from _sitemap/index.xml and
// /sitemap.php?file=X from _sitemap/X.xml or _sitemap/X.xml.gz. Every
// {{BASE}} in a file is replaced by base, inside gzip files too.
type siteHandler struct {
	root fs.FS
	base string
}

func newSiteHandler(root fs.FS, base string) *siteHandler {
	return &siteHandler{root: root, base: base}
}

func (h *siteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := h.fileFor(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	data, err := fs.ReadFile(h.root, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := contentType(name)
	if strings.HasSuffix(name, ".gz") {
		if data, err = h.rewriteGzip(data); err != nil {
			http.Error(w, "bad fixture "+name+": "+err.Error(), http.StatusInternalServerError)
			return
		}
	} else {
		data = bytes.ReplaceAll(data, []byte(basePlaceholder), []byte(h.base))
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(data)
}

// fileFor maps a request to a fixture file name inside root.
func (h *siteHandler) fileFor(r *http.Request) (string, bool) {
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

func (h *siteHandler) rewriteGzip(data []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	plain = bytes.ReplaceAll(plain, []byte(basePlaceholder), []byte(h.base))
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

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".xml.gz"):
		return "application/x-gzip"
	case strings.HasSuffix(name, ".xml"):
		return "application/xml; charset=utf-8"
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

// demoSite is the sample hub served on a loopback port inside the process.
type demoSite struct {
	URL string // http://127.0.0.1:PORT
	srv *http.Server
	ln  net.Listener
}

// findDemoSite checks that dir holds the sample hub.
func findDemoSite(dir string) (string, error) {
	if dir == "" {
		dir = DefaultDemoSite
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(abs, "robots.txt")); err != nil {
		return "", fmt.Errorf("--demo needs the sample hub in %s (%v): run from the repository root or pass --demo-site DIR", dir, errors.Unwrap(err))
	}
	return abs, nil
}

// startDemoSite serves dir on 127.0.0.1 on a free port until Close.
func startDemoSite(dir string, logger *slog.Logger) (*demoSite, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           newSiteHandler(os.DirFS(dir), base),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	d := &demoSite{URL: base, srv: srv, ln: ln}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("demo site stopped", "err", err)
		}
	}()
	return d, nil
}

// Close stops the demo site.
func (d *demoSite) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return d.srv.Shutdown(ctx)
}
