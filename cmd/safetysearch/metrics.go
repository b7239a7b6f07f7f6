package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/safetysearch/safetysearch/searchapi"
)

// serveMetrics serves /metrics on metrics_listen, when set, so that the
// public address need not expose it. The returned stop closes the
// listener; it is a no-op without metrics_listen.
func (m *Main) serveMetrics(api *searchapi.Server, log *slog.Logger) (stop func(), err error) {
	addr := m.cfg.MetricsListen
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve: listen on %s (setting metrics_listen): %w", addr, err)
	}
	srv := &http.Server{
		Handler:           api.MetricsHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "err", err)
		}
	}()
	log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	return func() { _ = srv.Close() }, nil
}
