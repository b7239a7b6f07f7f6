package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/safetysearch/safetysearch/crawler/pdftext"

	"github.com/agnivade/levenshtein"
)

// Main is the program: tests build one, point Stdout/Stderr/Getenv at
// their own, and call ParseFlags, Run and Close (or Execute) in-process.
type Main struct {
	Stdin  io.Reader // nil: no standard input (tests)
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment (os.Getenv in the real program).
	Getenv func(string) string
	// Version is the program version (see version.go).
	Version string
	// Executable is this program's path, run as the child process that
	// rebuilds the index for serve ("build-generation"). Empty (tests
	// running Main in-process) rebuilds inside the server.
	Executable string

	cmd     *command
	fs      *flag.FlagSet
	args    []string    // positional arguments
	flags   []flagValue // config flags that were set, in order
	cfg     Config
	logger  *slog.Logger
	closers []func() error
	docs    *pdftext.Extractor // the one PDF extractor, see documentExtractor

	// Options of single commands.
	serve                serveOptions
	search               searchOptions
	exportFormat         exportFormat
	exportBOM            bool
	exportAttachmentText bool
	extract              extractOptions
	demoToken            bool // the demo generated the admin token
}

// NewMain returns a Main wired to the process's streams and environment.
func NewMain() *Main {
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: buildVersion()}
	if exe, err := os.Executable(); err == nil {
		m.Executable = exe
	}
	return m
}

// command is one subcommand.
type command struct {
	name     string
	args     string // synopsis after the flags
	summary  string
	settings []string // flags of config settings it takes
	// define registers the command's own flags on fs.
	define func(m *Main, fs *flag.FlagSet)
	// run runs it after flags and configuration are loaded.
	run func(m *Main, ctx context.Context) error
	// noConfig commands read no configuration (version).
	noConfig bool
	// quiet commands log at warn unless log_level is set: their output
	// on stdout is what matters.
	quiet bool
	// hidden commands are not listed in the usage (internal use).
	hidden bool
}

var configFlags = []string{"data", "log-level", "log-format"}

// flagArgs name the value of each setting flag in the usage text.
var flagArgs = map[string]string{
	"data": "DIR", "addr": "ADDR", "source": "URL", "schedule": "SPEC", "log-level": "LEVEL", "log-format": "FORMAT",
	"public-url": "URL", "metrics-listen": "ADDR",
}

func commands() []*command {
	return []*command{
		{name: "serve", summary: "serve the search API and web page, crawl and rebuild on a schedule",
			settings: append([]string{"addr", "source", "schedule", "public-url", "metrics-listen"}, configFlags...), define: defineServe, run: (*Main).runServe},
		{name: "crawl", summary: "crawl the configured sources once into the store",
			settings: append([]string{"source"}, configFlags...), define: defineCrawl, run: (*Main).runCrawl},
		{name: "index", summary: "rebuild the search index from the store (no network)",
			settings: configFlags, define: defineIndex, run: (*Main).runIndex},
		{name: "search", args: "QUERY…", summary: "search the index from the command line",
			settings: configFlags, define: defineSearch, run: (*Main).runSearch, quiet: true},
		{name: "export", summary: "write every stored article to stdout as JSON lines or CSV",
			settings: configFlags, define: defineExport, run: (*Main).runExport, quiet: true},
		{name: "extract", args: "[FILE]", summary: "print the article the crawler would store from one saved page (no network)",
			settings: logFlags, define: defineExtract, run: (*Main).runExtract, quiet: true},
		{name: "check", args: "URL", summary: "fetch one live page politely and print its explained extraction",
			settings: logFlags, define: defineCheck, run: (*Main).runCheck, quiet: true},
		{name: "version", summary: "print the version and the Go version", define: func(*Main, *flag.FlagSet) {},
			run: (*Main).runVersion, noConfig: true},
		{name: buildGenerationCommand, summary: "build one index generation from the article stream on standard input (run by serve)",
			define: func(*Main, *flag.FlagSet) {}, run: (*Main).runBuildGeneration, noConfig: true, hidden: true},
	}
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintf(w, "safetysearch: full-text search over patient-safety publications.\n\n")
	fmt.Fprintf(w, "Usage:\n  safetysearch COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(w, "\nRun 'safetysearch help COMMAND' (or 'safetysearch COMMAND --help') for a command's flags.\n")
	fmt.Fprintf(w, "Settings come from flags, then SAFETYSEARCH_* variables, then --config FILE (YAML), then defaults.\n")
}

// ParseFlags selects the command, parses its flags and loads the
// configuration. --help returns flag.ErrHelp after printing the usage.
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if m.Getenv == nil {
		m.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		m.usage(m.Stderr)
		return &usageError{err: errors.New("no command given"), printed: false}
	}
	if args[0] == "help" && len(args) > 1 {
		return m.ParseFlags(ctx, []string{args[1], "--help"})
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		m.usage(m.Stdout)
		return flag.ErrHelp
	}
	for _, c := range commands() {
		if c.name == args[0] {
			m.cmd = c
		}
	}
	if m.cmd == nil {
		if near := nearestCommand(args[0]); near != "" {
			return usageErrorf("unknown command %q; did you mean %q? (safetysearch help lists the commands)", args[0], near)
		}
		m.usage(m.Stderr)
		return usageErrorf("unknown command %q", args[0])
	}
	fs := flag.NewFlagSet("safetysearch "+m.cmd.name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: safetysearch %s\n\n%s.\n\nFlags:\n",
			strings.TrimSpace(m.cmd.name+" [flags] "+m.cmd.args), upperFirst(m.cmd.summary))
		fs.PrintDefaults()
	}
	configFile := ""
	if !m.cmd.noConfig {
		fs.StringVar(&configFile, "config", "", "YAML config `FILE` (or SAFETYSEARCH_CONFIG)")
		for _, name := range m.cmd.settings {
			s := settingByFlag(name)
			help := fmt.Sprintf("%s (`%s`; env %s, default %s)", s.Help, flagArgs[name], s.Env, s.Default)
			fs.Func(name, help, func(v string) error {
				m.flags = append(m.flags, flagValue{Name: name, Value: v})
				return nil
			})
		}
	}
	m.cmd.define(m, fs)
	// Flags may come before or after positional arguments; after "--"
	// everything is positional (a query may start with "-").
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				// The flag package printed the usage to stderr;
				// --help is not an error.
				return flag.ErrHelp
			}
			return &usageError{err: err, printed: true}
		}
		consumed := len(rest) - fs.NArg()
		if consumed > 0 && rest[consumed-1] == "--" {
			m.args = append(m.args, fs.Args()...)
			break
		}
		if fs.NArg() == 0 {
			break
		}
		m.args = append(m.args, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if m.cmd.args == "" && len(m.args) > 0 {
		fs.Usage()
		return &usageError{err: fmt.Errorf("%s takes no arguments, got %q", m.cmd.name, m.args)}
	}
	m.fs = fs
	if m.cmd.noConfig {
		return nil
	}
	cfg, err := loadConfig(configFile, m.Getenv, m.flags)
	if err != nil {
		return &usageError{err: err}
	}
	if _, set := cfg.origin["log_level"]; !set && m.cmd.quiet {
		cfg.LogLevel = "warn" // the output is the point; keep stderr quiet
	}
	m.cfg = cfg
	m.logger = newLogger(m.Stderr, cfg)
	return nil
}

// Run runs the parsed command.
func (m *Main) Run(ctx context.Context) error {
	if m.cmd == nil {
		return errors.New("main: Run called before ParseFlags")
	}
	return m.cmd.run(m, ctx)
}

// Close releases what Run opened and did not release itself, last opened
// first. It is safe to call more than once.
func (m *Main) Close() error {
	var errs []error
	for i := len(m.closers) - 1; i >= 0; i-- {
		errs = append(errs, m.closers[i]())
	}
	m.closers = nil
	return errors.Join(errs...)
}

// onClose registers f to run at Close.
func (m *Main) onClose(f func() error) { m.closers = append(m.closers, f) }

func newLogger(w io.Writer, cfg Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by Config.Validate
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// nearestCommand is the listed command within two edits of name, or that
// name starts (at least three letters), or "".
func nearestCommand(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		if c.hidden {
			continue
		}
		if len(name) >= 3 && strings.HasPrefix(c.name, name) {
			return c.name
		}
		if d := levenshtein.ComputeDistance(strings.ToLower(name), c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}
