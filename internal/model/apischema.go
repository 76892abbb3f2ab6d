package model

import (
	"bytes"
	"encoding/json"
	"strings"
)

// KindAPISchema holds the schemas of an API (APIM's
// /apis/{apiId}/schemas/{schemaId}): parent is the API or revision, id
// the schema's id. They describe the API (the definitions its
// operations' representations name by schemaId and typeName) and travel
// with it: a new revision starts with copies of its source's.
const KindAPISchema Kind = "apiSchemas"

// The content types of APIM's API schemas (properties.contentType).
const (
	ContentTypeOpenAPIComponents  = "application/vnd.oai.openapi.components+json"
	ContentTypeSwaggerDefinitions = "application/vnd.ms-azure-apim.swagger.definitions+json"
	ContentTypeXSD                = "application/vnd.ms-azure-apim.xsd+xml"
	ContentTypeWADLGrammars       = "application/vnd.ms-azure-apim.wadl.grammars+xml"
	ContentTypeGraphQLSchema      = "application/vnd.ms-azure-apim.graphql.schema"
	ContentTypeODataSchema        = "application/vnd.ms-azure-apim.odata.schema"
	ContentTypeJSONSchema         = "application/json"
)

// APISchemaContentTypes are the accepted values of APISchema.ContentType.
var APISchemaContentTypes = []string{ContentTypeOpenAPIComponents, ContentTypeSwaggerDefinitions, ContentTypeXSD,
	ContentTypeWADLGrammars, ContentTypeGraphQLSchema, ContentTypeODataSchema, ContentTypeJSONSchema}

// APISchema is one schema of an API, in APIM's SchemaContract shape.
type APISchema struct {
	// ContentType says what Document holds (APISchemaContentTypes).
	ContentType string `json:"contentType"`
	// Document is the schema: its text in Value (XML schemas, WADL
	// grammars, GraphQL, JSON Schema as text) or, for the JSON content
	// types, the OpenAPI components (Components) or Swagger definitions
	// (Definitions) as JSON objects.
	Document APISchemaDocument `json:"document"`
}

// APISchemaDocument is an APISchema's document (APIM's
// SchemaDocumentProperties).
type APISchemaDocument struct {
	Value       string          `json:"value,omitempty"`
	Components  json.RawMessage `json:"components,omitempty"`
	Definitions json.RawMessage `json:"definitions,omitempty"`
}

// Normalize lower-cases the content type and writes the components or
// definitions with their members sorted, so that one document is stored
// and compared as one text whichever order it came in.
func (s *APISchema) Normalize() {
	s.ContentType = strings.ToLower(strings.TrimSpace(s.ContentType))
	s.Document.Components = sortedJSON(s.Document.Components)
	s.Document.Definitions = sortedJSON(s.Document.Definitions)
}

// sortedJSON re-encodes b with object members sorted (numbers kept as
// written); b is returned as it is when it is not JSON.
func sortedJSON(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return b
	}
	out, err := json.Marshal(v)
	if err != nil {
		return b
	}
	return out
}

// Validate checks the schema's own fields: a known content type and a
// document that suits it, at most MaxSchemaSize bytes.
func (s *APISchema) Validate() error {
	var fe fieldErrors
	if !oneOf(s.ContentType, APISchemaContentTypes...) {
		fe.add("contentType", "%q: want one of %s", s.ContentType, strings.Join(APISchemaContentTypes, ", "))
	}
	d := s.Document
	given := 0
	for _, set := range []bool{d.Value != "", len(d.Components) > 0, len(d.Definitions) > 0} {
		if set {
			given++
		}
	}
	switch {
	case given == 0:
		fe.add("document", "is required: give value, components or definitions")
	case given > 1:
		fe.add("document", "give one of value, components and definitions")
	case len(d.Components) > 0 && !isJSONObject(d.Components):
		fe.add("document.components", "must be a JSON object")
	case len(d.Definitions) > 0 && !isJSONObject(d.Definitions):
		fe.add("document.definitions", "must be a JSON object")
	case len(d.Components) > 0 && s.ContentType != ContentTypeOpenAPIComponents:
		fe.add("document.components", "goes with contentType %s", ContentTypeOpenAPIComponents)
	case len(d.Definitions) > 0 && s.ContentType != ContentTypeSwaggerDefinitions:
		fe.add("document.definitions", "goes with contentType %s", ContentTypeSwaggerDefinitions)
	case s.ContentType == ContentTypeJSONSchema && !jsonSchemaOK(json.RawMessage(d.Value)):
		fe.add("document.value", "must be a JSON Schema (an object or a boolean) for contentType %s", ContentTypeJSONSchema)
	}
	if len(d.Value)+len(d.Components)+len(d.Definitions) > MaxSchemaSize {
		fe.add("document", "must be at most %d bytes", MaxSchemaSize)
	}
	return fe.err()
}

func isJSONObject(b json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}
