package model

import (
	"encoding/json"
	"strings"
)

// MaxSchemaSize is the largest schema document kept: APIM's limit for
// the schemas its validation policies use (4 MB).
const MaxSchemaSize = 4 << 20

// Schema is a global schema (APIM's /schemas/{id}), which validate-content
// names with schema-id: a JSON Schema in Document. APIM's XML schemas
// (in Value) are refused until validate-content can use them.
type Schema struct {
	// SchemaType is "json" or "xml".
	SchemaType  string `json:"schemaType"`
	Description string `json:"description,omitempty"`
	// Value is the document of an XML schema (a string); refused.
	Value string `json:"value,omitempty"`
	// Document is the document of a JSON schema: a JSON Schema object or
	// boolean, which may hold more schemas (a schema-ref points into it).
	Document json.RawMessage `json:"document,omitempty"`
}

// Normalize lower-cases the schema type.
func (s *Schema) Normalize() { s.SchemaType = strings.ToLower(strings.TrimSpace(s.SchemaType)) }

// Validate checks the schema's own fields. XML schemas are refused until
// validate-content can use them.
func (s *Schema) Validate() error {
	var fe fieldErrors
	switch s.SchemaType {
	case "json":
		if len(s.Document) == 0 {
			fe.add("document", "is required for a JSON schema")
		} else if !jsonSchemaOK(s.Document) {
			fe.add("document", "must be a JSON Schema: an object or a boolean")
		} else if len(s.Document) > MaxSchemaSize {
			fe.add("document", "must be at most %d bytes", MaxSchemaSize)
		}
	case "xml":
		fe.unsupported("schemaType", "XML schemas (validate-content validates JSON bodies only); give a JSON schema")
	default:
		fe.add("schemaType", "%q: want json", s.SchemaType)
	}
	if s.Value != "" {
		fe.unsupported("value", "XML schemas (validate-content validates JSON bodies only); give a JSON schema in document")
	}
	if len(s.Description) > 1000 {
		fe.add("description", "must be at most 1000 characters")
	}
	return fe.err()
}
