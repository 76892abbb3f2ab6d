package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// checkLocalRefs fails on the first $ref inside the document that points
// at nothing, naming where the $ref is ("paths./a.get.responses.200...").
// kin-openapi would name only the missing target.
func checkLocalRefs(root any) error {
	var walk func(v any, at []string) error
	walk = func(v any, at []string) error {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok && strings.HasPrefix(ref, "#") {
				if _, ok := pointer(root, ref); !ok {
					return fmt.Errorf("%s: $ref %q points at nothing in the document", strings.Join(at, "."), ref)
				}
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				inResponses := len(at) > 0 && at[len(at)-1] == "responses"
				if k == "example" || k == "examples" && !isExamplesMap(t[k]) || k == "default" && !inResponses || k == "enum" || k == "const" {
					continue // values, not part of the document's structure
				}
				if err := walk(t[k], append(at, k)); err != nil {
					return err
				}
			}
		case []any:
			for i, e := range t {
				if err := walk(e, append(at, "["+strconv.Itoa(i)+"]")); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, nil)
}

// isExamplesMap reports whether v is an OpenAPI examples map (name to
// Example object or $ref) rather than a JSON Schema "examples" list.
func isExamplesMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
