package model

import "strings"

// Operation is one method and URL template of an API.
type Operation struct {
	DisplayName        string              `json:"displayName"`
	Method             string              `json:"method"`
	URLTemplate        string              `json:"urlTemplate"`
	TemplateParameters []TemplateParameter `json:"templateParameters,omitempty"`
	Description        string              `json:"description,omitempty"`
}

// TemplateParameter describes one {name} in an operation's URL template.
type TemplateParameter struct {
	Name         string   `json:"name"`
	Type         string   `json:"type,omitempty"`
	Required     bool     `json:"required,omitempty"`
	Description  string   `json:"description,omitempty"`
	Values       []string `json:"values,omitempty"`
	DefaultValue string   `json:"defaultValue,omitempty"`
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
	return fe.err()
}
