// Package buildinfo describes the running binary for `version` and
// `--version`: its version (set at build time), the commit it was built
// from and the Go release that built it.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// String returns "NAME VERSION (commit REV[, modified], GO)". The commit
// is commit when set at build time (make sets it), else what the Go
// toolchain recorded, else "unknown".
func String(name, version, commit string) string {
	modified := false
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if bi, ok := debug.ReadBuildInfo(); ok && commit == "" {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	if modified {
		commit += ", modified"
	}
	return name + " " + version + " (commit " + commit + ", " + runtime.Version() + ")"
}
