package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/relevance"
	"github.com/safetysearch/safetysearch/cmd/safetysearch-bench/synthetic"
	"github.com/safetysearch/safetysearch/indexer"
	"github.com/safetysearch/safetysearch/indexer/article"
)

// bench runs the phases in order and fills the report.
type bench struct {
	o   options
	out io.Writer
	rep *report
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.out, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func (b *bench) all(ctx context.Context) error {
	peers := b.usablePeers()
	corpus := synthetic.Corpus{Seed: b.o.seed, N: b.o.n}
	// 1. Build, each peer in a child process of its own.
	for _, name := range peers {
		dir := filepath.Join(b.o.work, "corpus-"+name)
		b.logf("build %s: %d articles", name, b.o.n)
		profile := ""
		if name == "safetysearch" {
			profile = b.o.profilePath("build")
			b.rep.profiles["build"] = profile
		}
		st, err := b.childBuild(ctx, name, dir, "synthetic", profile)
		if err != nil {
			return fmt.Errorf("build %s: %w", name, err)
		}
		b.rep.builds = append(b.rep.builds, peerBuild{Peer: name, Stats: st})
		b.logf("  %d docs in %.1fs, %.1f MB/s, %s on disk, peak RSS %s", st.Docs, st.Seconds,
			float64(st.TextBytes)/1e6/st.Seconds, bytesHuman(st.DiskBytes), bytesHuman(st.PeakRSS))
	}
	// 2. Query latency per class, with top-10 overlap against safetysearch.
	qs, err := buildQueries(ctx, corpus, b.o.seed, min(2000, b.o.n), b.o.perClass)
	if err != nil {
		return err
	}
	b.rep.queries = len(qs)
	if err := b.queryPhase(ctx, peers, qs); err != nil {
		return err
	}
	// 3. HTTP under load, and during a rebuild.
	if b.o.http {
		if err := b.httpPhase(ctx, peers, qs); err != nil {
			return fmt.Errorf("http: %w", err)
		}
	}
	// 4. Relevance on the judged collections.
	for _, coll := range b.o.relevance {
		if err := b.relevancePhase(ctx, coll, peers); err != nil {
			return fmt.Errorf("relevance %s: %w", coll, err)
		}
	}
	return nil
}

// usablePeers drops PostgreSQL, saying so, when it is not installed.
func (b *bench) usablePeers() []string {
	var out []string
	for _, p := range b.o.peers {
		if p == "postgres" {
			if _, err := postgresAvailable(); err != nil {
				b.logf("skipping the PostgreSQL peer: %v", err)
				b.rep.notes = append(b.rep.notes, "PostgreSQL peer skipped: "+err.Error())
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// childBuild runs `safetysearch-bench child build` and reads its stats; the
// peak RSS is the child's own (rusage maxrss). A profile path makes the
// child write a CPU profile of the build there.
func (b *bench) childBuild(ctx context.Context, peer, dir, corpus, profile string) (buildStats, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return buildStats{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return buildStats{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "child", "build", "-peer", peer, "-dir", dir, "-corpus", corpus,
		"-n", strconv.Itoa(b.o.n), "-seed", strconv.FormatInt(b.o.seed, 10), "-external", b.o.external, "-cpuprofile", profile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return buildStats{}, fmt.Errorf("%w\n%s", err, stderr.String())
	}
	var st buildStats
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		return st, fmt.Errorf("child output: %w: %q", err, stdout.String())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		st.PeakRSS = ru.Maxrss * 1024
	}
	return st, nil
}

func (b *bench) queryPhase(ctx context.Context, peers []string, qs []benchQuery) error {
	results := map[string][]queryResult{}
	for _, name := range peers {
		p, _ := newPeer(name)
		if err := p.open(ctx, filepath.Join(b.o.work, "corpus-"+name)); err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		// Warm-up: every query once, unmeasured (caches, page cache, JIT of plans).
		warm := qs[:min(len(qs), 8*10)]
		for _, q := range warm {
			if _, err := p.query(ctx, q); err != nil {
				p.close()
				return fmt.Errorf("%s warm-up %s %q: %w", name, q.Class, q.text(), err)
			}
		}
		lat := map[string]latencies{}
		budget := time.Duration(b.o.classBudget * float64(time.Second))
		res := make([]queryResult, len(qs))
		errs, cut := 0, map[string]bool{}
		// One class at a time, so that safetysearch's CPU profile of a class
		// holds that class only.
		for _, class := range classes {
			profile := ""
			if name == "safetysearch" {
				profile = b.o.profilePath("class-" + class)
				b.rep.profiles["class-"+class] = profile
			}
			stopProfile, err := startCPUProfile(profile)
			if err != nil {
				p.close()
				return err
			}
			var spent time.Duration
			for i, q := range qs {
				if q.Class != class {
					continue
				}
				if ctx.Err() != nil {
					break
				}
				if budget > 0 && spent >= budget {
					cut[q.Class] = true
					break
				}
				t := time.Now()
				r, err := p.query(ctx, q)
				d := time.Since(t)
				spent += d
				if err != nil {
					errs++
					b.rep.notes = append(b.rep.notes, fmt.Sprintf("%s: %s query %q failed: %v", name, q.Class, q.text(), err))
					continue
				}
				lat[q.Class] = append(lat[q.Class], d)
				r.measured = true
				res[i] = r
			}
			if err := stopProfile(); err != nil {
				p.close()
				return err
			}
			if ctx.Err() != nil {
				p.close()
				return ctx.Err()
			}
		}
		results[name] = res
		if err := p.close(); err != nil {
			return fmt.Errorf("close %s: %w", name, err)
		}
		for _, c := range classes {
			pq := peerQuery{Peer: name, Class: c, N: len(lat[c]), P50: lat[c].percentile(50), P90: lat[c].percentile(90), P99: lat[c].percentile(99)}
			b.rep.latency = append(b.rep.latency, pq)
		}
		for _, c := range classes {
			if cut[c] {
				b.rep.notes = append(b.rep.notes, fmt.Sprintf("%s: the %s class reached its %.0f s budget after %d queries", name, c, b.o.classBudget, len(lat[c])))
			}
		}
		b.logf("queries %s: %d errors", name, errs)
	}
	// Top-10 overlap with safetysearch, per class.
	if base, ok := results["safetysearch"]; ok {
		for name, res := range results {
			if name == "safetysearch" {
				continue
			}
			sum, n := map[string]float64{}, map[string]int{}
			for i, q := range qs {
				if base[i].measured && res[i].measured {
					sum[q.Class] += overlap(base[i].IDs, res[i].IDs, 10)
					n[q.Class]++
				}
			}
			for j := range b.rep.latency {
				l := &b.rep.latency[j]
				if l.Peer == name && n[l.Class] > 0 {
					l.Overlap = sum[l.Class] / float64(n[l.Class])
					l.HasOverlap = true
				}
			}
		}
	}
	return nil
}

func (b *bench) relevancePhase(ctx context.Context, coll string, peers []string) error {
	c, err := loadCollection(b.o.external, coll)
	if err != nil {
		return err
	}
	names := append([]string{}, peers...)
	if contains(peers, "safetysearch") {
		names = append(names, "safetysearch-tfidf")
	}
	for _, name := range names {
		dir := filepath.Join(b.o.work, coll+"-"+name)
		if _, err := b.childBuild(ctx, name, dir, coll, ""); err != nil {
			return fmt.Errorf("build %s: %w", name, err)
		}
		p, _ := newPeer(name)
		if err := p.open(ctx, dir); err != nil {
			return fmt.Errorf("open %s: %w", name, err)
		}
		run := map[string][]string{}
		var qerrs []string
		for _, q := range c.Queries {
			ids, err := p.rank(ctx, q.Text, relevance.RecallDepth)
			if err != nil {
				qerrs = append(qerrs, fmt.Sprintf("query %s: %v", q.ID, err))
				continue
			}
			run[q.ID] = ids
		}
		p.close()
		r := relevance.Evaluate(c, run, 10)
		b.rep.relevance = append(b.rep.relevance, peerRelevance{Peer: name, Report: r, Errors: qerrs})
		b.logf("relevance %s %s: %s", coll, name, r)
	}
	return nil
}

func loadCollection(external, name string) (*relevance.Collection, error) {
	switch name {
	case "med":
		return relevance.LoadMED(filepath.Join(external, "smart-med"))
	case "cf":
		return relevance.LoadCF(filepath.Join(external, "cystic-fibrosis"))
	}
	return nil, fmt.Errorf("unknown collection %q", name)
}

// collectionSource turns a judged collection into articles.
type collectionSource struct{ c *relevance.Collection }

func (s collectionSource) Count(context.Context) (int, error) { return len(s.c.Docs), nil }

func (s collectionSource) Each(ctx context.Context, fn func(article.Article) error) error {
	for _, d := range s.c.Docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(article.Article{ID: d.ID, Source: s.c.Name, Title: d.Title, Body: d.Text, URL: "urn:" + s.c.Name + ":" + d.ID}); err != nil {
			return err
		}
	}
	return nil
}

// childMain is the entry point of `safetysearch-bench child …`.
func childMain(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "child: want build, serve or serve-sqlite")
		return 2
	}
	ctx := context.Background()
	var err error
	switch args[0] {
	case "build":
		err = childBuild(ctx, args[1:])
	case "serve":
		err = childServe(ctx, args[1:])
	case "serve-sqlite":
		err = childServePeer(ctx, args[1:])
	case "build-generation":
		// The rebuild child of "child serve" (indexer.ProcessBuilder), as
		// safetysearch serve's hidden build-generation command.
		err = indexer.BuildFromStream(ctx, os.Stdin, os.Stdout)
	default:
		err = fmt.Errorf("unknown child command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	return 0
}

func childBuild(ctx context.Context, args []string) error {
	var peerName, dir, corpus, external, cpuprofile string
	var n int
	var seed int64
	fs := newChildFlags("build")
	fs.StringVar(&cpuprofile, "cpuprofile", "", "")
	fs.StringVar(&peerName, "peer", "", "")
	fs.StringVar(&dir, "dir", "", "")
	fs.StringVar(&corpus, "corpus", "synthetic", "")
	fs.StringVar(&external, "external", "", "")
	fs.IntVar(&n, "n", 0, "")
	fs.Int64Var(&seed, "seed", 0, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := newPeer(peerName)
	if err != nil {
		return err
	}
	var src indexer.Source = synthetic.Corpus{Seed: seed, N: n}
	if corpus != "synthetic" {
		c, err := loadCollection(external, corpus)
		if err != nil {
			return err
		}
		src = collectionSource{c}
	}
	stopProfile, err := startCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	st, err := p.build(ctx, dir, src)
	if err := errors.Join(err, stopProfile()); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(st)
}

// readLine reads one line of a child's output with a deadline.
func readLine(r *bufio.Reader, d time.Duration) (string, error) {
	ch := make(chan string, 1)
	ech := make(chan error, 1)
	go func() {
		s, err := r.ReadString('\n')
		if err != nil {
			ech <- err
			return
		}
		ch <- s
	}()
	select {
	case s := <-ch:
		return s, nil
	case err := <-ech:
		return "", err
	case <-time.After(d):
		return "", errors.New("timed out waiting for the child")
	}
}
