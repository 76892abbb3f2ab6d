package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

var (
	amd64     = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64     = v1.Platform{OS: "linux", Architecture: "arm64"}
	platforms = []v1.Platform{amd64, arm64}
	machines  = map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
	testMeta  = Metadata{Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567", Source: "https://github.com/gatehouse/gatehouse",
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
)

// TestImagePipeline builds the images of a small static program in place
// of Gatehouse's binaries, as make image does (go build for amd64 and
// arm64, index, layout tarball), and checks what a cluster relies on.
// Building the same index twice gives the same bytes.
func TestImagePipeline(t *testing.T) {
	deployDir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := Lookup("gatehouse-gateway")
	spec.Package = "./image/testdata/static"
	bins, err := GoBuild{Dir: deployDir, Version: testMeta.Version}.Binaries(context.Background(), spec, platforms, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ca := caBundle(t)
	idx, err := Index(Options{Spec: spec, Binaries: bins, Metadata: testMeta, CACerts: ca})
	if err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	if err := WriteLayout(&first, idx, "gatehouse-gateway:v1.2.3", testMeta.Created); err != nil {
		t.Fatal(err)
	}
	checkLayout(t, first.Bytes(), spec, "gatehouse-gateway:v1.2.3")

	again, err := Index(Options{Spec: spec, Binaries: bins, Metadata: testMeta, CACerts: ca})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(&second, again, "gatehouse-gateway:v1.2.3", testMeta.Created); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two builds from the same binaries differ")
	}
}

// TestImages builds Gatehouse's real images for amd64 and arm64 as make
// image does, checks them, and runs the host's binary from each image.
func TestImages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both binaries of the main module for two platforms (minutes on a cold build cache); run without -short")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ca := caBundle(t)
	for _, spec := range Specs {
		t.Run(spec.Name, func(t *testing.T) {
			bins, err := GoBuild{Dir: root, Version: testMeta.Version}.Binaries(context.Background(), spec, platforms, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			idx, err := Index(Options{Spec: spec, Binaries: bins, Metadata: testMeta, CACerts: ca})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteLayout(&buf, idx, spec.Name+":v1.2.3", testMeta.Created); err != nil {
				t.Fatal(err)
			}
			files := checkLayout(t, buf.Bytes(), spec, spec.Name+":v1.2.3")
			if runtime.GOOS != "linux" || machines[runtime.GOARCH] == 0 {
				return
			}
			bin := filepath.Join(t.TempDir(), spec.Name)
			if err := os.WriteFile(bin, files[runtime.GOARCH][spec.Entrypoint()[0][1:]], 0o755); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(bin, append(spec.Cmd, "--help")...).CombinedOutput()
			if err != nil || !bytes.Contains(out, []byte("GATEHOUSE_")) {
				t.Errorf("%s --help from the image: %v\n%s", spec.Name, err, out)
			}
		})
	}
}

// caBundle returns the host's CA bundle, or a stand-in where the host has
// none.
func caBundle(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(HostCACerts); err == nil {
		return HostCACerts
	}
	f := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(f, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// checkLayout reads an image-layout tarball back with go-containerregistry
// and checks its index and images. It returns the files of each
// architecture's image, by path without the leading slash.
func checkLayout(t *testing.T, tarball []byte, spec Spec, ref string) map[string]map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	untar(t, tarball, dir)
	var top v1.IndexManifest
	readJSON(t, filepath.Join(dir, "index.json"), &top)
	if len(top.Manifests) != 1 || top.Manifests[0].MediaType != types.OCIImageIndex {
		t.Fatalf("index.json: %+v, want one image index", top.Manifests)
	}
	if got := top.Manifests[0].Annotations[refNameAnnotation]; got != strings.SplitN(ref, ":", 2)[1] {
		t.Errorf("index.json names tag %q, want that of %s", got, ref)
	}
	if got := top.Manifests[0].Annotations[imageNameAnnotation]; !strings.HasSuffix(got, "/"+ref) {
		t.Errorf("index.json names image %q, want .../%s", got, ref)
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := outer.ImageIndex(top.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.MediaType != types.OCIImageIndex {
		t.Errorf("index media type %s, want %s", im.MediaType, types.OCIImageIndex)
	}
	var got []string
	files := map[string]map[string][]byte{}
	for _, d := range im.Manifests {
		if d.Platform == nil {
			t.Fatalf("manifest %s has no platform", d.Digest)
		}
		got = append(got, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		files[d.Platform.Architecture] = checkImage(t, img, spec, *d.Platform)
	}
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(got, want) {
		t.Errorf("platforms %v, want %v", got, want)
	}
	return files
}

// checkImage checks one platform's image and returns its files.
func checkImage(t *testing.T, img v1.Image, spec Spec, p v1.Platform) map[string][]byte {
	t.Helper()
	mt, err := img.MediaType()
	if err != nil || mt != types.OCIManifestSchema1 {
		t.Errorf("%s: manifest media type %s, %v", p, mt, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("%s: user %q, want 65532:65532 (non-root)", p, c.User)
	}
	if want := []string{"/usr/local/bin/" + spec.Name}; !slices.Equal(c.Entrypoint, want) {
		t.Errorf("%s: entrypoint %q, want %q", p, c.Entrypoint, want)
	}
	if !slices.Equal(c.Cmd, spec.Cmd) {
		t.Errorf("%s: cmd %q, want %q", p, c.Cmd, spec.Cmd)
	}
	if cf.OS != p.OS || cf.Architecture != p.Architecture {
		t.Errorf("%s: config says %s/%s", p, cf.OS, cf.Architecture)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.version":  testMeta.Version,
		"org.opencontainers.image.revision": testMeta.Revision,
		"org.opencontainers.image.source":   testMeta.Source,
		"org.opencontainers.image.title":    spec.Name,
		"org.opencontainers.image.created":  "2026-01-02T03:04:05Z",
	} {
		if c.Labels[k] != want {
			t.Errorf("%s: label %s = %q, want %q", p, k, c.Labels[k], want)
		}
	}
	if !cf.Created.Time.Equal(testMeta.Created) {
		t.Errorf("%s: created %v, want %v", p, cf.Created, testMeta.Created)
	}
	for _, port := range spec.Ports {
		if _, ok := c.ExposedPorts[port]; !ok {
			t.Errorf("%s: port %s not exposed", p, port)
		}
	}

	files, hdrs := flatten(t, img)
	for _, shell := range []string{"bin/sh", "bin/bash", "usr/bin/sh", "bin/busybox"} {
		if _, ok := hdrs[shell]; ok {
			t.Errorf("%s: the image has %s", p, shell)
		}
	}
	bin := "usr/local/bin/" + spec.Name
	if h := hdrs[bin]; h == nil || h.Mode&0o111 == 0 {
		t.Fatalf("%s: no executable %s", p, bin)
	}
	checkStatic(t, p, files[bin])
	if !bytes.Contains(files["etc/passwd"], []byte("nonroot:x:65532:65532:")) {
		t.Errorf("%s: /etc/passwd has no nonroot user: %q", p, files["etc/passwd"])
	}
	if len(files["etc/ssl/certs/ca-certificates.crt"]) == 0 {
		t.Errorf("%s: no CA certificates", p)
	}
	if h := hdrs["home/nonroot"]; h == nil || h.Uid != 65532 {
		t.Errorf("%s: the working directory /home/nonroot is not the user's: %+v", p, h)
	}
	for name, h := range hdrs {
		if !h.ModTime.Equal(testMeta.Created) {
			t.Errorf("%s: %s dated %v, want %v", p, name, h.ModTime, testMeta.Created)
		}
	}
	return files
}

// checkStatic checks that bin is an ELF executable for p with no
// interpreter (statically linked).
func checkStatic(t *testing.T, p v1.Platform, bin []byte) {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("%s: the binary is not ELF: %v", p, err)
	}
	if f.Machine != machines[p.Architecture] {
		t.Errorf("%s: the binary is for %v", p, f.Machine)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP || prog.Type == elf.PT_DYNAMIC {
			t.Errorf("%s: the binary is dynamically linked", p)
		}
	}
}

// flatten returns the files of img's file system and the headers of its
// entries, by path without the leading slash.
func flatten(t *testing.T, img v1.Image) (map[string][]byte, map[string]*tar.Header) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files, hdrs := map[string][]byte{}, map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		hdrs[strings.TrimSuffix(h.Name, "/")] = h
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = b
		}
	}
	return files, hdrs
}

func untar(t *testing.T, b []byte, dir string) {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			t.Fatalf("tarball entry %q leaves the layout", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(path, 0o755)
		case tar.TypeReg:
			var data []byte
			if data, err = io.ReadAll(tr); err == nil {
				err = os.WriteFile(path, data, 0o644)
			}
		default:
			t.Fatalf("tarball entry %q of type %c", h.Name, h.Typeflag)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
