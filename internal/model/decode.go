package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DecodeStrict decodes one JSON value from data into v, rejecting unknown
// fields and trailing data. Errors are *ValidationError values whose target
// names the offending field under prefix (such as "properties"), or the
// line and column of a syntax error.
func DecodeStrict(data []byte, prefix string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return invalidJSON(data, dec.InputOffset(), "unexpected data after the JSON value")
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalidJSON(data, max(syn.Offset-1, 0), syn.Error()) // Offset is just past the bad byte
	case errors.As(err, &typ):
		target := prefix
		if typ.Field != "" {
			target = joinTarget(prefix, typ.Field)
		}
		return &ValidationError{Fields: []FieldError{{Target: target,
			Message: fmt.Sprintf("JSON %s cannot be used here: want %s", typ.Value, describeType(typ.Type.String()))}}}
	case errors.Is(err, io.EOF):
		return &ValidationError{Fields: []FieldError{{Target: prefix, Message: "the request body is empty"}}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalidJSON(data, int64(len(data)), "unexpected end of JSON input")
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name := strings.Trim(field, `"`)
		return &ValidationError{Fields: []FieldError{{Target: joinTarget(prefix, name),
			Message: fmt.Sprintf("unknown property %q", name)}}}
	}
	return &ValidationError{Fields: []FieldError{{Target: prefix, Message: err.Error()}}}
}

func joinTarget(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func invalidJSON(data []byte, offset int64, msg string) error {
	line, col := Position(data, offset)
	return &ValidationError{Fields: []FieldError{{Target: "body",
		Message: fmt.Sprintf("malformed JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(msg, "json: "))}}}
}

// Position converts a byte offset in data to a 1-based line and column.
func Position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func describeType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool" || goType == "*bool":
		return "a boolean"
	case strings.Contains(goType, "int"):
		return "an integer"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"):
		return "an object"
	}
	return "an object"
}
