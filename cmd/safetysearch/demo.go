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

// startDemoSite serves dir on 127.0.0.1 on a free port until Close.
func startDemoSite(dir string, logger *slog.Logger) (*demoSite, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo site: listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	srv := &http.Server{
		Handler:           crawler.NewSampleHub(os.DirFS(dir), base),
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
