package openapi

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// How the kind of document an API came from is remembered: Import sets it
// on every operation (model.Operation.ImportedFrom, "openapi 3.0.1 yaml"),
// so it is stored with the operations, travels with them through the
// management API, APIOps folders and gateways' snapshots, and changes
// exactly when an import replaces them. Export reads it back (SourceOf).
// Operations made by hand have none: their API exports as OpenAPI 3.1 JSON.

// String renders s as stored on operations: "openapi 3.0.1 yaml",
// "swagger 2.0 json"; "" for the zero Source.
func (s Source) String() string {
	if s.Version == "" {
		return ""
	}
	kind, format := "openapi", "json"
	if s.Version == "2.0" {
		kind = "swagger"
	}
	if s.YAML {
		format = "yaml"
	}
	return kind + " " + s.Version + " " + format
}

// ParseSource reads what String writes. Anything else gives the zero
// Source: the document kind is then unknown, which is never an error.
func ParseSource(text string) Source {
	f := strings.Fields(text)
	if len(f) != 3 || (f[0] != "openapi" && f[0] != "swagger") || (f[2] != "json" && f[2] != "yaml") {
		return Source{}
	}
	return Source{Version: f[1], YAML: f[2] == "yaml"}
}

// SourceOf returns the source the operations were imported from: that of
// the first operation that has one.
func SourceOf(ops []Operation) Source {
	for _, op := range ops {
		if s := ParseSource(op.Properties.ImportedFrom); s.Version != "" {
			return s
		}
	}
	return Source{}
}

// exportVersion is the OpenAPI version Export writes for s: the source's
// own for OpenAPI 3.0 and 3.1, 3.0.3 for Swagger 2.0 (whose schemas are
// 3.0's; Export converts that to 2.0 when it can), and 3.1.0 when the
// source is unknown.
func (s Source) exportVersion() string {
	switch {
	case s.Version == "2.0":
		return "3.0.3"
	case strings.HasPrefix(s.Version, "3.0.") || strings.HasPrefix(s.Version, "3.1."):
		return s.Version
	}
	return "3.1.0"
}

// Encode returns doc, a document Export wrote, in s's format: YAML for a
// YAML source, else doc itself.
func (s Source) Encode(doc []byte) ([]byte, error) {
	if !s.YAML {
		return doc, nil
	}
	y, err := yaml.JSONToYAML(doc)
	if err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return y, nil
}

// FileExtension is the extension of a file holding a document in s's
// format: ".yaml" or ".json".
func (s Source) FileExtension() string {
	if s.YAML {
		return ".yaml"
	}
	return ".json"
}
