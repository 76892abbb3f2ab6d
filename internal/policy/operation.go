package policy

import "encoding/json"

// Operation describes the operation a document is compiled for: what it
// accepts and answers, as its API definition documents it. The
// validation elements (validate-content, validate-parameters,
// validate-headers, validate-status-code) compile their checks from it.
type Operation struct {
	// Method and URLTemplate identify the operation, for messages.
	Method      string
	URLTemplate string
	// PathParameters are the parameters of URLTemplate.
	PathParameters []Parameter
	// QueryParameters and Headers are the request's documented ones.
	QueryParameters []Parameter
	Headers         []Parameter
	// Request holds the request body's documented content types.
	Request []Representation
	// Responses holds the documented answers.
	Responses []Response
}

// Parameter is a documented path or query parameter or header.
type Parameter struct {
	Name     string
	Type     string // "string", "integer", "number", "boolean", "array"; empty: string
	Required bool
	Values   []string        // the values it may take; empty: any
	Schema   json.RawMessage // its JSON Schema; empty: Type and Values say it
}

// Representation is one documented content type of a body.
type Representation struct {
	ContentType string
	TypeName    string          // the schema's definition name, for messages
	Schema      json.RawMessage // empty: no schema
}

// Response is one documented answer of an operation.
type Response struct {
	StatusCode      int
	Headers         []Parameter
	Representations []Representation
}

// Schema is a global schema: a JSON Schema document, or an XML Schema.
type Schema struct {
	Type     string          // "json" or "xml"
	Document json.RawMessage // the JSON schema document; empty for XML
}
