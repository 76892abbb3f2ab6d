package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/internal/model"
)

// converter turns a document's operations into Gatehouse operations.
type converter struct {
	schemas  schemaSet
	ids      map[string]bool // operation ids taken, lower-cased
	warnings []string
	// unusableServers are the JSON pointers of servers with undeclared
	// variables: they give no service URL.
	unusableServers map[string]bool
}

func (c *converter) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// operation converts one path and method.
func (c *converter) operation(path, method string, item *openapi3.PathItem, op *openapi3.Operation) (Operation, error) {
	at := "paths." + path + "." + strings.ToLower(method)
	o := model.Operation{
		DisplayName: firstNonEmpty(op.Summary, op.OperationID, method+" "+path),
		Method:      method,
		URLTemplate: path,
		Description: firstNonEmpty(op.Description, item.Description),
	}
	if len(o.DisplayName) > 300 {
		o.DisplayName = strings.ToValidUTF8(o.DisplayName[:300], "")
	}
	params := mergeParameters(item.Parameters, op.Parameters)
	var req model.Request
	for _, p := range params {
		if p.Extensions[implicitParameter] == true {
			continue
		}
		tp, err := c.parameter(p)
		if err != nil {
			return Operation{}, fmt.Errorf("parameters.%s: %w", p.Name, err)
		}
		switch p.In {
		case openapi3.ParameterInPath:
			tp.Required = true
			o.TemplateParameters = append(o.TemplateParameters, tp)
		case openapi3.ParameterInQuery:
			req.QueryParameters = append(req.QueryParameters, tp)
		case openapi3.ParameterInHeader:
			req.Headers = append(req.Headers, tp)
		default:
			c.warn("%s.parameters.%s: %s parameters are not imported", at, p.Name, p.In)
		}
	}
	if rb := op.RequestBody; rb != nil && rb.Value != nil {
		req.Description = rb.Value.Description
		reps, err := c.representations(rb.Value.Content)
		if err != nil {
			return Operation{}, fmt.Errorf("requestBody: %w", err)
		}
		req.Representations = reps
	}
	if req.Description != "" || len(req.QueryParameters)+len(req.Headers)+len(req.Representations) > 0 {
		o.Request = &req
	}
	if op.Responses != nil {
		resps, err := c.responses(at, op.Responses)
		if err != nil {
			return Operation{}, err
		}
		o.Responses = resps
	}
	o.Normalize()
	if err := o.Validate(); err != nil {
		return Operation{}, err
	}
	return Operation{ID: c.operationID(op.OperationID, method, path), Properties: o}, nil
}

// mergeParameters returns the path item's parameters overridden by the
// operation's (same name and location), sorted by location and name.
func mergeParameters(item, op openapi3.Parameters) []*openapi3.Parameter {
	byKey := map[string]*openapi3.Parameter{}
	var keys []string
	for _, list := range []openapi3.Parameters{item, op} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			k := ref.Value.In + "\x00" + ref.Value.Name
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = ref.Value
		}
	}
	out := make([]*openapi3.Parameter, len(keys))
	for i, k := range keys {
		out[i] = byKey[k]
	}
	return out
}

// parameter converts a parameter: type, enum values and default from its
// schema, which is kept whole too.
func (c *converter) parameter(p *openapi3.Parameter) (model.TemplateParameter, error) {
	tp := model.TemplateParameter{Name: p.Name, Description: p.Description, Required: p.Required}
	if p.Schema == nil {
		return tp, nil
	}
	raw, _, err := c.schema(p.Schema)
	if err != nil {
		return tp, err
	}
	tp.Schema = raw
	s := p.Schema.Value
	if s == nil {
		return tp, nil
	}
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if t != "null" {
				tp.Type = t
				break
			}
		}
	}
	for _, v := range s.Enum {
		tp.Values = append(tp.Values, scalar(v))
	}
	if s.Default != nil {
		tp.DefaultValue = scalar(s.Default)
	}
	if sameJSON(json.RawMessage(raw), simpleSchema(tp)) {
		tp.Schema = nil // type, values and defaultValue say it all
	}
	return tp, nil
}

// representations converts a content map, sorted by content type.
func (c *converter) representations(content openapi3.Content) ([]model.Representation, error) {
	types := make([]string, 0, len(content))
	for ct := range content {
		types = append(types, ct)
	}
	slices.Sort(types)
	var out []model.Representation
	for _, ct := range types {
		mt := content[ct]
		rep := model.Representation{ContentType: ct}
		if mt == nil {
			out = append(out, rep)
			continue
		}
		if mt.Schema != nil {
			raw, name, err := c.schema(mt.Schema)
			if err != nil {
				return nil, fmt.Errorf("content.%s.schema: %w", ct, err)
			}
			rep.Schema, rep.TypeName = raw, name
		}
		ex, err := examples(mt)
		if err != nil {
			return nil, fmt.Errorf("content.%s.examples: %w", ct, err)
		}
		rep.Examples = ex
		out = append(out, rep)
	}
	return out, nil
}

// examples converts a media type's example and named examples; the single
// example becomes "default".
func examples(mt *openapi3.MediaType) (map[string]model.Example, error) {
	out := map[string]model.Example{}
	if mt.Example != nil {
		b, err := json.Marshal(mt.Example)
		if err != nil {
			return nil, err
		}
		out["default"] = model.Example{Value: b}
	}
	for name, ref := range mt.Examples {
		if ref == nil || ref.Value == nil {
			continue
		}
		e := model.Example{Summary: ref.Value.Summary, Description: ref.Value.Description, ExternalValue: ref.Value.ExternalValue}
		if ref.Value.Value != nil && e.ExternalValue == "" {
			b, err := json.Marshal(ref.Value.Value)
			if err != nil {
				return nil, err
			}
			e.Value = b
		}
		out[name] = e
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// responses converts the numeric responses; "default" and ranges such as
// "2XX" have no APIM equivalent and are listed as warnings.
func (c *converter) responses(at string, rs *openapi3.Responses) ([]model.Response, error) {
	var codes []int
	refs := map[int]*openapi3.ResponseRef{}
	for k, ref := range rs.Map() {
		code, err := strconv.Atoi(k)
		if err != nil || code < 100 || code > 599 {
			c.warn("%s.responses.%s: only numeric status codes are imported", at, k)
			continue
		}
		codes = append(codes, code)
		refs[code] = ref
	}
	slices.Sort(codes)
	var out []model.Response
	for _, code := range codes {
		ref := refs[code]
		if ref == nil || ref.Value == nil {
			continue
		}
		r := model.Response{StatusCode: code}
		if d := ref.Value.Description; d != nil {
			r.Description = *d
		}
		reps, err := c.representations(ref.Value.Content)
		if err != nil {
			return nil, fmt.Errorf("responses.%d: %w", code, err)
		}
		r.Representations = reps
		names := make([]string, 0, len(ref.Value.Headers))
		for name := range ref.Value.Headers {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			h := ref.Value.Headers[name]
			if h == nil || h.Value == nil {
				continue
			}
			p := h.Value.Parameter
			p.Name = name
			tp, err := c.parameter(&p)
			if err != nil {
				return nil, fmt.Errorf("responses.%d.headers.%s: %w", code, name, err)
			}
			r.Headers = append(r.Headers, tp)
		}
		out = append(out, r)
	}
	return out, nil
}

// schema returns a self-contained JSON Schema for ref.
func (c *converter) schema(ref *openapi3.SchemaRef) (json.RawMessage, string, error) {
	var v any
	if ref.Ref != "" {
		v = map[string]any{"$ref": ref.Ref}
	} else {
		b, err := json.Marshal(ref.Value)
		if err != nil {
			return nil, "", fmt.Errorf("encode schema: %w", err)
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, "", fmt.Errorf("decode schema: %w", err)
		}
	}
	return c.schemas.selfContained(v)
}

// operationID returns a unique id: the sanitised operationId, or the
// method and path ("get-pets-petId") when there is none.
func (c *converter) operationID(opID, method, path string) string {
	base := notNameChar.ReplaceAllString(opID, "-")
	if opID == "" {
		base = notNameChar.ReplaceAllString(strings.ToLower(method)+"-"+path, "-")
	}
	base = strings.Trim(dashes.ReplaceAllString(base, "-"), "-.")
	if base == "" {
		base = strings.ToLower(method)
	}
	if len(base) > model.MaxIDLength-4 {
		base = base[:model.MaxIDLength-4]
	}
	return uniqueName(base, c.ids)
}

var dashes = regexp.MustCompile(`-{2,}`)

// scalar renders an enum or default value as text.
func scalar(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// extraOperations reads the operations an export kept under the
// x-gatehouse-operations extension.
func (c *converter) extraOperations(root any) ([]Operation, error) {
	m, _ := root.(map[string]any)
	list, ok := m[extraOperations]
	if !ok {
		return nil, nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	var entries []struct {
		Name       string          `json:"name"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("%s: want a list of {name, properties}: %w", extraOperations, err)
	}
	var out []Operation
	for i, e := range entries {
		var o model.Operation
		if err := model.DecodeStrict(e.Properties, "properties", &o); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", extraOperations, i, err)
		}
		o.Normalize()
		if err := o.Validate(); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", extraOperations, i, err)
		}
		out = append(out, Operation{ID: c.operationID(e.Name, o.Method, o.URLTemplate), Properties: o})
	}
	return out, nil
}
