package openapi

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/internal/model"
)

// maxDocumentBytes bounds the documents Import reads.
const maxDocumentBytes = 16 << 20

// ErrInvalidDocument is wrapped by every error Import returns for a
// document it cannot use.
var ErrInvalidDocument = errors.New("invalid OpenAPI document")

// ImportOptions configures Import. The zero value is usable.
type ImportOptions struct {
	// BaseURL is where the document was read from. A relative server URL
	// is resolved against it; empty: relative server URLs are not used.
	// Relative $refs of a document read from an http(s) URL resolve
	// against it too (when Files is nil), and so need FetchRef.
	BaseURL string
	// Files is the folder the document is in: $refs to relative paths
	// ("schemas/pet.yaml#/Pet") are read from it, and a path that leaves
	// it ("../x.yaml") is refused. Give an os.Root's FS, so that symbolic
	// links cannot lead out of it either. Nil: $refs must point inside
	// the document.
	Files fs.FS
	// FetchRef reads the target of a $ref to an http(s) URL. Nil: such
	// $refs are refused (remote references are off by default).
	FetchRef func(u *url.URL) ([]byte, error)
}

// Definition is what an imported document describes.
type Definition struct {
	// API has the document's title, description and service URL. Its
	// path is left empty: the caller chooses it.
	API model.API
	// Operations has one entry per path and method: paths sorted, and
	// within a path the methods in the order of httpMethods.
	Operations []Operation
	// Warnings name the parts of the document that were not imported,
	// each with its place in the document.
	Warnings []string
	// Lenient names what the document says although the specification
	// does not allow it, and how it was read (as Azure API Management
	// reads it), each with its place as a JSON pointer:
	// "/components/schemas/A/type: ...".
	Lenient []string
	// Source is the document's version and format.
	Source Source
	// Document is the document with what its external $refs point at
	// copied into its components, in its own format; nil when it has no
	// external $refs. Give this to a management plane, which cannot read
	// the document's neighbouring files.
	Document []byte
	// Files are the files of ImportOptions.Files that $refs read, as
	// slash-separated paths in the order they were read.
	Files []string
}

// Fill sets a's display name, description and service URL from the
// document where a leaves them out. A display name equal to the path
// counts as left out: that is the default Normalize gives it.
func (d *Definition) Fill(a *model.API) {
	if (a.DisplayName == "" || a.DisplayName == a.Path) && d.API.DisplayName != "" {
		a.DisplayName = d.API.DisplayName
	}
	if a.Description == "" {
		a.Description = d.API.Description
	}
	if a.ServiceURL == "" {
		a.ServiceURL = d.API.ServiceURL
	}
}

// Operation is an operation with its id.
type Operation struct {
	ID         string
	Properties model.Operation
}

// Import reads a Swagger 2.0 or OpenAPI 3.0/3.1 document, in JSON or YAML,
// and converts it. $refs point inside the document, or (see opts) at files
// next to it or at URLs. What Azure API Management accepts although the
// specification does not is read as APIM reads it and listed in Lenient.
// An invalid document gives an error wrapping ErrInvalidDocument that
// names the place in the document. The result's operations are normalised
// and valid on their own, and carry the document's Source.
func Import(data []byte, opts ImportOptions) (def *Definition, err error) {
	defer func() {
		// kin-openapi is a third-party parser: a panic on a hostile
		// document must not take the management plane down.
		if r := recover(); r != nil {
			def, err = nil, fmt.Errorf("%w: the parser failed on this document: %v", ErrInvalidDocument, r)
		}
	}()
	if len(data) > maxDocumentBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidDocument, maxDocumentBytes)
	}
	ld, err := load(data, opts)
	if err != nil {
		return nil, err
	}
	doc, root := ld.doc, ld.root
	ctx := context.Background()
	err = doc.Validate(ctx, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation(),
		openapi3.DisableSchemaPatternValidation(), openapi3.DisableSchemaFormatValidation())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	c := converter{schemas: schemaSet{root: root}, ids: map[string]bool{}, unusableServers: ld.unusable}
	c.warnings = ld.ignored
	def = &Definition{Source: ld.source, Document: ld.bundled, Files: ld.files, Lenient: ld.lenient}
	if doc.Info != nil {
		def.API.DisplayName = doc.Info.Title
		def.API.Description = doc.Info.Description
	}
	def.API.ServiceURL = c.serviceURL(doc, opts.BaseURL)
	if doc.Paths == nil {
		doc.Paths = openapi3.NewPaths()
	}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		item := doc.Paths.Value(path)
		for _, method := range sortedMethods(item) {
			op, err := c.operation(path, method, item, item.GetOperation(method))
			if err != nil {
				return nil, fmt.Errorf("%w: paths.%s.%s: %w", ErrInvalidDocument, path, strings.ToLower(method), err)
			}
			def.Operations = append(def.Operations, op)
		}
	}
	extra, err := c.extraOperations(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	def.Operations = append(def.Operations, extra...)
	for i := range def.Operations {
		def.Operations[i].Properties.ImportedFrom = def.Source.String()
	}
	if len(def.Operations) == 0 {
		if len(doc.Webhooks) == 0 {
			return nil, fmt.Errorf("%w: paths: the document has no operations", ErrInvalidDocument)
		}
		c.warn("/webhooks: the document describes only webhooks (%d), which are not imported: the API has 0 operations", len(doc.Webhooks))
	}
	def.Warnings = c.warnings
	return def, nil
}

// httpMethods are the methods an OpenAPI path item may have, in the order
// operations are created.
var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "QUERY"}

func sortedMethods(item *openapi3.PathItem) []string {
	ops := item.Operations()
	var out, other []string
	for _, m := range httpMethods {
		if ops[m] != nil {
			out = append(out, m)
		}
	}
	for m := range ops {
		if !slices.Contains(httpMethods, m) {
			other = append(other, m)
		}
	}
	slices.Sort(other)
	return append(out, other...)
}

// serviceURL returns the first server's URL with its variables at their
// defaults, resolved against base when relative; "" when there is none.
func (c *converter) serviceURL(doc *openapi3.T, base string) string {
	if len(doc.Servers) == 0 || doc.Servers[0] == nil {
		return ""
	}
	s := doc.Servers[0]
	if c.unusableServers["/servers/0"] {
		return "" // warned about when the document was read
	}
	u := s.URL
	for name, v := range s.Variables {
		if v != nil {
			u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
		}
	}
	parsed, err := url.Parse(u)
	if err != nil {
		c.warn("servers[0].url: %q is not a URL; no service URL taken", s.URL)
		return ""
	}
	if !parsed.IsAbs() {
		b, err := url.Parse(base)
		if base == "" || err != nil || !b.IsAbs() {
			c.warn("servers[0].url: %q is relative; give the service URL", s.URL)
			return ""
		}
		parsed = b.ResolveReference(parsed)
	}
	if parsed.Scheme != "http" && parsed.Scheme != "https" {
		c.warn("servers[0].url: %q is not http(s); give the service URL", s.URL)
		return ""
	}
	parsed.RawQuery, parsed.Fragment = "", ""
	return strings.TrimSuffix(parsed.String(), "/")
}
