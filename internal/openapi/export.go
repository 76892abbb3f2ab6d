package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gatehouse/gatehouse/internal/model"
)

// ExportOptions configures Export.
type ExportOptions struct {
	// GatewayURL is the gateway's base URL ("https://api.example.com");
	// the API's path is appended to make the document's server, and the
	// subscription key is described as security schemes. Empty: the
	// document describes the API as specified: no server (a relative one
	// would mean nothing to an importer) and no security schemes.
	GatewayURL string
	// Source is the kind of document to write. Zero: the kind the
	// operations were imported from (SourceOf), else OpenAPI 3.1.
	Source Source
}

// wildcard matches the gateway's catch-all template segments: "*" and
// "{*name}".
var wildcard = regexp.MustCompile(`\{\*[^{}]*\}|(^|/)\*$`)

// extraOperations is the document extension that carries operations
// OpenAPI cannot express (method "*", catch-all templates) in Gatehouse's
// own shape, so that an export imports back whole.
const extraOperations = "x-gatehouse-operations"

// implicitParameter marks a path parameter that Export adds for a
// template parameter the operation does not describe; Import skips it.
const implicitParameter = "x-gatehouse-implicit"

// Export writes an OpenAPI document, as JSON, of an API: in the version the
// operations were imported in (OpenAPI 3.0.x stays 3.0.x, 3.1.x 3.1.x;
// Swagger 2.0 stays 2.0 where it can say everything, else becomes OpenAPI
// 3.0.3; 3.1.0 when unknown, see ExportOptions.Source), with each
// operation's parameters, bodies, responses and schemas. With a gateway
// URL it describes the API as the gateway serves it: that URL as server,
// the subscription key header and query parameter as security schemes
// (when a key is required). Schemas kept under "$defs" become components. Operations the format cannot
// express (method "*", catch-all templates such as "/files/*") are kept
// whole under "x-gatehouse-operations", which Import reads back. api must
// be normalised.
func Export(api model.API, ops []Operation, opts ExportOptions) ([]byte, error) {
	src := opts.Source
	if src.Version == "" {
		src = SourceOf(ops)
	}
	version := src.exportVersion()
	info := map[string]any{"title": api.DisplayName, "version": firstNonEmpty(api.APIVersion, "1.0")}
	if api.Description != "" {
		info["description"] = api.Description
	}
	doc := map[string]any{"openapi": version, "info": info}
	gateway := strings.TrimRight(opts.GatewayURL, "/")
	if gateway != "" {
		server := gateway
		if api.Path != "" {
			server += "/" + api.Path
		}
		doc["servers"] = []any{map[string]any{"url": server}}
	}
	comps := &components{schemas: map[string]any{}, taken: map[string]bool{}}
	sec := map[string]any{}
	if gateway != "" && (api.SubscriptionRequired == nil || *api.SubscriptionRequired) {
		k := api.SubscriptionKeyParameterNames
		if k == nil {
			k = &model.KeyParameterNames{Header: model.DefaultKeyHeader, Query: model.DefaultKeyQuery}
		}
		sec["apiKeyHeader"] = map[string]any{"type": "apiKey", "in": "header", "name": k.Header}
		sec["apiKeyQuery"] = map[string]any{"type": "apiKey", "in": "query", "name": k.Query}
		doc["security"] = []any{map[string]any{"apiKeyHeader": []any{}}, map[string]any{"apiKeyQuery": []any{}}}
	}
	paths := map[string]any{}
	var extra []any
	for _, op := range ops {
		p := op.Properties
		if p.Method == "*" || wildcard.MatchString(p.URLTemplate) {
			p.ImportedFrom = "" // the document says it
			extra = append(extra, map[string]any{"name": op.ID, "properties": p})
			continue
		}
		tpl := p.URLTemplate
		item, _ := paths[tpl].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[tpl] = item
		}
		o, err := exportOperation(op, tpl, comps, strings.HasPrefix(version, "3.0."))
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", op.ID, err)
		}
		item[strings.ToLower(p.Method)] = o
	}
	doc["paths"] = paths
	c := map[string]any{}
	if len(comps.schemas) > 0 {
		c["schemas"] = comps.schemas
	}
	if len(sec) > 0 {
		c["securitySchemes"] = sec
	}
	if len(c) > 0 {
		doc["components"] = c
	}
	if len(extra) > 0 {
		doc[extraOperations] = extra
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	if src.Version == "2.0" {
		if sw, ok := toSwagger(b); ok {
			b = sw
		}
	}
	return append(b, '\n'), nil
}

// toSwagger converts an OpenAPI 3.0 document to Swagger 2.0, reporting
// false when 2.0 cannot say what it says.
func toSwagger(doc []byte) ([]byte, bool) {
	d3, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		return nil, false
	}
	d2, err := openapi2conv.FromV3(d3)
	if err != nil {
		return nil, false
	}
	b, err := json.MarshalIndent(d2, "", "  ")
	return b, err == nil
}

var templateParam = regexp.MustCompile(`\{([^{}*]+)\}`)

func exportOperation(op Operation, tpl string, comps *components, v30 bool) (map[string]any, error) {
	p := op.Properties
	o := map[string]any{"operationId": op.ID, "summary": p.DisplayName}
	if p.Description != "" {
		o["description"] = p.Description
	}
	var params []any
	described := map[string]bool{}
	for _, tp := range p.TemplateParameters {
		described[tp.Name] = true
		tp.Required = true
		pp, err := exportParameter(tp, "path", comps)
		if err != nil {
			return nil, err
		}
		params = append(params, pp)
	}
	for _, m := range templateParam.FindAllStringSubmatch(tpl, -1) {
		if !described[m[1]] {
			described[m[1]] = true
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}, implicitParameter: true})
		}
	}
	if r := p.Request; r != nil {
		for _, list := range []struct {
			in string
			ps []model.TemplateParameter
		}{{"query", r.QueryParameters}, {"header", r.Headers}} {
			for _, tp := range list.ps {
				pp, err := exportParameter(tp, list.in, comps)
				if err != nil {
					return nil, err
				}
				params = append(params, pp)
			}
		}
		if len(r.Representations) > 0 {
			content, err := exportContent(r.Representations, comps)
			if err != nil {
				return nil, err
			}
			body := map[string]any{"content": content}
			if r.Description != "" {
				body["description"] = r.Description
			}
			o["requestBody"] = body
		}
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	responses := map[string]any{}
	for _, resp := range p.Responses {
		// An empty description stays empty, as APIM's export writes it
		// (description: ''): a description made up here would import
		// back as a change.
		rr := map[string]any{"description": resp.Description}
		if len(resp.Representations) > 0 {
			content, err := exportContent(resp.Representations, comps)
			if err != nil {
				return nil, err
			}
			rr["content"] = content
		}
		if len(resp.Headers) > 0 {
			hs := map[string]any{}
			for _, h := range resp.Headers {
				hp, err := exportParameter(h, "", comps)
				if err != nil {
					return nil, err
				}
				delete(hp, "name")
				delete(hp, "in")
				hs[h.Name] = hp
			}
			rr["headers"] = hs
		}
		responses[fmt.Sprint(resp.StatusCode)] = rr
	}
	if len(responses) == 0 && v30 {
		// Required before OpenAPI 3.1; "default" is what says nothing.
		responses["default"] = map[string]any{"description": "Response"}
	}
	if len(responses) > 0 { // optional since OpenAPI 3.1
		o["responses"] = responses
	}
	return o, nil
}

func exportParameter(tp model.TemplateParameter, in string, comps *components) (map[string]any, error) {
	pp := map[string]any{"name": tp.Name, "in": in}
	if tp.Required {
		pp["required"] = true
	}
	if tp.Description != "" {
		pp["description"] = tp.Description
	}
	if len(tp.Schema) > 0 {
		s, err := comps.add(tp.Schema)
		if err != nil {
			return nil, err
		}
		pp["schema"] = s
		return pp, nil
	}
	pp["schema"] = simpleSchema(tp)
	return pp, nil
}

// simpleSchema is the schema a parameter's type, values and default value
// describe. Import keeps a parameter's schema only when it says more.
func simpleSchema(tp model.TemplateParameter) map[string]any {
	s := map[string]any{"type": firstNonEmpty(tp.Type, "string")}
	if len(tp.Values) > 0 {
		s["enum"] = tp.Values
	}
	if tp.DefaultValue != "" {
		s["default"] = tp.DefaultValue
	}
	return s
}

func exportContent(reps []model.Representation, comps *components) (map[string]any, error) {
	content := map[string]any{}
	for _, rep := range reps {
		mt := map[string]any{}
		if len(rep.Schema) > 0 {
			s, err := comps.add(rep.Schema)
			if err != nil {
				return nil, err
			}
			mt["schema"] = s
		}
		if len(rep.Examples) > 0 {
			exs := map[string]any{}
			for name, ex := range rep.Examples {
				e := map[string]any{}
				if ex.Summary != "" {
					e["summary"] = ex.Summary
				}
				if ex.Description != "" {
					e["description"] = ex.Description
				}
				if len(ex.Value) > 0 {
					e["value"] = ex.Value
				}
				if ex.ExternalValue != "" {
					e["externalValue"] = ex.ExternalValue
				}
				exs[name] = e
			}
			mt["examples"] = exs
		}
		content[rep.ContentType] = mt
	}
	return content, nil
}

// components gathers the schemas that representations keep under $defs.
// A name used by two different schemas gets a suffix.
type components struct {
	schemas map[string]any
	taken   map[string]bool
}

// add moves schema's $defs into the components and returns the schema
// with its references pointing there.
func (c *components) add(raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v, nil
	}
	defs, _ := m["$defs"].(map[string]any)
	delete(m, "$defs")
	rename := map[string]string{}
	for name, d := range defs {
		rename[name] = c.nameFor(name, d)
	}
	to := func(ref string) (string, error) {
		if n, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
			if r, ok := rename[n]; ok {
				return "#/components/schemas/" + r, nil
			}
		}
		return ref, nil
	}
	for name, d := range defs {
		r, err := rewriteRefs(d, to)
		if err != nil {
			return nil, err
		}
		c.schemas[rename[name]] = r
	}
	return rewriteRefs(m, to)
}

// nameFor returns the component name for def: its own when free or held
// by the same schema, else a suffixed one.
func (c *components) nameFor(name string, def any) string {
	if existing, ok := c.schemas[name]; ok {
		// Compare with references rewritten the same way, so that a
		// schema exported twice is recognised as one.
		mine, _ := rewriteRefs(def, func(ref string) (string, error) {
			return strings.Replace(ref, "#/$defs/", "#/components/schemas/", 1), nil
		})
		if sameJSON(existing, mine) {
			return name
		}
		return uniqueName(name, c.taken)
	}
	if c.taken[strings.ToLower(name)] {
		return uniqueName(name, c.taken)
	}
	c.taken[strings.ToLower(name)] = true
	return name
}
