// Command safetysearch crawls a patient-safety publication hub, indexes what
// it finds and serves full-text search over it.
//
// It is the composition root of the project: it reads the configuration
// (flags, SAFETYSEARCH_* environment variables, a YAML file, defaults — in
// that order), builds the crawler, the indexer and the search API, and shuts
// them down in order. Data flows crawl → store → index → API.
//
// Subcommands: serve, crawl, index, search, export, extract, check,
// version. Run `safetysearch COMMAND --help` for each one's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal, restore the default handling: a second
		// SIGINT or SIGTERM ends the process at once (exit status 130/143).
		<-ctx.Done()
		stop()
	}()
	m := NewMain()
	code := m.Execute(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Execute parses args, runs the command and closes what it opened. It
// prints errors to m.Stderr and returns the process exit code: 0 on success
// (and for --help), 2 for a usage or configuration error, 1 otherwise.
func (m *Main) Execute(ctx context.Context, args []string) int {
	err := m.ParseFlags(ctx, args)
	if err == nil {
		err = m.Run(ctx)
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	code := ExitCode(err)
	if code != 0 {
		var ue *usageError
		if !errors.As(err, &ue) || !ue.printed {
			fmt.Fprintf(m.Stderr, "safetysearch: %v\n", err)
		}
	}
	return code
}

// ExitCode maps an error returned by ParseFlags or Run to an exit code.
func ExitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// usageError is a bad invocation or configuration: exit code 2.
type usageError struct {
	err     error
	printed bool // the message and usage are already on stderr
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
