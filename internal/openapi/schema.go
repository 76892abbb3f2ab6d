package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// maxDefs bounds the schemas one representation may pull in through $refs.
const maxDefs = 5000

// schemaSet makes self-contained JSON Schemas out of parts of a document:
// every local $ref is rewritten to "#/$defs/<name>" and the referenced
// schemas are copied under "$defs". Nothing is inlined, so recursive and
// much-shared schemas stay linear in size.
type schemaSet struct {
	root any // the whole document as generic JSON
}

// selfContained returns v (a schema as generic JSON) with its references
// gathered under "$defs", as compact JSON, and the name of the schema a
// top-level $ref points at ("" when v is not a reference).
func (s *schemaSet) selfContained(v any) (json.RawMessage, string, error) {
	if v == nil {
		return nil, "", nil
	}
	names := map[string]string{} // ref -> def name
	taken := map[string]bool{}
	var queue []string
	rewrite := func(v any) (any, error) {
		return rewriteRefs(v, func(ref string) (string, error) {
			if n, ok := names[ref]; ok {
				return "#/$defs/" + n, nil
			}
			if !strings.HasPrefix(ref, "#") {
				return "", fmt.Errorf("$ref %q points outside the document", ref)
			}
			if len(names) >= maxDefs {
				return "", fmt.Errorf("more than %d schemas are referenced", maxDefs)
			}
			n := uniqueName(defName(ref), taken)
			names[ref] = n
			queue = append(queue, ref)
			return "#/$defs/" + n, nil
		})
	}
	typeName := ""
	if m, ok := v.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok && strings.HasPrefix(ref, "#") {
			typeName = defName(ref)
		}
	}
	out, err := rewrite(v)
	if err != nil {
		return nil, "", err
	}
	defs := map[string]any{}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		target, ok := pointer(s.root, ref)
		if !ok {
			return nil, "", fmt.Errorf("$ref %q points at nothing", ref)
		}
		d, err := rewrite(target)
		if err != nil {
			return nil, "", err
		}
		defs[names[ref]] = d
	}
	if len(defs) > 0 {
		m, ok := out.(map[string]any)
		if !ok {
			return nil, "", fmt.Errorf("a boolean schema cannot have references")
		}
		m["$defs"] = defs
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, "", fmt.Errorf("encode schema: %w", err)
	}
	return b, typeName, nil
}

// rewriteRefs returns a copy of v with every "$ref" string member replaced
// by what to returns. Property names that happen to be "$ref" inside
// "properties" are left alone.
func rewriteRefs(v any, to func(string) (string, error)) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if ref, ok := val.(string); ok && k == "$ref" {
				r, err := to(ref)
				if err != nil {
					return nil, err
				}
				out[k] = r
				continue
			}
			if k == "example" || k == "examples" || k == "default" || k == "enum" || k == "const" {
				out[k] = val // values, not schemas
				continue
			}
			c, err := rewriteRefs(val, to)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			c, err := rewriteRefs(val, to)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

// pointer resolves a local JSON pointer reference ("#/a/b") in root.
func pointer(root any, ref string) (any, bool) {
	p := strings.TrimPrefix(ref, "#")
	if p == "" {
		return root, true
	}
	if !strings.HasPrefix(p, "/") {
		return nil, false
	}
	cur := root
	for _, tok := range strings.Split(p[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

var notNameChar = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// defName is a readable $defs name for ref: its last segment, sanitised.
func defName(ref string) string {
	seg := ref[strings.LastIndex(ref, "/")+1:]
	seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
	seg = strings.Trim(notNameChar.ReplaceAllString(seg, "_"), "_")
	if seg == "" {
		return "schema"
	}
	return seg
}

// uniqueName returns name, or name-2, name-3 ... when taken, and marks the
// result taken. Names compare case-insensitively.
func uniqueName(name string, taken map[string]bool) string {
	n := name
	for i := 2; taken[strings.ToLower(n)]; i++ {
		n = name + "-" + strconv.Itoa(i)
	}
	taken[strings.ToLower(n)] = true
	return n
}
