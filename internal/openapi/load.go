package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"
)

// Source is the kind of document an import read: Export writes one of
// the same kind from it.
type Source struct {
	// Version is the document's "openapi" or "swagger" version, such as
	// "3.0.1", "3.1.0" or "2.0".
	Version string
	// YAML is true for a YAML document, false for JSON.
	YAML bool
}

// loaded is a parsed document.
type loaded struct {
	doc      *openapi3.T
	root     any      // the document in OpenAPI 3 form as generic JSON
	lenient  []string // what was read as APIM reads it, each naming its place
	ignored  []string // what was left out, each naming its place
	unusable map[string]bool
	source   Source
	bundled  []byte   // the document with external $refs copied in; nil when it has none
	files    []string // the files $refs read
}

// load parses data as Swagger 2.0 or OpenAPI 3 and returns the document in
// OpenAPI 3 form, with the generic JSON that its $refs point into. What
// APIM accepts although the specification does not is repaired first,
// with a warning (see lenient.go).
func load(data []byte, opts ImportOptions) (*loaded, error) {
	rd := &refReader{files: opts.Files, fetch: opts.FetchRef}
	ld, raw, err := parse(data, rd)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	if err := ld.openAPI3(raw, rd, opts.BaseURL); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	ld.files = rd.paths
	return ld, nil
}

// parse reads data as generic JSON, checks its version and repairs it.
func parse(data []byte, rd *refReader) (*loaded, map[string]any, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, nil, fmt.Errorf("the document is not an object: %w", err)
	}
	t := bytes.TrimSpace(data)
	ld := &loaded{source: Source{YAML: len(t) == 0 || t[0] != '{'}}
	rep := &repairer{}
	rep.dropExamplesExtension(raw, func(ref string) bool {
		if strings.HasPrefix(ref, "#") {
			_, ok := pointer(raw, ref)
			return ok
		}
		return rd.exists(ref)
	})
	swagger, openAPI := raw["swagger"], raw["openapi"]
	switch {
	case swagger != nil:
		if v, _ := swagger.(string); v != "2.0" {
			return nil, nil, fmt.Errorf("swagger: version %v is not supported: want 2.0", swagger)
		}
		ld.source.Version = "2.0"
	case openAPI != nil:
		v, _ := openAPI.(string)
		if !strings.HasPrefix(v, "3.") {
			return nil, nil, fmt.Errorf("openapi: version %v is not supported: want 3.0 or 3.1", openAPI)
		}
		ld.source.Version = v
		rep.v31 = strings.HasPrefix(v, "3.1")
		rep.repairOpenAPI3(raw)
	default:
		return nil, nil, fmt.Errorf("the document has neither an \"openapi\" nor a \"swagger\" version at the top")
	}
	ld.lenient, ld.ignored, ld.unusable = rep.lenient, rep.ignored, rep.unusable
	if err := checkLocalRefs(raw); err != nil {
		return nil, nil, err
	}
	return ld, raw, nil
}

// openAPI3 loads raw with kin-openapi (converting Swagger 2.0), follows
// external $refs through rd and bundles what they name, and sets ld.doc,
// ld.root and ld.bundled.
func (ld *loaded) openAPI3(raw map[string]any, rd *refReader, base string) error {
	js, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true // rd.read decides
	loader.ReadFromURIFunc = rd.read
	if ld.source.Version == "2.0" {
		// Swagger 2.0 $refs must stay inside the document.
		loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
			return nil, fmt.Errorf("$ref to %s: only references inside a Swagger 2.0 document are allowed", u)
		}
		var d2 openapi2.T
		if err := json.Unmarshal(js, &d2); err != nil {
			return err
		}
		if ld.doc, err = openapi2conv.ToV3WithLoader(&d2, loader, nil); err != nil {
			return err
		}
		if js, err = json.Marshal(ld.doc); err != nil {
			return err
		}
	} else {
		if ld.doc, err = loader.LoadFromDataWithPath(js, rd.location(base)); err != nil {
			return err
		}
		if rd.used {
			if js, err = bundle(ld.doc); err != nil {
				return err
			}
			if ld.bundled, err = ld.source.Encode(js); err != nil {
				return err
			}
		}
	}
	return json.Unmarshal(js, &ld.root)
}

// bundle copies what doc's external $refs point at into its components
// and returns it as JSON.
// A copied component is named after its last segment ("Pet" for
// "schemas/pet.yaml#/Pet") unless another one has that name.
func bundle(doc *openapi3.T) ([]byte, error) {
	owner := map[string]string{} // collection/name -> ref path
	doc.InternalizeRefs(context.Background(), func(d *openapi3.T, ref openapi3.ComponentRef) string {
		if _, inRoot := openapi3.ReferencesComponentInRootDocument(d, ref); inRoot || ref.RefPath() == nil {
			return openapi3.DefaultRefNameResolver(d, ref)
		}
		p := ref.RefPath()
		// A $ref inside an external file ("#/A") can come back with its
		// "#" kept in the fragment: one target, one name.
		frag := strings.TrimLeft(p.Fragment, "#")
		name := defName(frag)
		if frag == "" || frag == "/" {
			name = defName(strings.TrimSuffix(path.Base(p.Path), path.Ext(p.Path)))
		}
		key, target := ref.CollectionName()+"/"+name, p.Path+"#"+frag
		if o, ok := owner[key]; ok && o != target {
			return openapi3.DefaultRefNameResolver(d, ref)
		}
		owner[key] = target
		return name
	})
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("bundle the external $refs: %w", err)
	}
	return b, nil
}

// refReader reads the targets of external $refs: relative paths from the
// document's folder, URLs through fetch.
type refReader struct {
	files fs.FS
	fetch func(*url.URL) ([]byte, error)
	cache map[string][]byte // by resolved location
	total int               // bytes read, bounded by maxDocumentBytes
	used  bool              // an external $ref was followed
	paths []string          // the files read
}

// location is where the document is, for kin-openapi to resolve relative
// $refs against: the base URL of a document read from one (with no
// folder given), else a name at the folder's top.
func (r *refReader) location(base string) *url.URL {
	if u, err := url.Parse(base); err == nil && r.files == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return u
	}
	return &url.URL{Path: "openapi.yaml"}
}

// exists reports whether the file an external $ref names can be read.
func (r *refReader) exists(ref string) bool {
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || r.files == nil {
		return false
	}
	_, err = fs.Stat(r.files, path.Clean(u.Path))
	return err == nil
}

// read is kin-openapi's ReadFromURIFunc.
func (r *refReader) read(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
	key := u.String()
	if b, ok := r.cache[key]; ok {
		return b, nil
	}
	var b []byte
	var err error
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		if r.fetch == nil {
			return nil, fmt.Errorf("$ref to %s: references to URLs are not followed unless allowed (--allow-remote-refs)", u.Redacted())
		}
		if b, err = r.fetch(u); err != nil {
			return nil, fmt.Errorf("$ref to %s: %w", u.Redacted(), err)
		}
	case u.Scheme != "" || u.Host != "":
		return nil, fmt.Errorf("$ref to %s: only relative paths and http(s) URLs are allowed", u.Redacted())
	case r.files == nil:
		return nil, fmt.Errorf("$ref to %s: only references inside the document are allowed", u.Path)
	default:
		p := path.Clean(u.Path)
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("$ref to %s: the file is outside the document's folder", u.Path)
		}
		if b, err = fs.ReadFile(r.files, p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("$ref to %s: no such file next to the document", u.Path)
		} else if err != nil {
			return nil, fmt.Errorf("$ref to %s: %w", u.Path, err)
		}
		r.paths = append(r.paths, p)
	}
	if r.total += len(b); r.total > maxDocumentBytes {
		return nil, fmt.Errorf("$ref to %s: the document and its references are larger than %d bytes", key, maxDocumentBytes)
	}
	if r.cache == nil {
		r.cache = map[string][]byte{}
	}
	r.cache[key], r.used = b, true
	return b, nil
}
