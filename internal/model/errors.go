package model

import (
	"fmt"
	"strings"
)

// A FieldError names one invalid field of a resource. Target is the field's
// path in the request body, such as "properties.path".
type FieldError struct {
	Target  string
	Message string
}

func (e FieldError) Error() string { return e.Target + ": " + e.Message }

// ValidationError is a list of field errors. It is returned by Validate
// methods and by the property decoder.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return "invalid resource: " + strings.Join(msgs, "; ")
}

// fieldErrors collects FieldErrors under the "properties." prefix.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, format string, args ...any) {
	*fe = append(*fe, FieldError{Target: "properties." + field, Message: fmt.Sprintf(format, args...)})
}

// unsupported refuses a setting the gateways do not enforce, rather than
// store it and ignore it; why says what to do instead.
func (fe *fieldErrors) unsupported(field, why string) {
	fe.add(field, "is not supported yet: %s", why)
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func boolPtr(b bool) *bool { return &b }
