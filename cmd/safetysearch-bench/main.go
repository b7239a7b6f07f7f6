// Command safetysearch-bench measures safetysearch against the peers a team
// would pick instead — SQLite FTS5 and PostgreSQL full-text search — on the
// same corpus, the same queries and the same machine, in one run: build
// speed and memory, query latency per query class with top-10 overlap, HTTP
// throughput under open-loop load (also during a rebuild), and relevance on
// the SMART MED and Cystic Fibrosis judged collections. It prints one table
// with ratios to safetysearch and writes a Markdown report.
//
// It is its own Go module so that the service's dependencies stay lean.
//
//	go run . -mode smoke                  # 10k articles, a few hundred queries, relevance on MED and CF (CI)
//	go run . -mode standard -n 10000 -peers safetysearch,sqlite -queries 100 -class-seconds 20 -http-seconds 8 -capacity-probes 3 -report reports/standard-10k.md
//	go run . -mode standard -peers safetysearch,sqlite -queries 200 -class-seconds 40 -http-seconds 12 -capacity-probes 4 -report reports/standard-100k.md -readme ../../README.md
//	go run . documents -report reports/documents.md   # PDF extraction (pages/s), store and index growth per document page
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type options struct {
	mode        string
	n           int
	seed        int64
	perClass    int
	peers       []string
	relevance   []string
	external    string
	work        string
	keep        bool
	report      string
	http        bool
	httpRates   []int
	httpSeconds float64
	floors      bool
	classBudget float64 // seconds of measured queries per class and peer
	// capacityProbes bounds the load steps the capacity search adds to the
	// fixed rates, per engine.
	capacityProbes int
	readme         string // replace the summary block of this README
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "child" {
		os.Exit(childMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "extraction" {
		os.Exit(extractionMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "documents" {
		os.Exit(documentsMain(os.Args[2:], os.Stdout, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "safetysearch-bench:", err)
		os.Exit(1)
	}
}

func parseOptions(args []string) (options, error) {
	fs := flag.NewFlagSet("safetysearch-bench", flag.ContinueOnError)
	var o options
	var peers, rel, rates string
	fs.StringVar(&o.mode, "mode", "smoke", "smoke (10k articles, CI), standard (100k) or stress (1M)")
	fs.IntVar(&o.n, "n", 0, "articles in the synthetic corpus (default from -mode)")
	fs.Int64Var(&o.seed, "seed", 42, "corpus and query seed")
	fs.IntVar(&o.perClass, "queries", 0, "measured queries per class and peer (default from -mode)")
	fs.StringVar(&peers, "peers", "safetysearch,sqlite,postgres", "peers to measure, comma-separated")
	fs.StringVar(&rel, "relevance", "", "judged collections: med,cf (default from -mode; \"none\" to skip)")
	fs.StringVar(&o.external, "external", "../../../shared/external", "directory holding smart-med/ and cystic-fibrosis/")
	fs.StringVar(&o.work, "work", "", "work directory (default: a new temporary directory, removed afterwards)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.StringVar(&o.report, "report", "", "write the Markdown report here (default: bench-<mode>-<n>.md in the work directory's parent… or none)")
	fs.BoolVar(&o.http, "http", true, "measure the HTTP API of safetysearch and of the SQLite peer under load (and safetysearch during a rebuild)")
	fs.IntVar(&o.capacityProbes, "capacity-probes", 0, "load steps the capacity search may add per engine (default from -mode)")
	fs.StringVar(&o.readme, "readme", "", "replace the block between <!-- bench:summary --> and <!-- /bench:summary --> of this README with the run's summary table")
	fs.StringVar(&rates, "http-rates", "", "open-loop request rates per second, comma-separated (default from -mode)")
	fs.Float64Var(&o.httpSeconds, "http-seconds", 0, "seconds per load step (default from -mode)")
	fs.Float64Var(&o.classBudget, "class-seconds", 0, "stop measuring a query class of a peer after this many seconds (default from -mode; the count measured is reported)")
	fs.BoolVar(&o.floors, "floors", true, "fail when a relevance figure of safetysearch is below its floor (nDCG@10: MED 0.705, CF 0.485)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	defRel, defRates := "med,cf", "20,50,100,150"
	switch o.mode {
	case "smoke":
		o.n = or(o.n, 10_000)
		o.perClass = or(o.perClass, 40)
		o.httpSeconds = orf(o.httpSeconds, 3)
		o.classBudget = orf(o.classBudget, 30)
		o.capacityProbes = or(o.capacityProbes, 3)
	case "standard":
		o.n = or(o.n, 100_000)
		o.perClass = or(o.perClass, 300)
		o.httpSeconds = orf(o.httpSeconds, 20)
		o.classBudget = orf(o.classBudget, 60)
		o.capacityProbes = or(o.capacityProbes, 6)
	case "stress":
		o.n = or(o.n, 1_000_000)
		o.perClass = or(o.perClass, 300)
		o.httpSeconds = orf(o.httpSeconds, 20)
		o.classBudget = orf(o.classBudget, 120)
		o.capacityProbes = or(o.capacityProbes, 6)
	default:
		return o, fmt.Errorf("-mode %q: want smoke, standard or stress", o.mode)
	}
	if rel == "" {
		rel = defRel
	}
	if rates == "" {
		rates = defRates
	}
	o.peers = splitList(peers)
	if rel != "none" {
		o.relevance = splitList(rel)
	}
	for _, c := range o.relevance {
		if c != "med" && c != "cf" {
			return o, fmt.Errorf("-relevance %q: want med, cf or none", c)
		}
	}
	for _, r := range splitList(rates) {
		var v int
		if _, err := fmt.Sscan(r, &v); err != nil || v <= 0 {
			return o, fmt.Errorf("-http-rates %q: want positive whole numbers", r)
		}
		o.httpRates = append(o.httpRates, v)
	}
	if o.n < 100 {
		return o, fmt.Errorf("-n %d: at least 100 articles", o.n)
	}
	for _, p := range o.peers {
		if _, err := newPeer(p); err != nil {
			return o, err
		}
	}
	return o, nil
}

func or(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orf(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func run(ctx context.Context, args []string, out io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.work == "" {
		if o.work, err = os.MkdirTemp("", "safetysearch-bench-"); err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(o.work)
		}
	}
	if o.work, err = filepath.Abs(o.work); err != nil {
		return err
	}
	// PostgreSQL runs as an unprivileged user when we are root: let it in.
	if err := os.Chmod(o.work, 0o755); err != nil {
		return err
	}
	if o.readme != "" {
		// Checked before the run, not after it: the block must be there.
		doc, err := os.ReadFile(o.readme)
		if err != nil {
			return fmt.Errorf("-readme: %w", err)
		}
		if _, err := replaceSummary(string(doc), ""); err != nil {
			return fmt.Errorf("-readme %s: %w", o.readme, err)
		}
	}
	rep := &report{opts: o, started: time.Now(), profiles: map[string]string{}}
	rep.machine = describeMachine()
	b := &bench{o: o, out: out, rep: rep}
	if err := b.all(ctx); err != nil {
		return err
	}
	rep.finished = time.Now()
	charts := ""
	if o.report != "" {
		if charts, err = rep.writeCharts(o.report); err != nil {
			return err
		}
	}
	text := rep.markdown(charts)
	fmt.Fprintln(out)
	fmt.Fprint(out, rep.table())
	if o.report != "" {
		if err := os.WriteFile(o.report, []byte(text), 0o644); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(out, "\nreport written to %s\n", o.report)
	}
	if o.readme != "" {
		doc, err := os.ReadFile(o.readme)
		if err != nil {
			return fmt.Errorf("-readme: %w", err)
		}
		updated, err := replaceSummary(string(doc), rep.summary())
		if err != nil {
			return fmt.Errorf("-readme %s: %w", o.readme, err)
		}
		if err := os.WriteFile(o.readme, []byte(updated), 0o644); err != nil {
			return fmt.Errorf("-readme: %w", err)
		}
		fmt.Fprintf(out, "summary written to %s\n", o.readme)
	}
	return rep.failure()
}
