package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// tempDirs are removed after every test has run.
var tempDirs []string

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run executes one command in-process and returns its exit code and output.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: envMap(env), Version: "test"}
	code = m.Execute(context.Background(), args)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStderr []string
	}{
		{name: "help lists commands", args: []string{"--help"}, code: 0,
			stdout: []string{"serve", "crawl", "index", "search", "export", "version"}},
		{name: "no command", args: nil, code: 2, stderr: []string{"Commands:", "no command given"}},
		{name: "mistyped command", args: []string{"serach"}, code: 2,
			stderr: []string{`unknown command "serach"; did you mean "search"?`}, noStderr: []string{"goroutine"}},
		{name: "command prefix", args: []string{"serv"}, code: 2,
			stderr: []string{`unknown command "serv"; did you mean "serve"?`}, noStderr: []string{"goroutine"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2,
			stderr: []string{`unknown command "frobnicate"`, "Commands:"}, noStderr: []string{"did you mean", "goroutine"}},
		{name: "unknown flag", args: []string{"serve", "--adr", "x"}, code: 2,
			stderr: []string{"flag provided but not defined: -adr", "Usage: safetysearch serve"}, noStderr: []string{"goroutine"}},
		{name: "command help", args: []string{"crawl", "--help"}, code: 0,
			stderr: []string{"Usage: safetysearch crawl", "-source", "SAFETYSEARCH_SOURCES", "-config"}},
		{name: "help command", args: []string{"help", "export"}, code: 0,
			stderr: []string{"Usage: safetysearch export", "-format"}},
		{name: "search help", args: []string{"search", "-h"}, code: 0,
			stderr: []string{"-region", "-per-page", "-json"}},
		{name: "stray argument", args: []string{"index", "extra"}, code: 2, stderr: []string{"index takes no arguments"}},
		{name: "bad source", args: []string{"crawl", "--source", "ftp://x", "--data", "unused"}, code: 2,
			stderr: []string{`config: sources[0].url "ftp://x": must be http or https (set by --source)`}},
		{name: "unparsable source", args: []string{"crawl", "--source", "http://[::1", "--data", "unused"}, code: 2,
			stderr: []string{`sources[0].url "http://[::1": not a URL`}},
		{name: "no sources", args: []string{"crawl", "--data", "unused"}, code: 2,
			stderr: []string{"crawl: no sources"}},
		{name: "bad schedule", args: []string{"serve", "--schedule", "every 5 min"}, code: 2,
			stderr: []string{`config: schedule "every 5 min": expected a cron spec or "off"`}},
		{name: "missing config file", args: []string{"index", "--config", "/nonexistent/c.yaml"}, code: 2,
			stderr: []string{"/nonexistent/c.yaml", "no such file or directory"}},
		{name: "bad export format", args: []string{"export", "--format", "xml"}, code: 2,
			stderr: []string{`invalid value "xml" for flag -format: expected jsonl or csv`}},
		{name: "version", args: []string{"version"}, code: 0, stdout: []string{"safetysearch test (go1."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tc.noStderr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestFlagsAfterArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: envMap(nil)}
	err := m.ParseFlags(context.Background(), []string{"search", "patient", "--region", "UK", "safety", "--", "-covid", "--json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.args, " "); got != "patient safety -covid --json" {
		t.Errorf("args = %q", got)
	}
	if len(m.search.query.Regions) != 1 || m.search.query.Regions[0] != "UK" || m.search.json {
		t.Errorf("search options = %+v", m.search)
	}
}

func TestFlagsOverrideEnvironmentInCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	env := map[string]string{"SAFETYSEARCH_DATA_DIR": "/env/data", "SAFETYSEARCH_ADDR": "127.0.0.1:1"}
	m := &Main{Stdout: &out, Stderr: &errOut, Getenv: envMap(env)}
	if err := m.ParseFlags(context.Background(), []string{"serve", "--data", "/flag/data"}); err != nil {
		t.Fatal(err)
	}
	if m.cfg.DataDir != "/flag/data" || m.cfg.Addr != "127.0.0.1:1" {
		t.Errorf("data_dir %q addr %q", m.cfg.DataDir, m.cfg.Addr)
	}
}

func TestJSONLogs(t *testing.T) {
	data, _ := crawlSampleHub(t)
	code, _, stderr := run(t, nil, "index", "--data", data, "--log-format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("no log lines")
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("not a JSON log record: %q", l)
		}
	}
}

// TestCrawlFailsAsAWhole: a source whose pages are all missing fails the
// crawl: exit 1 with the reason, and still the summary.
func TestCrawlFailsAsAWhole(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	env := map[string]string{"SAFETYSEARCH_ALLOW_PRIVATE_NETWORKS": "true", "SAFETYSEARCH_CRAWL_DELAY": "1ms"}
	code, stdout, stderr := run(t, env, "crawl", "--source", srv.URL+"/", "--data", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "crawl failed: ") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		t.Errorf("no summary on stdout")
	}
}

func TestEverySettingFlagHasAnArgumentName(t *testing.T) {
	for _, s := range settings {
		if s.Flag != "" && flagArgs[s.Flag] == "" {
			t.Errorf("flag --%s has no entry in flagArgs", s.Flag)
		}
	}
}
