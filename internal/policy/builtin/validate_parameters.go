package builtin

import (
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/policy"
)

// registerValidation adds the content validation elements to r.
// They share one cache of compiled schemas.
func registerValidation(r *policy.Registry) {
	sc := &schemaCache{}
	r.Add("validate-content", func(n *policy.Node, c *policy.Compiler) policy.Step { return compileValidateContent(n, c, sc) })
	r.Add("validate-parameters", func(n *policy.Node, c *policy.Compiler) policy.Step { return compileValidateParameters(n, c, sc) })
	r.Add("validate-headers", func(n *policy.Node, c *policy.Compiler) policy.Step { return compileValidateHeaders(n, c, sc) })
	r.Add("validate-status-code", compileValidateStatusCode)
}

// validateParameters implements <validate-parameters>: the request's
// path and query parameters and headers against those the operation
// documents, with <headers>, <query> and <path> overriding the actions
// for their kind and <parameter> for one name.
type validateParameters struct {
	validator
	headers, query, path paramGroup
}

var _ policy.Step = (*validateParameters)(nil)

// requestExempt are the request headers never reported as unspecified:
// the body's framing, which validate-content checks.
var requestExempt = map[string]bool{"Content-Type": true, "Content-Length": true}

func compileValidateParameters(n *policy.Node, c *policy.Compiler, sc *schemaCache) policy.Step {
	c.Only(n, "specified-parameter-action", "unspecified-parameter-action", "errors-variable-name")
	requireInbound(n, c)
	v := &validateParameters{validator: compileValidator(n, c)}
	spec, _ := compileAction(n, c, "specified-parameter-action", true, true)
	unspec, _ := compileAction(n, c, "unspecified-parameter-action", true, true)
	v.headers = paramGroup{kind: headerKind, specified: spec, unspecified: unspec, hasUnspec: true, exempt: requestExempt}
	v.query = paramGroup{kind: queryKind, specified: spec, unspecified: unspec, hasUnspec: true}
	v.path = paramGroup{kind: pathKind, specified: spec}
	if op := c.Operation(); op != nil {
		v.headers.document(n, c, sc, op.Headers)
		v.query.document(n, c, sc, op.QueryParameters)
		v.path.document(n, c, sc, pathParameters(op))
	}
	seen := map[string]bool{}
	for _, ch := range n.Children {
		var g *paramGroup
		switch ch.Name {
		case "headers":
			g = &v.headers
		case "query":
			g = &v.query
		case "path":
			g = &v.path
		default:
			c.Errorf(ch, "only <headers>, <query> and <path> belong in <validate-parameters>")
			continue
		}
		if seen[ch.Name] {
			c.Errorf(ch, "<%s> is given twice", ch.Name)
		}
		seen[ch.Name] = true
		if ch.Name == "path" {
			c.Only(ch, "specified-parameter-action")
		} else {
			c.Only(ch, "specified-parameter-action", "unspecified-parameter-action")
			if a, ok := compileAction(ch, c, "unspecified-parameter-action", false, true); ok {
				g.unspecified = a
			}
		}
		if a, ok := compileAction(ch, c, "specified-parameter-action", false, true); ok {
			g.specified = a
		}
		g.compileOverrides(ch.Children, c, "parameter")
	}
	return v
}

// pathParameters returns the operation's documented path parameters and,
// as strings, those of its URL template that it does not document.
func pathParameters(op *policy.Operation) []policy.Parameter {
	ps := append([]policy.Parameter(nil), op.PathParameters...)
	known := map[string]bool{}
	for _, p := range ps {
		known[p.Name] = true
	}
	rest := op.URLTemplate
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			break
		}
		name := strings.TrimLeft(rest[i+1:i+j], "*")
		if name != "" && !known[name] {
			known[name] = true
			ps = append(ps, policy.Parameter{Name: name, Type: "string", Required: true})
		}
		rest = rest[i+j+1:]
	}
	return ps
}

func (v *validateParameters) Do(c *policy.Context) error {
	var all []finding
	matched := c.Request.Parameters()
	path := make(map[string][]string, len(matched))
	for k, val := range matched {
		path[k] = []string{val}
	}
	groups := [...]struct {
		g       *paramGroup
		present map[string][]string
	}{{&v.path, path}, {&v.query, c.Request.URL.QueryValues()}, {&v.headers, c.Request.Headers}}
	for _, gp := range groups {
		fs, err := gp.g.check(c, gp.present, false)
		if err != nil {
			return err
		}
		all = append(all, fs...)
	}
	return v.finish(c, all)
}

// validateHeaders implements <validate-headers>: the response's headers
// against those the operation documents for its status code.
type validateHeaders struct {
	validator
	byStatus map[int]*paramGroup
	other    *paramGroup // a status code the operation does not document
}

var _ policy.Step = (*validateHeaders)(nil)

// responseExempt are the response headers never reported as
// unspecified: the body's framing and what HTTP itself adds.
var responseExempt = map[string]bool{"Content-Type": true, "Content-Length": true, "Date": true, "Transfer-Encoding": true, "Connection": true}

func compileValidateHeaders(n *policy.Node, c *policy.Compiler, sc *schemaCache) policy.Step {
	c.Only(n, "specified-header-action", "unspecified-header-action", "errors-variable-name")
	if s := c.Section(); s != policy.Outbound && s != policy.OnError {
		c.Errorf(n, "belongs in outbound or on-error")
	}
	v := &validateHeaders{validator: compileValidator(n, c), byStatus: map[int]*paramGroup{}}
	spec, _ := compileAction(n, c, "specified-header-action", true, true)
	unspec, _ := compileAction(n, c, "unspecified-header-action", true, true)
	proto := paramGroup{kind: responseKind, specified: spec, unspecified: unspec, hasUnspec: true, exempt: responseExempt}
	proto.compileOverrides(n.Children, c, "header")
	other := proto
	v.other = &other
	if op := c.Operation(); op != nil {
		for _, r := range op.Responses {
			g := proto
			g.documented = nil
			g.document(n, c, sc, r.Headers)
			v.byStatus[r.StatusCode] = &g
		}
	}
	return v
}

func (v *validateHeaders) Do(c *policy.Context) error {
	resp := responseOf(c)
	g := v.byStatus[resp.StatusCode]
	if g == nil {
		g = v.other
	}
	fs, err := g.check(c, resp.Headers, true)
	if err != nil {
		return err
	}
	return v.finish(c, fs)
}

// validateStatusCode implements <validate-status-code>: the response's
// status code must be one the operation documents.
type validateStatusCode struct {
	validator
	documented  map[int]bool
	unspecified actionValue
	overrides   map[int]actionValue
}

var _ policy.Step = (*validateStatusCode)(nil)

func compileValidateStatusCode(n *policy.Node, c *policy.Compiler) policy.Step {
	c.Only(n, "unspecified-status-code-action", "errors-variable-name")
	if s := c.Section(); s != policy.Outbound && s != policy.OnError {
		c.Errorf(n, "belongs in outbound or on-error")
	}
	v := &validateStatusCode{validator: compileValidator(n, c), documented: map[int]bool{}, overrides: map[int]actionValue{}}
	v.unspecified, _ = compileAction(n, c, "unspecified-status-code-action", true, true)
	if op := c.Operation(); op != nil {
		for _, r := range op.Responses {
			v.documented[r.StatusCode] = true
		}
	}
	for _, ch := range n.Children {
		if ch.Name != "status-code" {
			c.Errorf(ch, "only <status-code> elements belong in <validate-status-code>")
			continue
		}
		c.Only(ch, "code", "action")
		code := compileStatus(ch, c, "code", 0, true)
		if act, ok := compileAction(ch, c, "action", true, true); ok && code != 0 {
			v.overrides[code] = act
		}
	}
	return v
}

func (v *validateStatusCode) Do(c *policy.Context) error {
	code := responseOf(c).StatusCode
	if v.documented[code] {
		return nil
	}
	av, ok := v.overrides[code]
	if !ok {
		av = v.unspecified
	}
	act, err := av.get(c)
	if err != nil {
		return err
	}
	d := "Response status code " + strconv.Itoa(code) + " is not allowed."
	return v.finish(c, []finding{{validationError: validationError{Name: strconv.Itoa(code), Type: "StatusCode", ValidationRule: "Unspecified", Details: d}, act: act}})
}
