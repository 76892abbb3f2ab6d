package builtin

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	textmessage "golang.org/x/text/message"
)

// schemaURL is where a compiled schema says it lives; a $ref to any other
// document is refused, so compiling one never reads a file or the network.
const schemaURL = "urn:gatehouse:schema"

// schemaOptions are validate-content's run-time overrides of a schema.
type schemaOptions struct {
	// additional, when set, replaces additionalProperties of every object
	// schema (allow-additional-properties).
	additional *bool
	// fold compares property names case-insensitively
	// (case-insensitive-property-names): the schema's property names and
	// required names are lower-cased, and so are a message's.
	fold bool
}

// schemaCache keeps compiled schemas by their source and options, so that
// a schema that many operations, products and configuration versions
// compile with (an API-scope policy, every write the management plane
// checks) is compiled once. It is used only while compiling; a compiled
// schema is immutable and safe for concurrent use. A nil cache compiles
// every time.
type schemaCache struct {
	mu sync.Mutex
	m  map[schemaSource]*jsonschema.Schema
}

// schemaSource identifies a compiled schema.
type schemaSource struct {
	digest     [sha256.Size]byte // of the schema's JSON
	ref        string
	additional int8 // -1 false, 0 unset, 1 true
	fold       bool
}

// maxCachedSchemas bounds the cache; past it, it starts again empty.
const maxCachedSchemas = 4096

// compile returns raw compiled with ref and opts (see compileJSONSchema).
func (sc *schemaCache) compile(raw []byte, ref string, opts schemaOptions) (*jsonschema.Schema, error) {
	if sc == nil {
		return compileJSONSchema(raw, ref, opts)
	}
	key := schemaSource{digest: sha256.Sum256(raw), ref: ref, fold: opts.fold}
	if opts.additional != nil {
		key.additional = -1
		if *opts.additional {
			key.additional = 1
		}
	}
	sc.mu.Lock()
	s, ok := sc.m[key]
	sc.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := compileJSONSchema(raw, ref, opts)
	if err != nil {
		return nil, err
	}
	sc.mu.Lock()
	if sc.m == nil || len(sc.m) >= maxCachedSchemas {
		sc.m = map[schemaSource]*jsonschema.Schema{}
	}
	sc.m[key] = s
	sc.mu.Unlock()
	return s, nil
}

// noLoader refuses every document a schema refers to.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the schema refers to %s: only references inside the schema (#/...) are resolved", url)
}

// compileJSONSchema compiles raw, a JSON Schema (draft 2020-12 unless it
// says otherwise with $schema; OpenAPI 3.0's nullable is honoured; known
// formats such as date-time, email and uuid are asserted), with
// opts applied; the schema at the JSON pointer ref ("#/components/schemas/a")
// inside it when ref is not empty.
func compileJSONSchema(raw []byte, ref string, opts schemaOptions) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the schema is not JSON: %w", err)
	}
	doc = rewriteSchema(doc, opts)
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft2020)
	comp.AssertFormat() // APIM checks "the format of the properties"
	comp.UseLoader(noLoader{})
	if err := comp.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("the schema: %w", err)
	}
	if ref != "" && !strings.HasPrefix(ref, "#") {
		return nil, fmt.Errorf("schema-ref %q: want a reference inside the schema, such as #/components/schemas/address", ref)
	}
	s, err := comp.Compile(schemaURL + ref)
	if err != nil {
		var sve *jsonschema.SchemaValidationError
		if errors.As(err, &sve) {
			msg, _ := schemaProblem(sve.Err)
			return nil, fmt.Errorf("the schema does not compile: %s", msg)
		}
		return nil, fmt.Errorf("the schema does not compile: %s", strings.Join(strings.Fields(err.Error()), " "))
	}
	return s, nil
}

// subschemaMaps and subschemaLists are the keywords that hold schemas by
// name or in a list; subschemaOne those that hold one.
var (
	subschemaMaps  = []string{"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
	subschemaLists = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	subschemaOne   = []string{"additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "additionalItems"}
	// notSchemas are the keywords whose values are data, never schemas;
	// the values of other keywords Gatehouse does not know (such as an
	// OpenAPI document's "components") are searched for schemas.
	notSchemas = map[string]bool{"enum": true, "const": true, "default": true, "example": true, "examples": true, "required": true,
		"dependentRequired": true, "type": true}
	schemaKeywords = func() map[string]bool {
		m := map[string]bool{}
		for _, list := range [][]string{subschemaMaps, subschemaLists, subschemaOne} {
			for _, k := range list {
				m[k] = true
			}
		}
		return m
	}()
)

// rewriteSchema applies opts and OpenAPI 3.0's nullable to the schema v
// and every schema inside it, in place.
func rewriteSchema(v any, opts schemaOptions) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for _, k := range subschemaMaps {
		if sub, ok := m[k].(map[string]any); ok {
			for name, s := range sub {
				sub[name] = rewriteSchema(s, opts)
			}
		}
	}
	for _, k := range subschemaLists {
		if sub, ok := m[k].([]any); ok {
			for i, s := range sub {
				sub[i] = rewriteSchema(s, opts)
			}
		}
	}
	for _, k := range subschemaOne {
		if s, ok := m[k]; ok {
			if list, isList := s.([]any); isList && k == "items" { // draft 4's tuple items
				for i, e := range list {
					list[i] = rewriteSchema(e, opts)
				}
				continue
			}
			m[k] = rewriteSchema(s, opts)
		}
	}
	for k, sub := range m {
		if _, isMap := sub.(map[string]any); isMap && !schemaKeywords[k] && !notSchemas[k] {
			m[k] = rewriteSchema(sub, opts)
		}
	}
	if n, _ := m["nullable"].(bool); n {
		if t, ok := m["type"].(string); ok {
			m["type"] = []any{t, "null"}
		}
	}
	if opts.fold {
		if props, ok := m["properties"].(map[string]any); ok {
			folded := make(map[string]any, len(props))
			for name, s := range props {
				folded[strings.ToLower(name)] = s
			}
			m["properties"] = folded
		}
		if req, ok := m["required"].([]any); ok {
			for i, r := range req {
				if s, ok := r.(string); ok {
					req[i] = strings.ToLower(s)
				}
			}
		}
	}
	if opts.additional != nil && isObjectSchema(m) {
		m["additionalProperties"] = *opts.additional
	}
	return m
}

// isObjectSchema reports whether m describes objects.
func isObjectSchema(m map[string]any) bool {
	if _, ok := m["properties"]; ok {
		return true
	}
	if _, ok := m["additionalProperties"]; ok {
		return true
	}
	switch t := m["type"].(type) {
	case string:
		return t == "object"
	case []any:
		for _, e := range t {
			if e == "object" {
				return true
			}
		}
	}
	return false
}

// foldKeys lower-cases the property names of every object in v, in place.
func foldKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[strings.ToLower(k)] = foldKeys(e)
		}
		return out
	case []any:
		for i, e := range t {
			t[i] = foldKeys(e)
		}
	}
	return v
}

var schemaPrinter = textmessage.NewPrinter(language.English)

// schemaProblem describes the first problem of a failed validation: the
// innermost error's message and where in the instance it is.
func schemaProblem(err error) (msg string, at []string) {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error(), nil
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	msg = ve.ErrorKind.LocalizedString(schemaPrinter)
	if len(ve.InstanceLocation) > 0 {
		msg += " (at /" + strings.Join(ve.InstanceLocation, "/") + ")"
	}
	return msg, ve.InstanceLocation
}

// jsonPosition returns the 1-based line and column where the value at
// path (object keys and array indexes) starts in data, a valid JSON
// document; the document's start when the path is not there.
func jsonPosition(data []byte, path []string) (line, col int) {
	i := valueAt(data, skipSpace(data, 0), path)
	line, col = 1, 1
	for _, b := range data[:min(i, len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// valueAt returns the offset of the value at path within the value that
// starts at i; i when path is empty or not found. Text that is not JSON
// ends the search.
func valueAt(data []byte, i int, path []string) int {
	if len(path) == 0 || i >= len(data) {
		return i
	}
	switch data[i] {
	case '{':
		j := skipSpace(data, i+1)
		for j < len(data) && data[j] == '"' {
			end := skipString(data, j)
			key, err := strconv.Unquote(string(data[j:end]))
			j = skipSpace(data, end)
			j = skipSpace(data, j+1) // ':'
			if err == nil && key == path[0] {
				return valueAt(data, j, path[1:])
			}
			next := skipValue(data, j)
			if next == j {
				break // not JSON
			}
			j = skipSpace(data, next)
			if j < len(data) && data[j] == ',' {
				j = skipSpace(data, j+1)
			}
		}
	case '[':
		want, err := strconv.Atoi(path[0])
		if err != nil {
			return i
		}
		j := skipSpace(data, i+1)
		for k := 0; j < len(data) && data[j] != ']'; k++ {
			if k == want {
				return valueAt(data, j, path[1:])
			}
			next := skipValue(data, j)
			if next == j {
				break // not JSON
			}
			j = skipSpace(data, next)
			if j < len(data) && data[j] == ',' {
				j = skipSpace(data, j+1)
			}
		}
	}
	return i
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the offset after the string that starts at i.
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// skipValue returns the offset after the value that starts at i.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = skipString(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && !strings.ContainsRune(",]} \t\r\n", rune(data[j])) {
		j++
	}
	return j
}
