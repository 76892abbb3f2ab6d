package openapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file accepts what Azure API Management accepts although the
// specification does not: documents exported by real tools bend it. Each
// repair is reported as a warning that names its place as a JSON pointer.

// jsonTypes are the values "type" may have in a schema.
var jsonTypes = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "array": true, "object": true, "null": true}

// formatTypes maps a format written as a type ("type: byte") to the type
// it belongs to; the name becomes the schema's format.
var formatTypes = map[string]string{
	"int32": "integer", "int64": "integer", "float": "number", "double": "number", "decimal": "number",
	"byte": "string", "binary": "string", "date": "string", "date-time": "string", "datetime": "string",
	"password": "string", "uuid": "string", "guid": "string", "uri": "string", "email": "string",
	"file": "string", "char": "string", "time": "string", "duration": "string",
}

// valueKeys hold values (examples, defaults), never schemas or $refs.
var valueKeys = map[string]bool{"example": true, "default": true, "enum": true, "const": true}

// repairer rewrites a document (generic JSON) in place and records what
// it changed.
type repairer struct {
	v31     bool     // the document is OpenAPI 3.1
	lenient []string // what was read as APIM reads it, each "<JSON pointer>: message"
	ignored []string // what was left out, in the same form
	// unusable are the JSON pointers of server objects whose URL has a
	// variable the server does not declare.
	unusable map[string]bool
}

func (r *repairer) warn(ptr []string, format string, args ...any) {
	r.lenient = append(r.lenient, jsonPointer(ptr)+": "+fmt.Sprintf(format, args...))
}

// jsonPointer renders the segments of a place as an RFC 6901 pointer.
func jsonPointer(ptr []string) string {
	var b strings.Builder
	for _, s := range ptr {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1"))
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// repairOpenAPI3 walks an OpenAPI 3 document: schemas with a format for a
// type or (in 3.1) boolean exclusive bounds, and servers with undeclared
// variables.
func (r *repairer) repairOpenAPI3(root map[string]any) {
	r.walk(root, nil)
}

func (r *repairer) walk(v any, at []string) {
	switch t := v.(type) {
	case map[string]any:
		r.schemaFixes(t, at)
		for _, k := range slices.Sorted(maps.Keys(t)) {
			inResponses := len(at) > 0 && at[len(at)-1] == "responses"
			if valueKeys[k] && !(k == "default" && inResponses) || strings.HasPrefix(k, "x-") || k == "securitySchemes" {
				continue
			}
			if _, isMap := t[k].(map[string]any); k == "examples" && !isMap || k == "value" && isInExample(at) {
				continue // a JSON Schema "examples" list or an example's value
			}
			if _, isList := t[k].([]any); k == "servers" && isList {
				r.servers(t[k], append(slices.Clip(at), k))
				continue
			}
			r.walk(t[k], append(slices.Clip(at), k))
		}
	case []any:
		for i, e := range t {
			r.walk(e, append(slices.Clip(at), strconv.Itoa(i)))
		}
	}
}

// isInExample reports whether at is inside an Example object.
func isInExample(at []string) bool {
	return len(at) >= 2 && at[len(at)-2] == "examples"
}

// schemaFixes repairs one object if it looks like a schema: a "type" that
// is a format, and boolean exclusive bounds in a 3.1 document.
func (r *repairer) schemaFixes(s map[string]any, at []string) {
	if len(at) > 0 && at[len(at)-1] == "properties" {
		return // property names, not a schema
	}
	if typ, ok := s["type"].(string); ok && !jsonTypes[typ] {
		base, known := formatTypes[strings.ToLower(typ)]
		format := typ
		if strings.EqualFold(typ, "file") {
			format = "binary" // Swagger 2.0's file upload
		}
		switch {
		case known && s["format"] == nil:
			s["type"], s["format"] = base, format
			r.warn(append(at, "type"), "%q is a format, not a type; read as type %q, format %q", typ, base, format)
		case known:
			s["type"] = base
			r.warn(append(at, "type"), "%q is a format, not a type; read as type %q", typ, base)
		default:
			delete(s, "type")
			r.warn(append(at, "type"), "unknown type %q ignored: any value is accepted", typ)
		}
	}
	if !r.v31 {
		return
	}
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
		b, ok := s[k].(bool)
		if !ok {
			continue
		}
		bound := "minimum"
		if k == "exclusiveMaximum" {
			bound = "maximum"
		}
		n, hasBound := s[bound]
		switch {
		case b && hasBound:
			s[k] = n
			delete(s, bound)
			r.warn(append(at, k), "a boolean is OpenAPI 3.0 style; read as %s: %v", k, n)
		case b:
			delete(s, k)
			r.warn(append(at, k), "true without %s ignored", bound)
		default:
			delete(s, k)
			r.warn(append(at, k), "a boolean is OpenAPI 3.0 style; false ignored")
		}
	}
}

var serverVariable = regexp.MustCompile(`\{([^{}]*)\}`)

// servers declares the variables a servers list uses but does not
// declare, so that the document loads; such a server gives no service URL.
func (r *repairer) servers(v any, at []string) {
	list, _ := v.([]any)
	for i, e := range list {
		s, ok := e.(map[string]any)
		if !ok {
			continue
		}
		u, _ := s["url"].(string)
		vars, _ := s["variables"].(map[string]any)
		var missing []string
		for _, m := range serverVariable.FindAllStringSubmatch(u, -1) {
			if _, ok := vars[m[1]]; !ok && !slices.Contains(missing, m[1]) {
				missing = append(missing, m[1])
			}
		}
		if len(missing) == 0 {
			continue
		}
		if vars == nil {
			vars = map[string]any{}
			s["variables"] = vars
		}
		for _, name := range missing {
			vars[name] = map[string]any{"default": name}
		}
		place := append(slices.Clip(at), strconv.Itoa(i))
		if r.unusable == nil {
			r.unusable = map[string]bool{}
		}
		r.unusable[jsonPointer(place)] = true
		r.warn(append(place, "url"), "%q uses undeclared variables %s; this server gives no service URL", u, strings.Join(missing, ", "))
	}
}

// dropExamplesExtension removes every x-ms-examples member of the paths'
// operations (AutoRest's examples, often $refs to files that are not
// published with the document): they are not imported. A dangling $ref
// in one is reported.
func (r *repairer) dropExamplesExtension(root map[string]any, exists func(ref string) bool) {
	paths, _ := root["paths"].(map[string]any)
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item, _ := paths[p].(map[string]any)
		for _, m := range slices.Sorted(maps.Keys(item)) {
			op, _ := item[m].(map[string]any)
			ex, ok := op["x-ms-examples"]
			if !ok {
				continue
			}
			delete(op, "x-ms-examples")
			for _, ref := range collectRefs(ex) {
				if !exists(ref) {
					r.ignored = append(r.ignored, jsonPointer([]string{"paths", p, m, "x-ms-examples"})+
						fmt.Sprintf(": $ref %q points at nothing; x-ms-examples ignored", ref))
					break
				}
			}
		}
	}
}

// collectRefs returns every $ref string in v, in a stable order.
func collectRefs(v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			out = append(out, ref)
		}
		for _, k := range slices.Sorted(maps.Keys(t)) {
			out = append(out, collectRefs(t[k])...)
		}
	case []any:
		for _, e := range t {
			out = append(out, collectRefs(e)...)
		}
	}
	return out
}
