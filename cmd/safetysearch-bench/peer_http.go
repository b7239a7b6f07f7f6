package main

// The SQLite FTS5 peer behind the same HTTP API as safetysearch: the same
// route, parameters and JSON shape as GET /api/v1/search, so that one list
// of URLs drives both servers in the load steps.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/safetysearch/safetysearch/indexer"
)

// peerFacets are the facets the peer counts, in safetysearch's default order.
var peerFacets = []string{"region", "audience", "topic", "type", "year"}

// queryFromURL reads the search parameters the bench sends (q, region,
// audience, sort, page, per_page, facets, highlight) into a benchQuery, with
// safetysearch's defaults: relevance order with text and newest without,
// facets and highlights on.
func queryFromURL(vals url.Values) (benchQuery, error) {
	q := benchQuery{Class: "http", Regions: vals["region"], Audience: vals["audience"], Facets: true, Snippets: true, Size: indexer.DefaultPerPage, Page: 1}
	text := strings.TrimSpace(vals.Get("q"))
	switch {
	case text == "":
	case len(text) > 1 && strings.HasPrefix(text, `"`) && strings.HasSuffix(text, `"`):
		q.Phrase = tokens(text)
	case strings.HasSuffix(text, "*") && !strings.ContainsAny(text, " \t"):
		q.Prefix = strings.ToLower(strings.TrimSuffix(text, "*"))
	default:
		for _, ab := range abbreviations {
			if text == ab[0] {
				q.Abbrev, q.Expanded = ab[0], ab[1]
			}
		}
		if q.Abbrev == "" {
			q.Words = tokens(text)
		}
	}
	if text != "" && q.Abbrev == "" && len(q.Phrase)+len(q.Words) == 0 && q.Prefix == "" {
		return q, fmt.Errorf("q %q: no words", text)
	}
	var err error
	if q.Page, err = intParam(vals, "page", 1, 1, 10_000); err != nil {
		return q, err
	}
	if q.Size, err = intParam(vals, "per_page", indexer.DefaultPerPage, 1, indexer.MaxPerPage); err != nil {
		return q, err
	}
	switch s := vals.Get("sort"); s {
	case "":
		q.Sort = "relevance"
		if text == "" {
			q.Sort = "newest"
		}
	case "relevance", "newest":
		q.Sort = s
	default:
		return q, fmt.Errorf("sort %q: want relevance or newest", s)
	}
	if f, ok := vals["facets"]; ok && strings.Join(f, "") == "" {
		q.Facets = false
	}
	if h := vals.Get("highlight"); h != "" {
		if q.Snippets, err = strconv.ParseBool(h); err != nil {
			return q, fmt.Errorf("highlight %q: %w", h, err)
		}
	}
	return q, nil
}

func intParam(vals url.Values, name string, def, lo, hi int) (int, error) {
	v := vals.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s %q: want a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// peerResult is the peer's answer in safetysearch's Result shape: the
// disjunctive counts of every facet, selected values marked.
func peerResult(text string, q benchQuery, ans sqliteAnswer, took time.Duration) indexer.Result {
	res := indexer.Result{Query: text, Total: uint64(ans.res.Total), Page: q.Page, PerPage: q.Size, TookMS: took.Milliseconds(),
		Hits: ans.hits, Facets: map[string][]indexer.FacetValue{}, Expansions: []indexer.Expansion{}}
	if res.Hits == nil {
		res.Hits = []indexer.Hit{}
	}
	if q.Abbrev != "" {
		res.Expansions = append(res.Expansions, indexer.Expansion{Term: q.Abbrev, Expanded: []string{q.Expanded}})
	}
	if !q.Facets {
		return res
	}
	selected := map[string][]string{"region": q.Regions, "audience": q.Audience}
	for _, f := range peerFacets {
		vals := []indexer.FacetValue{}
		for _, c := range ans.facets[f] {
			vals = append(vals, indexer.FacetValue{Value: c.Value, Count: uint64(c.N), Selected: slices.Contains(selected[f], c.Value)})
		}
		res.Facets[f] = vals
	}
	return res
}

// peerHandler serves GET /api/v1/search from the SQLite peer and /healthz.
func peerHandler(p *sqlitePeer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		vals := r.URL.Query()
		q, err := queryFromURL(vals)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		start := time.Now()
		ans, err := p.answer(r.Context(), q)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		body, err := json.Marshal(peerResult(strings.TrimSpace(vals.Get("q")), q, ans, time.Since(start)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentTypeJSON)
		_, _ = w.Write(body)
	})
	return mux
}

const contentTypeJSON = "application/json; charset=utf-8"

// childServePeer serves the SQLite peer built in -dir on a loopback port,
// printing "ADDR host:port", until SIGTERM; with -cpuprofile it writes a
// CPU profile of the whole time it served.
func childServePeer(ctx context.Context, args []string) error {
	var dir, cpuprofile string
	fs := newChildFlags("serve-sqlite")
	fs.StringVar(&dir, "dir", "", "")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	p := &sqlitePeer{}
	if err := p.open(ctx, dir); err != nil {
		return err
	}
	defer p.close()
	stopProfile, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: peerHandler(p), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("ADDR %s\n", l.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return errors.Join(fmt.Errorf("serve: %w", err), stopProfile())
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(sctx), stopProfile())
}
