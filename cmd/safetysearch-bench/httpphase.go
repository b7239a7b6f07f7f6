package main

// The HTTP phase: safetysearch and the SQLite FTS5 peer, each in a serving
// child process of its own behind the same API, driven by the same URLs at
// the same open-loop rates with no result cache, then stepped to find each
// one's capacity; safetysearch is also loaded during a rebuild and swap.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// capacityP99 is the p99 a rate must keep to count towards the capacity.
const capacityP99 = 100 * time.Millisecond

// servingChild is a serving child process of the bench.
type servingChild struct {
	cmd     *exec.Cmd
	base    string // http://host:port
	stopRSS func() rssPeak
}

// startServing starts `safetysearch-bench child <args…>` and waits for the
// address it serves on.
func startServing(ctx context.Context, args ...string) (*servingChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{"child"}, args...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &servingChild{cmd: cmd, stopRSS: rssSampler(cmd.Process.Pid)}
	br := bufio.NewReader(stdout)
	var line string
	for !strings.HasPrefix(line, "ADDR ") {
		if line, err = readLine(br, 2*time.Minute); err != nil {
			c.stop()
			return nil, fmt.Errorf("child %s did not start: %w", args[0], err)
		}
	}
	c.base = "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	return c, nil
}

// stop ends the child with SIGTERM (so that it writes its profile) and
// returns its sampled RSS peak.
func (c *servingChild) stop() rssPeak {
	// Best effort: the child is being stopped, its exit status is moot.
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	return c.stopRSS()
}

// servingStats is what the report keeps of one engine's serving process.
type servingStats struct {
	Engine    string
	RSS       rssPeak       // sampled over every step (and the rebuild)
	HWM       int64         // VmHWM at the end
	Capacity  int           // highest rate with p99 ≤ capacityP99 and no errors; 0 when none
	CPUPerReq time.Duration // server CPU per request at the lowest rate
}

// passes says whether a load step counts towards the capacity.
func passes(s loadStep) bool {
	return s.Sent > 0 && s.Errors == 0 && s.P99 <= capacityP99
}

// findCapacity steps the rate from the steps already run (any order) until
// the highest passing rate is known to within 5%, or maxProbes more steps
// have run: up by half while every rate passes, halving down while none
// does, bisecting between the highest pass and the lowest failure above it.
// It returns the capacity (0 when no rate passed) and the probes it ran.
func findCapacity(ctx context.Context, known []loadStep, maxProbes int, probe func(rate int) loadStep) (int, []loadStep) {
	lo, hi := 0, 0 // highest pass, lowest failure above it (0: none)
	note := func(s loadStep) {
		if passes(s) {
			lo = max(lo, s.Rate)
		}
	}
	for _, s := range known {
		note(s)
	}
	lowestFail := func(steps ...[]loadStep) int {
		h := 0
		for _, ss := range steps {
			for _, s := range ss {
				if !passes(s) && s.Rate > lo && (h == 0 || s.Rate < h) {
					h = s.Rate
				}
			}
		}
		return h
	}
	var probes []loadStep
	hi = lowestFail(known)
	for len(probes) < maxProbes && ctx.Err() == nil {
		var r int
		switch {
		case lo == 0 && hi == 0:
			return 0, probes
		case lo == 0:
			r = hi / 2
		case hi == 0:
			r = lo + max(1, lo/2)
		default:
			r = (lo + hi) / 2
		}
		if r <= lo || (hi > 0 && (r >= hi || hi-lo <= max(1, lo/20))) {
			break
		}
		s := probe(r)
		probes = append(probes, s)
		note(s)
		hi = lowestFail(known, probes)
	}
	return lo, probes
}

// httpPhase serves each engine in turn and loads it.
func (b *bench) httpPhase(ctx context.Context, peers []string, qs []benchQuery) error {
	for _, engine := range []string{"safetysearch", "sqlite"} {
		if !contains(peers, engine) {
			continue
		}
		dir := filepath.Join(b.o.work, "corpus-"+engine)
		args := []string{"serve-sqlite", "-dir", dir}
		if engine == "safetysearch" {
			path := b.o.profilePath("http")
			args = []string{"serve", "-dir", dir, "-n", strconv.Itoa(b.o.n), "-seed", strconv.FormatInt(b.o.seed, 10), "-cpuprofile", path}
			b.rep.profiles["http"] = path
		}
		c, err := startServing(ctx, args...)
		if err != nil {
			return err
		}
		st, err := b.loadEngine(ctx, engine, c, qs)
		st.RSS = c.stop()
		b.rep.serving = append(b.rep.serving, st)
		if err != nil {
			return fmt.Errorf("%s: %w", engine, err)
		}
		b.logf("http %s: capacity %d/s, serving RSS peak %s (anonymous %s, file-backed %s)", engine, st.Capacity,
			bytesHuman(st.RSS.Total), bytesHuman(st.RSS.Anon), bytesHuman(st.RSS.File))
	}
	return nil
}

// loadEngine runs the fixed rates, the capacity search and, for
// safetysearch, the rebuild step against one serving child.
func (b *bench) loadEngine(ctx context.Context, engine string, c *servingChild, qs []benchQuery) (servingStats, error) {
	st := servingStats{Engine: engine}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 15 * time.Second}
	defer client.CloseIdleConnections()
	var urls []string
	for _, q := range qs {
		if q.Class == "standard" {
			urls = append(urls, standardURL(c.base, q))
		}
	}
	pid := c.cmd.Process.Pid
	dur := time.Duration(b.o.httpSeconds * float64(time.Second))
	step := func(rate int, d time.Duration, name string) loadStep {
		s, _ := withCache(ctx, client, c.base, func() loadStep { return openLoop(ctx, client, urls, rate, d, name) })
		s.Engine = engine
		return s
	}
	// Warm-up: every URL once, unmeasured.
	warm := min(b.o.httpRates[0], 50)
	openLoop(ctx, client, urls, warm, time.Duration(len(urls))*time.Second/time.Duration(warm)+time.Second, "warm-up")
	var fixed []loadStep
	for i, rate := range b.o.httpRates {
		settle(ctx, client, c.base, 60*time.Second)
		cpu0, err0 := processCPU(pid)
		s := step(rate, dur, "standard")
		cpu1, err1 := processCPU(pid)
		if i == 0 && err0 == nil && err1 == nil && s.Sent > s.Errors {
			st.CPUPerReq = (cpu1 - cpu0) / time.Duration(s.Sent-s.Errors)
		}
		fixed = append(fixed, s)
		b.rep.http = append(b.rep.http, s)
		b.logf("http %s %d/s: p50 %.1f ms, p99 %.1f ms, %d errors of %d, cache hits %s", engine, rate, ms(s.P50), ms(s.P99), s.Errors, s.Sent, s.hitRatio())
	}
	var probes []loadStep
	st.Capacity, probes = findCapacity(ctx, fixed, b.o.capacityProbes, func(rate int) loadStep {
		settle(ctx, client, c.base, 60*time.Second)
		s := step(rate, dur, "capacity probe")
		b.logf("http %s capacity probe %d/s: p50 %.1f ms, p99 %.1f ms, %d errors of %d", engine, rate, ms(s.P50), ms(s.P99), s.Errors, s.Sent)
		return s
	})
	b.rep.probes = append(b.rep.probes, probes...)
	if ctx.Err() != nil {
		return st, ctx.Err()
	}
	if engine == "safetysearch" {
		if err := b.rebuildStep(ctx, client, c, step); err != nil {
			return st, err
		}
	}
	if hwm, err := peakRSS(pid); err == nil {
		st.HWM = hwm
	}
	return st, nil
}

// rebuildStep measures an idle baseline at the lowest rate, then triggers
// a rebuild and loads at that rate until the new generation serves. The
// baseline lasts at least idleSeconds: its p99 is compared with that of
// the whole rebuild, and a p99 over a hundred requests underestimates the
// tail.
func (b *bench) rebuildStep(ctx context.Context, client *http.Client, c *servingChild, step func(int, time.Duration, string) loadStep) error {
	rate := b.o.httpRates[0]
	settle(ctx, client, c.base, 60*time.Second)
	idle := step(rate, max(time.Duration(b.o.httpSeconds*float64(time.Second)), idleSeconds*time.Second), "idle")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/api/v1/admin/rebuild", nil)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("trigger rebuild: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("trigger rebuild: status %d", resp.StatusCode)
	}
	genBefore := idleGeneration(ctx, client, c.base)
	var during []loadStep
	for i := 0; i < 1000 && ctx.Err() == nil; i++ {
		during = append(during, step(rate, 2*time.Second, "rebuild"))
		b.rep.builderRSS = max(b.rep.builderRSS, childrenPeakRSS(c.cmd.Process.Pid))
		if st, err := adminStatus(ctx, client, c.base); err == nil && !st.Running {
			break
		}
	}
	merged := mergeSteps(during, "during rebuild")
	merged.Engine = "safetysearch"
	b.rep.rebuild = &rebuildLoad{Idle: idle, During: merged, GenerationBefore: genBefore, GenerationAfter: idleGeneration(ctx, client, c.base)}
	b.logf("http during rebuild: p99 %.1f ms (idle %.1f ms), %d errors of %d", ms(merged.P99), ms(idle.P99), merged.Errors, merged.Sent)
	return nil
}
