// Command image builds Gatehouse's container images without a container
// engine: for each image, static binaries of the main module for every
// platform, gathered in one OCI image index and written as an OCI
// image-layout tarball, DIR/NAME.oci.tar. With --push it also pushes each
// index to a registry, using the credentials of docker login.
//
// Usage, from the deploy directory:
//
//	go run ./cmd/image --src .. --out ../dist --version v1.2.0 \
//	    [--image gatehouse-gateway] [--platforms linux/amd64,linux/arm64] \
//	    [--push ghcr.io/example]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/gatehouse/gatehouse/deploy/image"
)

// options are the command's flags.
type options struct {
	src, out, version, revision, source, platforms, push, caCerts, created string
	images                                                                 []string
}

func main() {
	var o options
	flag.StringVar(&o.src, "src", "..", "root of the main module")
	flag.StringVar(&o.out, "out", "../dist", "directory for the NAME.oci.tar image-layout tarballs")
	flag.StringVar(&o.version, "version", "dev", "version: the image tag, main.version and the version label")
	flag.StringVar(&o.revision, "revision", "", "source commit, for the revision label")
	flag.StringVar(&o.source, "source", "https://github.com/gatehouse/gatehouse", "source repository URL, for the source label")
	flag.StringVar(&o.platforms, "platforms", "linux/amd64,linux/arm64", "platforms of the index, comma-separated")
	flag.StringVar(&o.push, "push", "", "also push each image to REPOSITORY/NAME:VERSION, such as --push ghcr.io/example")
	flag.StringVar(&o.caCerts, "ca-certs", image.HostCACerts, "PEM CA bundle copied into the images")
	flag.StringVar(&o.created, "created", os.Getenv("SOURCE_DATE_EPOCH"), "creation time in Unix seconds (default $SOURCE_DATE_EPOCH, else the epoch): dates the files and the config, keeping builds reproducible")
	flag.Func("image", "image to build, repeatable: "+names()+" (default all)", func(s string) error {
		o.images = append(o.images, s)
		return nil
	})
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func names() string {
	var ns []string
	for _, s := range image.Specs {
		ns = append(ns, s.Name)
	}
	return strings.Join(ns, ", ")
}

func run(ctx context.Context, o options) error {
	platforms, err := image.ParsePlatforms(o.platforms)
	if err != nil {
		return err
	}
	specs := image.Specs
	if len(o.images) > 0 {
		specs = nil
		for _, n := range o.images {
			s, ok := image.Lookup(n)
			if !ok {
				return fmt.Errorf("--image %q: want one of %s", n, names())
			}
			specs = append(specs, s)
		}
	}
	meta := image.Metadata{Version: o.version, Revision: o.revision, Source: o.source}
	if o.created != "" {
		sec, err := strconv.ParseInt(o.created, 10, 64)
		if err != nil {
			return fmt.Errorf("--created %q: want Unix seconds", o.created)
		}
		meta.Created = time.Unix(sec, 0)
	}
	src, err := filepath.Abs(o.src)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gatehouse-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	builder := image.GoBuild{Dir: src, Version: o.version, Revision: o.revision}
	for _, spec := range specs {
		if err := buildOne(ctx, o, builder, spec, platforms, meta, filepath.Join(tmp, spec.Name)); err != nil {
			return fmt.Errorf("%s: %w", spec.Name, err)
		}
	}
	return nil
}

func buildOne(ctx context.Context, o options, b image.GoBuild, spec image.Spec, platforms []v1.Platform, meta image.Metadata, tmp string) error {
	bins, err := b.Binaries(ctx, spec, platforms, tmp)
	if err != nil {
		return err
	}
	idx, err := image.Index(image.Options{Spec: spec, Binaries: bins, Metadata: meta, CACerts: o.caCerts})
	if err != nil {
		return err
	}
	path := filepath.Join(o.out, spec.Name+".oci.tar")
	if err := writeFile(path, func(f *os.File) error {
		return image.WriteLayout(f, idx, spec.Name+":"+tag(o.version), meta.Created)
	}); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("%s  %s\n", path, digest)
	sizes, err := image.Sizes(idx)
	if err != nil {
		return err
	}
	for _, s := range sizes {
		fmt.Printf("  %-12s %6.1f MB compressed, %6.1f MB unpacked\n", s.Platform, mb(s.Compressed), mb(s.Uncompressed))
	}
	if o.push == "" {
		return nil
	}
	ref, err := name.NewTag(strings.TrimSuffix(o.push, "/") + "/" + spec.Name + ":" + tag(o.version))
	if err != nil {
		return fmt.Errorf("--push: %w", err)
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	fmt.Printf("  pushed %s@%s\n", ref, digest)
	return nil
}

// tag turns a version into an image tag: characters a tag may not hold
// become '-'.
func tag(version string) string {
	b := []byte(version)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) == 0 || b[0] == '.' || b[0] == '-' {
		b = append([]byte("v"), b...)
	}
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// writeFile writes path through a temporary file renamed into place, so
// a failed build leaves no partial tarball.
func writeFile(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
