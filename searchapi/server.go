package searchapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/safetysearch/safetysearch/indexer/article"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/schedule"
)

// Searcher answers searches and article lookups from the serving index.
// *indexer.Index satisfies it.
type Searcher interface {
	// SearchNormalized runs one query, normalised where it entered the
	// API. Invalid free text fails with *indexer.QueryError, a missing
	// index with indexer.ErrUnavailable. The Result's lists are never nil.
	SearchNormalized(ctx context.Context, q indexer.Normalized) (*indexer.Result, error)
	// Article returns one whole article and the generation that served it,
	// or indexer.ErrNotFound.
	Article(ctx context.Context, id string) (article.Article, string, error)
	// ArticleText is Article with the page text of its documents, bounded
	// (indexer.MaxAttachmentText).
	ArticleText(ctx context.Context, id string) (article.Article, string, error)
	// Status describes the serving index (Ready, Generation, Documents,
	// BuiltAt).
	Status() indexer.Status
	// Suggest returns a corrected query for a query that found nothing, or
	// "" (the page's "did you mean").
	Suggest(ctx context.Context, text string) (string, error)
	// Related returns up to n articles like article id (the article page).
	Related(ctx context.Context, id string, n int) ([]indexer.Hit, error)
	// Scan calls fn for every article of q's result set in q's sort order,
	// up to limit, ignoring paging (feeds and export).
	Scan(ctx context.Context, q indexer.Query, limit int, fn func(article.Article) error) error
}

// Rebuilder starts a crawl + rebuild on demand and reports the schedule.
// *schedule.Scheduler satisfies it. A nil Rebuilder disables manual rebuilds.
type Rebuilder interface {
	// Trigger starts a crawl and rebuild in the background. It fails with
	// indexer.ErrRunning when a run (of any trigger) is running.
	Trigger(trigger string) error
	// Status describes the schedule and its runs: Running, Next, Last.
	Status() schedule.RunStatus
}

// Server is the HTTP API. It is an http.Handler; build it with New.
type Server struct {
	cfg       Config
	searcher  Searcher
	rebuilder Rebuilder // nil: manual rebuild disabled
	log       *slog.Logger
	engine    *gin.Engine
	limiter   *ipLimiter // nil: rate limiting disabled
	// pageLimiter is the HTML pages' bucket; nil: not limited.
	pageLimiter *ipLimiter
	metrics     *metrics
	cors        *corsPolicy // nil: CORS off
	trusted     []netip.Prefix
	adminHash   [sha256.Size]byte
	// metricsHash is the digest of Config.MetricsToken.
	metricsHash [sha256.Size]byte
	openapi     staticDoc
	pages       *pages // HTML templates and static assets (page.go)
}

// New builds the API server. s is required; r may be nil (no manual
// rebuild); logger may be nil (discard).
func New(cfg Config, s Searcher, r Rebuilder, logger *slog.Logger) (*Server, error) {
	if s == nil {
		return nil, errors.New("searchapi: New: nil Searcher")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	srv := &Server{
		cfg:       cfg,
		searcher:  s,
		rebuilder: r,
		log:       logger.With("component", "searchapi"),
		openapi:   newStaticDoc(openapiJSON, "application/json"),
	}
	if srv.pages, err = newPages(); err != nil {
		return nil, err
	}
	reg := cfg.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	srv.metricsHash = sha256.Sum256([]byte(cfg.MetricsToken))
	if srv.metrics, err = newMetrics(reg, s, r); err != nil {
		return nil, err
	}
	if cfg.AdminToken != "" {
		srv.adminHash = sha256.Sum256([]byte(cfg.AdminToken))
	}
	if cfg.RateLimit > 0 {
		srv.limiter = newIPLimiter(cfg.RateLimit, cfg.RateBurst, cfg.RateClients, cfg.RateIdle)
	}
	if cfg.PageRateLimit > 0 {
		srv.pageLimiter = newIPLimiter(cfg.PageRateLimit, cfg.PageRateBurst, cfg.RateClients, cfg.RateIdle)
	}
	if len(cfg.CORSOrigins) > 0 {
		srv.cors = newCORSPolicy(cfg.CORSOrigins)
	}

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	// gin trusts every proxy by default; trust only the configured ones.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("searchapi: trusted proxies: %w", err)
	}
	if srv.trusted, err = trustedNets(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("searchapi: trusted proxies: %w", err)
	}
	e.Use(srv.requestID, srv.observe, srv.recovery, srv.limitBody, srv.corsHeaders)
	e.NoRoute(srv.noRoute)
	e.NoMethod(srv.noMethod)
	for _, rt := range srv.routes() {
		e.Handle(rt.method, rt.path, srv.chain(rt)...)
		if rt.method == http.MethodGet {
			e.Handle(http.MethodHead, rt.path, srv.chain(rt)...)
		}
	}
	srv.engine = e
	return srv, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.engine.ServeHTTP(w, r)
}
