package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time:
//
//	go build -ldflags "-X main.version=v1.2.3" ./cmd/safetysearch
//
// When empty, the module version from the build info is used ("(devel)"
// for a build from a checkout, then the VCS revision when known).
var version string

// buildVersion returns the version of this binary.
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := bi.Main.Version
	if v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return "dev-" + rev
}

func (m *Main) runVersion(ctx context.Context) error {
	_, err := fmt.Fprintf(m.Stdout, "safetysearch %s (%s, %s/%s)\n", m.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
