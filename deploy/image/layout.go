package image

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// OCI image-layout annotations naming the image in index.json.
const (
	refNameAnnotation    = "org.opencontainers.image.ref.name" // the tag, as the OCI spec and buildkit write it
	imageNameAnnotation  = "io.containerd.image.name"          // the full name, read by containerd and docker load
	ociLayoutFileContent = `{"imageLayoutVersion":"1.0.0"}`
)

// WriteLayout writes idx to w as an OCI image-layout tarball (oci-layout,
// index.json and blobs/sha256/...) whose index.json names idx ref, such
// as "gatehouse-gateway:v1.2.0". Entries are in a fixed order and dated
// created, so the same index always gives the same bytes.
func WriteLayout(w io.Writer, idx v1.ImageIndex, ref string, created time.Time) error {
	tag, err := name.NewTag(ref)
	if err != nil {
		return fmt.Errorf("image name: %w", err)
	}
	blobs, err := collectBlobs(idx)
	if err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return err
	}
	top, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.OCIImageIndex,
		Manifests: []v1.Descriptor{{
			MediaType: types.OCIImageIndex, Digest: digest, Size: int64(len(raw)),
			Annotations: map[string]string{refNameAnnotation: tag.TagStr(), imageNameAnnotation: tag.Name()},
		}},
	})
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	put := func(name string, size int64, mode int64, typ byte) error {
		return tw.WriteHeader(&tar.Header{Typeflag: typ, Name: name, Size: size, Mode: mode, ModTime: created.UTC(), Format: tar.FormatUSTAR})
	}
	for _, f := range []struct{ name, data string }{{"oci-layout", ociLayoutFileContent}, {"index.json", string(top)}} {
		if err := put(f.name, int64(len(f.data)), 0o644, tar.TypeReg); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, f.data); err != nil {
			return err
		}
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := put(d, 0, 0o755, tar.TypeDir); err != nil {
			return err
		}
	}
	for _, b := range blobs {
		if err := put("blobs/sha256/"+b.digest.Hex, b.size, 0o644, tar.TypeReg); err != nil {
			return err
		}
		rc, err := b.open()
		if err != nil {
			return err
		}
		n, err := io.Copy(tw, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("blob %s: %w", b.digest, err)
		}
		if n != b.size {
			return fmt.Errorf("blob %s: wrote %d bytes, want %d", b.digest, n, b.size)
		}
	}
	return tw.Close()
}

// blob is one content-addressed file of a layout.
type blob struct {
	digest v1.Hash
	size   int64
	open   func() (io.ReadCloser, error)
}

// collectBlobs returns every blob idx refers to, each once, in digest
// order: the index, each image's manifest and config, and the layers.
func collectBlobs(idx v1.ImageIndex) ([]blob, error) {
	seen := map[v1.Hash]blob{}
	addRaw := func(raw []byte, err error) error {
		if err != nil {
			return err
		}
		h, _, err := v1.SHA256(bytesReader(raw))
		if err != nil {
			return err
		}
		seen[h] = blob{digest: h, size: int64(len(raw)), open: func() (io.ReadCloser, error) { return io.NopCloser(bytesReader(raw)), nil }}
		return nil
	}
	if err := addRaw(idx.RawManifest()); err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return nil, err
		}
		if err := addRaw(img.RawManifest()); err != nil {
			return nil, err
		}
		if err := addRaw(img.RawConfigFile()); err != nil {
			return nil, err
		}
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for _, l := range layers {
			h, err := l.Digest()
			if err != nil {
				return nil, err
			}
			size, err := l.Size()
			if err != nil {
				return nil, err
			}
			seen[h] = blob{digest: h, size: size, open: l.Compressed}
		}
	}
	out := make([]blob, 0, len(seen))
	for _, b := range seen {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].digest.Hex < out[j].digest.Hex })
	return out, nil
}
