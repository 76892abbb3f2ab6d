package image

import (
	"archive/tar"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// User is the user and group the images run as: distroless's "nonroot".
const User = "65532:65532"

const (
	uid        = 65532
	binDir     = "/usr/local/bin"
	homeDir    = "/home/nonroot"
	caCertPath = "/etc/ssl/certs/ca-certificates.crt"
)

// HostCACerts is the CA bundle of a Debian or Ubuntu build host, the
// default of Options.CACerts.
const HostCACerts = caCertPath

// A Spec describes one image: the command of the main module it runs and
// how it is started.
type Spec struct {
	// Name is the name of the image and of its binary.
	Name string
	// Package is the main package to build, relative to its module.
	Package string
	// Module is the directory of the Go module holding Package, relative
	// to the root of the main module. Empty: the main module.
	Module string
	// Cmd holds the default arguments given to the binary.
	Cmd []string
	// Ports are the ports the image exposes, such as "8080/tcp".
	Ports []string
	// Description is the image's org.opencontainers.image.description.
	Description string
}

// Entrypoint returns the image's entrypoint: its binary.
func (s Spec) Entrypoint() []string { return []string{path.Join(binDir, s.Name)} }

// Specs lists Gatehouse's images. It must not be modified.
var Specs = []Spec{
	{
		Name:        "gatehouse-gateway",
		Package:     "./cmd/gatehouse-gateway",
		Ports:       []string{"8080/tcp", "8081/tcp"},
		Description: "Gatehouse self-hosted gateway: serves the APIs of one gateway with configuration pulled from a Gatehouse management plane",
	},
	{
		Name:        "gatehouse",
		Package:     "./cmd/gatehouse",
		Cmd:         []string{"serve"},
		Ports:       []string{"8080/tcp", "8081/tcp", "8090/tcp"},
		Description: "Gatehouse API management: management API, configuration endpoint and embedded gateway",
	},
	{
		Name:        "gatehouse-controller",
		Package:     "./cmd/gatehouse-controller",
		Module:      "deploy",
		Ports:       []string{"4290/tcp"},
		Description: "Gatehouse controller: publishes Kubernetes Services annotated gatehouse.io/api as APIs of a Gatehouse management plane",
	},
}

// Lookup returns the Spec called name.
func Lookup(name string) (Spec, bool) {
	for _, s := range Specs {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Metadata is recorded in an image's labels.
type Metadata struct {
	Version  string // org.opencontainers.image.version
	Revision string // org.opencontainers.image.revision: the source commit
	Source   string // org.opencontainers.image.source: the repository URL
	// Created is the image's creation time and the time of every file in
	// it; the commit time keeps builds reproducible. Zero: the Unix epoch.
	Created time.Time
}

// Labels returns the OCI annotation labels of an image of spec.
func (m Metadata) Labels(spec Spec) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       spec.Name,
		"org.opencontainers.image.description": spec.Description,
		"org.opencontainers.image.version":     m.Version,
		"org.opencontainers.image.revision":    m.Revision,
		"org.opencontainers.image.source":      m.Source,
		"org.opencontainers.image.created":     m.created().Format(time.RFC3339),
	}
	for k, v := range l {
		if v == "" {
			delete(l, k)
		}
	}
	return l
}

func (m Metadata) created() time.Time {
	if m.Created.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return m.Created.UTC()
}

// A Binary is a static executable built for one platform.
type Binary struct {
	Platform v1.Platform
	Path     string
}

// Options describe a multi-platform image.
type Options struct {
	Spec     Spec
	Binaries []Binary // one per platform, in the order of the index
	Metadata Metadata
	// CACerts is the PEM bundle copied to /etc/ssl/certs. Empty:
	// HostCACerts.
	CACerts string
}

//go:embed rootfs
var rootfs embed.FS

// Index returns the OCI image index of opts.Spec with one image per
// binary. Layers are built in memory; the result may be written or pushed
// more than once.
func Index(opts Options) (v1.ImageIndex, error) {
	if len(opts.Binaries) == 0 {
		return nil, errors.New("image: no binaries")
	}
	caFile := opts.CACerts
	if caFile == "" {
		caFile = HostCACerts
	}
	ca, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca certificates: %w", err)
	}
	base, err := baseLayer(ca, opts.Metadata.created())
	if err != nil {
		return nil, err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, b := range opts.Binaries {
		img, err := platformImage(opts, base, b)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", opts.Spec.Name, b.Platform, err)
		}
		p := b.Platform
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return idx, nil
}

// platformImage returns the image of one binary on base.
func platformImage(opts Options, base v1.Layer, b Binary) (v1.Image, error) {
	bin, err := os.ReadFile(b.Path)
	if err != nil {
		return nil, err
	}
	created := opts.Metadata.created()
	app, err := layer(created, []entry{
		dir("usr/", 0, 0o755), dir("usr/local/", 0, 0o755), dir("usr/local/bin/", 0, 0o755),
		file(path.Join(binDir[1:], opts.Spec.Name), 0, 0o755, bin),
	})
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, base, app)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS, cf.Variant = b.Platform.Architecture, b.Platform.OS, b.Platform.Variant
	cf.Created = v1.Time{Time: created}
	cf.Author = ""
	cf.History = []v1.History{
		{Created: cf.Created, CreatedBy: "gatehouse image: CA certificates, user nonroot (65532)", Comment: "base"},
		{Created: cf.Created, CreatedBy: "gatehouse image: " + opts.Spec.Package, Comment: opts.Spec.Name},
	}
	ports := map[string]struct{}{}
	for _, p := range opts.Spec.Ports {
		ports[p] = struct{}{}
	}
	cf.Config = v1.Config{
		User:         User,
		WorkingDir:   homeDir,
		Entrypoint:   opts.Spec.Entrypoint(),
		Cmd:          opts.Spec.Cmd,
		Env:          []string{"PATH=" + binDir, "SSL_CERT_FILE=" + caCertPath},
		ExposedPorts: ports,
		Labels:       opts.Metadata.Labels(opts.Spec),
	}
	return mutate.ConfigFile(img, cf)
}

// baseLayer holds what every image has besides its binary.
func baseLayer(ca []byte, created time.Time) (v1.Layer, error) {
	passwd, err := rootfs.ReadFile("rootfs/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := rootfs.ReadFile("rootfs/etc/group")
	if err != nil {
		return nil, err
	}
	return layer(created, []entry{
		dir("etc/", 0, 0o755),
		file("etc/group", 0, 0o644, group),
		file("etc/passwd", 0, 0o644, passwd),
		dir("etc/ssl/", 0, 0o755),
		dir("etc/ssl/certs/", 0, 0o755),
		file(caCertPath[1:], 0, 0o644, ca),
		dir("home/", 0, 0o755),
		dir(homeDir[1:]+"/", uid, 0o700),
		dir("tmp/", 0, 0o1777),
	})
}

// entry is one file or directory of a layer.
type entry struct {
	hdr  tar.Header
	data []byte
}

func dir(name string, owner int, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, Uid: owner, Gid: owner}}
}

func file(name string, owner int, mode int64, data []byte) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Uid: owner, Gid: owner, Size: int64(len(data))}, data: data}
}

// layer returns a gzip-compressed OCI layer of entries, in name order,
// every one dated created.
func layer(created time.Time, entries []entry) (v1.Layer, error) {
	sort.Slice(entries, func(i, j int) bool { return entries[i].hdr.Name < entries[j].hdr.Name })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		h.ModTime, h.Format = created, tar.FormatUSTAR
		if h.Uid == uid {
			h.Uname, h.Gname = "nonroot", "nonroot"
		} else {
			h.Uname, h.Gname = "root", "root"
		}
		if err := tw.WriteHeader(&h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressedCaching)
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// A Size is the size of one platform's image.
type Size struct {
	Platform v1.Platform
	// Compressed is what a registry stores and a node pulls: the
	// compressed layers, the config and the manifest.
	Compressed int64
	// Uncompressed is the size of the layers unpacked on a node.
	Uncompressed int64
}

// Sizes returns the size of each image in idx, in index order.
func Sizes(idx v1.ImageIndex) ([]Size, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var sizes []Size
	for _, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		s := Size{Compressed: d.Size}
		if d.Platform != nil {
			s.Platform = *d.Platform
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		s.Compressed += m.Config.Size
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			n, err := l.Size()
			if err != nil {
				return nil, err
			}
			s.Compressed += n
			rc, err := l.Uncompressed()
			if err != nil {
				return nil, err
			}
			u, err := io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			s.Uncompressed += u
		}
		sizes = append(sizes, s)
	}
	return sizes, nil
}
