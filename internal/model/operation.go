package model

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Operation is one method and URL template of an API.
type Operation struct {
	DisplayName        string              `json:"displayName"`
	Method             string              `json:"method"`
	URLTemplate        string              `json:"urlTemplate"`
	TemplateParameters []TemplateParameter `json:"templateParameters,omitempty"`
	Description        string              `json:"description,omitempty"`
	Request            *Request            `json:"request,omitempty"`
	Responses          []Response          `json:"responses,omitempty"`
	// ImportedFrom is the kind of document an import read the operation
	// from, as "openapi 3.0.1 yaml" or "swagger 2.0 json": an export writes
	// that kind again. Empty for operations not imported.
	ImportedFrom string `json:"importedFrom,omitempty"`
}

// TemplateParameter describes one {name} in an operation's URL template;
// the same shape (APIM's ParameterContract) describes query parameters and
// headers.
type TemplateParameter struct {
	Name         string   `json:"name"`
	Type         string   `json:"type,omitempty"`
	Required     bool     `json:"required,omitempty"`
	Description  string   `json:"description,omitempty"`
	Values       []string `json:"values,omitempty"`
	DefaultValue string   `json:"defaultValue,omitempty"`
	// Schema is the parameter's JSON Schema, kept from an imported
	// OpenAPI document. Optional.
	Schema json.RawMessage `json:"schema,omitempty"`
}

// TemplateChecker validates a URL template. The management API passes the
// gateway router's parser, so that a template is accepted exactly when the
// gateway can route it.
type TemplateChecker func(template string) error

// Normalize upper-cases the method and defaults the display name.
func (o *Operation) Normalize() {
	o.Method = strings.ToUpper(o.Method)
	if o.DisplayName == "" {
		o.DisplayName = o.Method + " " + o.URLTemplate
	}
}

// Validate checks the operation's own fields.
func (o *Operation) Validate() error {
	var fe fieldErrors
	if o.Method == "" {
		fe.add("method", "is required (an HTTP method or *)")
	} else if o.Method != "*" && !validToken(o.Method) {
		fe.add("method", "%q is not an HTTP method", o.Method)
	}
	if !strings.HasPrefix(o.URLTemplate, "/") {
		fe.add("urlTemplate", "%q must start with '/'", o.URLTemplate)
	}
	if len(o.URLTemplate) > 1000 {
		fe.add("urlTemplate", "must be at most 1000 characters")
	}
	if len(o.ImportedFrom) > 100 {
		fe.add("importedFrom", "must be at most 100 characters")
	}
	o.validateDescriptions(&fe)
	return fe.err()
}

// Request describes what an operation accepts, in the shape of APIM's
// RequestContract. The gateway does not enforce it; it documents the
// operation (portal, export) and feeds mock responses and validation.
type Request struct {
	Description     string              `json:"description,omitempty"`
	QueryParameters []TemplateParameter `json:"queryParameters,omitempty"`
	Headers         []TemplateParameter `json:"headers,omitempty"`
	Representations []Representation    `json:"representations,omitempty"`
}

// Response describes one answer of an operation, in the shape of APIM's
// ResponseContract.
type Response struct {
	StatusCode      int                 `json:"statusCode"`
	Description     string              `json:"description,omitempty"`
	Representations []Representation    `json:"representations,omitempty"`
	Headers         []TemplateParameter `json:"headers,omitempty"`
}

// Representation is one content type of a request or response body, in
// the shape of APIM's RepresentationContract. Where APIM refers to a
// separate schema resource (schemaId and typeName, kept when given),
// Gatehouse keeps the JSON Schema inline in Schema: self-contained, with
// recursive parts under "$defs".
type Representation struct {
	ContentType    string              `json:"contentType"`
	SchemaID       string              `json:"schemaId,omitempty"`
	TypeName       string              `json:"typeName,omitempty"`
	Schema         json.RawMessage     `json:"schema,omitempty"`
	Examples       map[string]Example  `json:"examples,omitempty"`
	FormParameters []TemplateParameter `json:"formParameters,omitempty"`
}

// Example is a named example of a body, as in APIM and OpenAPI.
type Example struct {
	Summary       string          `json:"summary,omitempty"`
	Description   string          `json:"description,omitempty"`
	Value         json.RawMessage `json:"value,omitempty"`
	ExternalValue string          `json:"externalValue,omitempty"`
}

// validateDescriptions checks the request and responses of o.
func (o *Operation) validateDescriptions(fe *fieldErrors) {
	for i, p := range o.TemplateParameters {
		validateParameter(fe, fmt.Sprintf("templateParameters[%d]", i), p)
	}
	if r := o.Request; r != nil {
		for i, p := range r.QueryParameters {
			validateParameter(fe, fmt.Sprintf("request.queryParameters[%d]", i), p)
		}
		for i, p := range r.Headers {
			validateParameter(fe, fmt.Sprintf("request.headers[%d]", i), p)
		}
		for i, rep := range r.Representations {
			validateRepresentation(fe, fmt.Sprintf("request.representations[%d]", i), rep)
		}
	}
	seen := map[int]bool{}
	for i, resp := range o.Responses {
		at := fmt.Sprintf("responses[%d]", i)
		if resp.StatusCode < 100 || resp.StatusCode > 599 {
			fe.add(at+".statusCode", "%d is not an HTTP status code (100-599)", resp.StatusCode)
		} else if seen[resp.StatusCode] {
			fe.add(at+".statusCode", "%d is described twice", resp.StatusCode)
		}
		seen[resp.StatusCode] = true
		for j, p := range resp.Headers {
			validateParameter(fe, fmt.Sprintf("%s.headers[%d]", at, j), p)
		}
		for j, rep := range resp.Representations {
			validateRepresentation(fe, fmt.Sprintf("%s.representations[%d]", at, j), rep)
		}
	}
}

func validateParameter(fe *fieldErrors, at string, p TemplateParameter) {
	if strings.TrimSpace(p.Name) == "" {
		fe.add(at+".name", "is required")
	}
	if !jsonSchemaOK(p.Schema) {
		fe.add(at+".schema", "must be a JSON Schema: an object or a boolean")
	}
}

func validateRepresentation(fe *fieldErrors, at string, r Representation) {
	if strings.TrimSpace(r.ContentType) == "" {
		fe.add(at+".contentType", "is required")
	}
	if !jsonSchemaOK(r.Schema) {
		fe.add(at+".schema", "must be a JSON Schema: an object or a boolean")
	}
	for name, ex := range r.Examples {
		if name == "" {
			fe.add(at+".examples", "an example needs a name")
		}
		if len(ex.Value) > 0 && ex.ExternalValue != "" {
			fe.add(at+".examples."+name, "has both value and externalValue; give one")
		}
	}
}

// jsonSchemaOK reports whether raw is empty or a JSON object or boolean.
func jsonSchemaOK(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "true" || s == "false" || (strings.HasPrefix(s, "{") && json.Valid(raw))
}
