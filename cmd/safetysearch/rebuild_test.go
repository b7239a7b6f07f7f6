package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/safetysearch/safetysearch/indexer"
)

// serve rebuilds in a child process of rebuild_procs cores running this
// executable; 0, or an unknown executable, rebuilds in process. The child
// command is not listed in the usage.
func TestRebuildBuilder(t *testing.T) {
	m := &Main{Executable: "/usr/bin/safetysearch", cfg: DefaultConfig()}
	b, ok := m.rebuildBuilder().(*indexer.ProcessBuilder)
	if !ok {
		t.Fatalf("default builder %T, want a ProcessBuilder", m.rebuildBuilder())
	}
	if b.Path != m.Executable || strings.Join(b.Args, " ") != buildGenerationCommand || b.MaxProcs != DefaultRebuildProcs() || b.MaxProcs < 1 || b.Nice != rebuildNice {
		t.Errorf("builder %+v", b)
	}
	m.cfg.RebuildProcs = 0
	if b := m.rebuildBuilder(); b != nil {
		t.Errorf("rebuild_procs 0: builder %T, want in process", b)
	}
	m = &Main{cfg: DefaultConfig()}
	if b := m.rebuildBuilder(); b != nil {
		t.Errorf("no executable: builder %T, want in process", b)
	}
	var out bytes.Buffer
	(&Main{}).usage(&out)
	if strings.Contains(out.String(), buildGenerationCommand) {
		t.Errorf("usage lists %s:\n%s", buildGenerationCommand, out.String())
	}
	if _, err := loadConfig("", func(k string) string {
		if k == "SAFETYSEARCH_REBUILD_PROCS" {
			return "-1"
		}
		return ""
	}, nil); err == nil {
		t.Error("rebuild_procs -1 accepted")
	}
}
