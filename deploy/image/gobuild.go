package image

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// GoBuild builds static binaries of the main module with the go command.
type GoBuild struct {
	// Dir is the root of the main module.
	Dir string
	// Version is stamped into the binary's main.version.
	Version string
	// Revision is stamped into the binary's main.commit.
	Revision string
	// Go is the go command. Empty: "go" from PATH.
	Go string
}

// Build builds the main package pkg (relative to b.Dir) for platform into
// the file out: CGO_ENABLED=0, -trimpath, stripped, with the time zone
// database built in (the images have none). The go command's output is
// part of the error when it fails.
func (b GoBuild) Build(ctx context.Context, pkg string, platform v1.Platform, out string) error {
	goCmd := b.Go
	if goCmd == "" {
		goCmd = "go"
	}
	ldflags := "-s -w"
	if b.Version != "" {
		ldflags += " -X main.version=" + b.Version
	}
	if b.Revision != "" {
		ldflags += " -X main.commit=" + b.Revision
	}
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath", "-tags", "timetzdata", "-ldflags", ldflags, "-o", out, pkg)
	cmd.Dir = b.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+platform.OS, "GOARCH="+platform.Architecture)
	if platform.Architecture == "arm" && platform.Variant != "" {
		cmd.Env = append(cmd.Env, "GOARM="+strings.TrimPrefix(platform.Variant, "v"))
	}
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s: %w\n%s", pkg, platform, err, output.Bytes())
	}
	return nil
}

// Binaries builds spec's binary (in spec.Module under b.Dir) for each
// platform into dir and returns them in the order of platforms.
func (b GoBuild) Binaries(ctx context.Context, spec Spec, platforms []v1.Platform, dir string) ([]Binary, error) {
	bins := make([]Binary, 0, len(platforms))
	b.Dir = filepath.Join(b.Dir, spec.Module)
	for _, p := range platforms {
		out := filepath.Join(dir, strings.ReplaceAll(p.String(), "/", "-"), spec.Name)
		if err := b.Build(ctx, spec.Package, p, out); err != nil {
			return nil, err
		}
		bins = append(bins, Binary{Platform: p, Path: out})
	}
	return bins, nil
}

// ParsePlatforms parses a comma-separated list such as
// "linux/amd64,linux/arm64".
func ParsePlatforms(s string) ([]v1.Platform, error) {
	var ps []v1.Platform
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := v1.ParsePlatform(f)
		if err != nil {
			return nil, err
		}
		if p.OS == "" || p.Architecture == "" {
			return nil, fmt.Errorf("platform %q: want os/arch", f)
		}
		ps = append(ps, *p)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no platform in %q", s)
	}
	return ps, nil
}
