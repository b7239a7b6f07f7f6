package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/safetysearch/safetysearch/crawler"
)

// DefaultDemoSite is where `serve --demo` finds the sample hub, relative to
// the working directory (the repository root).
const DefaultDemoSite = "testdata/site"

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

// startDemoSite serves the sample hub in dir on 127.0.0.1 on a free port
// until Close.
func startDemoSite(dir string, logger *slog.Logger) (*demoSite, error) {
	return serveDemo(func(base string) http.Handler { return crawler.NewSampleHub(os.DirFS(dir), base) }, logger)
}

// Demo publishers: the sample publishers of testdata/publishers, beside
// the sample hub, crawled as a feed and a sitemap source.
const demoPublishersDir = "publishers"

// demoPublisherSources starts the sample publishers found beside the hub in
// siteDir and returns their sources; none when the directory is absent (a
// hub of one's own given with --demo-site).
func demoPublisherSources(siteDir string, logger *slog.Logger, onClose func(func() error)) ([]SourceSetting, error) {
	dir := filepath.Join(filepath.Dir(siteDir), demoPublishersDir)
	pubs := []struct {
		sub string
		src func(base string) SourceSetting
	}{
		{"wordpress", func(base string) SourceSetting {
			return SourceSetting{Name: "saferwards", Kind: "feed", URL: base + "/feed/", Publisher: "Safer Wards Network",
				DefaultTags: TagSetting{Regions: []string{"UK"}, ContentType: "Blogs"},
				Categories: map[string]TagSetting{
					"Medication safety": {Topics: []string{"Medication"}},
					"Falls prevention":  {Topics: []string{"Falls"}},
				}}
		}},
		{"govuk", func(base string) SourceSetting {
			return SourceSetting{Name: "govuk", Kind: "sitemap", URL: base + "/sitemap.xml", Publisher: "GOV.UK",
				Include:     []string{`/(government/publications|drug-safety-update)/`},
				DefaultTags: TagSetting{Regions: []string{"UK"}, ContentType: "Reports and articles"}}
		}},
	}
	var out []SourceSetting
	for _, p := range pubs {
		root := filepath.Join(dir, p.sub)
		if _, err := os.Stat(filepath.Join(root, "robots.txt")); err != nil {
			logger.Info("demo: sample publisher not found, not served", "dir", root)
			continue
		}
		site, err := serveDemo(func(base string) http.Handler { return crawler.NewSamplePublisher(os.DirFS(root), base) }, logger)
		if err != nil {
			return nil, err
		}
		onClose(site.Close)
		out = append(out, p.src(site.URL))
	}
	return out, nil
}

// serveDemo serves the handler made for its own base URL on 127.0.0.1 on
// a free port until Close.
func serveDemo(handler func(base string) http.Handler, logger *slog.Logger) (*demoSite, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           handler(base),
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
