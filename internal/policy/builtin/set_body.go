package builtin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/osteele/liquid"

	"github.com/gatehouse/gatehouse/internal/expr"
	"github.com/gatehouse/gatehouse/internal/policy"
)

// setBody implements <set-body>: the request body in inbound and backend,
// the response body in outbound and on-error. The text is a literal or an
// expression; an expression's result is converted as C#'s ToString (a
// JObject becomes its JSON).
type setBody struct {
	body     policy.Value
	liquid   *liquid.Template // template="liquid"
	response bool
}

var _ policy.Step = (*setBody)(nil)

func compileSetBody(engine *liquid.Engine) policy.CompileFunc {
	return func(n *policy.Node, c *policy.Compiler) policy.Step {
		c.Only(n, "template", "xsi-nil", "parse-date")
		s := &setBody{response: c.Section() == policy.Outbound || c.Section() == policy.OnError}
		t, a, ok := c.Literal(n, "template", false)
		switch {
		case !ok || t == "none":
			s.body = c.Text(n)
		case t == "liquid":
			tpl, err := engine.ParseString(n.Text)
			if err != nil {
				c.AttrErrorf(n, a, "the Liquid template: %v", err)
				return nil
			}
			s.liquid = tpl
		default:
			c.AttrErrorf(n, a, "%q: want liquid or none", t)
		}
		return s
	}
}

func (s *setBody) Do(c *policy.Context) error {
	if s.liquid != nil {
		return s.render(c)
	}
	v, err := s.body.Any(c)
	if err != nil {
		return err
	}
	var data []byte
	switch b := v.(type) {
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		data = []byte(expr.ToString(b))
	}
	if s.response {
		responseOf(c).Body.Set(data)
		return nil
	}
	if c.Request.Body == nil {
		c.Request.Body = expr.BodyOf(data)
	} else {
		c.Request.Body.Set(data)
	}
	return nil
}

// render runs the Liquid template with APIM's bindings: body (the
// message's JSON) and context.
func (s *setBody) render(c *policy.Context) error {
	msg := c.Request.Body
	if s.response {
		msg = responseOf(c).Body
	}
	var body any
	if msg != nil {
		data, err := msg.Bytes()
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(data)) > 0 && json.Unmarshal(data, &body) != nil {
			body = string(data)
		}
	}
	out, err := s.liquid.Render(liquid.Bindings{"body": body, "context": liquidContext(c)})
	if err != nil {
		return fmt.Errorf("liquid template: %w", err)
	}
	if s.response {
		responseOf(c).Body.Set(out)
	} else if c.Request.Body == nil {
		c.Request.Body = expr.BodyOf(out)
	} else {
		c.Request.Body.Set(out)
	}
	return nil
}

// liquidHeaders are a message's headers as APIM's Liquid templates see
// them (DotLiquid over a dictionary): indexed by name
// (context.Request.Headers["Accept"]), and, in a for loop, pairs with a
// Key and a Value, in order of name. A header's values are joined by
// commas.
type liquidHeaders map[string]any

// Len and Index make the Liquid engine iterate over pairs rather than
// over [name, value] arrays.
func (h liquidHeaders) Len() int { return len(h) }

// Index returns the i-th header by name as a Key/Value pair.
func (h liquidHeaders) Index(i int) any {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return map[string]any{"Key": names[i], "Value": h[names[i]]}
}

// liquidContext is the `context` of Liquid templates, as APIM offers it.
func liquidContext(c *policy.Context) map[string]any {
	headers := func(h map[string][]string) liquidHeaders {
		m := make(liquidHeaders, len(h))
		for k, v := range h {
			m[k] = strings.Join(v, ",")
		}
		return m
	}
	query := map[string]any{}
	for k, v := range c.Request.URL.QueryValues() {
		query[k] = strings.Join(v, ",")
	}
	params := map[string]any{}
	for k, v := range c.Request.Parameters() {
		params[k] = v
	}
	ctx := map[string]any{
		"Request": map[string]any{
			"Method": c.Request.Method, "IpAddress": c.Request.IPAddress, "Headers": headers(c.Request.Headers),
			"MatchedParameters": params,
			"Url": map[string]any{"Scheme": c.Request.URL.Scheme, "Host": c.Request.URL.Host, "Port": c.Request.URL.Port,
				"Path": c.Request.URL.Path, "Query": query},
		},
		"Variables": c.Variables,
		"RequestId": c.RequestID,
	}
	if c.Response != nil {
		ctx["Response"] = map[string]any{"StatusCode": c.Response.StatusCode, "StatusReason": c.Response.StatusReason, "Headers": headers(c.Response.Headers)}
	}
	if c.Subscription != nil {
		ctx["Subscription"] = map[string]any{"Id": c.Subscription.ID, "Name": c.Subscription.Name}
	}
	if c.API != nil {
		ctx["Api"] = map[string]any{"Id": c.API.ID, "Name": c.API.Name, "Path": c.API.Path}
	}
	if c.Operation != nil {
		ctx["Operation"] = map[string]any{"Id": c.Operation.ID, "Name": c.Operation.Name, "Method": c.Operation.Method, "UrlTemplate": c.Operation.URLTemplate}
	}
	return ctx
}
