package mgmt

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/model"
)

// schemaWalker lists the properties of the OpenAPI document's schemas,
// with $ref and allOf resolved.
type schemaWalker struct {
	schemas map[string]map[string]any
}

func newSchemaWalker(t *testing.T) *schemaWalker {
	t.Helper()
	raw, err := OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return &schemaWalker{schemas: doc.Components.Schemas}
}

// flatten returns s with its $ref and allOf merged in: keywords of later
// parts win, and properties named by several parts are combined with
// allOf.
func (w *schemaWalker) flatten(s map[string]any) map[string]any {
	out := map[string]any{}
	var add func(s map[string]any, depth int)
	add = func(s map[string]any, depth int) {
		if depth > 16 {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			add(w.schemas[strings.TrimPrefix(ref, "#/components/schemas/")], depth+1)
		}
		for _, part := range asSchemas(s["allOf"]) {
			add(part, depth+1)
		}
		for k, v := range s {
			switch k {
			case "$ref", "allOf":
			case "properties":
				props, _ := out[k].(map[string]any)
				merged := maps.Clone(props)
				if merged == nil {
					merged = map[string]any{}
				}
				for name, p := range v.(map[string]any) {
					if prev, ok := merged[name]; ok {
						merged[name] = map[string]any{"allOf": []any{prev, p}}
					} else {
						merged[name] = p
					}
				}
				out[k] = merged
			default:
				out[k] = v
			}
		}
	}
	add(s, 0)
	return out
}

// walk calls visit with the path and the flattened schema of every
// property under s: members as "a.b", array items as "a[]", map values
// as "a.*".
func (w *schemaWalker) walk(s map[string]any, path string, depth int, visit func(path string, s map[string]any)) {
	if depth > 16 {
		return
	}
	f := w.flatten(s)
	if path != "" {
		visit(path, f)
	}
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	if props, ok := f["properties"].(map[string]any); ok {
		for _, name := range slices.Sorted(maps.Keys(props)) {
			ps, _ := props[name].(map[string]any)
			w.walk(ps, join(name), depth+1, visit)
		}
	}
	if items, ok := f["items"].(map[string]any); ok {
		w.walk(items, path+"[]", depth+1, visit)
	}
	if extra, ok := f["additionalProperties"].(map[string]any); ok {
		w.walk(extra, join("*"), depth+1, visit)
	}
}

// properties returns the flattened schema of every property of kind's
// properties, by path.
func (w *schemaWalker) properties(t *testing.T, kind model.Kind) map[string]map[string]any {
	t.Helper()
	name := propertiesSchemas[kind]
	s := w.schemas[name]
	if s == nil {
		t.Fatalf("the document has no schema %s for %s", name, kind)
	}
	out := map[string]map[string]any{}
	w.walk(s, "", 0, func(path string, f map[string]any) { out[path] = f })
	return out
}

func isString(f map[string]any) bool {
	switch t := f["type"].(type) {
	case string:
		return t == "string"
	case []any:
		return slices.Contains(t, any("string"))
	}
	return false
}

// TestEveryStringPropertyHasALengthLimit keeps the management API's
// promise that every string it stores is bounded: each string property
// of a resource's properties has a maxLength (which checkLengths
// enforces), or takes only values of bounded length (an enum, a
// date-time), or is never written by clients (readOnly).
func TestEveryStringPropertyHasALengthLimit(t *testing.T) {
	w := newSchemaWalker(t)
	for kind := range propertiesSchemas {
		for path, f := range w.properties(t, kind) {
			if !isString(f) {
				continue
			}
			_, hasMax := f["maxLength"]
			_, hasEnum := f["enum"]
			_, hasConst := f["const"]
			if !hasMax && !hasEnum && !hasConst && f["format"] != "date-time" && f["readOnly"] != true {
				t.Errorf("%s.%s: a string without maxLength", propertiesSchemas[kind], path)
			}
		}
	}
}
